"""Handing a unit over from a liaison who steps down to a successor, in one go.

The successor gets the unit's liaison role, the predecessor's ends, and the work they
were personally pointed at (open issues, in-person return visits) moves with it; the
unit's binding reviews and unpaid list follow the role. A Handover row and an audit
line record it; the successor is pushed a summary and the predecessor is told.

Who: the compound's committee, the platform admin, or the stepping-down liaison.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from server.clock import utcnow
from server.errors import Conflict, Forbidden, NotFound, ValidationFailed
from server.extensions import db
from server.models import Compound, Handover, Membership, Unit
from server.services.governance import audit, duties
from server.services.messaging import notify
from server.services.messaging.messages import Message, shorten, wx_time
from server.services.people import compounds, roles
from server.services.people.access import Principal
from server.services.people.users import names_in

UNIT_PATH = re.compile(r"^\s*(\d{1,3})-(\d{1,2})\s*$")
PEOPLE_PAGE = "pages/people/index"
WORKSPACE_PAGE = "pages/workspace/index"
HOME_PAGE = "pages/index/index"


@dataclass(frozen=True)
class Place:
    """The compound and unit of a handover, and whether the caller acts for the
    compound (committee or admin) rather than as the unit's own liaison."""

    compound: Compound
    unit: Unit
    committee: bool


def unit_label(unit: Unit) -> str:
    """ "1号楼2单元": how residents say it."""
    return f"{unit.building.number}号楼{unit.number}单元"


def place_for(principal: Principal, code: str, unit_path: str | None) -> Place:
    """The compound and unit a caller may hand over (or look at a handover of).

    Raises NotFound (compound_not_found, unit_not_found), Forbidden (committee_only),
    ValidationFailed (unit_required, bad_unit).
    """
    compound = compounds.get_compound(code)
    if not principal.is_admin and compound.id not in principal.compound_ids:
        raise NotFound("找不到该小区，请核对小区编号", code="compound_not_found")
    committee = principal.is_admin or principal.committee_of(compound.id)
    liaison_here = any(
        m.role == "liaison" and m.compound_id == compound.id for m in principal.memberships
    )
    if not committee and not liaison_here:
        raise _committee_only()
    unit = _unit(compound, unit_path)
    if not committee and not principal.liaison_of(unit.id):
        raise _committee_only()
    return Place(compound, unit, committee)


def hand_over(
    principal: Principal,
    code: str,
    unit_path: str | None,
    to_user_id: int,
    from_user_id: int | None = None,
) -> Handover:
    """Move a unit from its liaison to a successor in one transaction. Commits.

    Raises what `place_for` raises, NotFound (person_not_found), ValidationFailed
    (same_person, from_required), Conflict (no_liaison, compound_archived,
    handover_changed: someone else handed the same people over at the same moment).
    """
    place = place_for(principal, code, unit_path)
    compound, unit = place.compound, place.unit
    compounds.ensure_open(compound)
    if not place.committee:
        if from_user_id is not None and from_user_id != principal.id:
            raise _committee_only()
        from_user_id = principal.id
    if not _belongs(to_user_id, compound.id):
        raise NotFound("本小区没有这个人，请从名单里选择接任的人", code="person_not_found")
    if from_user_id is None:
        from_user_id = _only_liaison(unit)
    if from_user_id == to_user_id:
        raise ValidationFailed("接任的人不能是原联络人自己", code="same_person")
    # Lock the predecessor's role first: a second handover of the same person waits
    # here, then finds the role gone (409) instead of handing it over twice.
    if _lock_liaison(from_user_id, unit) is None:
        raise _no_liaison()
    successor_held = _lock_liaison(to_user_id, unit) is not None
    _, created = roles.grant(
        to_user_id,
        "liaison",
        unit,
        name=_given_name(to_user_id, compound.id),
        granted_by_id=principal.id,
    )
    if not created and not successor_held:  # our snapshot is older than the lock
        raise Conflict("刚有人办理了本单元的交接，请刷新后再试", code="handover_changed")
    roles.revoke(from_user_id, "liaison", unit)
    handover = _record(principal, place, from_user_id, to_user_id)
    db.session.commit()
    return handover


def _record(principal: Principal, place: Place, from_id: int, to_id: int) -> Handover:
    unit = place.unit
    moved = duties.move(from_id, unit.id, to_id)
    work = duties.unit_work(unit.id)
    handover = Handover(
        compound_id=place.compound.id,
        unit_id=unit.id,
        from_user_id=from_id,
        to_user_id=to_id,
        created_by_id=principal.id,
        created_at=utcnow(),
        moved={
            "issues": moved.issues,
            "return_visits": moved.return_visits,
            "care_visits": moved.care_visits,
            "binding_requests": work.binding_requests,
            "unpaid_households": work.unpaid_households,
        },
    )
    db.session.add(handover)
    db.session.flush()
    names = names_in(place.compound.id, [from_id, to_id])
    where = unit_label(unit)
    audit.record(
        place.compound.id,
        "handover",
        f"{where}联络人由{names[from_id]}交接给{names[to_id]}：{summary(handover.moved)}",
        actor_id=principal.id,
        subject_user_id=to_id,
        role="liaison",
        scope_key=f"u:{unit.id}",
        details={"handover_id": handover.id, "from_user_id": from_id, "to_user_id": to_id},
    )
    _tell(handover, where, names)
    if not place.committee:  # the liaison chose a successor: the committee is told
        _tell_committee(handover, where, names)
    return handover


