"""Reading the census: a household's record row, its members still living there,
its tags, and how a member is shown (phone in full or masked)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from server.clock import utcnow
from server.extensions import db
from server.models import CareTag, HouseholdCensus, HouseholdMember
from server.services.census import crypto

STALE_AFTER = timedelta(days=365)  # a record not confirmed for a year is visited again


def is_stale(confirmed_at: datetime | None, now: datetime | None = None) -> bool:
    """Never confirmed, or confirmed more than a year ago."""
    return confirmed_at is None or confirmed_at < (now or utcnow()) - STALE_AFTER


def census_of(household_id: int, *, lock: bool = False) -> HouseholdCensus | None:
    query = select(HouseholdCensus).where(HouseholdCensus.household_id == household_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.scalars(query).first()


def living():
    """The condition of a member still living there (not moved out, not anonymised)."""
    return HouseholdMember.moved_out_at.is_(None) & HouseholdMember.anonymised_at.is_(None)


def active(household_id: int) -> list[HouseholdMember]:
    """The members still living there, oldest entry first."""
    return list(
        db.session.scalars(
            select(HouseholdMember)
            .where(HouseholdMember.household_id == household_id, living())
            .order_by(HouseholdMember.id)
        )
    )


def tags_of(household_id: int, *, lock: bool = False) -> list[CareTag]:
    query = select(CareTag).where(CareTag.household_id == household_id).order_by(CareTag.id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return list(db.session.scalars(query))


def member_view(member: HouseholdMember, full_phone: bool) -> dict:
    """A member as the caller sees them: the phone in full only if `full_phone`."""
    phone = crypto.decrypt(member.phone_cipher) if full_phone else member.phone_masked
    return {
        "id": member.id,
        "name": member.name,
        "relation": member.relation,
        "age_band": member.age_band,
        "phone": phone,
        "phone_masked": member.phone_masked,
        "uses_wechat": member.uses_wechat,
        "bound": member.user_id is not None,
    }
