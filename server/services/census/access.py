"""Who may see and change a household's census record, and the log of every read.

- The household itself: its whole record, its phones in full, its tags; edits members.
- The unit's liaison and the committee: the record, phones in full, tags; edit all.
- The building lead: the record with phones masked, tags; edits members and tags.
- Anyone else of the compound (other residents, other units' liaisons, the finance
  supervisor): 403. Outside the compound: 404.

A read by the household itself is not logged (it is its own data, even when the reader
is also a volunteer of its unit); every other read of a phone in full or a sensitive
tag is, with who, what, when and why.
"""

from __future__ import annotations

from sqlalchemy import insert, select

from server.clock import utcnow
from server.errors import Forbidden, NotFound
from server.extensions import db
from server.models import AccessLog, Household, Unit
from server.services.people.access import Principal, record_access


def household_for(principal: Principal, household_id: int) -> Household:
    """The household if the caller may see its census record.

    Raises NotFound (no such flat, or not the caller's compound), Forbidden (a member
    of the compound whose role does not reach this flat).
    """
    household = db.session.get(Household, household_id)
    if household is None or household.compound_id not in principal.compound_ids:
        raise NotFound("找不到这户", code="household_not_found")
    if not may_see_record(principal, household):
        raise Forbidden(
            "只有本户、本单元联络人、楼栋长和业委会可以查看这户的登记信息",
            code="census_forbidden",
        )
    return household


def is_own(principal: Principal, household: Household) -> bool:
    return principal.resident_of(household.id)


def volunteer_of(principal: Principal, household: Household) -> bool:
    """The unit's liaison, the building's lead or the committee."""
    return principal.handles_unit(household.compound_id, household.building_id, household.unit_id)


def may_see_record(principal: Principal, household: Household) -> bool:
    return is_own(principal, household) or volunteer_of(principal, household)


def may_see_phone(principal: Principal, household: Household) -> bool:
    """A phone in full: the household itself, the unit's liaison, the committee."""
    return (
        is_own(principal, household)
        or principal.liaison_of(household.unit_id)
        or principal.committee_of(household.compound_id)
    )


def may_see_tags(principal: Principal, household: Household) -> bool:
    """Care tags: the household itself, the unit's liaison, the building lead, the committee."""
    return may_see_record(principal, household)


def may_edit_members(principal: Principal, household: Household) -> bool:
    return may_see_record(principal, household)


def may_edit_tags(principal: Principal, household: Household) -> bool:
    return volunteer_of(principal, household)


def may_move_out(principal: Principal, household: Household) -> bool:
    """Record that the whole household moved out: the unit's liaison or the committee."""
    return principal.liaison_of(household.unit_id) or principal.committee_of(household.compound_id)


def edit_household(principal: Principal, household_id: int, *, tags: bool = False) -> Household:
    """The household if the caller may change its members (or its tags). Raises
    NotFound, Forbidden (census_forbidden / tags_forbidden)."""
    household = household_for(principal, household_id)
    if tags and not may_edit_tags(principal, household):
        raise Forbidden("关爱标记由本单元联络人、楼栋长或业委会登记", code="tags_forbidden")
    return household


def units_in_reach(principal: Principal, compound_id: int) -> select:
    """The unit ids whose census the caller sees as a volunteer, as a subquery."""
    if principal.committee_of(compound_id):
        return select(Unit.id).where(Unit.compound_id == compound_id)
    buildings = [m.building_id for m in principal.memberships if m.role == "building_lead"]
    units = [m.unit_id for m in principal.memberships if m.role == "liaison"]
    return select(Unit.id).where(
        Unit.compound_id == compound_id,
        Unit.building_id.in_(buildings) | Unit.id.in_(units),
    )


def log_read(
    principal: Principal,
    household: Household,
    action: str,
    subject_type: str,
    subject_ids,
    reason: str | None,
) -> None:
    """Write the read to the access log unless it is the household's own (a liaison
    reading the record of the flat they live in reads their own data).

    `action`: "view_phone", "view_tags", "export_census", "download", ...;
    `subject_type`: "household_member", "care_tag", "household".
    """
    if is_own(principal, household):
        return
    record_access(
        principal,
        action,
        subject_type,
        list(subject_ids),
        household.compound_id,
        household_id=household.id,
        reason=reason,
    )


def log_reads(
    principal: Principal,
    compound_id: int,
    action: str,
    subject_type: str,
    reads,
    reason: str | None,
) -> None:
    """`log_read` for many households at once (a list, an export): `reads` are
    (household id, subject id) pairs, written in one statement; those of the caller's
    own flats are left out."""
    now = utcnow()
    own = principal.household_ids
    rows = [
        {
            "compound_id": compound_id,
            "actor_id": principal.id,
            "action": action,
            "subject_type": subject_type,
            "subject_id": subject_id,
            "created_at": now,
            "household_id": household_id,
            "reason": reason,
        }
        for household_id, subject_id in reads
        if household_id not in own
    ]
    if rows:
        db.session.execute(insert(AccessLog), rows)
