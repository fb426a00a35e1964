"""Proposals as their readers see them: the list (drafts only for the committee and the
supervisor), the board's, and one proposal with its versions, what the caller may do,
the turnout while voting (totals only, never an option's figures), the caller's own
flats with their ballots, and the stored result once closed."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from server.clock import utcnow
from server.errors import Forbidden
from server.extensions import db
from server.labels import label
from server.models import (
    Ballot,
    Building,
    Compound,
    Household,
    Proposal,
    ProposalComment,
    ProposalVersion,
    RollEntry,
    Unit,
)
from server.models.decisions import PROPOSAL_STATUSES
from server.services.decisions import access, effects_check, tally
from server.services.decisions.proposals import ATTACHMENT_KIND
from server.services.people import compounds
from server.services.people.access import Principal
from server.services.photos import attachments

LIST_LIMIT = 100
BOARD_LIMIT = 10
RECENTLY_CLOSED = timedelta(days=30)


def listing(principal: Principal, code: str, status: str | None) -> list[dict]:
    """A compound's proposals, newest first. Raises NotFound, Forbidden (owners_only: a
    tenant or family member)."""
    compound = compounds.member_compound(principal, code)
    if not may_list(principal, compound.id):
        raise Forbidden("表决事项只对本小区业主公开", code="owners_only")
    query = select(Proposal).where(Proposal.compound_id == compound.id)
    if not access.sees_drafts(principal, compound.id):
        query = query.where(Proposal.status != "draft")
    if status in PROPOSAL_STATUSES:
        query = query.where(Proposal.status == status)
    rows = db.session.scalars(query.order_by(Proposal.id.desc()).limit(LIST_LIMIT))
    return summaries(principal, list(rows))


def board_items(principal: Principal, compound_id: int) -> list[dict]:
    """What the board shows those who may read proposals: on notice, voting, and
    closed within the last 30 days, newest first (nothing for tenants)."""
    if not may_list(principal, compound_id):
        return []
    since = utcnow() - RECENTLY_CLOSED
    rows = db.session.scalars(
        select(Proposal)
        .where(
            Proposal.compound_id == compound_id,
            Proposal.status.in_(("notice", "voting"))
            | ((Proposal.status == "closed") & (Proposal.closed_at >= since)),
        )
        .order_by(Proposal.id.desc())
        .limit(BOARD_LIMIT)
    )
    return summaries(principal, list(rows))


def may_list(principal: Principal, compound_id: int) -> bool:
    return (
        access.sees_drafts(principal, compound_id)
        or access.is_volunteer(principal, compound_id)
        or bool(access.owned_households(principal, compound_id))
    )


def summaries(principal: Principal, rows: list[Proposal]) -> list[dict]:
    if not rows:
        return []
    ids = [p.id for p in rows]
    comments = dict(
        db.session.execute(
            select(ProposalComment.proposal_id, func.count())
            .where(ProposalComment.proposal_id.in_(ids))
            .group_by(ProposalComment.proposal_id)
        ).all()
    )
    needed = _vote_needed(principal, rows)
    return [_summary(p, comments.get(p.id, 0), p.id in needed) for p in rows]


def detail(principal: Principal, proposal_id: int) -> dict:
    """One proposal for whoever may read it. Raises NotFound, Forbidden (owners_only)."""
    proposal = access.readable(principal, proposal_id)
    compound = db.session.get(Compound, proposal.compound_id)
    (summary,) = summaries(principal, [proposal])
    mine = my_households(principal, proposal)
    voting = proposal.status == "voting"
    return {
        **summary,
        "compound": compound.code,
        "body": proposal.body,
        "rule": tally.rule_for(proposal.matter),
        "rule_label": label("decision_rule", tally.rule_for(proposal.matter)),
        "options": proposal.options,
        "effect": proposal.effect or {"kind": "none"},
        "effect_text": effects_check.effect_text(proposal.compound_id, proposal.effect),
        "attachments": attachments.of(ATTACHMENT_KIND, [proposal.id])[proposal.id],
        "versions": _versions(proposal),
        "actions": actions(principal, proposal, compound, mine),
        "turnout": turnout(proposal) if proposal.status in ("voting", "closed") else None,
        "my_households": mine,
        "changeable_until": proposal.closes_at if voting else None,
        "result": result(proposal),
    }


def actions(
    principal: Principal, proposal: Proposal, compound: Compound, mine: list[dict]
) -> list[str]:
    """What the caller may do now: edit, publish, withdraw, open, close, comment, vote,
    record_paper, confirm_paper."""
    if compound.archived_at is not None:
        return []
    status, now = proposal.status, utcnow()
    committee = principal.committee_of(compound.id)
    found = []
    if committee and status in ("draft", "notice"):
        found.append("edit")
    if committee and status == "draft":
        found.append("publish")
    if committee and status in ("draft", "notice"):
        found.append("withdraw")
    if committee and status == "notice" and now >= proposal.notice_ends_at:
        found.append("open")
    if committee and status == "voting" and now >= proposal.closes_at:
        found.append("close")
    if status == "notice" and (committee or mine):
        found.append("comment")
    if status == "voting" and now < proposal.closes_at:
        if any(h["on_roll"] for h in mine):
            found.append("vote")
        if access.is_volunteer(principal, compound.id):
            found.append("record_paper")
            if _others_pending(principal, proposal.id):
                found.append("confirm_paper")
    return found


def turnout(proposal: Proposal) -> dict:
    """Eligible and participating area and heads (totals only)."""
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
    area = sum((Decimal(a) for a, _g in rows), Decimal("0.00"))
    return {
        "eligible_area_m2": _m2(proposal.eligible_area_m2 or Decimal("0")),
        "eligible_heads": proposal.eligible_heads or 0,
        "participating_area_m2": _m2(area),
        "participating_heads": len({g for _a, g in rows}),
    }


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


def result(proposal: Proposal) -> dict | None:
    """The stored count with the options' labels (closed only)."""
    if proposal.status != "closed" or not proposal.result:
        return None
    labels = {o["choice"]: o["label"] for o in proposal.options}
    stored = dict(proposal.result)
    stored["options"] = [
        {**o, "label": labels.get(o["choice"], o["choice"])} for o in stored.get("options", [])
    ]
    stored["rule_label"] = label("decision_rule", stored.get("rule", ""))
    return stored


