"""A closed proposal's result: the stored count with labels and the exact thresholds,
and every counted ballot as (receipt, area, choice, head) so any owner can find their
own and add the totals up again — areas, and heads as the ballots with `head` (one per
owner, however many flats) — never a flat or a name."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from server.errors import Conflict
from server.extensions import db
from server.labels import label
from server.models import Ballot, Proposal, RollEntry
from server.services.decisions import access, tally
from server.services.people.access import Principal

THRESHOLDS = {
    "majority": {"quorum": "2/3", "pass": "1/2", "pass_strictly_more": True},
    "three_quarters": {"quorum": "2/3", "pass": "3/4", "pass_strictly_more": False},
}


def summary(proposal: Proposal) -> dict | None:
    """The stored result with labels and thresholds (no ballots); None until closed."""
    stored = proposal.result
    if proposal.status != "closed" or not stored:
        return None
    labels = {o["choice"]: o["label"] for o in proposal.options}
    rule = stored["rule"]
    return {
        "eligible_area_m2": stored["eligible_area_m2"],
        "eligible_heads": stored["eligible_heads"],
        "participating_area_m2": stored["participating_area_m2"],
        "participating_heads": stored["participating_heads"],
        "options": [
            {**o, "label": labels.get(o["choice"], o["choice"])} for o in stored["options"]
        ],
        "quorum_met": stored["quorum_met"],
        "quorum_area_met": stored["quorum_area_met"],
        "quorum_heads_met": stored["quorum_heads_met"],
        "passed": stored["passed"],
        "winner": stored["winner"],
        "rule": rule,
        "rule_label": label("decision_rule", rule),
        "thresholds": THRESHOLDS[rule],
        "uncounted_paper": stored.get("uncounted_paper", 0),
        "effect_note": proposal.effect_note,
    }


def turnout(proposal: Proposal) -> dict | None:
    """Totals only, for a proposal voting or closed (the detail's `turnout`): eligible
    and participating area and heads, never a figure per option while voting. The
    eligible figures are the ones stored when the roll was frozen; the participating
    ones read the counted ballots only (one query, not the whole roll)."""
    if proposal.status not in ("voting", "closed"):
        return None
    rows = db.session.execute(
        select(RollEntry.area_m2, RollEntry.owner_group)
        .join(
            Ballot,
            (Ballot.proposal_id == RollEntry.proposal_id)
            & (Ballot.household_id == RollEntry.household_id)
            & (Ballot.status == "counted"),
        )
        .where(RollEntry.proposal_id == proposal.id)
    ).all()
    area = sum(tally.m2_to_cents(Decimal(a)) for a, _group in rows)
    return {
        "eligible_area_m2": _area(proposal.eligible_area_m2 or 0),
        "eligible_heads": proposal.eligible_heads or 0,
        "participating_area_m2": str(tally.cents_to_m2(area)),
        "participating_heads": len({group for _area, group in rows}),
    }


def result(principal: Principal, proposal_id: int) -> dict:
    """The result with every counted ballot (receipt, area, choice) sorted by receipt and
    the caller's own receipts. Raises NotFound, Forbidden (owners_only), Conflict
    (result_not_ready)."""
    proposal = access.readable(principal, proposal_id)
    shown = summary(proposal)
    if shown is None:
        raise Conflict("表决尚未结束，结果还没有出来", code="result_not_ready")
    rows = db.session.execute(
        select(
            Ballot.receipt,
            RollEntry.area_m2,
            Ballot.choice,
            Ballot.household_id,
            RollEntry.owner_group,
            Ballot.counted_at,
            Ballot.id,
        )
        .join(
            RollEntry,
            (RollEntry.proposal_id == Ballot.proposal_id)
            & (RollEntry.household_id == Ballot.household_id),
        )
        .where(Ballot.proposal_id == proposal.id, Ballot.status == "counted")
        .order_by(Ballot.receipt)
    ).all()
    mine = set(access.owned_households(principal, proposal.compound_id))
    heads = _heads(rows)
    shown["ballots"] = [
        {
            "receipt": r.receipt,
            "area_m2": _area(r.area_m2),
            "choice": r.choice,
            "head": r.id in heads,
        }
        for r in rows
    ]
    shown["my_receipts"] = sorted(r.receipt for r in rows if r.household_id in mine)
    return shown


def _heads(rows) -> set[int]:
    """The ballots that carry their owner's head, as the count decides: of an owner's
    flats, the latest counted ballot (so heads can be added up from the list too,
    without naming anyone)."""
    latest: dict[int, tuple] = {}
    for r in rows:
        key = (r.counted_at, r.id)
        if r.owner_group not in latest or key > latest[r.owner_group]:
            latest[r.owner_group] = key
    return {ballot_id for _at, ballot_id in latest.values()}


def _area(value) -> str:
    return str(tally.cents_to_m2(tally.m2_to_cents(Decimal(value))))