def summary(moved: dict) -> str:
    """ "在办事项 2 件，待上门回访 1 次，待关爱走访 3 次，待审核绑定 1 条" (and unpaid
    households, if any; care visits if any were moved: older handovers have none)."""
    text = f"在办事项 {len(moved['issues'])} 件，待上门回访 {len(moved['return_visits'])} 次，"
    if moved.get("care_visits"):
        text += f"待关爱走访 {len(moved['care_visits'])} 次，"
    text += f"待审核绑定 {moved['binding_requests']} 条"
    if moved["unpaid_households"]:
        text += f"，未缴费 {moved['unpaid_households']} 户"
    return text


def _tell(handover: Handover, where: str, names: dict[int, str]) -> None:
    occasion = notify.Occasion(f"handover{handover.id}", handover.compound_id)
    moved, now = handover.moved, utcnow()
    to_successor = Message(
        kind="handover",
        template="reminder",
        title=f"您已接任{where}联络人",
        body=f"您已接任{where}联络人：{summary(moved)}。请在“工作台”里查看。",
        data={
            "thing1": shorten(f"接任{where}联络人"),
            "thing2": shorten(
                f"在办{len(moved['issues'])}件 回访{len(moved['return_visits'])}次 "
                f"走访{len(moved['care_visits'])}次 绑定{moved['binding_requests']}条"
            ),
            "time3": wx_time(now),
        },
        page=WORKSPACE_PAGE,
    )
    notify.deliver(to_successor, [handover.to_user_id], occasion, volunteers=True)
    successor = names[handover.to_user_id]
    to_predecessor = Message(
        kind="handover",
        template="reminder",
        title=f"{where}联络人工作已交接给{successor}",
        body=f"您在{where}的联络人工作已交接给{successor}，"
        "手上的事项、回访和关爱走访都已转给对方。感谢您的付出！",
        data={
            "thing1": shorten(f"{where}联络人工作交接"),
            "thing2": shorten(f"已交接给{successor}"),
            "time3": wx_time(now),
        },
        page=HOME_PAGE,
    )
    notify.deliver(to_predecessor, [handover.from_user_id], occasion)


def _tell_committee(handover: Handover, where: str, names: dict[int, str]) -> None:
    """A liaison who hands their unit over appoints a successor: the committee hears who,
    so it can check (人员与角色) and take the role away if it must."""
    committee = db.session.scalars(
        select(Membership.user_id).where(
            Membership.role == "committee", Membership.compound_id == handover.compound_id
        )
    ).all()
    old, new = names[handover.from_user_id], names[handover.to_user_id]
    message = Message(
        kind="handover",
        template="reminder",
        title=f"{where}联络人{old}已把工作交给{new}",
        body=f"{where}联络人{old}已把工作交给{new}，{new}现在是本单元联络人。"
        "如有不妥，可在“人员与角色”里处理。",
        data={
            "thing1": shorten(f"{where}联络人交接"),
            "thing2": shorten(f"{old}交给{new}"),
            "time3": wx_time(utcnow()),
        },
        page=PEOPLE_PAGE,
    )
    notify.deliver(
        message,
        list(committee),
        notify.Occasion(f"handover{handover.id}-committee", handover.compound_id),
        volunteers=True,
    )


def _unit(compound: Compound, unit_path: str | None) -> Unit:
    if unit_path is None or not unit_path.strip():
        raise ValidationFailed("请选择要交接的单元", code="unit_required")
    match = UNIT_PATH.match(unit_path)
    if not match:
        raise ValidationFailed("单元应写成 楼-单元，如 1-2", code="bad_unit")
    return compounds.get_unit(compound, int(match[1]), int(match[2]))


def _belongs(user_id: int, compound_id: int) -> bool:
    """Whether the person holds any role in the compound (a resident or a volunteer)."""
    return (
        db.session.scalar(
            select(Membership.id)
            .where(Membership.user_id == user_id, Membership.compound_id == compound_id)
            .limit(1)
        )
        is not None
    )


def _only_liaison(unit: Unit) -> int:
    liaisons = liaison_ids(unit.id)
    if not liaisons:
        raise _no_liaison()
    if len(liaisons) > 1:
        raise ValidationFailed("本单元有几位联络人，请选择由哪一位交接出去", code="from_required")
    return liaisons[0]


def liaison_ids(unit_id: int) -> list[int]:
    """The unit's liaisons, by when they were appointed."""
    return list(
        db.session.scalars(
            select(Membership.user_id)
            .where(Membership.role == "liaison", Membership.unit_id == unit_id)
            .order_by(Membership.id)
        )
    )


def _lock_liaison(user_id: int, unit: Unit) -> Membership | None:
    """The person's liaison role of the unit, locked (by its unique key), as it is now."""
    return db.session.scalars(
        select(Membership)
        .where(
            Membership.user_id == user_id,
            Membership.role == "liaison",
            Membership.scope_key == f"u:{unit.id}",
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def _given_name(user_id: int, compound_id: int) -> str | None:
    """The name the person gave for a role in this compound (a resident's binding name)."""
    return db.session.scalar(
        select(Membership.name)
        .where(
            Membership.user_id == user_id,
            Membership.compound_id == compound_id,
            Membership.name.is_not(None),
        )
        .order_by(Membership.id)
        .limit(1)
    )


def _committee_only() -> Forbidden:
    return Forbidden("只有业委会或本单元联络人本人可以办理交接", code="committee_only")


def _no_liaison() -> Conflict:
    return Conflict("本单元目前没有这位联络人，无法交接，请刷新后再看", code="no_liaison")
