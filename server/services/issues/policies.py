"""Response and resolution deadlines per category and compound (sensible defaults),
and the SQL condition that says an issue is overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select

from server.errors import Forbidden, NotFound
from server.extensions import db
from server.models.issue import CATEGORIES, CategoryPolicy, Issue
from server.services.people import compounds
from server.services.people.access import Principal


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

    Raises NotFound (not the caller's compound), Forbidden (not on its committee),
    Conflict (archived).
    """
    if category not in CATEGORIES:
        raise NotFound("没有这个类别", code="category_not_found")
    compound = compounds.writable_compound(principal, code)
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
