"""Two people for every yuan: a change of what residents owe or get back is proposed by
one person and counts only once a second, different committee member confirms it.

This module keeps the proposals (`Approval`): opening one (one open per subject and
kind; the other committee members are pushed it), locking one for a decision (the
proposer may not decide it, a decided one is a 409), closing it, and the list. What a
confirmation does is each kind's own (`meter_readings`, `meter_voids`, `fee_items`,
`anomalies`); `pending_changes` ties them together.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from server.clock import utcnow
from server.errors import Conflict, Forbidden, NotFound
from server.extensions import db
from server.labels import label
from server.models import Approval
from server.services.messaging import notify
from server.services.messaging.messages import Message, shorten, wx_time
from server.services.people import compounds, users
from server.services.people.access import Principal, own_accounts, record_access, same_person

PAGE = "pages/confirm/index"


def propose(
    principal: Principal,
    *,
    compound_id: int,
    kind: str,
    subject_id: int,
    summary: str,
    details: dict,
    taken: str,
    effective_period: str | None = None,
    note: str | None = None,
) -> Approval:
    """Open a proposal (no commit) and push it to the compound's other committee members.
    `taken` is the Chinese message when this subject already has an open one.

    Raises Conflict (code change_pending): the unique key decides between two at once.
    """
    approval = Approval(
        compound_id=compound_id,
        kind=kind,
        subject_id=subject_id,
        summary=summary[:200],
        details=details,
        effective_period=effective_period,
        note=note,
        proposed_by_id=principal.id,
        created_at=utcnow(),
    )
    db.session.add(approval)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(taken, code="change_pending") from None
    _push_to_others(approval, name_of(principal, compound_id))
    return approval


def _push_to_others(approval: Approval, proposer: str) -> None:
    what = label("change_kind", approval.kind)
    message = Message(
        kind="pending_change",
        template="reminder",
        title=f"待确认{what}：{shorten(approval.summary, 40)}",
        body=f"{proposer}提交了{what}：{approval.summary}。"
        "须由另一位业委会成员在小程序「待确认」里确认后才生效。",
        data={
            "thing1": shorten(f"待确认{what}"),
            "thing2": shorten(approval.summary),
            "time3": wx_time(approval.created_at),
        },
        page=PAGE,
    )
    others = [
        uid
        for uid in notify.compound_members(approval.compound_id, "committee")
        if uid != approval.proposed_by_id
    ]
    occasion = notify.Occasion(f"chg{approval.id}", approval.compound_id)
    notify.deliver(message, others, occasion, volunteers=True)


def decidable(principal: Principal, code: str, approval_id: int) -> Approval:
    """The pending proposal, locked for this committee member's decision.

    Raises NotFound, Forbidden (not committee; code same_person for the proposer),
    Conflict (already decided: code change_decided; compound_archived).
    """
    compound = compounds.writable_compound(principal, code)
    if not principal.committee_of(compound.id):  # before the lookup: ids tell nothing
        raise Forbidden("只有业委会成员可以确认或驳回", code="committee_only")
    approval = db.session.scalars(
        select(Approval)
        .where(Approval.id == approval_id, Approval.compound_id == compound.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if approval is None:
        raise NotFound("找不到该待确认事项", code="change_not_found")
    if same_person(principal, approval.proposed_by_id):
        raise Forbidden(
            "提交人不能确认或驳回自己提交的变更，请另一位业委会成员处理", code="same_person"
        )
    if approval.status != "pending":
        raise Conflict("该事项已由其他委员处理", code="change_decided")
    return approval


def close(approval: Approval, principal: Principal, status: str, reason: str | None = None):
    """Record the decision (no commit) and tell the proposer in their inbox."""
    approval.status, approval.decided_by_id, approval.decided_at = status, principal.id, utcnow()
    approval.reason = reason
    approval.open_key = approval.id
    decider = name_of(principal, approval.compound_id)
    verdict = "已确认" if status == "confirmed" else "已驳回"
    body = f"{decider}{verdict}：{approval.summary}。"
    if reason:
        body += f"理由：{reason}"
    message = Message(
        kind="change_decided",
        template="reminder",
        title=f"{verdict}：{shorten(approval.summary, 40)}",
        body=body,
        data={},
        page=PAGE,
    )
    occasion = notify.Occasion(f"chg{approval.id}d", approval.compound_id)
    notify.deliver(message, [approval.proposed_by_id], occasion, inbox_only=True)


def name_of(principal: Principal, compound_id: int) -> str:
    return users.names_in(compound_id, [principal.id])[principal.id]


@dataclass(frozen=True)
class ChangeView:
    """A proposal as the committee sees it: who proposed and decided it, and whether it
    is the caller's own (which they cannot decide)."""

    approval: Approval
    proposed_by: str
    decided_by: str | None
    mine: bool


