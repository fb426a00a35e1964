"""A compound's people: every role holder but residents (the committee's 人员与角色),
taking a role away with a reason, and setting a committee member's term."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case, delete, func, select

from server.clock import SHANGHAI, utcnow
from server.errors import Conflict, Forbidden, NotFound, ValidationFailed
from server.extensions import db
from server.labels import label
from server.models import Building, Compound, Membership, RoleInvite, Unit, User
from server.models.governance import INVITE_ROLES
from server.services.governance import appointing, audit, duties, role_invites
from server.services.messaging import notify, reachability
from server.services.messaging.messages import Message, shorten, wx_time
from server.services.people import compounds, users
from server.services.people.access import Principal, record_access
from server.services.platform.compound_admin import masked_phone

DUE_DAYS = 90  # a term ending within this many days is due for re-election
PAGE, PAGE_MAX = 50, 200  # people per page of the list: by default, at most
NO_NAME = "未填写姓名"
REACHABLE = ("official_account", "subscribe")


@dataclass(frozen=True)
class Person:
    membership_id: int
    user_id: int
    name: str
    role: str
    role_label: str
    scope_label: str
    title: str
    since: datetime
    term_start: date | None
    term_end: date | None
    due_for_reelection: bool
    reachable: bool
    channel: str
    phone: str | None


@dataclass(frozen=True)
class PeopleList:
    compound: Compound
    items: list[Person]  # this page's
    open_invites: int
    committee_due: int  # of the whole list, not only this page
    counts: dict[str, int]  # role → how many hold it (the whole list)
    next_cursor: str | None = None  # the next page's, None on the last

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def list_people(
    principal: Principal,
    code: str,
    role: str | None = None,
    *,
    cursor: str | None = None,
    limit: int = PAGE,
) -> PeopleList:
    """The compound's role holders but residents (`role` narrows it), a page of `limit`
    from `cursor` (the previous page's next_cursor, None for the first), by role and
    place, with term, whether a push reaches them and their shared phone masked; with
    how many hold each role and how many committee members are due for re-election.
    Names are personal data: the read (this page's people) is written to the access
    log. Commits. Raises NotFound, Forbidden."""
    compound = appointing.reader_compound(principal, code)
    roles = (role,) if role else INVITE_ROLES
    mine = (Membership.compound_id == compound.id, Membership.role.in_(roles))
    limit, offset = max(1, min(limit, PAGE_MAX)), _offset(cursor)
    rows = _page(mine, offset, limit + 1)
    more, rows = len(rows) > limit, rows[:limit]
    channels = reachability.role_channels(compound.id, [(m.user_id, m.role) for m, *_ in rows])
    items = [_person(*row, channels[(row[0].user_id, row[0].role)]) for row in rows]
    if offset == 0 and not more:  # the whole list on one page: counted from it
        counts: dict[str, int] = {}
        for person in items:
            counts[person.role] = counts.get(person.role, 0) + 1
        due = sum(p.due_for_reelection for p in items)
    else:
        counts, due = _counts(mine)
    waiting = db.session.scalar(
        select(func.count()).select_from(RoleInvite).where(*role_invites.open_invite(compound.id))
    )
    record_access(principal, "list", "role_holder", sorted({p.user_id for p in items}), compound.id)
    db.session.commit()
    return PeopleList(
        compound,
        items,
        int(waiting or 0),
        due,
        {r: counts[r] for r in INVITE_ROLES if r in counts},
        str(offset + limit) if more else None,
    )


def _counts(mine: tuple) -> tuple[dict[str, int], int]:
    """How many hold each role, and how many committee members are due for re-election,
    in one grouped statement."""
    due_by = appointing.today() + timedelta(days=DUE_DAYS)
    is_due = (Membership.role == "committee") & (Membership.term_end <= due_by)
    rows = db.session.execute(
        select(Membership.role, func.count(), func.sum(case((is_due, 1), else_=0)))
        .where(*mine)
        .group_by(Membership.role)
    ).all()
    return {role: int(n) for role, n, _ in rows}, sum(int(d or 0) for *_, d in rows)


def _offset(cursor: str | None) -> int:
    """A page's cursor is how many people come before it (the list is a few hundred
    people at most, in an order of role and place, not of time)."""
    if cursor is None or cursor == "":
        return 0
    if not cursor.isdigit() or len(cursor) > 6:
        raise ValidationFailed("翻页参数不对，请从第一页重新查看", code="bad_cursor")
    return int(cursor)


def _page(mine: tuple, offset: int, limit: int) -> list:
    """The role holders by role (INVITE_ROLES' order), then place, `limit` from `offset`."""
    role_order = case({r: n for n, r in enumerate(INVITE_ROLES)}, value=Membership.role)
    return db.session.execute(
        _select()
        .where(*mine)
        .order_by(role_order, Building.number, Unit.number, Membership.id)
        .offset(offset)
        .limit(limit)
    ).all()


def revoke(principal: Principal, code: str, membership_id: int, reason: str | None) -> Person:
    """Take a role away, saying why: the person is told, and a liaison's open issues and
    visits of the unit move on (to nobody: the unit's other liaisons see them). Commits.
    Allowed in an archived compound too (taking access to its people's data away is
    always allowed; its frozen issues stay as they are). Raises NotFound
    (membership_not_found), Forbidden, ValidationFailed (reason_required), Conflict
    (last_committee)."""
    compound = appointing.appointer_compound(principal, code)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写免去的理由", code="reason_required")
    person = _one(compound, membership_id)
    membership = db.session.get(Membership, membership_id)
    if membership.role == "committee":
        _keep_one_committee(compound.id)
    gone = db.session.execute(
        delete(Membership)
        .where(Membership.id == membership.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not gone:  # removed by someone else a moment ago
        raise NotFound("找不到这位人员，可能已被免去", code="membership_not_found")
    moved = duties.Moved()
    if compound.archived_at is None:  # an archived compound's issues stay as they are
        moved = duties.release(membership.user_id, compound.id)
    actor = users.names_in(compound.id, [principal.id])[principal.id]
    audit.record(
        compound.id,
        "revoked",
        f"{actor} 免去 {person.name} 的{person.title}职务，理由：{reason}",
        actor_id=principal.id,
        subject_user_id=membership.user_id,
        role=membership.role,
        scope_key=membership.scope_key,
        details={
            "membership_id": membership.id,
            "reason": reason,
            "issues": moved.issues,
            "return_visits": moved.return_visits,
        },
    )
    _tell_revoked(compound, membership, person.title, reason)
    db.session.commit()
    return person


def set_term(
    principal: Principal, code: str, membership_id: int, term_start: date, term_end: date
) -> Person:
    """Set a committee member's term (first and last day) — someone else's: a member
    does not set their own. Commits. Raises NotFound, Forbidden (same_person),
    ValidationFailed (no_term, bad_term: backwards or already over), Conflict
    (compound_archived)."""
    compound = appointing.appointer_compound(principal, code)
    compounds.ensure_open(compound)
    person = _one(compound, membership_id)
    if person.role != "committee":
        raise ValidationFailed("只有业委会委员有任期", code="no_term")
    if term_end <= term_start:
        raise ValidationFailed("任期结束日期应在开始日期之后", code="bad_term")
    if term_end < utcnow().astimezone(SHANGHAI).date():
        raise ValidationFailed("任期结束日期已经过去，请核对", code="bad_term")
    membership = db.session.get(Membership, membership_id)
    if membership.user_id == principal.id:
        raise Forbidden("不能设定自己的任期，请由另一位委员或街道办设定", code="same_person")
    before = (membership.term_start, membership.term_end)
    membership.term_start, membership.term_end = term_start, term_end
    actor = users.names_in(compound.id, [principal.id])[principal.id]
    audit.record(
        compound.id,
        "term_set",
        f"{actor} 设定 {person.name} 的任期：{term_start.isoformat()} 至 {term_end.isoformat()}",
        actor_id=principal.id,
        subject_user_id=membership.user_id,
        role="committee",
        scope_key=membership.scope_key,
        details={
            "membership_id": membership.id,
            "before": [d.isoformat() if d else None for d in before],
            "after": [term_start.isoformat(), term_end.isoformat()],
        },
    )
    db.session.commit()
    return _one(compound, membership_id)


def _select():
    return (
        select(Membership, Building.number, Unit.number, User.nickname, User.shared_phone)
        .join(User, User.id == Membership.user_id)
        .outerjoin(Building, Building.id == Membership.building_id)
        .outerjoin(Unit, Unit.id == Membership.unit_id)
    )


def _rows(*where) -> list:
    return db.session.execute(
        _select().where(*where).order_by(Building.number, Unit.number, Membership.id)
    ).all()


def _one(compound: Compound, membership_id: int) -> Person:
    """A role holder of this compound (not a resident). Raises NotFound."""
    rows = _rows(
        Membership.id == membership_id,
        Membership.compound_id == compound.id,
        Membership.role.in_(INVITE_ROLES),
    )
    if not rows:
        raise NotFound("找不到这位人员，可能已被免去", code="membership_not_found")
    (row,) = rows
    channel = reachability.role_channels(compound.id, [(row[0].user_id, row[0].role)])
    return _person(*row, channel[(row[0].user_id, row[0].role)])


def _person(m: Membership, building_no, unit_no, nickname, phone, channel: str) -> Person:
    due_by = appointing.today() + timedelta(days=DUE_DAYS)
    return Person(
        membership_id=m.id,
        user_id=m.user_id,
        name=m.name or nickname or NO_NAME,
        role=m.role,
        role_label=label("role", m.role),
        scope_label=appointing.scope_label(m.role, building_no, unit_no),
        title=appointing.post_title(m.role, building_no, unit_no),
        since=m.created_at,
        term_start=m.term_start,
        term_end=m.term_end,
        due_for_reelection=_due(m, due_by),
        reachable=channel in REACHABLE,
        channel=channel,
        phone=masked_phone(phone),
    )


def _due(m: Membership, due_by: date) -> bool:
    return m.role == "committee" and m.term_end is not None and m.term_end <= due_by


def _keep_one_committee(compound_id: int) -> None:
    """Refuse to remove the compound's last committee member. The committee's rows are
    locked so two members removing each other at once cannot both pass."""
    members = db.session.scalars(
        select(Membership.id)
        .where(Membership.compound_id == compound_id, Membership.role == "committee")
        .with_for_update()
    ).all()
    if len(members) <= 1:
        raise Conflict(
            "这是本小区最后一位业委会委员，不能免去。请先任命新的委员", code="last_committee"
        )


def _tell_revoked(compound: Compound, membership: Membership, title: str, reason: str) -> None:
    what = f"您的{title}职务已免去"
    message = Message(
        kind="role_revoked",
        template="reminder",
        title=what,
        body=f"{compound.name}：{what}。理由：{reason}。感谢您的付出，如有疑问请联系业委会。",
        data={
            "thing1": shorten(what),
            "thing2": shorten(f"理由：{reason}"),
            "time3": wx_time(utcnow()),
        },
        page="pages/index/index",
    )
    notify.deliver(
        message,
        [membership.user_id],
        notify.Occasion(f"role-end-m{membership.id}", compound.id),
        volunteers=True,
    )
