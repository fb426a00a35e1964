"""One issue as its reader sees it: the whole timeline with its photos, the actions
the caller may take and whether a return visit waits for their answer."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Row, and_, bindparam, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased

from server.clock import utcnow
from server.database.connection import connection
from server.errors import NotFound
from server.extensions import db
from server.models import Building, Household, Unit, User
from server.models.issue import Issue, IssueEvent, ReturnVisit
from server.models.upload import Upload
from server.services.issues import return_visits
from server.services.issues.access import (
    VOLUNTEER_ROLES,
    can_view,
    capacities,
    close_to,
    handles,
    reports,
)
from server.services.issues.locations import location_label
from server.services.issues.states import allowed_actions
from server.services.issues.views import display_names
from server.services.people.access import Principal, record_access


@dataclass(frozen=True)
class EventView:
    event: Row  # the columns of EVENT_COLUMNS, by name
    actor_name: str | None
    photos: list[int]


@dataclass(frozen=True)
class IssueDetail:
    issue: Row  # the issue's columns by name (ISSUE_COLUMNS), as an Issue would have them
    location: str
    overdue: bool
    reporter_name: str | None
    on_behalf_name: str | None
    timeline: list[EventView]
    photos: list[int]
    actions: list[str]
    can_answer_return_visit: bool
    is_reporter: bool


def detail(principal: Principal, issue_id: int) -> IssueDetail:
    """One issue with its whole timeline, its photos, the actions the caller may take
    and whether a return visit waits for their answer, in two statements (three when
    the reporter never acted on the timeline), as plain rows on the request's
    connection (`server/database/connection.py`).

    A handler reading a resident's name is written to the access log: a volunteer's
    reads are on the session's connection, so that entry's COMMIT is on the same one.
    """
    volunteer = any(m.role in VOLUNTEER_ROLES for m in principal.memberships)
    reads = connection(session=volunteer)
    issue, location, visit = _visible_with_location(reads, principal, issue_id)
    events, actor_names, by_event = _timeline(reads, issue.id)
    privileged = close_to(principal, issue)
    reporter_name = None
    if privileged:
        reporter_name = issue.on_behalf_name or _reporter_name(issue, actor_names)
    if reporter_name and issue.reporter_id != principal.id and handles(principal, issue):
        record_access(principal, "view", "issue_reporter", [issue.id], issue.compound_id)
        db.session.commit()
    return IssueDetail(
        issue=issue,
        location=location,
        overdue=Issue.is_overdue(issue, utcnow()),  # the model's rule, on the row
        reporter_name=reporter_name,
        on_behalf_name=issue.on_behalf_name if privileged else None,
        timeline=[
            EventView(
                e,
                actor_names.get(e.actor_id) if privileged or _by_volunteer(e) else None,
                by_event.get(e.id, []),
            )
            for e in events
        ],
        photos=sorted(upload_id for ids in by_event.values() for upload_id in ids),
        actions=allowed_actions(issue.status, capacities(principal, issue)),
        can_answer_return_visit=return_visits.awaiting_answer_from(principal, issue, visit),
        is_reporter=reports(principal, issue),
    )


EVENT_COLUMNS = (
    IssueEvent.id,
    IssueEvent.actor_id,
    IssueEvent.action,
    IssueEvent.from_status,
    IssueEvent.to_status,
    IssueEvent.note,
    IssueEvent.data,
    IssueEvent.created_at,
)


# Built once (building a statement and its cache key costs more than running it).
_TIMELINE = (
    select(*EVENT_COLUMNS, User.nickname, Upload.id.label("upload_id"))
    .outerjoin(User, User.id == IssueEvent.actor_id)
    .outerjoin(
        Upload, and_(Upload.event_id == IssueEvent.id, Upload.issue_id == IssueEvent.issue_id)
    )
    .where(IssueEvent.issue_id == bindparam("issue_id"))
    .order_by(IssueEvent.id, Upload.id)
)


def _timeline(
    reads: Connection, issue_id: int
) -> tuple[list[Row], dict[int, str], dict[int, list[int]]]:
    """The issue's timeline entries in order, its actors' names and each entry's
    photos, in one statement: every photo of an issue is attached to one of its
    entries (`timeline.attach_photos`), so the entries' rows carry them all."""
    rows = reads.execute(_TIMELINE, {"issue_id": issue_id}).all()
    events: list[Row] = []
    actor_names: dict[int, str] = {}
    by_event: dict[int, list[int]] = {}
    for row in rows:
        if not events or events[-1].id != row.id:
            events.append(row)
            if row.actor_id:
                actor_names[row.actor_id] = row.nickname or "邻居"
        if row.upload_id is not None:
            by_event.setdefault(row.id, []).append(row.upload_id)
    return events, actor_names, by_event


_visit = aliased(ReturnVisit, name="open_visit")

# Every column of an issue, by its attribute's name: the row stands for the Issue.
ISSUE_COLUMNS = tuple(getattr(Issue, column.key) for column in inspect(Issue).column_attrs)

# Built once, as _TIMELINE.
_ISSUE_WHERE = (
    select(
        *ISSUE_COLUMNS,
        Building.number.label("building_number"),
        Unit.number.label("unit_number"),
        Household.room.label("room"),
        _visit.kind.label("kind"),
        _visit.assignee_id.label("assignee_id"),
    )
    .outerjoin(Building, Building.id == Issue.building_id)
    .outerjoin(Unit, Unit.id == Issue.unit_id)
    .outerjoin(Household, Household.id == Issue.household_id)
    .outerjoin(
        _visit,
        and_(_visit.issue_id == Issue.id, _visit.id == return_visits.open_visit_id(Issue.id)),
    )
    .where(Issue.id == bindparam("issue_id"))
)


def _visible_with_location(
    reads: Connection, principal: Principal, issue_id: int
) -> tuple[Row, str, Row | None]:
    """The issue's row, if the caller may see it, its location label and its open
    return visit (kind, assignee_id; None if none is waiting), in one statement."""
    row = reads.execute(_ISSUE_WHERE, {"issue_id": issue_id}).first()
    if row is None or not can_view(principal, row):
        raise NotFound("找不到该事项", code="issue_not_found")  # never reveal existence
    location = location_label(row.building_number, row.unit_number, row.room)
    return row, location, row if row.kind is not None else None


def _reporter_name(issue: Row, actor_names: dict[int, str]) -> str | None:
    if issue.reporter_id is None:
        return None
    if issue.reporter_id in actor_names:
        return actor_names[issue.reporter_id]
    return display_names({issue.reporter_id}).get(issue.reporter_id)


def _by_volunteer(event: Row) -> bool:
    """Volunteers act under their names; residents' names are for those close to the issue."""
    return (event.data or {}).get("actor_role", "resident") != "resident"
