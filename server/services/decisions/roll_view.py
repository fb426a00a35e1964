"""The vote roll as a volunteer walks it door to door: which flats of their units have
voted and which have a paper ballot waiting — never how anyone voted."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from server.errors import Forbidden
from server.extensions import db
from server.models import Ballot, Household, RollEntry
from server.services.decisions import access, ballots
from server.services.people.access import Principal


@dataclass(frozen=True)
class RollLine:
    household_id: int
    label: str
    area_m2: Decimal
    voted: bool
    pending_paper: bool


def roll_of(principal: Principal, proposal_id: int, unit_id: int | None = None) -> list[RollLine]:
    """The roll of the caller's units (a liaison's units, a building lead's building,
    the committee's whole compound), or of one unit of theirs.

    Raises NotFound, Forbidden (volunteers_only)."""
    proposal = access.readable(principal, proposal_id)
    compound_id = proposal.compound_id
    if not access.is_volunteer(principal, compound_id):
        raise Forbidden("只有联络员、楼长或业委会可以查看表决名册", code="volunteers_only")
    query = (
        select(RollEntry.household_id, RollEntry.area_m2, Household.building_id, RollEntry.unit_id)
        .join(Household, Household.id == RollEntry.household_id)
        .where(RollEntry.proposal_id == proposal.id)
    )
    if unit_id is not None:
        query = query.where(RollEntry.unit_id == unit_id)
    rows = [
        r
        for r in db.session.execute(query).all()
        if principal.handles_unit(compound_id, r.building_id, r.unit_id)
    ]
    if unit_id is not None and not rows and not principal.committee_of(compound_id):
        raise Forbidden("只能查看自己负责的单元", code="volunteers_only")
    states = db.session.execute(
        select(Ballot.household_id, Ballot.status).where(
            Ballot.proposal_id == proposal.id, Ballot.status.in_(("counted", "pending"))
        )
    ).all()
    voted = {h for h, s in states if s == "counted"}
    pending = {h for h, s in states if s == "pending"}
    labels = ballots.flat_labels(r.household_id for r in rows)
    lines = [
        RollLine(
            r.household_id,
            labels[r.household_id],
            r.area_m2,
            r.household_id in voted,
            r.household_id in pending,
        )
        for r in rows
    ]
    return sorted(lines, key=lambda line: flat_order(line.label))


def flat_order(text: str):
    return [int(p) if p.isdigit() else p for p in text.split("-")]
