"""How often each care tag is visited: the compound's own setting, else the default."""

from __future__ import annotations

from sqlalchemy import select

from server.extensions import db
from server.models import CareCadence

# Days between visits; a tag missing here (党员中心户) makes no visits.
DEFAULT_CADENCE_DAYS = {
    "elderly_alone": 7,
    "disability": 14,
    "needs_visits": 14,
    "hardship": 30,
}


def configured(compound_id: int) -> dict[str, int]:
    """tag → days between visits as the compound set them (its rows over the defaults),
    0 included: the visits of that tag are off."""
    days = dict(DEFAULT_CADENCE_DAYS)
    rows = db.session.execute(
        select(CareCadence.tag, CareCadence.every_days).where(
            CareCadence.compound_id == compound_id
        )
    )
    for tag, every in rows:
        days[tag] = every
    return days


def cadences(compound_id: int) -> dict[str, int]:
    """tag → days between visits for this compound, for the tags that are visited
    (defaults overridden by its rows; 0 turns a tag's visits off)."""
    return {tag: every for tag, every in configured(compound_id).items() if every > 0}


def shortest(compound_id: int, tags) -> tuple[str, int] | None:
    """(tag, days) of the most frequent cadence among `tags`, or None if none visits."""
    return shortest_of(cadences(compound_id), tags)


def shortest_of(days: dict[str, int], tags) -> tuple[str, int] | None:
    """`shortest` with the compound's cadences already read."""
    visiting = [(days[tag], tag) for tag in tags if tag in days]
    if not visiting:
        return None
    every, tag = min(visiting)
    return tag, every
