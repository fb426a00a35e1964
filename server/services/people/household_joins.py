"""Someone joined a household: who hears of it, and what it changes.

A person joins by a door invite, by an approved request, or by the operator's
`grant-role`. The household's existing members are told who joined and how, so a
stranger binding themself (a committee member's second account, say) is noticed by
the family; when nobody was bound there yet, or the flat was vacant, the unit's
liaisons are told instead (or the committee, where no liaison is left to tell). Whoever
made the joining happen (the approver, the invite's issuer) is never the one told: a
volunteer binding their own second account must be noticed by someone else. A vacant flat
that gets a resident is occupied from then on: fee items that exempt vacant flats
charge it from the next bill made.

Messages use the `reminder` template (`thing1`, `thing2`, `time3`) and the inbox.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, select

from server import labels
from server.clock import utcnow
from server.extensions import db
from server.models import Compound, Household, Membership, User
from server.services.messaging import notify
from server.services.messaging.messages import Message, shorten, wx_time

HOME_PAGE = "pages/index/index"


@dataclass(frozen=True)
class Join:
    """One person's joining: `how` says it in Chinese ("凭邀请码加入"); `key` is unique to
    this joining (the occasion of its messages); `actor_id` made it happen (the approver,
    or the issuer of the invite code used) and is not told about their own act, nor
    counted as the volunteer who heard of it."""

    household: Household
    user_id: int
    name: str | None
    relation: str | None
    how: str
    key: str
    actor_id: int | None = None


def announce(join: Join) -> list[int]:
    """Tell the household's other members (and, for an empty or vacant flat, its
    volunteers) who joined and how; mark a vacant flat occupied. No commit. Returns
    who was told."""
    household = join.household
    was_vacant = household.occupancy == "vacant"
    if was_vacant:
        household.occupancy = "occupied"
    occasion = notify.Occasion(join.key, household.compound_id)
    skip = _accounts_of(join.user_id, join.actor_id)
    members = [uid for uid in _residents(household.id) if uid not in skip]
    told = notify.deliver(_to_member(join), members, occasion)
    if was_vacant or not members:
        volunteers = _volunteers(household, skip)
        told += notify.deliver(
            _to_volunteer(join, was_vacant, alone=not members),
            volunteers,
            occasion,
            volunteers=True,
        )
    return told


def person_name(user_id: int, compound_id: int) -> str:
    """How someone is known in a compound: the name they bound a household of it with,
    else their nickname (a name given in another compound is not this one's business)."""
    name = db.session.scalar(
        select(Membership.name)
        .where(
            Membership.user_id == user_id,
            Membership.compound_id == compound_id,
            Membership.role == "resident",
            Membership.name.is_not(None),
        )
        .order_by(Membership.id)
        .limit(1)
    )
    return name or db.session.scalar(select(User.nickname).where(User.id == user_id)) or ""


def approved(household: Household, user_id: int, relation: str, request_id: int) -> None:
    """Tell a requester their binding was approved, naming the flat. No commit."""
    compound = db.session.get(Compound, household.compound_id)
    label = household.label
    message = Message(
        kind="binding_approved",
        template="reminder",
        title=f"绑定申请已通过：{label}",
        body=f"您已绑定到 {compound.name} {label}（{labels.label('relation', relation)}），"
        "现在可以报事、缴费了。",
        data={
            "thing1": shorten(f"{compound.name} {label}"),
            "thing2": "绑定申请已通过",
            "time3": wx_time(utcnow()),
        },
        page=HOME_PAGE,
    )
    notify.deliver(message, [user_id], notify.Occasion(f"bind{request_id}", compound.id))


def rejected(household: Household, user_id: int, reason: str, request_id: int) -> None:
    """Tell a requester their binding was rejected, and why. No commit."""
    label = household.label
    message = Message(
        kind="binding_rejected",
        template="reminder",
        title=f"绑定申请未通过：{label}",
        body=f"您对 {label} 的绑定申请未通过。理由：{reason}。如有疑问请联系单元联络人。",
        data={
            "thing1": shorten(f"{label} 绑定申请"),
            "thing2": shorten(f"未通过：{reason}"),
            "time3": wx_time(utcnow()),
        },
        page="pages/bind/index",
    )
    notify.deliver(message, [user_id], notify.Occasion(f"bind{request_id}", household.compound_id))


def _who(join: Join) -> str:
    relation = labels.label("relation", join.relation, "")
    return f"{join.name or '一位新成员'}{f'（{relation}）' if relation else ''}"


def _to_member(join: Join) -> Message:
    label = join.household.label
    return Message(
        kind="household_joined",
        template="reminder",
        title=shorten(f"{label} 有新成员：{join.name or '新成员'}", 60),
        body=f"{_who(join)}{join.how}，成为 {label} 的成员。"
        "如果您不认识此人，请尽快联系单元联络人或业委会。",
        data={
            "thing1": shorten(f"{label} 新成员 {join.name or ''}"),
            "thing2": shorten(f"{join.name or '新成员'}{join.how}"),
            "time3": wx_time(utcnow()),
        },
        page=HOME_PAGE,
    )


def _to_volunteer(join: Join, was_vacant: bool, *, alone: bool) -> Message:
    label = join.household.label
    notes = []
    if alone:
        notes.append("该户此前没有人绑定，如有疑问请核实。")
    if was_vacant:
        notes.append("该户原登记为空置，现已改为有人居住：空置免收的费用从下一期账单起照常收取。")
    return Message(
        kind="household_joined",
        template="reminder",
        title=shorten(f"{label} 有人绑定：{join.name or '新成员'}", 60),
        body=f"{_who(join)}{join.how}，绑定了 {label}。" + "".join(notes),
        data={
            "thing1": shorten(f"{label} 有人绑定"),
            "thing2": shorten(f"{join.name or '新成员'}{join.how}"),
            "time3": wx_time(utcnow()),
        },
        page=HOME_PAGE,
    )


def _residents(household_id: int) -> list[int]:
    return _members(and_(Membership.role == "resident", Membership.household_id == household_id))


def _volunteers(household: Household, skip: set[int]) -> list[int]:
    """The unit's liaisons other than `skip`; if none is left, the committee's others."""
    liaisons = _members(and_(Membership.role == "liaison", Membership.unit_id == household.unit_id))
    liaisons = [uid for uid in liaisons if uid not in skip]
    if liaisons:
        return liaisons
    committee = notify.compound_members(household.compound_id, "committee")
    return [uid for uid in committee if uid not in skip]


def _accounts_of(*user_ids: int | None) -> set[int]:
    """The given users and their other accounts of the same WeChat user (one unionid)."""
    ids = {uid for uid in user_ids if uid is not None}
    unionids = set(
        db.session.scalars(select(User.unionid).where(User.id.in_(ids), User.unionid.is_not(None)))
    )
    if unionids:
        ids |= set(db.session.scalars(select(User.id).where(User.unionid.in_(unionids))))
    return ids


def _members(condition) -> list[int]:
    return list(
        db.session.scalars(select(Membership.user_id).where(condition).order_by(Membership.user_id))
    )
