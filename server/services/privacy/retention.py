"""Anonymising those who moved out (a daily job): a member moved out longer ago than
the compound's `census_retention_days` (default 180) is anonymised, and a household
moved out that long loses its care tags (its open visit cancelled) and the free-text
notes volunteers wrote about it (visits, sweeps, the name an issue was filed for).
Archived compounds are left alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from server.clock import utcnow
from server.extensions import db
from server.models import CareTag, Compound, Household, HouseholdCensus, HouseholdMember
from server.services.privacy.erasure import anonymise_members, clear_notes, remove_tags


@dataclass(frozen=True)
class Anonymised:
    members: int
    households_untagged: int


def anonymise_moved_out(now: datetime | None = None) -> Anonymised:
    """Anonymise, in every open compound, the members and the tags of households that
    moved out more than its retention ago; commits."""
    now = now or utcnow()
    members = households = 0
    open_compounds = db.session.execute(
        select(Compound.id, Compound.census_retention_days).where(Compound.archived_at.is_(None))
    ).all()
    for compound_id, days in open_compounds:
        cutoff = now - timedelta(days=days)
        members += anonymise_members(
            (HouseholdMember.compound_id == compound_id) & (HouseholdMember.moved_out_at < cutoff),
            now,
        )
        households += _untag(compound_id, cutoff)
        _clear_notes(compound_id, cutoff)
    db.session.commit()
    return Anonymised(members, households)


def _untag(compound_id: int, cutoff: datetime) -> int:
    gone = db.session.scalars(
        select(Household)
        .join(HouseholdCensus, HouseholdCensus.household_id == Household.id)
        .where(
            HouseholdCensus.compound_id == compound_id,
            HouseholdCensus.moved_out_at < cutoff,
            Household.id.in_(select(CareTag.household_id)),
        )
    ).all()
    for household in gone:
        remove_tags(household)
    return len(gone)


def _clear_notes(compound_id: int, cutoff: datetime) -> None:
    gone = db.session.scalars(
        select(Household)
        .join(HouseholdCensus, HouseholdCensus.household_id == Household.id)
        .where(HouseholdCensus.compound_id == compound_id, HouseholdCensus.moved_out_at < cutoff)
    ).all()
    for household in gone:
        clear_notes(household)
