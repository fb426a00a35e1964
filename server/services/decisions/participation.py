"""How the vote stands for the caller: their own flats with their roll entry and ballot
(its receipt is shown to the flat's owners only). The turnout is `results.turnout`."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from server.extensions import db
from server.models import Ballot, Building, Household, Proposal, RollEntry, Unit
from server.services.decisions import access
from server.services.people.access import Principal


def my_households(principal: Principal, proposal: Proposal) -> list[dict]:
    """The caller's own flats (as an owner) with their roll entry and ballot: the counted
    one, else the latest waiting for confirmation."""
    owned = access.owned_households(principal, proposal.compound_id)
    if not owned:
        return []
    flats = db.session.execute(
        select(Household.id, Building.number, Unit.number, Household.room, Household.area_m2)
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Household.building_id)
        .where(Household.id.in_(owned))
        .order_by(Building.number, Unit.number, Household.floor, Household.room)
    ).all()
    on_roll = dict(
        db.session.execute(
            select(RollEntry.household_id, RollEntry.area_m2).where(
                RollEntry.proposal_id == proposal.id, RollEntry.household_id.in_(owned)
            )
        ).all()
    )
    ballots: dict[int, Ballot] = {}
    for ballot in db.session.scalars(
        select(Ballot)
        .where(
            Ballot.proposal_id == proposal.id,
            Ballot.household_id.in_(owned),
            Ballot.status.in_(("counted", "pending")),
        )
        .order_by(Ballot.id)
    ):
        held = ballots.get(ballot.household_id)
        if held is None or held.status != "counted" or ballot.status == "counted":
            ballots[ballot.household_id] = ballot
    labels = {o["choice"]: o["label"] for o in proposal.options}
    return [
        {
            "household_id": hid,
            "label": f"{building}-{unit}-{room}",
            "area_m2": _m2(on_roll.get(hid, area)),
            "on_roll": hid in on_roll,
            "ballot": _ballot(ballots.get(hid), labels),
        }
        for hid, building, unit, room, area in flats
    ]


def _ballot(ballot: Ballot | None, labels: dict[str, str]) -> dict | None:
    if ballot is None:
        return None
    return {
        "choice": ballot.choice,
        "choice_label": labels.get(ballot.choice, ballot.choice),
        "receipt": ballot.receipt,
        "channel": ballot.channel,
        "status": ballot.status,
        "cast_at": ballot.cast_at,
    }


def _m2(value) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))
