"""Return visits (回访): "is it still fixed?" a week after an issue closed.

Most are a question in the app to the reporter; care issues, and issues filed for
people without WeChat, are visits the unit's liaison makes in person (a task in
their list). "Not fixed" reopens the issue; every answer is kept for the figures.
An archived compound's visits are not asked: the answer could not be recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import joinedload

from server.clock import utcnow
from server.errors import Conflict, Forbidden
from server.extensions import db
from server.models import Membership
from server.models.issue import Issue, ReturnVisit
from server.services.batches import each_locked
from server.services.issues.access import actionable, handles
from server.services.issues.flow import reopen_after_visit
from server.services.issues.timeline import add_event, lock_issue
from server.services.messaging import messages, notify
from server.services.people.access import Principal
from server.services.people.compounds import open_compound_ids


def send_due(now: datetime | None = None, batch: int = 500) -> int:
    """Ask every return visit that has come due (job). Returns how many.

    Each visit is handled in a transaction of its own, its issue locked first, then
    the visit, and checked again: the order every writer of both takes.
    """
    now = now or utcnow()
    return each_locked(
        select(ReturnVisit.id, ReturnVisit.issue_id)
        .where(
            ReturnVisit.status == "scheduled",
            ReturnVisit.due_at <= now,
            ReturnVisit.compound_id.in_(open_compound_ids()),
        )
        .order_by(ReturnVisit.id)
        .limit(batch),
        _lock_visit,
        lambda locked: locked[1].status == "scheduled" and locked[1].due_at <= now,
        lambda locked: _ask(*locked, now),
    )


def _lock_visit(visit_id: int, issue_id: int) -> tuple[Issue, ReturnVisit]:
    """A visit and its issue, locked: the issue first, then the visit."""
    issue = lock_issue(issue_id)
    visit = db.session.scalars(
        select(ReturnVisit)
        .where(ReturnVisit.id == visit_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    return issue, visit


def _ask(issue: Issue, visit: ReturnVisit, now: datetime) -> None:
    in_person = visit.kind == "in_person"
    note = "已安排联络人上门回访" if in_person else "已向报事人发出回访"
    event = add_event(
        issue,
        None,
        "return_visit",
        issue.status,
        issue.status,
        now=now,
        note=note,
        data={"visit_id": visit.id, "kind": visit.kind},
    )
    message = (
        messages.reminder(issue, "请上门回访：问题是否已彻底解决", now, kind="visit_task")
        if in_person
        else messages.return_visit(issue)
    )
    notify.deliver(message, _visitors(issue, visit), event, volunteers=in_person)
    visit.status = "sent"


def _visitors(issue: Issue, visit: ReturnVisit) -> list[int | None]:
    """Who is asked: the assignee; an in-person visit nobody is assigned to (its liaison
    left without a successor) goes to the unit's liaisons, else the committee."""
    if visit.assignee_id is not None or visit.kind != "in_person":
        return [visit.assignee_id]
    return notify.unit_liaisons(issue) or notify.committee(issue)


_UNREAD = object()


def _open_visit(issue_id: int, *, lock: bool = False) -> ReturnVisit | None:
    """The visit asked and not yet answered (asked: its day has come and it was sent)."""
    query = (
        select(ReturnVisit)
        .where(ReturnVisit.issue_id == issue_id, ReturnVisit.status == "sent")
        .order_by(ReturnVisit.id.desc())
        .limit(1)
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.scalars(query).first()


def _may_answer(principal: Principal, issue: Issue, visit: ReturnVisit) -> bool:
    if visit.kind == "message":
        return principal.id == visit.assignee_id
    # In person: the assigned liaison, or anyone who handles the issue.
    return principal.id == visit.assignee_id or handles(principal, issue)


def awaiting_answer_from(principal: Principal, issue: Issue, visit=_UNREAD) -> bool:
    """Whether the caller has a return-visit question to answer for this issue.
    `visit`: its open visit (kind, assignee_id) or None, if the caller read it with
    the issue (`open_visit_id`); read here otherwise."""
    if issue.status != "closed":
        return False
    if visit is _UNREAD:
        visit = _open_visit(issue.id)
    return visit is not None and _may_answer(principal, issue, visit)


def open_visit_id(issue_id_column):
    """The id of an issue's open visit (`_open_visit`'s), as a correlated subquery."""
    return (
        select(func.max(ReturnVisit.id))
        .where(ReturnVisit.issue_id == issue_id_column, ReturnVisit.status == "sent")
        .scalar_subquery()
    )


def answer(principal: Principal, issue_id: int, *, fixed: bool, note: str | None) -> ReturnVisit:
    """Record the answer; "not fixed" reopens the issue.

    Raises NotFound, Conflict (no visit to answer; compound_archived), Forbidden (not
    the visit's person).
    """
    now = utcnow()
    issue = actionable(principal, issue_id)  # the issue, then its visit: every writer's order
    visit = _open_visit(issue.id, lock=True)
    if visit is None or issue.status != "closed":
        raise Conflict("该事项目前没有待回答的回访", code="no_return_visit")
    if not _may_answer(principal, issue, visit):
        raise Forbidden("这条回访不是问您的", code="not_your_return_visit")
    visit.status = "answered"
    visit.answer = "fixed" if fixed else "not_fixed"
    visit.note = note
    visit.answered_at = now
    visit.answered_by_id = principal.id
    add_event(
        issue,
        principal,
        "return_visit",
        issue.status,
        issue.status,
        now=now,
        note=note,
        data={"visit_id": visit.id, "fixed": fixed, "kind": visit.kind},
    )
    if not fixed:
        reopen_after_visit(issue, principal, note, now)
    db.session.commit()
    return visit


@dataclass(frozen=True)
class VisitTask:
    visit: ReturnVisit
    issue: Issue


def tasks_for(principal: Principal) -> list[VisitTask]:
    """In-person return visits the caller is to make that are due (the liaison's list):
    those assigned to them, and those assigned to nobody (their liaison left without a
    successor) in a unit they are liaison of or, where the unit has no liaison left,
    in a compound whose committee they are on."""
    committee_of, liaison_of = principal.review_scope()
    no_liaison = ~exists().where(Membership.role == "liaison", Membership.unit_id == Issue.unit_id)
    unassigned = ReturnVisit.assignee_id.is_(None) & or_(
        Issue.unit_id.in_(liaison_of), Issue.compound_id.in_(committee_of) & no_liaison
    )
    rows = db.session.scalars(
        select(ReturnVisit)
        .join(Issue, Issue.id == ReturnVisit.issue_id)
        .options(joinedload(ReturnVisit.issue))
        .where(
            or_(ReturnVisit.assignee_id == principal.id, unassigned),
            ReturnVisit.kind == "in_person",
            ReturnVisit.status == "sent",
        )
        .order_by(ReturnVisit.due_at)
        .limit(100)
    ).all()
    return [VisitTask(visit, visit.issue) for visit in rows]
