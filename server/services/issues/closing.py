"""Closing an issue: by itself 7 days after it was resolved and nobody confirmed (the
`auto_close_resolved` job), and the return visit every close schedules.

An archived compound's issues are not closed by themselves: archiving freezes every
issue as it stood (read-only), and no return visit would be asked of it anyway."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from server.clock import utcnow
from server.extensions import db
from server.models import Membership
from server.models.issue import Issue, ReturnVisit
from server.services.batches import each_locked
from server.services.issues.locations import location_of
from server.services.issues.states import AUTO_CLOSE_DAYS, plan_system
from server.services.issues.timeline import add_event, lock_issue
from server.services.messaging import notify
from server.services.people.compounds import open_compound_ids

RETURN_VISIT_AFTER = timedelta(days=7)


def auto_close_due(now: datetime | None = None, batch: int = 500) -> int:
    """Close issues resolved more than 7 days ago that nobody confirmed (job).

    Candidates are read without locks (a locking scan would hold every row it reads);
    each is then locked, checked again and committed on its own.
    """
    now = now or utcnow()
    cutoff = now - timedelta(days=AUTO_CLOSE_DAYS)
    return each_locked(
        select(Issue.id)
        .where(
            Issue.status == "resolved",
            Issue.resolved_at < cutoff,
            Issue.compound_id.in_(open_compound_ids()),
        )
        .order_by(Issue.id)
        .limit(batch),
        lock_issue,
        lambda issue: (
            plan_system("auto_close", issue.status) is not None and issue.resolved_at < cutoff
        ),
        lambda issue: _auto_close(issue, now),
    )


def _auto_close(issue: Issue, now: datetime) -> None:
    target = plan_system("auto_close", issue.status)
    issue.status, issue.closed_at = target, now
    event = add_event(
        issue,
        None,
        "auto_close",
        "resolved",
        target,
        now=now,
        note="7 天内未确认，系统自动完成",
    )
    schedule_return_visit(issue, now)
    notify.on_event(issue, event, location=location_of(issue))


def schedule_return_visit(issue: Issue, closed_at: datetime) -> ReturnVisit:
    """Ask "is it still fixed?" 7 days after closing: in the app, or in person by the
    unit's liaison for care issues and for people who do not use WeChat."""
    in_person = issue.category == "care" or issue.reporter_id is None
    round_no = 1 + (
        db.session.scalar(select(func.count()).where(ReturnVisit.issue_id == issue.id)) or 0
    )
    visit = ReturnVisit(
        issue_id=issue.id,
        compound_id=issue.compound_id,
        round=round_no,
        kind="in_person" if in_person else "message",
        assignee_id=_visitor(issue) if in_person else issue.reporter_id,
        due_at=closed_at + RETURN_VISIT_AFTER,
    )
    db.session.add(visit)
    return visit


def _visitor(issue: Issue) -> int | None:
    """Who visits in person: the liaison who filed it, else the unit's liaison, else the handler."""
    if issue.reporter_id is None:
        return issue.filed_by_id
    if issue.unit_id is not None:
        liaison = db.session.scalar(
            select(Membership.user_id)
            .where(Membership.role == "liaison", Membership.unit_id == issue.unit_id)
            .order_by(Membership.id)
            .limit(1)
        )
        if liaison is not None:
            return liaison
    return issue.handler_id
