"""Proposals as their readers see them: the list (drafts only for the committee and the
supervisor), the board's, and one proposal with its versions, what the caller may do,
the turnout while voting (totals only, never an option's figures), the caller's own
flats with their ballots, and the stored result once closed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from server.clock import utcnow
from server.errors import Forbidden
from server.extensions import db
from server.labels import label
from server.models import (
    Ballot,
    Compound,
    Proposal,
    ProposalComment,
    ProposalVersion,
    RollEntry,
)
from server.models.decisions import PROPOSAL_STATUSES
from server.services.decisions import access, effects_check, participation, results, tally
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
        query = query.where(Proposal.published_at.is_not(None))
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
    mine = participation.my_households(principal, proposal)
    voting = proposal.status == "voting"
    counting = proposal.status in ("voting", "closed")
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
        "turnout": results.turnout(proposal) if counting else None,
        "my_households": mine,
        "changeable_until": proposal.closes_at if voting else None,
        "result": results.summary(proposal),
        "min_notice_days": compound.min_notice_days,
        "withdrawn_at": proposal.withdrawn_at,
        "withdraw_reason": proposal.withdraw_reason,
    }


def actions(
    principal: Principal, proposal: Proposal, compound: Compound, mine: list[dict]
) -> list[str]:
    """What the caller may do now: edit, publish, withdraw, open, close, comment, vote,
    record_paper, confirm_paper; audit (read or export the list of counted ballots with
    their flats: the committee and the supervisor, once voting has opened)."""
    status, now = proposal.status, utcnow()
    committee = principal.committee_of(compound.id)
    audit = (
        ["audit"]
        if status in ("voting", "closed") and access.sees_drafts(principal, compound.id)
        else []
    )
    if compound.archived_at is not None:
        return audit
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
    return found + audit


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
    """The voting proposals where one of the caller's flats on the roll has no ballot
    yet, counted or a paper one waiting for its check (two queries for the whole list)."""
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
                Ballot.status.in_(("counted", "pending")),
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
