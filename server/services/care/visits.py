"""Recording a care visit (who went, how the person is, anything to worry about) and a
household's visit history.

Recording closes the visit and makes the next one; a concern is pushed to the committee
at once, and a need the volunteer cannot meet on the spot becomes a "care" issue of the
household in the request loop (filed for them, as a liaison files for a neighbour
without WeChat). Every volunteer's read of a visit's care tag is in the access log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from server.clock import utcnow
from server.errors import Conflict, Forbidden, NotFound, ValidationFailed
from server.extensions import db
from server.labels import label
from server.models import CareTag, CareVisit, Household
from server.services.care.schedule import lock_household, sync_household, today
from server.services.census import access as census_access
from server.services.issues import reports
from server.services.messaging import notify
from server.services.messaging.messages import Message, shorten, wx_time
from server.services.people import compounds
from server.services.people.access import Principal
from server.services.people.users import names_in

HISTORY_MAX = 100


@dataclass(frozen=True)
class Entry:
    """What the volunteer found."""

    how: str  # good|fair|poor
    concern: bool = False
    note: str | None = None
    method: str = "visit"  # visit|phone
    visited_on: date | None = None
    open_issue: bool = False


def record(principal: Principal, visit_id: int, entry: Entry) -> dict:
    """Record the visit: done, the next one made, the committee told of a concern, an
    issue opened if asked. Commits. Returns the visit as `view` shows it, with
    `next_due_on`.

    Raises NotFound (visit_not_found), Forbidden (visit_forbidden), Conflict
    (compound_archived, visit_closed), ValidationFailed (visited_in_future).
    """
    visit = db.session.get(CareVisit, visit_id)
    if visit is None or visit.compound_id not in principal.compound_ids:
        raise NotFound("找不到这次走访", code="visit_not_found")
    if not principal.handles_unit(visit.compound_id, visit.building_id, visit.unit_id):
        raise Forbidden("只有本单元联络人、楼栋长或业委会可以记录关爱走访", code="visit_forbidden")
    compounds.ensure_open_id(visit.compound_id)
    # The household first, then the visit: the order every change of its tags takes.
    lock_household(visit.household_id)
    visit = _lock(visit_id)
    if visit.status != "due":
        raise Conflict(_closed_message(visit), code="visit_closed")
    visited_on = entry.visited_on or today()
    if visited_on > today():
        raise ValidationFailed("走访日期不能晚于今天", code="visited_in_future")
    now = utcnow()
    visit.status, visit.open_key = "done", None
    visit.how, visit.concern, visit.note = entry.how, entry.concern, entry.note
    visit.method, visit.visited_on = entry.method, visited_on
    visit.recorded_by_id, visit.recorded_at = principal.id, now
    household = db.session.get(Household, visit.household_id)
    following = sync_household(household)
    next_due = following.due_on if following is not None else None
    if entry.concern:
        _tell_committee(principal, visit, household.label, now)
    log_tags_read(principal, [(household.id, visit.tag)], visit.compound_id, "记录关爱走访")
    if entry.open_issue:
        issue = reports.report(principal, _issue_for(visit, household.label), now, commit=False)
        visit.issue_id = issue.id
    db.session.commit()
    return {
        **view(visit, household.label, names_in(visit.compound_id, [principal.id])),
        "next_due_on": next_due,
    }


def _lock(visit_id: int) -> CareVisit | None:
    return db.session.scalars(
        select(CareVisit)
        .where(CareVisit.id == visit_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def _closed_message(visit: CareVisit) -> str:
    if visit.status == "cancelled":
        return "这户已不需要关爱走访，请刷新后再看"
    return "这次走访已经有人记录过了，请刷新后再看"


def _issue_for(visit: CareVisit, where: str) -> reports.NewIssue:
    """A care issue about the household, filed for it by the volunteer. Every volunteer
    of the compound may read an issue, so its text names no care tag and does not say
    the household is visited for one (that would tell its tag): only the need."""
    how = label("visit_how", visit.how)
    description = f"{visit.visited_on.isoformat()}联系这户，情况{how}。"
    if visit.note:
        description += f"\n需要：{visit.note}"
    return reports.NewIssue(
        category="care",
        title=f"{where}需要帮助",
        description=description,
        household_id=visit.household_id,
        on_behalf_name=f"{where}住户",
    )


def _tell_committee(principal: Principal, visit: CareVisit, where: str, now: datetime) -> None:
    how = label("visit_how", visit.how)
    body = f"{where}关爱走访：情况{how}，走访人担心这户的情况，请关注。"
    if visit.note:
        body += f"走访记录：{visit.note}"
    message = Message(
        kind="care_concern",
        template="reminder",
        title=f"关爱走访有情况：{where}",
        body=body,
        data={
            "thing1": shorten(f"关爱走访：{where}"),
            "thing2": shorten(f"情况{how}，请关注"),
            "time3": wx_time(now),
        },
        page=f"pages/household/index?id={visit.household_id}",
    )
    committee = notify.compound_members(visit.compound_id, "committee")
    notify.deliver(
        message,
        [uid for uid in committee if uid != principal.id],
        notify.Occasion(f"care{visit.id}:concern", visit.compound_id),
        volunteers=True,
    )


def log_tags_read(
    principal: Principal, seen: list[tuple[int, str]], compound_id: int, reason: str
) -> None:
    """Log the read of each (household id, care tag) of one compound by a volunteer (the
    tags are all sensitive ones: only those are visited), not of the caller's own flat.
    One query and one insert however many; in the caller's transaction."""
    wanted = set(seen)
    if not wanted:
        return
    rows = db.session.execute(
        select(CareTag.household_id, CareTag.id, CareTag.tag)
        .where(CareTag.household_id.in_({household_id for household_id, _tag in wanted}))
        .order_by(CareTag.id)
    )
    reads = [
        (household_id, tag_id)
        for household_id, tag_id, tag in rows
        if (household_id, tag) in wanted
    ]
    census_access.log_reads(principal, compound_id, "view_tags", "care_tag", reads, reason)


