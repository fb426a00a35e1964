"""A committee member drafts a proposal, revises it (a draft in place; on notice as a
new version, the old ones kept with their comments) or withdraws it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from server.clock import utcnow
from server.errors import Conflict, ValidationFailed
from server.extensions import db
from server.models import Compound, Proposal, ProposalComment, ProposalVersion
from server.services.decisions import access, effects_check
from server.services.messaging import fanout
from server.services.messaging.messages import shorten
from server.services.people.access import Principal
from server.services.photos import attachments

ATTACHMENT_KIND = "proposal_doc"
TEXT_FIELDS = ("title", "body", "options", "effect")


def page(proposal_id: int) -> str:
    return f"pages/proposal/index?id={proposal_id}"


def draft(principal: Principal, code: str, fields: dict) -> Proposal:
    """A committee member drafts a proposal (status "draft", version 1). Raises NotFound,
    Forbidden (committee_only), Conflict (compound_archived), ValidationFailed
    (options_invalid, effect_options, the effect's codes, photo_invalid)."""
    compound = access.committee_compound(principal, code)
    effect = effects_check.effect(compound.id, fields.get("effect"))
    options = effects_check.options(fields.get("options"), effect)
    now = utcnow()
    proposal = Proposal(
        compound_id=compound.id,
        title=fields["title"],
        body=fields["body"],
        matter=fields["matter"],
        options=options,
        effect=effect,
        status="draft",
        version=1,
        created_by_id=principal.id,
        created_at=now,
    )
    db.session.add(proposal)
    db.session.flush()
    db.session.add(_version(proposal, principal, now, note=None))
    attachments.attach(
        principal, compound.id, ATTACHMENT_KIND, proposal.id, fields.get("attachments")
    )
    db.session.commit()
    return proposal


def revise(principal: Principal, proposal_id: int, fields: dict) -> Proposal:
    """Change a draft (version 1 in place) or a proposal on notice (a new version with a
    note saying what changed; those who commented are told; the notice runs at least
    the compound's minimum from the revision, so the final text is on notice in full).
    Raises NotFound, Forbidden, Conflict (proposal_state, compound_archived),
    ValidationFailed (nothing_changed, note_required, the options' and effect's codes)."""
    proposal = access.for_committee(principal, proposal_id)
    require(proposal, ("draft", "notice"), "修改")
    wanted = {k: fields[k] for k in TEXT_FIELDS if k in fields}
    if "effect" in wanted:
        wanted["effect"] = effects_check.effect(
            proposal.compound_id, wanted["effect"], proposal_id=proposal.id
        )
    effect = wanted.get("effect", proposal.effect)
    if "options" in wanted:
        wanted["options"] = effects_check.options(wanted["options"], effect)
    else:  # a new effect may no longer fit the candidates already there
        _check_options_fit(proposal.options, effect)
    changed = {k: v for k, v in wanted.items() if getattr(proposal, k) != v}
    if not changed:
        raise ValidationFailed("没有要修改的内容", code="nothing_changed")
    note = fields.get("note")
    if proposal.status == "notice" and not note:
        raise ValidationFailed("公示期间修改须说明改了什么", code="note_required")
    for key, value in changed.items():
        setattr(proposal, key, value)
    now = utcnow()
    if proposal.status == "draft":
        first = db.session.scalars(
            select(ProposalVersion).where(
                ProposalVersion.proposal_id == proposal.id, ProposalVersion.version == 1
            )
        ).one()
        for key in TEXT_FIELDS:
            setattr(first, key, getattr(proposal, key))
        first.note = note
    else:
        proposal.version += 1
        db.session.add(_version(proposal, principal, now, note=note))
        # The owners get the whole notice period to read the text they will vote on.
        shortest = db.session.get(Compound, proposal.compound_id).min_notice_days
        proposal.notice_ends_at = max(proposal.notice_ends_at, now + timedelta(days=shortest))
        _tell_commenters(proposal, principal, note)
    db.session.commit()
    return proposal


def withdraw(principal: Principal, proposal_id: int, reason: str) -> Proposal:
    """Withdraw a draft or a proposal on notice; for one on notice every resident who
    was told of it is told why (inbox). Raises NotFound, Forbidden, Conflict
    (proposal_state, compound_archived)."""
    proposal = access.for_committee(principal, proposal_id)
    require(proposal, ("draft", "notice"), "撤回")
    was_public = proposal.status == "notice"
    proposal.status = "withdrawn"
    proposal.withdrawn_at, proposal.withdrawn_by_id = utcnow(), principal.id
    proposal.withdraw_reason = reason[:200]
    if was_public:
        people = access.audience(proposal.compound_id, but=principal.id)
        fanout.tell(
            people,
            compound_id=proposal.compound_id,
            key=f"prop{proposal.id}:withdrawn",
            kind="proposal",
            title="表决事项已撤回：" + shorten(proposal.title, 40),
            body=f"业委会撤回了公示中的表决事项「{proposal.title}」。原因：{reason}",
            page=page(proposal.id),
            push=False,
        )
    db.session.commit()
    return proposal


def require(proposal: Proposal, statuses: tuple[str, ...], doing: str) -> None:
    if proposal.status not in statuses:
        raise Conflict(f"这个表决事项现在不能{doing}", code="proposal_state")


def _check_options_fit(options: list[dict], effect: dict | None) -> None:
    if effect and any(o["choice"] not in effects_check.STANDARD for o in options):
        raise ValidationFailed(
            "会调整收费或支出的事项，只能用同意/反对/弃权表决", code="effect_options"
        )


def _version(proposal: Proposal, principal: Principal, now, *, note: str | None):
    return ProposalVersion(
        proposal_id=proposal.id,
        version=proposal.version,
        title=proposal.title,
        body=proposal.body,
        options=proposal.options,
        effect=proposal.effect,
        note=note,
        created_by_id=principal.id,
        created_at=now,
    )


def _tell_commenters(proposal: Proposal, principal: Principal, note: str) -> None:
    """Everyone who commented on an earlier version (but the reviser) gets an inbox line."""
    people = [
        uid
        for uid in db.session.scalars(
            select(ProposalComment.author_id)
            .where(ProposalComment.proposal_id == proposal.id)
            .distinct()
        )
        if uid != principal.id
    ]
    fanout.tell(
        sorted(people),
        compound_id=proposal.compound_id,
        key=f"prop{proposal.id}:v{proposal.version}",
        kind="proposal",
        title="您评论过的草案已修改：" + shorten(proposal.title, 40),
        body=f"第{proposal.version}版：{note}",
        page=page(proposal.id),
        push=False,
    )
