"""An owner's ballot in the app: one counted ballot per flat, changeable until close.

The proposal row is locked (FOR UPDATE) for every ballot and for closing, so a ballot
either lands before the close or is refused 409 voting_closed; the flat's counted ballot
is unique (`counted_key`), so two ballots for one flat at once leave exactly one counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.clock import utcnow
from server.errors import Conflict, Forbidden, ValidationFailed
from server.extensions import db
from server.models import Ballot, Building, Household, Proposal, Unit
from server.services.decisions import access, receipts, roll
from server.services.people import compounds
from server.services.people.access import Principal


@dataclass(frozen=True)
class Cast:
    receipt: str
    household_id: int
    choice: str
    replaced: bool
    changeable_until: datetime


def cast(principal: Principal, proposal_id: int, household_id: int, choice: str) -> Cast:
    """An owner of the flat votes (again: the new ballot replaces the counted one).

    Raises NotFound (proposal_not_found), Forbidden (owners_only), Conflict
    (compound_archived, voting_closed, not_on_roll, ballot_conflict), ValidationFailed
    (choice_invalid).
    """
    proposal = access.readable(principal, proposal_id, for_update=True)
    compounds.ensure_open_id(proposal.compound_id)
    if not access.is_owner_of(principal, household_id):
        raise Forbidden("只有这户的业主可以投票（租户、家属不参与表决）", code="owners_only")
    require_voting(proposal)
    require_on_roll(proposal, household_id)
    require_choice(proposal, choice)
    now = utcnow()
    ballot = Ballot(
        proposal_id=proposal.id,
        compound_id=proposal.compound_id,
        household_id=household_id,
        choice=choice,
        channel="app",
        status="counted",
        cast_by_id=principal.id,
        cast_at=now,
    )
    replaced = count_in(ballot, now)
    receipt = ballot.receipt
    db.session.commit()
    return Cast(receipt, household_id, choice, replaced, proposal.closes_at)


def count_in(ballot: Ballot, now: datetime) -> bool:
    """Make `ballot` (added or pending) the flat's counted ballot with a new receipt,
    replacing the one counted before (no commit). Returns whether one was replaced.
    Raises Conflict (ballot_conflict) when another ballot for the flat won the race."""
    old = db.session.scalars(
        select(Ballot)
        .where(
            Ballot.proposal_id == ballot.proposal_id,
            Ballot.household_id == ballot.household_id,
            Ballot.status == "counted",
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if old is not None:
        old.status, old.counted_key, old.replaced_at = "replaced", None, now
    ballot.status = "counted"
    ballot.counted_key = f"{ballot.proposal_id}:{ballot.household_id}"
    ballot.receipt = receipts.new_receipt()
    ballot.counted_at = now
    db.session.add(ballot)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("这户的表决票刚刚有人提交，请刷新后再试", code="ballot_conflict") from None
    return old is not None


def require_voting(proposal: Proposal) -> None:
    """Raises Conflict (voting_closed) unless the proposal is voting and not yet due."""
    if proposal.status != "voting" or (proposal.closes_at and utcnow() >= proposal.closes_at):
        raise Conflict("表决已经结束，不能再投票", code="voting_closed")


def require_on_roll(proposal: Proposal, household_id: int) -> None:
    if roll.entry(proposal.id, household_id) is None:
        raise Conflict("这户不在本次表决的名册上", code="not_on_roll")


def require_choice(proposal: Proposal, choice: str) -> None:
    if choice not in {o["choice"] for o in proposal.options}:
        raise ValidationFailed("没有这个选项，请重新选择", code="choice_invalid")


def choice_label(proposal: Proposal, choice: str) -> str:
    return next((o["label"] for o in proposal.options if o["choice"] == choice), choice)


def flat_labels(household_ids) -> dict[int, str]:
    """Household id → "3-2-301" (one query)."""
    ids = set(household_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Household.id, Building.number, Unit.number, Household.room)
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Household.building_id)
        .where(Household.id.in_(ids))
    ).all()
    return {hid: f"{b}-{u}-{room}" for hid, b, u, room in rows}


def counted(proposal_id: int, *, locking: bool = False) -> list[Ballot]:
    """The proposal's counted ballots, one per flat, in id order. `locking` (closing):
    a locking read sees what is committed now, not this transaction's snapshot, which
    MariaDB's repeatable read may have taken before a ballot that held the proposal's
    lock committed."""
    query = (
        select(Ballot)
        .where(Ballot.proposal_id == proposal_id, Ballot.status == "counted")
        .order_by(Ballot.id)
    )
    if locking:
        query = query.with_for_update().execution_options(populate_existing=True)
    return list(db.session.scalars(query))
