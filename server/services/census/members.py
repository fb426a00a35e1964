"""A household's members on the census: added on the doorstep or by the household
itself (with consent), corrected, and marked moved out (anonymised later by the
personal-data job)."""

from __future__ import annotations

from sqlalchemy import select

from server.clock import utcnow
from server.errors import NotFound, ValidationFailed
from server.extensions import db
from server.models import Household, HouseholdMember, Membership
from server.models.census import AGE_BANDS, MEMBER_RELATIONS
from server.services.census import access, consent, crypto, records
from server.services.census.listing import member_view
from server.services.people.access import Principal
from server.services.people.compounds import ensure_open_id


def check(fields: dict) -> None:
    """Raises ValidationFailed (bad_relation, bad_age_band, bad_phone) for a wrong value."""
    if "relation" in fields and fields["relation"] not in MEMBER_RELATIONS:
        raise ValidationFailed("与本户的关系只能是业主、租户或家属", code="bad_relation")
    if fields.get("age_band") is not None and fields["age_band"] not in AGE_BANDS:
        raise ValidationFailed("年龄段不对，请从列表里选", code="bad_age_band")
    if "phone" in fields:
        crypto.clean_phone(fields["phone"])


def _apply(member: HouseholdMember, fields: dict) -> None:
    for key in ("name", "relation", "age_band", "uses_wechat"):
        if key in fields:
            setattr(member, key, fields[key])
    if "phone" in fields:
        for column, value in crypto.sealed(fields["phone"]).items():
            setattr(member, column, value)


def add(principal: Principal, household_id: int, fields: dict, consented: bool) -> dict:
    """Add a person to the household (the household itself or its volunteers), with
    their consent: given in the app by a resident, or on the doorstep to a volunteer
    who records it. Returns the member's view.

    Raises NotFound, Forbidden (census_forbidden), Conflict (compound_archived),
    ValidationFailed (consent_required, bad_relation, bad_age_band, bad_phone).
    """
    household = access.edit_household(principal, household_id)
    ensure_open_id(household.compound_id)
    if not consented:
        raise ValidationFailed(
            "请先向住户读一遍个人信息告知，住户同意后勾选“已同意”再保存", code="consent_required"
        )
    check(fields)
    own = access.is_own(principal, household) and not access.volunteer_of(principal, household)
    now = utcnow()
    member = HouseholdMember(
        compound_id=household.compound_id,
        household_id=household.id,
        source="household" if own else "liaison",
        user_id=_self(principal, household, fields["name"]) if own else None,
        created_by_id=principal.id,
        created_at=now,
        uses_wechat=False,
    )
    _apply(member, fields)
    db.session.add(member)
    db.session.flush()
    consent.record(
        "census",
        household.compound_id,
        household_id=household.id,
        user_id=principal.id if own else None,
        member_id=member.id,
        method="app" if own else "doorstep",
        recorded_by_id=None if own else principal.id,
    )
    records.moved_in(household)
    db.session.commit()
    return member_view(member, access.may_see_phone(principal, household))


def _self(principal: Principal, household: Household, name: str) -> int | None:
    """The caller's account when the person they add is themself (the name they bound
    the flat with), so the record shows them as using the app."""
    bound_as = db.session.scalar(
        select(Membership.name).where(
            Membership.user_id == principal.id,
            Membership.household_id == household.id,
            Membership.role == "resident",
        )
    )
    return principal.id if bound_as and bound_as == name else None


def member_of(household: Household, member_id: int) -> HouseholdMember:
    member = db.session.get(HouseholdMember, member_id)
    if member is None or member.household_id != household.id or not _living(member):
        raise NotFound("这户没有这个人", code="member_not_found")
    return member


def update(principal: Principal, household_id: int, member_id: int, fields: dict) -> dict:
    """Correct a member (the household itself or its volunteers); a phone of None
    clears it. Returns the member's view.

    Raises NotFound (household_not_found, member_not_found), Forbidden, Conflict,
    ValidationFailed (bad_relation, bad_age_band, bad_phone).
    """
    household = access.edit_household(principal, household_id)
    ensure_open_id(household.compound_id)
    member = member_of(household, member_id)
    check(fields)
    _apply(member, fields)
    member.updated_by_id, member.updated_at = principal.id, utcnow()
    full = access.may_see_phone(principal, household)
    if full and member.phone_cipher and "phone" not in fields:  # shown, not just typed
        access.log_read(
            principal, household, "view_phone", "household_member", [member.id], "修改住户登记"
        )
    db.session.commit()
    return member_view(member, full)


def move_out(principal: Principal, household_id: int, member_id: int) -> dict:
    """The person no longer lives there: hidden from now on, anonymised after the
    compound's retention. Raises NotFound, Forbidden, Conflict."""
    household = access.edit_household(principal, household_id)
    ensure_open_id(household.compound_id)
    member = member_of(household, member_id)
    now = utcnow()
    member.moved_out_at, member.updated_by_id, member.updated_at = now, principal.id, now
    db.session.commit()
    return {"id": member.id, "moved_out_at": now}


def _living(member: HouseholdMember) -> bool:
    return member.moved_out_at is None and member.anonymised_at is None
