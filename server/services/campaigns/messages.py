"""What volunteers read about a sweep: its start, and a unit overdue."""

from __future__ import annotations

from datetime import date, datetime

from server.labels import label
from server.models.campaigns import Campaign
from server.services.messaging.messages import Message, shorten, wx_time


def page(campaign: Campaign) -> str:
    return f"pages/campaign/index?id={campaign.id}"


def day_text(day: date) -> str:
    return f"{day.month}月{day.day}日"


def started(campaign: Campaign, scope_label: str, now: datetime) -> Message:
    """To the liaisons and leads of the scope: a new sweep to take door to door."""
    kind = label("campaign_type", campaign.type)
    due = day_text(campaign.due_on)
    return Message(
        kind="campaign",
        template="reminder",
        title=f"新排查任务：{shorten(campaign.title, 40)}",
        body=f"{kind}（{scope_label}）：请在{due}前逐户上门，按清单登记每户情况。",
        data={
            "thing1": shorten(campaign.title),
            "thing2": shorten(f"请在{due}前逐户排查"),
            "time3": wx_time(now),
        },
        page=page(campaign),
    )


def overdue(campaign: Campaign, units: list[tuple[str, int, int]], now: datetime) -> Message:
    """To a building lead (or the committee): units past the due day, not all visited.
    `units` are (label "1-2", visited, total)."""
    lines = [f"{unit}单元 已走访 {visited}/{total} 户" for unit, visited, total in units]
    return Message(
        kind="campaign_overdue",
        template="reminder",
        title=f"排查逾期未完成：{shorten(campaign.title, 40)}",
        body=f"「{campaign.title}」已过{day_text(campaign.due_on)}截止，"
        + "；".join(lines)
        + "。请督促联络人尽快走访。",
        data={
            "thing1": shorten(campaign.title),
            "thing2": shorten(f"{len(units)}个单元逾期未完成"),
            "time3": wx_time(now),
        },
        page=page(campaign),
    )
