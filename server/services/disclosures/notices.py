"""What people hear about a disclosure: the supervisor a draft to check, the committee
the supervisor's verdict, every household a published one."""

from __future__ import annotations

from sqlalchemy import select

from server.clock import utcnow
from server.models import Household
from server.models.board import Disclosure
from server.services.messaging import fanout, notify
from server.services.messaging.messages import Message, shorten, wx_time

PAGE = "pages/disclosure/index?id={id}"


def title_of(disclosure: Disclosure) -> str:
    year, number = disclosure.month.split("-")
    version = f"（第 {disclosure.version} 版）" if disclosure.version > 1 else ""
    return f"{year}年{int(number)}月收支公示{version}"


def tell_committee(disclosure: Disclosure, what: str, body: str) -> None:
    title = title_of(disclosure)
    message = Message(
        kind="disclosure",
        template="reminder",
        title=f"{what}：{title}",
        body=f"{title}：{body}",
        data={"thing1": shorten(what), "thing2": shorten(title), "time3": wx_time(utcnow())},
        page=PAGE.format(id=disclosure.id),
    )
    occasion = notify.Occasion(f"dis{disclosure.id}{disclosure.status}", disclosure.compound_id)
    notify.deliver(
        message,
        notify.compound_members(disclosure.compound_id, "committee"),
        occasion,
        volunteers=True,
    )


def tell_supervisor(disclosure: Disclosure) -> None:
    """The supervisor is asked to check a new draft."""
    title = title_of(disclosure)
    message = Message(
        kind="disclosure",
        template="reminder",
        title=f"待审核：{title}",
        body=f"{title}已生成，请核对每个基金的收支后审核通过或提出异议。",
        data={"thing1": "月度公示待审核", "thing2": shorten(title), "time3": wx_time(utcnow())},
        page=PAGE.format(id=disclosure.id),
    )
    occasion = notify.Occasion(f"dis{disclosure.id}draft", disclosure.compound_id)
    notify.deliver(
        message,
        notify.compound_members(disclosure.compound_id, "supervisor"),
        occasion,
        volunteers=True,
    )


def tell_households(disclosure: Disclosure) -> None:
    """Every resident of the compound: an inbox line each and a push where they allowed
    one, in a few statements however many households (`messaging/fanout.py`)."""
    people = fanout.residents_of(
        select(Household.id).where(Household.compound_id == disclosure.compound_id)
    )
    title = title_of(disclosure)
    changed = f"本版更正：{disclosure.changes}。" if disclosure.changes else ""
    fanout.tell(
        people,
        compound_id=disclosure.compound_id,
        key=f"dis{disclosure.id}published",
        kind="disclosure",
        title=f"本小区{title}已发布",
        body=f"{title}已经财务监督审核并发布。{changed}每一笔收入和支出都可以查看和核对。",
        page=PAGE.format(id=disclosure.id),
        push=True,
        push_title="月度收支公示",
    )
