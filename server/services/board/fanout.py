"""Who hears of a new announcement: an inbox line for every person bound to a household
of the audience, and for an urgent one a push to each of them holding a subscribe send
for the notice template — in a few statements however big the compound
(`messaging/fanout.py`)."""

from __future__ import annotations

from sqlalchemy import select

from server.models import Household
from server.models.board import Announcement
from server.services.messaging import fanout
from server.services.messaging.messages import shorten

TEMPLATE = fanout.TEMPLATE


def audience_households(announcement: Announcement):
    """The ids of the households an announcement is for, as a subquery."""
    query = select(Household.id).where(Household.compound_id == announcement.compound_id)
    if announcement.audience == "building":
        query = query.where(Household.building_id == announcement.building_id)
    elif announcement.audience == "unit":
        query = query.where(Household.unit_id == announcement.unit_id)
    return query


def recipients(announcement: Announcement) -> list[int]:
    """Every active person bound to a household of the audience (one query)."""
    return fanout.residents_of(audience_households(announcement))


def fan_out(announcement: Announcement) -> tuple[int, int]:
    """Write the inbox lines (and the pushes of an urgent one) in the caller's
    transaction; the author is not told of their own notice. Returns (inbox lines,
    pushes queued)."""
    people = [uid for uid in recipients(announcement) if uid != announcement.created_by_id]
    title = ("紧急通知：" if announcement.urgent else "公告：") + shorten(announcement.title, 50)
    return fanout.tell(
        people,
        compound_id=announcement.compound_id,
        key=f"ann{announcement.id}",
        kind="urgent_notice" if announcement.urgent else "notice",
        title=title,
        body=announcement.body,
        page=f"pages/notice/index?id={announcement.id}",
        push=announcement.urgent,
        push_title=announcement.title,
    )