def views(principal: Principal, rows: list[Approval]) -> list[ChangeView]:
    """Proposals of one compound as the caller sees them."""
    if not rows:
        return []
    ids = {a.proposed_by_id for a in rows} | {a.decided_by_id for a in rows}
    people = users.names_in(rows[0].compound_id, ids)
    return [
        ChangeView(
            a,
            people.get(a.proposed_by_id, ""),
            people.get(a.decided_by_id) if a.decided_by_id else None,
            a.proposed_by_id == principal.id,
        )
        for a in rows
    ]


def pending_for(
    principal: Principal,
    code: str,
    status: str = "pending",
    *,
    kinds: tuple[str, ...] | None = None,
    limit: int = 200,
) -> list[ChangeView]:
    """A compound's proposals in one status (of some `kinds`, else all), newest first,
    for its committee and its finance supervisor. Raises NotFound, Forbidden."""
    compound = compounds.member_compound(principal, code)
    if not (principal.committee_of(compound.id) or principal.supervisor_of(compound.id)):
        raise Forbidden("只有业委会和财务监督可以查看", code="committee_only")
    query = select(Approval.id).where(
        Approval.compound_id == compound.id, Approval.status == status
    )
    if kinds:
        query = query.where(Approval.kind.in_(kinds))
    ids = list(db.session.scalars(query.order_by(Approval.id.desc()).limit(min(limit, 200))))
    record_access(principal, "list", "approval", ids, compound.id)
    db.session.commit()
    # Loaded after the commit, which would expire them: then each would be read again.
    rows = db.session.scalars(
        select(Approval).where(Approval.id.in_(ids)).order_by(Approval.id.desc())
    )
    return views(principal, list(rows))


def open_for(kind: str, subject_ids: list[int]) -> dict[int, Approval]:
    """The open proposals of a kind for some subjects, by subject id."""
    if not subject_ids:
        return {}
    rows = db.session.scalars(
        select(Approval).where(
            Approval.kind == kind,
            Approval.subject_id.in_(subject_ids),
            Approval.status == "pending",
        )
    )
    return {a.subject_id: a for a in rows}


def waiting_counts(principal: Principal, code: str) -> dict[str, int]:
    """How many of the compound's open proposals the caller may decide, by kind: a
    committee member, for those someone else proposed (nothing for anyone else, and
    once archived). Raises NotFound."""
    compound = compounds.member_compound(principal, code)
    if compound.archived_at is not None or not principal.committee_of(compound.id):
        return {}
    rows = db.session.execute(
        select(Approval.kind, func.count(Approval.id))
        .where(
            Approval.compound_id == compound.id,
            Approval.status == "pending",
            Approval.proposed_by_id.not_in(own_accounts(principal)),
        )
        .group_by(Approval.kind)
    )
    return {kind: int(n) for kind, n in rows}


def records_waiting_for(principal: Principal, code: str, model) -> int:
    """How many of the compound's pending `model` records (cash, public income: rows
    with compound_id, status and recorded_by_id) the caller may confirm: a committee
    member, for records someone else made (0 for anyone else, and once archived).
    Raises NotFound."""
    compound = compounds.member_compound(principal, code)
    if compound.archived_at is not None or not principal.committee_of(compound.id):
        return 0
    return db.session.scalar(
        select(func.count(model.id)).where(
            model.compound_id == compound.id,
            model.status == "pending",
            model.recorded_by_id.not_in(own_accounts(principal)),
        )
    )
