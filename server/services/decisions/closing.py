"""Closing a vote at its set time: by the committee (POST close) or by the job
`close_due_proposals` every 5 minutes (closed_by NULL), the same way.

Closing locks the proposal row (as every ballot does), counts the counted ballots
against the frozen roll with `tally.count` (paper ballots still pending are left out
and their number kept), stores the result, applies what a passed proposal changes and
tells every member of the compound, pressing or not: it is their decision.
"""

from __future__ import annotations

import logging

from sqlalchemy import func, select

from server.clock import utcnow
from server.errors import Conflict
from server.extensions import db
from server.models import Ballot, Compound, Proposal
from server.services.decisions import access, ballots, effects, results, roll, tally
from server.services.messaging import fanout
from server.services.people.access import Principal

log = logging.getLogger(__name__)


def close(principal: Principal, proposal_id: int) -> Proposal:
    """The committee closes a vote whose time has come.

    Raises NotFound, Forbidden (committee_only), Conflict (compound_archived,
    proposal_state, voting_open)."""
    proposal = access.for_committee(principal, proposal_id)
    if proposal.status != "voting":
        raise Conflict("只有表决中的事项可以结束表决", code="proposal_state")
    if utcnow() < proposal.closes_at:
        raise Conflict("还没到表决截止时间，不能提前结束", code="voting_open")
    close_now(proposal, principal.id)
    db.session.commit()
    return proposal


def close_now(proposal: Proposal, closed_by_id: int | None) -> None:
    """Count, store, apply and tell (the proposal locked by the caller; no commit)."""
    counted = ballots.counted(proposal.id, locking=True)
    count = tally.count(
        proposal.matter,
        [o["choice"] for o in proposal.options],
        roll.flats_of(proposal.id),
        [tally.CountedBallot(b.household_id, b.choice, b.counted_at, b.id) for b in counted],
    )
    pending = db.session.scalar(
        select(func.count())
        .select_from(Ballot)
        .where(Ballot.proposal_id == proposal.id, Ballot.status == "pending")
        .with_for_update()  # what is committed now (see `ballots.counted`)
    )
    proposal.status = "closed"
    proposal.closed_at = utcnow()
    proposal.closed_by_id = closed_by_id
    proposal.result = {**count.as_dict(), "uncounted_paper": pending}
    proposal.passed = count.passed
    db.session.flush()
    if count.passed:
        effects.apply(proposal)
    _tell_members(proposal)


def close_due_proposals(now=None) -> int:
    """The job: close every voting proposal past its closes_at in a compound not
    archived, each in its own transaction. Returns how many it closed."""
    now = now or utcnow()
    due = list(
        db.session.scalars(
            select(Proposal.id)
            .join(Compound, Compound.id == Proposal.compound_id)
            .where(
                Proposal.status == "voting",
                Proposal.closes_at <= now,
                Compound.archived_at.is_(None),
            )
            .order_by(Proposal.closes_at, Proposal.id)
        )
    )
    db.session.commit()
    closed = 0
    for proposal_id in due:
        try:
            proposal = db.session.scalars(
                select(Proposal)
                .where(Proposal.id == proposal_id)
                .with_for_update()
                .execution_options(populate_existing=True)
            ).one()
            if proposal.status != "voting" or proposal.closes_at > now:
                db.session.rollback()
                continue
            close_now(proposal, None)
            db.session.commit()
            closed += 1
        except Exception:  # one proposal's trouble must not stop the others
            db.session.rollback()
            log.exception("closing proposal %s failed", proposal_id)
    return closed


def _tell_members(proposal: Proposal) -> None:
    people = access.audience(proposal.compound_id)
    shown = results.summary(proposal)
    verdict = "通过" if proposal.passed else "未通过"
    why = "" if shown["quorum_met"] else "（参与表决的面积或人数未达三分之二）"
    fanout.tell(
        people,
        compound_id=proposal.compound_id,
        key=f"prop{proposal.id}result",
        kind="proposal_result",
        title=f"表决结果：{proposal.title}（{verdict}）",
        body=f"「{proposal.title}」表决结束，{verdict}{why}。参与表决面积 "
        f"{shown['participating_area_m2']} m²（共 {shown['eligible_area_m2']} m²），人数 "
        f"{shown['participating_heads']}（共 {shown['eligible_heads']}）。"
        "每张计入的票都附回执码公布，可自行核对。",
        page=f"pages/proposal-result/index?id={proposal.id}",
        push=True,
        push_title=f"表决结果：{verdict}",
    )
