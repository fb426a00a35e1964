"""Response and resolution deadlines per category, and the jobs that watch them.

Escalation: an overdue issue is raised first to its building lead (level 1), and if
it is still overdue a day later, to the committee (level 2). Referred issues remind
their handler on the follow-up date and every day after until resolved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select

from server.errors import Forbidden
from server.extensions import db
from server.models import utcnow
from server.models.base import SHANGHAI
from server.models.issue import CategoryPolicy, Issue, IssueEvent
from server.services import compounds, notify
from server.services.access import Principal
from server.services.issue_labels import location_of

SECOND_ESCALATION_AFTER = timedelta(hours=24)


@dataclass(frozen=True)
class Policy:
    accept_hours: int
    resolve_days: int


# Sensible defaults; a compound's committee can change them per category.
DEFAULT_POLICIES = {
    "hazard": Policy(4, 3),
    "repair": Policy(24, 7),
    "care": Policy(24, 7),
    "dispute": Policy(48, 14),
    "other": Policy(48, 14),
    "suggestion": Policy(72, 30),
}


def policy_for(compound_id: int, category: str) -> Policy:
    row = db.session.scalars(
        select(CategoryPolicy).where(
            CategoryPolicy.compound_id == compound_id, CategoryPolicy.category == category
        )
    ).first()
    if row is None:
        return DEFAULT_POLICIES[category]
    return Policy(row.accept_hours, row.resolve_days)


def policies(compound_id: int) -> dict[str, Policy]:
    """Every category's policy for a compound (defaults where none was set)."""
    rows = db.session.scalars(
        select(CategoryPolicy).where(CategoryPolicy.compound_id == compound_id)
    )
    custom = {row.category: Policy(row.accept_hours, row.resolve_days) for row in rows}
    return {
        category: custom.get(category, default) for category, default in DEFAULT_POLICIES.items()
    }


def compound_policies(principal: Principal, code: str) -> dict[str, Policy]:
    """A compound's deadlines, for anyone who belongs to it."""
    compound = compounds.member_compound(principal, code)
    return policies(compound.id)


def update_policy(
    principal: Principal, code: str, category: str, accept_hours: int, resolve_days: int
) -> dict[str, Policy]:
    """The committee changes a category's deadlines (for issues reported from now on).

    Raises NotFound (not the caller's compound), Forbidden (not on its committee).
    """
    compound = compounds.member_compound(principal, code)
    if not principal.committee_of(compound.id):
        raise Forbidden("只有业委会成员可以修改办理时限", code="committee_only")
    set_policy(compound.id, category, accept_hours, resolve_days)
    return policies(compound.id)


def set_policy(compound_id: int, category: str, accept_hours: int, resolve_days: int) -> Policy:
    """Change a category's deadlines for a compound (applies to issues reported from now on)."""
    row = db.session.scalars(
        select(CategoryPolicy).where(
            CategoryPolicy.compound_id == compound_id, CategoryPolicy.category == category
        )
    ).first()
    if row is None:
        row = CategoryPolicy(
            compound_id=compound_id, category=category, accept_hours=0, resolve_days=0
        )
        db.session.add(row)
    row.accept_hours, row.resolve_days = accept_hours, resolve_days
    db.session.commit()
    return Policy(accept_hours, resolve_days)


def overdue_clause(now: datetime):
    return or_(
        and_(Issue.status == "submitted", Issue.response_due_at < now),
        and_(Issue.status.in_(("accepted", "referred")), Issue.resolution_due_at < now),
    )


def escalate_overdue(now: datetime | None = None, batch: int = 500) -> int:
    """Raise overdue issues one level (job). Returns how many were escalated."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Issue)
        .where(
            overdue_clause(now),
            or_(
                Issue.escalation_level == 0,
                and_(
                    Issue.escalation_level == 1,
                    Issue.escalated_at < now - SECOND_ESCALATION_AFTER,
                ),
            ),
        )
        .order_by(Issue.id)
        .limit(batch)
    ).all()
    for issue in due:
        issue.escalation_level += 1
        issue.escalated_at = now
        _system_event(issue, "escalate", now, data={"level": issue.escalation_level})
    db.session.commit()
    return len(due)


def remind_referrals(now: datetime | None = None, batch: int = 500) -> int:
    """Remind handlers of referred issues whose follow-up date has come (job, daily)."""
    now = now or utcnow()
    today = now.astimezone(SHANGHAI).date()
    due = db.session.scalars(
        select(Issue)
        .where(Issue.status == "referred", Issue.follow_up_on <= today)
        .order_by(Issue.id)
        .limit(batch)
    ).all()
    for issue in due:
        _system_event(issue, "follow_up", now, data={"date": today.isoformat()})
    db.session.commit()
    return len(due)


def _system_event(issue: Issue, action: str, now: datetime, data: dict) -> IssueEvent:
    event = IssueEvent(
        issue_id=issue.id,
        compound_id=issue.compound_id,
        actor_id=None,
        action=action,
        from_status=issue.status,
        to_status=issue.status,
        data=data,
        created_at=now,
    )
    db.session.add(event)
    db.session.flush()
    issue.last_event_id = event.id
    notify.on_event(issue, event, location=location_of(issue))
    return event
