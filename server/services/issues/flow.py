"""Moving an issue through its lifecycle: the caller's actions and the system's.

Every change writes its timeline entry, attaches its photos (`timeline`) and queues
its messages in the same transaction; `states` decides what is allowed. Closing by
itself, and the return visit every close schedules, are `closing`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from server.clock import SHANGHAI, utcnow
from server.errors import Conflict, ValidationFailed
from server.extensions import db
from server.models.issue import Issue
from server.services.issues import policies
from server.services.issues.access import acting_role, actionable, can_view, capacities
from server.services.issues.closing import schedule_return_visit
from server.services.issues.locations import location_of
from server.services.issues.states import REOPEN_DAYS, plan, plan_system
from server.services.issues.timeline import add_event, attach_photos
from server.services.messaging import notify
from server.services.people.access import Principal


@dataclass
class Action:
    """What the caller asks for, as parsed by the API."""

    action: str
    note: str | None = None
    photos: list[int] = field(default_factory=list)
    rating: int | None = None
    referral_body: str | None = None
    referral_contact: str | None = None
    referral_ref: str | None = None
    follow_up_on: date | None = None
    duplicate_of: int | None = None


def transition(principal: Principal, issue_id: int, request: Action, now=None) -> Issue:
    """Apply the caller's action to an issue.

    Raises NotFound (cannot see it), Forbidden (not the caller's to do), Conflict (not
    from this status, or past the reopen window; compound_archived), ValidationFailed
    (missing fields).
    """
    now = now or utcnow()
    issue = actionable(principal, issue_id)
    before = issue.status
    target = plan(request.action, before, capacities(principal, issue))
    data = _APPLY[request.action](issue, principal, request, now) or {}
    issue.status = target
    data["actor_role"] = acting_role(principal, issue)
    event = add_event(
        issue, principal, request.action, before, target, now=now, note=request.note, data=data
    )
    attach_photos(principal, issue, event, request.photos)
    if target == "closed":
        schedule_return_visit(issue, now)
    notify.on_event(issue, event, location=location_of(issue))
    db.session.commit()
    return issue


def _require(value, message: str, code: str):
    if value in (None, ""):
        raise ValidationFailed(message, code=code)
    return value


def _accept(issue: Issue, principal: Principal, request: Action, now: datetime):
    policy = policies.policy_for(issue.compound_id, issue.category)
    issue.track = "onsite"
    issue.handler_id = principal.id
    issue.accepted_at = now
    issue.resolution_due_at = now + timedelta(days=policy.resolve_days)
    issue.escalation_level, issue.escalated_at = 0, None
    return {"track": "onsite"}


def _refer(issue: Issue, principal: Principal, request: Action, now: datetime):
    body = _require(request.referral_body, "转办须填写承办单位", "referral_body_required")
    follow_up = _require(request.follow_up_on, "转办须填写跟进日期", "follow_up_required")
    if follow_up < now.astimezone(SHANGHAI).date():
        raise ValidationFailed("跟进日期不能早于今天", code="follow_up_in_past")
    issue.track = "referral"
    issue.handler_id = issue.handler_id or principal.id
    issue.referral_body = body
    issue.referral_contact = request.referral_contact
    issue.referral_ref = request.referral_ref
    issue.follow_up_on = follow_up
    return {
        "referral_body": body,
        "referral_contact": request.referral_contact,
        "referral_ref": request.referral_ref,
        "follow_up_on": follow_up.isoformat(),
    }


def _resolve(issue: Issue, principal: Principal, request: Action, now: datetime):
    _require(request.note, "办结须说明处理结果", "note_required")
    issue.resolved_at = now
    issue.handler_id = issue.handler_id or principal.id
    return


def _confirm(issue: Issue, principal: Principal, request: Action, now: datetime):
    rating = _require(request.rating, "请为处理结果打分（1–5）", "rating_required")
    issue.rating = rating
    issue.feedback = request.note
    issue.closed_at = now
    return {"rating": rating}


def _reopen(issue: Issue, principal: Principal, request: Action, now: datetime):
    _require(request.note, "请说明哪里还没有解决", "note_required")
    if issue.resolved_at and now - issue.resolved_at > timedelta(days=REOPEN_DAYS):
        raise Conflict(
            f"办结已超过 {REOPEN_DAYS} 天，不能重新打开，请重新报事", code="reopen_window_passed"
        )
    _back_to_work(issue, now)
    return


def _reject(issue: Issue, principal: Principal, request: Action, now: datetime):
    issue.reject_reason = _require(request.note, "请说明不予受理的原因", "reason_required")
    return


def _mark_duplicate(issue: Issue, principal: Principal, request: Action, now: datetime):
    original_id = _require(request.duplicate_of, "请指明与哪一个事项重复", "duplicate_of_required")
    original = db.session.get(Issue, original_id)
    if (
        original is None
        or original.id == issue.id
        or original.compound_id != issue.compound_id
        or not can_view(principal, original)
    ):
        raise ValidationFailed("找不到要合并到的事项", code="duplicate_of_invalid")
    if original.status in ("duplicate", "rejected"):
        raise ValidationFailed("不能合并到已作废的事项", code="duplicate_of_invalid")
    issue.duplicate_of_id = original.id
    return {"duplicate_of": original.id}


_APPLY = {
    "accept": _accept,
    "refer": _refer,
    "resolve": _resolve,
    "confirm": _confirm,
    "reopen": _reopen,
    "reject": _reject,
    "mark_duplicate": _mark_duplicate,
}


def _back_to_work(issue: Issue, now: datetime) -> None:
    policy = policies.policy_for(issue.compound_id, issue.category)
    issue.reopen_count += 1
    issue.resolved_at = None
    issue.closed_at = None
    issue.resolution_due_at = now + timedelta(days=policy.resolve_days)
    issue.escalation_level, issue.escalated_at = 0, None


def reopen_after_visit(issue: Issue, principal: Principal, note: str | None, now: datetime) -> None:
    """A return visit found it not fixed: back to work (no commit; the caller commits)."""
    target = plan_system("return_visit_reopen", issue.status)
    if target is None:
        return
    _back_to_work(issue, now)
    issue.status = target
    event = add_event(
        issue,
        principal,
        "return_visit_reopen",
        "closed",
        target,
        now=now,
        note=note or "回访发现问题仍未解决",
    )
    notify.on_event(issue, event, location=location_of(issue))
