"""A compound's funds, from the ledger only (no stored balance that could drift).

Each fee item's income is its own fund ("fee:<code>", named as the item), public income
goes to the co-construction fund (共建基金), and money owed back waits in the refund
suspense account. A fund's balance is its credits less its debits; this month's income
and spending are those of entries made since the 1st, Shanghai time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select

from server.clock import SHANGHAI, utcnow
from server.extensions import db
from server.models import FeeItem, LedgerEntry
from server.models.income import CO_CONSTRUCTION
from server.services.money.ledger import PAY_FEES, REFUND_DUE

FIXED_FUNDS = {CO_CONSTRUCTION: "共建基金", REFUND_DUE: "待退款"}
# Accounts that are no fund to spend from but show, once used, beside the funds: WeChat
# Pay's service fee is money out (its debits; a fee given back is a credit), so the fund
# balances and the monthly disclosure show it as spending and the total is the net.
OTHER_ACCOUNTS = {PAY_FEES: "微信支付手续费"}


@dataclass(frozen=True)
class Fund:
    account: str
    name: str
    balance_fen: int
    income_fen_month: int
    spent_fen_month: int


def month_start(now: datetime | None = None) -> datetime:
    """The 1st of this month, 00:00 Shanghai, as an aware datetime."""
    local = (now or utcnow()).astimezone(SHANGHAI)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def names(compound_id: int) -> dict[str, str]:
    """Every fund account of the compound → its Chinese name (fee items first)."""
    items = db.session.execute(
        select(FeeItem.code, FeeItem.name)
        .where(FeeItem.compound_id == compound_id)
        .order_by(FeeItem.id)
    ).all()
    return {f"fee:{code}": name for code, name in items} | FIXED_FUNDS


def name_of(named: dict[str, str], account: str) -> str:
    """An account's Chinese name: a fund's (`names`), another account's, or itself."""
    return named.get(account) or OTHER_ACCOUNTS.get(account, account)


def is_fund(compound_id: int, account: str) -> bool:
    return account in names(compound_id)


def balances(compound_id: int, *, now: datetime | None = None) -> list[Fund]:
    """Each fund with its balance and this month's income and spending (one query)."""
    since = month_start(now)
    credit = LedgerEntry.direction == "credit"
    this_month = LedgerEntry.created_at >= since
    rows = db.session.execute(
        select(
            LedgerEntry.account,
            func.sum(case((credit, LedgerEntry.amount_fen), else_=-LedgerEntry.amount_fen)),
            func.sum(case((credit & this_month, LedgerEntry.amount_fen), else_=0)),
            func.sum(case((~credit & this_month, LedgerEntry.amount_fen), else_=0)),
        )
        .where(LedgerEntry.compound_id == compound_id)
        .group_by(LedgerEntry.account)
    ).all()
    sums = {account: (int(b or 0), int(i or 0), int(s or 0)) for account, b, i, s in rows}
    named = names(compound_id)
    accounts = list(named) + sorted(a for a in sums if a not in named)
    return [
        Fund(account, name_of(named, account), *sums.get(account, (0, 0, 0)))
        for account in accounts
    ]


def balance(compound_id: int, account: str, *, locking: bool = False) -> int:
    """One fund's balance in fen. When a debit must not overdraw it, call
    `ledger.lock_chain` first and pass `locking`: a locking read sees what is committed
    now, not this transaction's snapshot (MariaDB's repeatable read took it before the
    chain lock, so it may miss a debit committed while we waited for that lock)."""
    credit = LedgerEntry.direction == "credit"
    query = select(
        func.sum(case((credit, LedgerEntry.amount_fen), else_=-LedgerEntry.amount_fen))
    ).where(LedgerEntry.compound_id == compound_id, LedgerEntry.account == account)
    if locking:
        query = query.with_for_update(read=True)
    total = db.session.scalar(query)
    return int(total or 0)
