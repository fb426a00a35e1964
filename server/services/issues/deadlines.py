"""The jobs that watch deadlines: escalation of overdue issues and referral follow-ups.

Neither job acts on an archived compound's issues: nobody may act on them any more, so
nobody is pushed about them.

Escalation: an overdue issue is raised first to its building lead (level 1), and if
it is still overdue a day later, to the committee (level 2). Referred issues remind
their handler on the follow-up date and every day after until resolved.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_, select

from server.clock import SHANGHAI, utcnow
from server.models.issue import Issue
from server.services.batches import each_locked
from server.services.issues.locations import location_of
from server.services.issues.policies import overdue_clause
from server.services.issues.timeline import add_event, lock_issue
from server.services.messaging import notify
from server.services.people.compounds import open_compound_ids

SECOND_ESCALATION_AFTER = timedelta(hours=24)


def escalate_overdue(now: datetime | None = None, batch: int = 500) -> int:
    """Raise overdue issues one level (job). Returns how many were escalated.

    Candidates are read without locks; each is then locked and checked again, and
    committed on its own, so a handler accepting at the same moment wins cleanly.
    """
    now = now or utcnow()
    return each_locked(
        select(Issue.id)
        .where(
            overdue_clause(now),
            or_(Issue.escalation_level == 0, _second_due(now)),
            Issue.compound_id.in_(open_compound_ids()),
        )
        .order_by(Issue.id)
        .limit(batch),
        lock_issue,
        lambda issue: issue.is_overdue(now) and _due(issue, now),
        lambda issue: _escalate(issue, now),
    )


def _second_due(now: datetime):
    return and_(Issue.escalation_level == 1, Issue.escalated_at < now - SECOND_ESCALATION_AFTER)


def _due(issue: Issue, now: datetime) -> bool:
    if issue.escalation_level == 0:
        return True
    return issue.escalation_level == 1 and issue.escalated_at < now - SECOND_ESCALATION_AFTER


def _escalate(issue: Issue, now: datetime) -> None:
    level = issue.escalation_level + 1
    if level == 1 and not notify.building_leads(issue):
        level = 2  # no building lead: straight to the committee, once
    issue.escalation_level, issue.escalated_at = level, now
    event = add_event(
        issue, None, "escalate", issue.status, issue.status, now=now, data={"level": level}
    )
    notify.on_event(issue, event, location=location_of(issue))


def remind_referrals(now: datetime | None = None, batch: int = 500) -> int:
    """Remind handlers of referred issues whose follow-up date has come (job, daily)."""
    now = now or utcnow()
    today = now.astimezone(SHANGHAI).date()
    return each_locked(
        select(Issue.id)
        .where(
            Issue.status == "referred",
            Issue.follow_up_on <= today,
            Issue.compound_id.in_(open_compound_ids()),
        )
        .order_by(Issue.id)
        .limit(batch),
        lock_issue,
        lambda issue: issue.status == "referred" and issue.follow_up_on <= today,
        lambda issue: _remind(issue, now, today),
    )


def _remind(issue: Issue, now: datetime, today: date) -> None:
    event = add_event(
        issue,
        None,
        "follow_up",
        issue.status,
        issue.status,
        now=now,
        data={"date": today.isoformat()},
    )
    notify.on_event(issue, event, location=location_of(issue))
