"""A month of a compound's money, computed from the ledger up to one entry.

Each fund (fee items' "fee:<code>", the co-construction fund, the refund suspense
account, and any other account the ledger uses) has an opening balance (entries
before the month), income lines (its credits in the month), expense lines (its
debits) and a closing balance; opening + income − expenses = closing holds by
construction. Lines name what the ledger entries point at: fees collected (a count of
bills and households, never who paid), public income (its kind and the contract's
counterparty), expenses (purpose, payee, category, receipts) and their reversals,
refunds of money paid twice (a count), anything else by its memo.

The same function freezes a disclosure and recomputes it for `verify`: a line's `key`
names it in both.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import case, func, select

from server.clock import SHANGHAI
from server.errors import ValidationFailed
from server.extensions import db
from server.labels import label
from server.models import Issue, LedgerEntry, OfflinePayment, Payment
from server.models.income import IncomeContract, IncomeRecord
from server.models.spending import Expense
from server.services.money import collection, funds
from server.services.photos import attachments

FEE_SOURCES = ("payment", "offline_payment")
# Movements about single households: shown as one counted line, never one per household.
COUNTED = {
    "refund": "退还多缴款",
    "meter_void": "电表读数作废，转为待退款",
    "pay_fee": "微信支付手续费",
    "pay_fee_return": "退款退回的微信支付手续费",
    "wechat_refund": "微信支付退款",
}
EXPENSE_SOURCES = ("expense", "expense_reversal")
MONTH = re.compile(r"^20[0-9]{2}-(0[1-9]|1[0-2])\Z")


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's, Shanghai time, in UTC.
    Raises ValidationFailed (bad_month) for anything but "YYYY-MM"."""
    if not isinstance(month, str) or not MONTH.match(month):
        raise ValidationFailed("月份格式应为 2026-12 这样", code="bad_month")
    year, number = int(month[:4]), int(month[5:])
    start = datetime(year, number, 1, tzinfo=SHANGHAI)
    following = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=SHANGHAI)
    return start.astimezone(UTC), following.astimezone(UTC)


