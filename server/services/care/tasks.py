"""A volunteer's task list (GET /me/tasks): the care visits due that fall to them, and
the in-person return visits of the request loop.

A care visit is the caller's when it is assigned to them or is in a unit they are
liaison of; once missed past the grace days it is also their building lead's (level 1),
then the committee's (level 2). Overdue care visits come first, then the return
visits, then the care visits due today. Archived compounds' visits cannot be recorded,
so they are not listed. Reading the care tags is logged.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import and_, or_, select

from server.extensions import db
from server.labels import label
from server.models import Building, CareVisit, Household, Unit
from server.services.care.schedule import today
from server.services.care.visits import log_tags_read
from server.services.issues import return_visits
from server.services.people.access import Principal
from server.services.people.compounds import open_compound_ids

TASKS_MAX = 100


def tasks_for(principal: Principal) -> list[dict]:
    """The caller's tasks, each with its `kind` ("care_visit" or "return_visit").
    Commits (the access log)."""
    care = care_visits_for(principal)
    overdue = [item for item in care if item["overdue"]]
    due = [item for item in care if not item["overdue"]]
    return overdue + [_return_visit(task) for task in return_visits.tasks_for(principal)] + due


def _return_visit(task: return_visits.VisitTask) -> dict:
    return {
        "kind": "return_visit",
        "visit_id": task.visit.id,
        "issue_id": task.issue.id,
        "title": task.issue.title,
        "category": task.issue.category,
        "due_at": task.visit.due_at,
        "on_behalf_name": task.issue.on_behalf_name,
    }


def _reach(principal: Principal):
    """Which open care visits are the caller's (see the module)."""
    units = [m.unit_id for m in principal.memberships if m.role == "liaison"]
    buildings = [m.building_id for m in principal.memberships if m.role == "building_lead"]
    compounds = [m.compound_id for m in principal.memberships if m.role == "committee"]
    return or_(
        CareVisit.assignee_id == principal.id,
        CareVisit.unit_id.in_(units),
        and_(CareVisit.building_id.in_(buildings), CareVisit.escalation_level >= 1),
        and_(CareVisit.compound_id.in_(compounds), CareVisit.escalation_level >= 2),
    )


def visits_with_place():
    """Care visits with where they are: (CareVisit, building no., unit no., room)."""
    return (
        select(CareVisit, Building.number, Unit.number, Household.room)
        .join(Household, Household.id == CareVisit.household_id)
        .join(Unit, Unit.id == CareVisit.unit_id)
        .join(Building, Building.id == CareVisit.building_id)
    )


def visit_item(visit: CareVisit, place: str, now_day) -> dict:
    """A due care visit as a list shows it: the flat, the tag, when and how late."""
    return {
        "visit_id": visit.id,
        "household_id": visit.household_id,
        "label": place,
        "tag": visit.tag,
        "tag_label": label("care_tag", visit.tag),
        "due_on": visit.due_on,
        "overdue": visit.due_on < now_day,
        "escalation_level": visit.escalation_level,
    }


def care_visits_for(principal: Principal) -> list[dict]:
    """The care visits due (today or missed) that are the caller's, oldest first."""
    now_day = today()
    rows = db.session.execute(
        visits_with_place()
        .where(
            CareVisit.status == "due",
            CareVisit.due_on <= now_day,
            CareVisit.compound_id.in_(open_compound_ids()),
            _reach(principal),
        )
        .order_by(CareVisit.due_on, CareVisit.id)
        .limit(TASKS_MAX)
    ).all()
    items, seen = [], defaultdict(list)
    for visit, building_no, unit_no, room in rows:
        items.append(
            {"kind": "care_visit", **visit_item(visit, f"{building_no}-{unit_no}-{room}", now_day)}
        )
        seen[visit.compound_id].append((visit.household_id, visit.tag))
    for compound_id, tags in seen.items():
        log_tags_read(principal, tags, compound_id, "关爱走访任务")
    db.session.commit()
    return items
