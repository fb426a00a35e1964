"""Turn service results into the shapes the schemas document (no logic, no queries)."""

from __future__ import annotations

from server.labels import label
from server.services.issues.detail import IssueDetail
from server.services.issues.views import IssueRow


def _latest(event) -> dict | None:
    """`event`: a list's LatestEntry, or the detail's last timeline row."""
    if event is None:
        return None
    return {
        "action": event.action,
        "action_label": label("issue_event", event.action),
        "note": event.note,
        "created_at": event.created_at,
    }


def _basics(issue, location: str, overdue: bool) -> dict:
    """`issue`: an Issue, or a list's row of its columns."""
    return {
        "id": issue.id,
        "category": issue.category,
        "category_label": label("issue_category", issue.category),
        "title": issue.title,
        "status": issue.status,
        "status_label": label("issue_status", issue.status),
        "location": location,
        "created_at": issue.created_at,
        "overdue": overdue,
    }


def issue_item(row: IssueRow) -> dict:
    return {
        **_basics(row.issue, row.location, row.overdue),
        "photo_count": row.photo_count,
        "latest": _latest(row.latest),
    }


def issue_detail(detail: IssueDetail) -> dict:
    issue = detail.issue
    referral = None
    if issue.track == "referral":
        referral = {
            "body": issue.referral_body,
            "contact": issue.referral_contact,
            "reference": issue.referral_ref,
            "follow_up_on": issue.follow_up_on,
        }
    return {
        **_basics(issue, detail.location, detail.overdue),
        "photo_count": len(detail.photos),
        "latest": _latest(detail.timeline[-1].event if detail.timeline else None),
        "description": issue.description,
        "show_name": issue.show_name,
        "reporter_name": detail.reporter_name,
        "on_behalf_name": detail.on_behalf_name,
        "track": issue.track,
        "referral": referral,
        "rating": issue.rating,
        "feedback": issue.feedback,
        "reject_reason": issue.reject_reason,
        "duplicate_of": issue.duplicate_of_id,
        "response_due_at": issue.response_due_at,
        "resolution_due_at": issue.resolution_due_at,
        "accepted_at": issue.accepted_at,
        "resolved_at": issue.resolved_at,
        "closed_at": issue.closed_at,
        "photos": detail.photos,
        "timeline": [_event(view) for view in detail.timeline],
        "actions": detail.actions,
        "can_answer_return_visit": detail.can_answer_return_visit,
        "is_reporter": detail.is_reporter,
    }


def _event(view) -> dict:
    event = view.event
    data = dict(event.data or {})
    return {
        "id": event.id,
        "action": event.action,
        "action_label": label("issue_event", event.action),
        "from_status": event.from_status,
        "to_status": event.to_status,
        "actor_name": view.actor_name,
        "actor_role": data.pop("actor_role", None),
        "note": event.note,
        "data": data or None,
        "photos": view.photos,
        "created_at": event.created_at,
    }
