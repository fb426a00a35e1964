"""What people read about money received: ledger memos and the "paid" message.

Memos are read by the committee and the finance supervisor: they name the flat, the
period, the fee and the volunteers who handled cash (by the name they go by), never a
resident. Ledger entries are hash-chained: only new entries get this wording.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import String, cast, select

from server import labels
from server.extensions import db
from server.models import Building, Household, Membership, Unit
from server.services.messaging import notify
from server.services.messaging.messages import Message, shorten, wx_time

MEMO_MAX = 200


def period_label(period: str) -> str:
    """ "2026-12" → "2026年12月", "2026Q4" → "2026年第4季度", "2026" → "2026年度"."""
    if match := re.fullmatch(r"(\d{4})-(\d{2})", period):
        return f"{match[1]}年{int(match[2])}月"
    if match := re.fullmatch(r"(\d{4})Q([1-4])", period):
        return f"{match[1]}年第{match[2]}季度"
    if re.fullmatch(r"\d{4}", period):
        return f"{period}年度"
    return period


def household_label(household_id: int) -> str:
    """ "1-1-101" (one query)."""
    return db.session.scalar(select(household_label_column(household_id)))


def household_label_column(household_id: int):
    """ "1-1-101" as a scalar subquery, to read with other rows in one statement."""
    text = cast(Building.number, String) + "-" + cast(Unit.number, String) + "-" + Household.room
    return (
        select(text)
        .select_from(Household)
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Household.building_id)
        .where(Household.id == household_id)
        .scalar_subquery()
    )


def bill_memo(label: str, period: str, fee_name: str, how: str) -> str:
    """ "1-1-101 2026年12月 自治管理费，现金，王秀兰登记，李建国确认"."""
    return f"{label} {period_label(period)} {fee_name}，{how}"[:MEMO_MAX]


def refund_due_memo(label: str, out_trade_no: str, why: str) -> str:
    """ "1-1-101 微信支付订单 LL…：账单已由其他方式缴清，待退款"."""
    return f"{label} 微信支付订单 {out_trade_no}：{why}，待退款"[:MEMO_MAX]


def paid_message(method: str, total_fen: int, what: str, detail: str, at: datetime) -> Message:
    """The message a household gets when its payment counts, WeChat Pay or cash: the
    same title, page and push fields for every way of paying.

    `what`: the bills ("2026年12月 自治管理费"); `detail`: one sentence more (the
    order number, who recorded and confirmed the cash)."""
    yuan = f"{total_fen / 100:.2f}"
    how = labels.label("paid_via", method, labels.label("paid_via", "other"))
    return Message(
        kind="payment",
        template="reminder",
        title=f"缴费成功：{yuan} 元",
        body=f"您已通过{how}缴费 {yuan} 元（{what}）。{detail}",
        data={
            "thing1": shorten(what),
            "thing2": shorten(f"{how}缴费{yuan}元已入账"),
            "time3": wx_time(at),
        },
        page="pages/bills/index",
    )


def tell(
    message: Message,
    user_ids: list[int],
    key: str,
    compound_id: int,
    *,
    push: bool,
) -> None:
    """Deliver a money message once per `key` (no commit)."""
    notify.deliver(message, user_ids, notify.Occasion(key, compound_id), inbox_only=not push)


def household_residents(household_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(Membership.user_id)
            .where(Membership.role == "resident", Membership.household_id == household_id)
            .order_by(Membership.user_id)
        )
    )


def bills_text(items: list[tuple[str, str]]) -> str:
    """What was paid for, from (period, fee name) pairs: "2026年12月 自治管理费" or
    "2026年11月 自治管理费等 2 笔"."""
    if not items:
        return "费用"
    period, name = items[0]
    first = f"{period_label(period)} {name}"
    return first if len(items) == 1 else f"{first}等 {len(items)} 笔"