def yuan(fen: int) -> str:
    """¥1,234.56 (a minus sign before the ¥ when negative)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}¥{whole:,}.{cents:02d}"


def compute(compound_id: int, month: str, ledger_seq: int, *, locking: bool = False) -> dict:
    """The month's money of the compound from ledger entries 1..`ledger_seq`.
    `locking` (a freeze holding the chain): locking reads see every entry committed up
    to the head, not this transaction's snapshot (MariaDB's repeatable read took it
    before the chain lock, so it may miss an entry written while we waited)."""
    start, until = month_bounds(month)
    in_chain = (LedgerEntry.compound_id == compound_id) & (LedgerEntry.seq <= ledger_seq)
    named = funds.names(compound_id)
    opening = _opening(in_chain, start, locking)
    query = (
        select(LedgerEntry)
        .where(in_chain, LedgerEntry.created_at >= start, LedgerEntry.created_at < until)
        .order_by(LedgerEntry.seq)
        .execution_options(populate_existing=True)  # what is stored now
    )
    if locking:
        query = query.with_for_update(read=True)
    entries = list(db.session.scalars(query))
    accounts = list(named) + sorted(
        {a for a in opening if a not in named}
        | {e.account for e in entries if e.account not in named}
    )
    lines = _lines(entries)
    result = []
    for account in accounts:
        income = lines.get((account, "credit"), [])
        spent = lines.get((account, "debit"), [])
        open_fen = opening.get(account, 0)
        income_fen = sum(line["amount_fen"] for line in income)
        expense_fen = sum(line["amount_fen"] for line in spent)
        result.append(
            {
                "account": account,
                "name": funds.name_of(named, account),
                "opening_fen": open_fen,
                "income": income,
                "expenses": spent,
                "income_fen": income_fen,
                "expense_fen": expense_fen,
                "closing_fen": open_fen + income_fen - expense_fen,
            }
        )
    return {"month": month, "funds": result}


def _opening(in_chain, start: datetime, locking: bool) -> dict[str, int]:
    credit = LedgerEntry.direction == "credit"
    query = (
        select(
            LedgerEntry.account,
            func.sum(case((credit, LedgerEntry.amount_fen), else_=-LedgerEntry.amount_fen)),
        )
        .where(in_chain, LedgerEntry.created_at < start)
        .group_by(LedgerEntry.account)
    )
    if locking:
        query = query.with_for_update(read=True)
    rows = db.session.execute(query)
    return {account: int(total or 0) for account, total in rows}


def _lines(entries: list[LedgerEntry]) -> dict[tuple[str, str], list[dict]]:
    """Lines per (account, direction), in the order their first entry was written."""
    by_source = defaultdict(set)
    for entry in entries:
        by_source[entry.source_type].add(entry.source_id)
    households = _households(by_source)
    expenses = _expenses(by_source["expense"] | by_source["expense_reversal"])
    incomes = _incomes(by_source["income"])
    grouped: dict[tuple[str, str], dict[str, dict]] = defaultdict(dict)
    for entry in entries:
        key, line = _line_of(entry, expenses, incomes)
        side = grouped[(entry.account, entry.direction)]
        current = side.setdefault(key, line)
        current["amount_fen"] = current.get("amount_fen", 0) + entry.amount_fen
        current["entries"] = current.get("entries", 0) + 1
        if entry.source_type in FEE_SOURCES or entry.source_type in COUNTED:
            current.setdefault("_households", set()).add(
                households.get((entry.source_type, entry.source_id))
            )
            current.setdefault("_sources", set()).add(entry.source_id)
    result = {}
    for side_key, lines in grouped.items():
        result[side_key] = []
        for line in lines.values():
            seen = line.pop("_households", None)
            sources = line.pop("_sources", set())
            if line["kind"] == "fees":
                line["bills"] = line["entries"]
                line["households"] = len(seen - {None})
            elif line["kind"] == "wechat_refund":  # one refund may debit several bills
                line["count"] = len(sources)
            elif seen is not None:
                line["count"] = line["entries"]
            result[side_key].append(line)
    return result


def _line_of(entry: LedgerEntry, expenses: dict, incomes: dict) -> tuple[str, dict]:
    source, sid = entry.source_type, entry.source_id
    if source in FEE_SOURCES and entry.direction == "credit":
        if entry.account.startswith("fee:"):
            return "fees", {"key": "fees", "kind": "fees", "title": "收缴费用"}
        return "overpaid", {"key": "overpaid", "kind": "overpaid", "title": "多缴待退"}
    if source in COUNTED or source in FEE_SOURCES:
        key = f"{source}:{entry.direction}"
        return key, {"key": key, "kind": source, "title": COUNTED.get(source, "缴费调整")}
    if source in EXPENSE_SOURCES:
        expense = expenses.get(sid)
        purpose = expense["purpose"] if expense else entry.memo or f"支出 {sid}"
        if entry.direction == "debit":
            key = f"expense:{sid}"
            return key, {"key": key, "kind": "expense", "title": purpose, **(expense or {})}
        key = f"reversal:{sid}"
        line = {"key": key, "kind": "reversal", "title": f"冲正：{purpose}", **(expense or {})}
        if expense and expense.get("reversal_reason"):
            line["reason"] = expense["reversal_reason"]
        return key, line
    if source == "income" and entry.direction == "credit":
        income = incomes.get(sid)
        title = income["title"] if income else entry.memo or f"收入 {sid}"
        key = f"income:{sid}"
        return key, {"key": key, "kind": "income", **(income or {}), "title": title}
    key = f"entry:{entry.seq}"
    return key, {"key": key, "kind": source, "title": entry.memo or source}


def _households(by_source: dict[str, set[int]]) -> dict[tuple[str, int], int]:
    """(source type, id) → the household of a payment or cash payment."""
    found = {}
    for source, model in (("payment", Payment), ("offline_payment", OfflinePayment)):
        ids = by_source.get(source)
        if ids:
            rows = db.session.execute(select(model.id, model.household_id).where(model.id.in_(ids)))
            found.update({(source, pid): household for pid, household in rows})
    return found


def _expenses(ids: set[int]) -> dict[int, dict]:
    if not ids:
        return {}
    receipts = attachments.of("expense_receipt", list(ids))
    return {
        e.id: {
            "expense_id": e.id,
            "purpose": e.purpose,
            "payee": e.payee,
            "category": e.category,
            "category_name": label("expense_category", e.category),
            "paid_on": e.paid_on.isoformat() if e.paid_on else None,
            "receipts": receipts.get(e.id, []),
            "reversal_reason": e.reversal_reason,
        }
        for e in db.session.scalars(select(Expense).where(Expense.id.in_(ids)))
    }


def _incomes(ids: set[int]) -> dict[int, dict]:
    if not ids:
        return {}
    rows = db.session.execute(
        select(IncomeRecord, IncomeContract.counterparty)
        .outerjoin(IncomeContract, IncomeContract.id == IncomeRecord.contract_id)
        .where(IncomeRecord.id.in_(ids))
    )
    found = {}
    for record, counterparty in rows:
        kind = label("income_kind", record.kind)
        who = counterparty or record.payer
        found[record.id] = {
            "income_id": record.id,
            "income_kind": record.kind,
            "kind_name": kind,
            "counterparty": who,
            "received_on": record.received_on.isoformat(),
            "title": f"{kind}（{who}）" if who else kind,
        }
    return found


def collection_rate(compound_id: int, month: str) -> dict:
    """Households billed for the month and how many have paid, at the freeze (counts only)."""
    tally = collection.Tally()
    for household_id, amount, status, *_ in collection._bill_rows(compound_id, month):
        tally.add(household_id, amount, status)
    return tally.summary()


def issues(compound_id: int, month: str) -> list[dict]:
    """Issues reported and resolved in the month, by category."""
    start, until = month_bounds(month)
    counts: dict[str, dict] = {}
    for column, field in ((Issue.created_at, "reported"), (Issue.resolved_at, "resolved")):
        rows = db.session.execute(
            select(Issue.category, func.count())
            .where(Issue.compound_id == compound_id, column >= start, column < until)
            .group_by(Issue.category)
        )
        for category, count in rows:
            row = counts.setdefault(
                category,
                {
                    "category": category,
                    "name": label("issue_category", category),
                    "reported": 0,
                    "resolved": 0,
                },
            )
            row[field] = int(count)
    return [counts[c] for c in sorted(counts)]