def _summary(p: Proposal, comment_count: int, vote_needed: bool) -> dict:
    return {
        "id": p.id,
        "title": p.title,
        "matter": p.matter,
        "matter_label": label("matter", str(p.matter)),
        "status": p.status,
        "status_label": label("proposal_status", p.status),
        "version": p.version,
        "published_at": p.published_at,
        "notice_ends_at": p.notice_ends_at,
        "closes_at": p.closes_at,
        "closed_at": p.closed_at,
        "passed": p.passed,
        "comment_count": comment_count,
        "my_vote_needed": vote_needed,
    }


def _vote_needed(principal: Principal, rows: list[Proposal]) -> set[int]:
    """The voting proposals where one of the caller's flats on the roll has no counted
    ballot yet (two queries for the whole list)."""
    now = utcnow()
    voting = [p.id for p in rows if p.status == "voting" and p.closes_at and now < p.closes_at]
    owned = access.owned_households(principal, rows[0].compound_id)
    if not voting or not owned:
        return set()
    on_roll = set(
        db.session.execute(
            select(RollEntry.proposal_id, RollEntry.household_id).where(
                RollEntry.proposal_id.in_(voting), RollEntry.household_id.in_(owned)
            )
        ).all()
    )
    counted = set(
        db.session.execute(
            select(Ballot.proposal_id, Ballot.household_id).where(
                Ballot.proposal_id.in_(voting),
                Ballot.household_id.in_(owned),
                Ballot.status == "counted",
            )
        ).all()
    )
    return {proposal_id for proposal_id, _h in on_roll - counted}


def _versions(proposal: Proposal) -> list[dict]:
    rows = db.session.scalars(
        select(ProposalVersion)
        .where(ProposalVersion.proposal_id == proposal.id)
        .order_by(ProposalVersion.version.desc())
    )
    return [
        {
            "version": v.version,
            "title": v.title,
            "body": v.body,
            "options": v.options,
            "effect_text": effects_check.effect_text(proposal.compound_id, v.effect),
            "note": v.note,
            "created_at": v.created_at,
        }
        for v in rows
    ]


def _others_pending(principal: Principal, proposal_id: int) -> bool:
    return (
        db.session.scalar(
            select(Ballot.id)
            .where(
                Ballot.proposal_id == proposal_id,
                Ballot.status == "pending",
                Ballot.cast_by_id != principal.id,
            )
            .limit(1)
        )
        is not None
    )


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
