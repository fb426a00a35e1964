"""A household's census record as a whole: the view (members, tags, where it lives,
when last confirmed), confirming it, and the household moving out."""

from __future__ import annotations

from sqlalchemy import delete, update

from server.clock import utcnow
from server.errors import Forbidden
from server.extensions import db
from server.models import CareTag, Household, HouseholdCensus, HouseholdMember
from server.models.census import RESIDENCES, SENSITIVE_TAGS
from server.services.care.schedule import lock_household, sync_household
from server.services.census import access, consent
from server.services.census.listing import active, census_of, is_stale, member_view, tags_of
from server.services.people.access import Principal
from server.services.people.compounds import ensure_open_id
from server.services.people.users import names_in

DEFAULT_REASON = "查看住户登记"


def census_row(household: Household) -> HouseholdCensus:
    """The household's record, made on first use (lives here, never confirmed); the
    household is locked, so two saving it at once do not both make it."""
    lock_household(household.id)
    row = census_of(household.id, lock=True)
    if row is None:
        row = HouseholdCensus(
            compound_id=household.compound_id,
            household_id=household.id,
            unit_id=household.unit_id,
            residence="lives_here",
        )
        db.session.add(row)
        db.session.flush()
    return row


def moved_in(household: Household) -> None:
    """Someone is registered again at a flat its household had left: it lives there."""
    row = census_of(household.id)
    if row is not None and row.moved_out_at is not None:
        row.moved_out_at, row.residence = None, "lives_here"


def view(principal: Principal, household_id: int, reason: str | None = None) -> dict:
    """The household's census record as the caller may see it; the read of phones in
    full and of sensitive tags is logged (not the household's own). Commits the log.

    Raises NotFound (household_not_found), Forbidden (census_forbidden).
    """
    household = access.household_for(principal, household_id)
    shown = _shown(principal, household, reason or DEFAULT_REASON)
    db.session.commit()
    return shown


def _shown(principal: Principal, household: Household, reason: str) -> dict:
    """The view, its reads of phones in full and sensitive tags logged with `reason`."""
    shown, phones, tags = _view(principal, household)
    if phones:
        access.log_read(principal, household, "view_phone", "household_member", phones, reason)
    if tags:
        access.log_read(principal, household, "view_tags", "care_tag", tags, reason)
    return shown


def _view(principal: Principal, household: Household) -> tuple[dict, list[int], list[int]]:
    """(the view, ids of the members whose phone it shows in full, ids of the sensitive
    tags it shows)."""
    see_phone = access.may_see_phone(principal, household)
    people = active(household.id)
    row = census_of(household.id)
    confirmed_at = row.confirmed_at if row else None
    confirmed_by = row.confirmed_by_id if row else None
    shown = {
        "household": {"id": household.id, "label": household.label},
        "members": [member_view(m, see_phone) for m in people],
        "occupancy": row.residence if row else "lives_here",
        "confirmed_at": confirmed_at,
        "confirmed_by": names_in(household.compound_id, [confirmed_by]).get(confirmed_by),
        "stale": is_stale(confirmed_at),
        "moved_out_at": row.moved_out_at if row else None,
        "may": {
            "edit_members": access.may_edit_members(principal, household),
            "edit_tags": access.may_edit_tags(principal, household),
            "see_phone": see_phone,
            "move_out": access.may_move_out(principal, household),
        },
        "consent": _notice(),
    }
    phones = [m.id for m in people if m.phone_cipher] if see_phone else []
    sensitive = []
    if access.may_see_tags(principal, household):
        tags = tags_of(household.id)
        shown["tags"] = [t.tag for t in tags]
        sensitive = [t.id for t in tags if t.tag in SENSITIVE_TAGS]
    return shown, phones, sensitive


def _notice() -> dict:
    notice = consent.current("census")
    return {
        "kind": notice.kind,
        "version": notice.version,
        "title": notice.title,
        "text": notice.text,
    }


def confirm(principal: Principal, household_id: int, occupancy: str | None) -> dict:
    """The household's record is right as it stands, confirmed now by the caller (the
    household itself or its volunteers); returns the view.

    Raises NotFound, Forbidden (census_forbidden), Conflict (compound_archived),
    ValidationFailed (bad_occupancy, from the schema).
    """
    household = access.edit_household(principal, household_id)
    ensure_open_id(household.compound_id)
    row = census_row(household)
    if occupancy is not None and occupancy in RESIDENCES:
        row.residence = occupancy
    row.confirmed_at, row.confirmed_by_id = utcnow(), principal.id
    db.session.flush()
    shown = _shown(principal, household, "确认住户登记")
    db.session.commit()
    return shown


def move_out(principal: Principal, household_id: int) -> dict:
    """The whole household moved out (the unit's liaison or the committee): its members
    and tags go, its open care visit is cancelled; its data are anonymised after the
    compound's retention. Returns the (now empty) view.

    Raises NotFound, Forbidden (census_forbidden, move_out_forbidden), Conflict.
    """
    household = access.household_for(principal, household_id)
    if not access.may_move_out(principal, household):
        raise Forbidden("整户搬离由本单元联络人或业委会登记", code="move_out_forbidden")
    ensure_open_id(household.compound_id)
    now = utcnow()
    row = census_row(household)
    row.moved_out_at, row.residence = now, "vacant"
    row.history_from = now  # whoever moves in next does not see this household's past
    # Whoever moves in next is registered afresh.
    row.confirmed_at, row.confirmed_by_id = None, None
    db.session.execute(
        update(HouseholdMember)
        .where(HouseholdMember.household_id == household.id, HouseholdMember.moved_out_at.is_(None))
        .values(moved_out_at=now, updated_by_id=principal.id, updated_at=now)
    )
    db.session.execute(delete(CareTag).where(CareTag.household_id == household.id))
    sync_household(household)
    db.session.flush()
    shown = _shown(principal, household, "登记整户搬离")
    db.session.commit()
    return shown
