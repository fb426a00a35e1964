"""Who may see and who handles an issue, as predicates and as one SQL filter.

Handlers: for a unit's issue its liaison; for a building's issue (no unit) the
liaisons of that building's units; the building lead; the committee; for a common
area of the compound, the committee. Viewers: the reporter, whoever filed it, the
residents of the household it is about, and the compound's volunteers (liaisons,
building leads, committee), who coordinate across units but may act only where
they handle. Residents never see other households' issues.
"""

from __future__ import annotations

from sqlalchemy import and_, false, or_

from server.errors import NotFound
from server.extensions import db
from server.models.issue import Issue
from server.services.issues.timeline import lock_issue
from server.services.people import compounds
from server.services.people.access import Principal

VOLUNTEER_ROLES = ("liaison", "building_lead", "committee")


def handles(principal: Principal, issue: Issue) -> bool:
    if principal.committee_of(issue.compound_id):
        return True
    if issue.building_id is None:
        return False
    if principal.lead_of(issue.building_id):
        return True
    if issue.unit_id is not None:
        return principal.liaison_of(issue.unit_id)
    return any(
        m.role == "liaison" and m.building_id == issue.building_id for m in principal.memberships
    )


def reports(principal: Principal, issue: Issue) -> bool:
    """The reporter, or the liaison who filed it for someone without WeChat."""
    return principal.id in {issue.reporter_id, issue.filed_by_id}


def volunteer_of(principal: Principal, compound_id: int) -> bool:
    return any(
        m.role in VOLUNTEER_ROLES and m.compound_id == compound_id for m in principal.memberships
    )


def close_to(principal: Principal, issue: Issue) -> bool:
    """The reporter, the household's residents, or a handler: may see who reported it."""
    return (
        reports(principal, issue)
        or (issue.household_id is not None and principal.resident_of(issue.household_id))
        or handles(principal, issue)
    )


def can_view(principal: Principal, issue: Issue) -> bool:
    return close_to(principal, issue) or volunteer_of(principal, issue.compound_id)


def get_visible(principal: Principal, issue_id: int) -> Issue:
    """The issue if the caller may see it; NotFound otherwise (never reveal existence)."""
    issue = db.session.get(Issue, issue_id)
    if issue is None or not can_view(principal, issue):
        raise NotFound("找不到该事项", code="issue_not_found")
    return issue


def actionable(principal: Principal, issue_id: int) -> Issue:
    """The issue, row-locked and read afresh, for the caller to act on: every change a
    person makes to an issue starts here. Raises NotFound (cannot see it), Conflict
    (its compound is archived: read-only)."""
    issue = lock_issue(issue_id)
    if issue is None or not can_view(principal, issue):
        raise NotFound("找不到该事项", code="issue_not_found")
    compounds.ensure_open_id(issue.compound_id)
    return issue


def capacities(principal: Principal, issue: Issue) -> set[str]:
    """The capacities ("handler", "reporter") the caller holds for this issue."""
    result = set()
    if handles(principal, issue):
        result.add("handler")
    if reports(principal, issue):
        result.add("reporter")
    return result


def acting_role(principal: Principal, issue: Issue) -> str:
    """The role someone acts in on this issue, for the timeline ("liaison", ...)."""
    if issue.unit_id is not None and principal.liaison_of(issue.unit_id):
        return "liaison"
    if issue.building_id is not None and principal.lead_of(issue.building_id):
        return "building_lead"
    if principal.committee_of(issue.compound_id):
        return "committee"
    if issue.building_id is not None and any(
        m.role == "liaison" and m.building_id == issue.building_id for m in principal.memberships
    ):
        return "liaison"
    return "resident"


def visible_filter(principal: Principal):
    """A WHERE clause selecting exactly the issues `principal` may see."""
    conditions = [Issue.reporter_id == principal.id, Issue.filed_by_id == principal.id]
    if principal.household_ids:
        conditions.append(Issue.household_id.in_(principal.household_ids))
    volunteer_compounds = {
        m.compound_id for m in principal.memberships if m.role in VOLUNTEER_ROLES
    }
    if volunteer_compounds:
        conditions.append(Issue.compound_id.in_(volunteer_compounds))
    return or_(*conditions)


def handled_filter(principal: Principal):
    """A WHERE clause selecting the issues `principal` handles (the liaison's workspace)."""
    compounds = {m.compound_id for m in principal.memberships if m.role == "committee"}
    buildings = {m.building_id for m in principal.memberships if m.role == "building_lead"}
    units = {m.unit_id for m in principal.memberships if m.role == "liaison"}
    liaison_buildings = {m.building_id for m in principal.memberships if m.role == "liaison"}
    conditions = []
    if compounds:
        conditions.append(Issue.compound_id.in_(compounds))
    if buildings:
        conditions.append(Issue.building_id.in_(buildings))
    if units:
        conditions.append(Issue.unit_id.in_(units))
        conditions.append(and_(Issue.unit_id.is_(None), Issue.building_id.in_(liaison_buildings)))
    return or_(*conditions) if conditions else false()
