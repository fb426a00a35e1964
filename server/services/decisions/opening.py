"""Opening the vote (表决): after the notice period the committee sets the closing time,
the roll is frozen (every flat with its area and owner group) and the owners are asked
to vote — an inbox line for each, a push to those who allowed it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from server.clock import SHANGHAI, utcnow
from server.errors import Conflict, ValidationFailed
from server.extensions import db
from server.models import Household, Proposal
from server.models.spending import Expense
from server.services.decisions import access, roll
from server.services.decisions.proposals import page, require
from server.services.messaging import fanout
from server.services.messaging.messages import shorten
from server.services.people.access import Principal

SHORTEST = timedelta(hours=24)
LONGEST = timedelta(days=90)


def open_vote(principal: Principal, proposal_id: int, closes_at: datetime) -> Proposal:
    """Open the vote of a proposal whose notice is over, until `closes_at` (24 hours to
    90 days ahead). Raises NotFound, Forbidden, Conflict (proposal_state,
    notice_not_over, compound_archived), ValidationFailed (closes_at_invalid)."""
    proposal = access.for_committee(principal, proposal_id)
    require(proposal, ("notice",), "开始表决")
    now = utcnow()
    if now < proposal.notice_ends_at:
        ends = proposal.notice_ends_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
        raise Conflict(f"公示期到 {ends} 才结束，之后才能开始表决", code="notice_not_over")
    if closes_at.tzinfo is None or not now + SHORTEST <= closes_at <= now + LONGEST:
        raise ValidationFailed("表决截止时间应在 24 小时之后、90 天之内", code="closes_at_invalid")
    _require_effect_unchanged(proposal)
    area, heads = roll.freeze(proposal)
    proposal.status = "voting"
    proposal.opened_at, proposal.opened_by_id = now, principal.id
    proposal.closes_at = closes_at.astimezone(UTC)
    proposal.eligible_area_m2, proposal.eligible_heads = area, heads
    until = closes_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    owners = fanout.residents_of(
        select(Household.id).where(Household.compound_id == proposal.compound_id),
        owners_only=True,
    )
    fanout.tell(
        owners,
        compound_id=proposal.compound_id,
        key=f"prop{proposal.id}:vote",
        kind="proposal",
        title="请投票：" + shorten(proposal.title, 50),
        body=f"「{proposal.title}」开始表决，{until} 截止，截止前可以更改。",
        page=page(proposal.id),
        push=True,
        push_title="请投票：" + proposal.title,
    )
    db.session.commit()
    return proposal


def _require_effect_unchanged(proposal: Proposal) -> None:
    """The expense put on notice is still the one to vote on (not changed since: a new
    amount needs a revised proposal, a new version on notice). Raises Conflict."""
    effect = proposal.effect or {}
    if effect.get("kind") != "expense" or "version" not in effect:
        return
    expense = db.session.get(Expense, effect["expense_id"])
    if expense is not None and expense.version != effect["version"]:
        raise Conflict(
            "公示的支出之后被修改过，请先修改草案（说明改了什么）再开始表决",
            code="effect_changed",
        )
