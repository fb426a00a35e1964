"""Overdue public income reminds the committee (a daily job): instalments due more than
a week ago with no income recorded are pushed to the compound's committee, each
instalment once (`reminded_at`). Archived compounds are left alone."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from server.clock import SHANGHAI, utcnow
from server.extensions import db
from server.models.income import ContractInstalment, IncomeContract
from server.services.messaging import notify
from server.services.messaging.messages import Message, shorten, wx_time
from server.services.people.compounds import open_compound_ids

GRACE_DAYS = 7
SHOWN = 3  # instalments named in one message; the rest are counted


def remind_overdue(now: datetime | None = None) -> int:
    """Push each compound's committee the instalments overdue by more than a week and
    not reminded yet; returns how many instalments were reminded."""
    now = now or utcnow()
    cutoff = now.astimezone(SHANGHAI).date() - timedelta(days=GRACE_DAYS)
    rows = db.session.execute(
        select(ContractInstalment, IncomeContract.counterparty)
        .join(IncomeContract, IncomeContract.id == ContractInstalment.contract_id)
        .where(
            ContractInstalment.due_on < cutoff,
            ContractInstalment.income_id.is_(None),
            ContractInstalment.reminded_at.is_(None),
            ContractInstalment.compound_id.in_(open_compound_ids()),
        )
        .order_by(ContractInstalment.compound_id, ContractInstalment.due_on)
    ).all()
    by_compound: dict[int, list] = {}
    for instalment, counterparty in rows:
        by_compound.setdefault(instalment.compound_id, []).append((instalment, counterparty))
    for compound_id, overdue in by_compound.items():
        _remind(compound_id, overdue, now)
    db.session.commit()
    return len(rows)


def _remind(compound_id: int, overdue: list, now: datetime) -> None:
    total = sum(i.amount_fen for i, _ in overdue)
    lines = [
        f"{who} {i.due_on.month}月{i.due_on.day}日应付 {_yuan(i.amount_fen)} 元"
        for i, who in overdue[:SHOWN]
    ]
    if len(overdue) > SHOWN:
        lines.append(f"等共 {len(overdue)} 笔")
    message = Message(
        kind="income_overdue",
        template="reminder",
        title=f"公共收益逾期未收 {len(overdue)} 笔，共 {_yuan(total)} 元",
        body="以下合同款已过期一周以上仍未登记收款，请联系对方催收：" + "；".join(lines) + "。",
        data={
            "thing1": shorten("公共收益逾期未收"),
            "thing2": shorten(f"{len(overdue)}笔共{_yuan(total)}元"),
            "time3": wx_time(now),
        },
        page="pages/income/index",
    )
    # Each instalment is reminded once, so the first one's id names this reminder alone.
    occasion = notify.Occasion(f"incdue{overdue[0][0].id}", compound_id)
    notify.deliver(
        message, notify.compound_members(compound_id, "committee"), occasion, volunteers=True
    )
    for instalment, _ in overdue:
        instalment.reminded_at = now


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"