def view(visit: CareVisit, where: str, names: dict[int, str]) -> dict:
    """A visit as volunteers and the household read it."""
    return {
        "id": visit.id,
        "household_id": visit.household_id,
        "label": where,
        "tag": visit.tag,
        "tag_label": label("care_tag", visit.tag),
        "due_on": visit.due_on,
        "overdue": visit.status == "due" and visit.due_on < today(),
        "status": visit.status,
        "status_label": label("visit_status", visit.status),
        "escalation_level": visit.escalation_level,
        "how": visit.how,
        "how_label": label("visit_how", visit.how) if visit.how else None,
        "concern": visit.concern,
        "method": visit.method,
        "method_label": label("visit_method", visit.method) if visit.method else None,
        "note": visit.note,
        "visited_on": visit.visited_on,
        "recorded_by": names.get(visit.recorded_by_id),
        "recorded_at": visit.recorded_at,
        "issue_id": visit.issue_id,
    }


def history(principal: Principal, household_id: int) -> dict:
    """The household's visits, the open one first then the newest (not the cancelled):
    for its volunteers and the household itself; a volunteer's read is logged
    (view_visits). Commits. Raises NotFound (household_not_found), Forbidden
    (census_forbidden)."""
    household = census_access.household_for(principal, household_id)
    rows = list(
        db.session.scalars(
            select(CareVisit)
            .where(CareVisit.household_id == household.id, CareVisit.status != "cancelled")
            .order_by(CareVisit.open_key.is_(None), CareVisit.due_on.desc(), CareVisit.id.desc())
            .limit(HISTORY_MAX)
        )
    )
    names = names_in(household.compound_id, [v.recorded_by_id for v in rows])
    census_access.log_read(
        principal, household, "view_visits", "care_visit", [v.id for v in rows], "查看走访记录"
    )
    db.session.commit()
    return {
        "household": {"id": household.id, "label": household.label},
        "items": [view(v, household.label, names) for v in rows],
        "may_record": census_access.volunteer_of(principal, household),
    }
