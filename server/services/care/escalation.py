"""Missed care visits go up: a visit still open `care_grace_days` after its day is
pushed to the building lead(s) (level 1; straight to the committee, level 2, when the
building has no lead); another grace period later, to the committee (level 2).

The job runs hourly on the open compounds only (an archived compound's visits cannot
be recorded, so nobody is pushed about them). Each visit is locked, checked again and
committed on its own: a liaison recording it at the same moment wins cleanly.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select

from server.clock import SHANGHAI, utcnow
from server.extensions import db
from server.models import CareVisit, Compound, Household, Membership
from server.services.batches import each_locked
from server.services.messaging import notify
from server.services.messaging.messages import Message, shorten, wx_time

VISIT_PAGE = "pages/visit/index?id={id}"


def escalate_missed(now: datetime | None = None, batch: int = 500) -> int:
    """Raise missed care visits one level (job). Returns how many were raised."""
    now = now or utcnow()
    compounds = db.session.execute(
        select(Compound.id, Compound.care_grace_days).where(Compound.archived_at.is_(None))
    ).all()
    done = 0
    for compound_id, grace_days in compounds:
        grace = timedelta(days=grace_days)
        done += each_locked(
            select(CareVisit.id)
            .where(CareVisit.compound_id == compound_id, _due_clause(now, grace))
            .order_by(CareVisit.id)
            .limit(batch),
            _lock,
            lambda visit, grace=grace: _due(visit, now, grace),
            lambda visit: _escalate(visit, now),
        )
    return done


def _today(now: datetime):
    return now.astimezone(SHANGHAI).date()


def _due_clause(now: datetime, grace: timedelta):
    """Open, and past its day by more than the grace (level 0), or raised to the lead a
    grace period ago (level 1)."""
    return and_(
        CareVisit.status == "due",
        or_(
            and_(CareVisit.escalation_level == 0, CareVisit.due_on < _today(now) - grace),
            and_(CareVisit.escalation_level == 1, CareVisit.escalated_at <= now - grace),
        ),
    )


def _due(visit: CareVisit, now: datetime, grace: timedelta) -> bool:
    if visit.status != "due":
        return False
    if visit.escalation_level == 0:
        return visit.due_on < _today(now) - grace
    return visit.escalation_level == 1 and visit.escalated_at <= now - grace


def _lock(visit_id: int) -> CareVisit | None:
    return db.session.scalars(
        select(CareVisit)
        .where(CareVisit.id == visit_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def _escalate(visit: CareVisit, now: datetime) -> None:
    level = visit.escalation_level + 1
    leads = _leads_of(visit) if level == 1 else []
    if level == 1 and not leads:
        level = 2  # no building lead: straight to the committee, once
    visit.escalation_level, visit.escalated_at = level, now
    targets = leads if level == 1 else notify.compound_members(visit.compound_id, "committee")
    notify.deliver(
        _message(visit, level, now),
        targets,
        # Once per level and missed day: a visit put back (new cadences) and missed
        # again is news again.
        notify.Occasion(f"care{visit.id}:{visit.due_on:%Y%m%d}:esc{level}", visit.compound_id),
        volunteers=True,
    )


def _leads_of(visit: CareVisit) -> list[int]:
    return list(
        db.session.scalars(
            select(Membership.user_id)
            .where(Membership.role == "building_lead", Membership.building_id == visit.building_id)
            .order_by(Membership.user_id)
        )
    )


def _message(visit: CareVisit, level: int, now: datetime) -> Message:
    where = db.session.get(Household, visit.household_id).label
    what = "关爱走访已超期，请督促或代为走访" if level == 1 else "关爱走访超期未做，已上报业委会"
    due = f"{visit.due_on.month}月{visit.due_on.day}日"
    return Message(
        kind="care_escalation",
        template="reminder",
        title=f"{what}：{where}",
        body=f"{where}的关爱走访原定{due}，至今还没有记录。{what}。",
        data={
            "thing1": shorten(f"关爱走访：{where}"),
            "thing2": shorten(what),
            "time3": wx_time(now),
        },
        page=VISIT_PAGE.format(id=visit.id),
    )
