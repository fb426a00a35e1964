"""Publishing a draft opens its public notice (草案公示): on the board, pushed to every
household whose people allowed it, in every resident's inbox — a few statements however
big the compound (`messaging/fanout.py`)."""

from __future__ import annotations

from datetime import timedelta

from server.clock import utcnow
from server.errors import ValidationFailed
from server.extensions import db
from server.models import Compound, Proposal
from server.services.decisions import access, effects_check
from server.services.decisions.proposals import page, require
from server.services.messaging import fanout
from server.services.messaging.messages import shorten
from server.services.people.access import Principal

MAX_NOTICE_DAYS = 60


def publish(principal: Principal, proposal_id: int, notice_days: int | None) -> Proposal:
    """Put a draft on public notice for `notice_days` (default and minimum: the
    compound's `min_notice_days`; at most 60). Raises NotFound, Forbidden, Conflict
    (proposal_state, compound_archived), ValidationFailed (notice_too_short,
    notice_too_long, and the effect's codes when it no longer holds)."""
    proposal = access.for_committee(principal, proposal_id)
    require(proposal, ("draft",), "公示")
    compound = db.session.get(Compound, proposal.compound_id)
    shortest = compound.min_notice_days
    days = shortest if notice_days is None else notice_days
    if days < shortest:
        raise ValidationFailed(
            f"公示期不能少于 {shortest} 天", code="notice_too_short", details={"min": shortest}
        )
    if days > MAX_NOTICE_DAYS:
        raise ValidationFailed(f"公示期不能超过 {MAX_NOTICE_DAYS} 天", code="notice_too_long")
    # The expense or fee item may have changed since the draft.
    effects_check.effect(proposal.compound_id, proposal.effect, proposal_id=proposal.id)
    now = utcnow()
    proposal.status = "notice"
    proposal.published_at, proposal.published_by_id = now, principal.id
    proposal.notice_ends_at = now + timedelta(days=days)
    people = access.audience(proposal.compound_id, but=principal.id)
    fanout.tell(
        people,
        compound_id=proposal.compound_id,
        key=f"prop{proposal.id}:notice",
        kind="proposal",
        title="草案公示：" + shorten(proposal.title, 50),
        body=f"业委会公示了表决草案「{proposal.title}」，公示 {days} 天，欢迎业主发表意见。",
        page=page(proposal.id),
        push=True,
        push_title=proposal.title,
    )
    db.session.commit()
    return proposal
