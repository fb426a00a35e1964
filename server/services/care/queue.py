"""The compound's care-visit queue as its committee watches it (the desk's 关怀回访):
every open visit missed or due within the coming week, wherever it is, oldest first,
with how far it has gone up (0: the unit's liaison, 1: the building lead, 2: the
committee). A volunteer's own to-do list stays GET /me/tasks (tasks.py).

Committee only: the list names each household's care tag, all sensitive; the tags
shown are logged as the task list logs them. Nothing else of the household (no name,
no phone) is in it."""

from __future__ import annotations

from datetime import timedelta

from server.errors import Forbidden
from server.extensions import db
from server.models import CareVisit
from server.services.care.schedule import today
from server.services.care.tasks import visit_item, visits_with_place
from server.services.care.visits import log_tags_read
from server.services.people.access import Principal

AHEAD_DAYS = 7
QUEUE_MAX = 300
REASON = "关爱走访总览"


def compound_queue(principal: Principal, compound_id: int) -> dict:
    """{"items": the open visits missed or due by a week from today (at most QUEUE_MAX,
    oldest first), "more": whether more were left out}. Commits (the access log).

    Raises Forbidden (committee_only)."""
    if not principal.committee_of(compound_id):
        raise Forbidden("只有业委会可以查看全小区的关爱走访", code="committee_only")
    now_day = today()
    rows = db.session.execute(
        visits_with_place()
        .where(
            CareVisit.compound_id == compound_id,
            CareVisit.status == "due",
            CareVisit.due_on <= now_day + timedelta(days=AHEAD_DAYS),
        )
        .order_by(CareVisit.due_on, CareVisit.id)
        .limit(QUEUE_MAX + 1)
    ).all()
    more = len(rows) > QUEUE_MAX
    items = [
        {
            **visit_item(visit, f"{building_no}-{unit_no}-{room}", now_day),
            "days_late": max((now_day - visit.due_on).days, 0),
        }
        for visit, building_no, unit_no, room in rows[:QUEUE_MAX]
    ]
    log_tags_read(principal, [(i["household_id"], i["tag"]) for i in items], compound_id, REASON)
    db.session.commit()
    return {"items": items, "more": more}
