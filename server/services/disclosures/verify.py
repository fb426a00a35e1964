"""Checking a published disclosure against the ledger, for anyone who scans its paper.

The month's figures are computed again from the ledger entries up to the one the
disclosure froze, and compared line by line; the hash chain is recomputed up to that
entry and must end in the recorded head. Every difference says, in Chinese, which
fund and line (or which ledger entry) differs. The collection rate and the issue
counts come from bills and issues, which change as they should: they are not checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from server.extensions import db
from server.models import LedgerEntry
from server.models.board import Disclosure
from server.services.disclosures import figures
from server.services.money import ledger

FUND_FIELDS = {"opening_fen": "期初余额", "closing_fen": "期末余额"}
LINE_COUNTS = {"bills": ("账单数", "笔"), "households": ("户数", "户"), "count": ("笔数", "笔")}
MAX_DIFFERENCES = 50


@dataclass
class Result:
    differences: list[dict] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        return not self.differences

    @property
    def summary(self) -> str:
        if self.verified:
            return "一致"
        return f"有 {len(self.differences)} 处不一致"


def check(disclosure: Disclosure) -> Result:
    result = Result()
    result.differences += _chain(disclosure)
    frozen = disclosure.figures
    again = figures.compute(disclosure.compound_id, disclosure.month, disclosure.ledger_seq)
    result.differences += _figures(frozen["funds"], again["funds"])
    result.differences = result.differences[:MAX_DIFFERENCES]
    return result


def _chain(disclosure: Disclosure) -> list[dict]:
    """Entries 1..ledger_seq: each in its place, following the one before, its hash
    matching its content, the last one's hash the recorded head."""
    found = []
    prev, expected = ledger.GENESIS, 1
    entries = db.session.scalars(
        select(LedgerEntry)
        .where(
            LedgerEntry.compound_id == disclosure.compound_id,
            LedgerEntry.seq <= disclosure.ledger_seq,
        )
        .order_by(LedgerEntry.seq)
        .execution_options(yield_per=1000, populate_existing=True)
    )
    for entry in entries:
        if entry.seq != expected:
            found.append(_entry(expected, f"账本第 {expected} 笔不见了"))
            expected = entry.seq
        actual = ledger.recomputed_hash(entry)
        if entry.prev_hash != prev:
            found.append(_entry(entry.seq, f"账本第 {entry.seq} 笔与前一笔接不上"))
        elif actual != entry.hash:
            found.append(_entry(entry.seq, f"账本第 {entry.seq} 笔的内容被改动过"))
        prev, expected = entry.hash, entry.seq + 1
        if len(found) >= MAX_DIFFERENCES:
            return found
    if expected - 1 != disclosure.ledger_seq:
        found.append(_entry(expected, f"账本第 {expected} 笔到第 {disclosure.ledger_seq} 笔不见了"))
    elif prev != disclosure.ledger_head:
        found.append(
            _entry(disclosure.ledger_seq, f"账本第 {disclosure.ledger_seq} 笔与公示记录的不符")
        )
    return found


def _entry(seq: int, message: str) -> dict:
    return {"kind": "chain", "seq": seq, "message": message}


def _figures(frozen: list[dict], again: list[dict]) -> list[dict]:
    found = []
    recomputed = {fund["account"]: fund for fund in again}
    for fund in frozen:
        other = recomputed.pop(fund["account"], None) or EMPTY
        for name, title in FUND_FIELDS.items():
            found += _compare(fund, name, title, "", fund[name], other[name])
        for side in ("income", "expenses"):
            lines = {line["key"]: line for line in other[side]}
            for line in fund[side]:
                found += _line(fund, line, lines.pop(line["key"], None))
            for line in lines.values():  # in the ledger, not in the disclosure
                found += _compare(
                    fund, line["key"], line["title"], "金额", None, line["amount_fen"]
                )
    for fund in recomputed.values():  # a fund the disclosure did not show
        if fund["closing_fen"] or fund["income"] or fund["expenses"]:
            found += _compare(fund, "closing_fen", "期末余额", "", None, fund["closing_fen"])
    return found


EMPTY = {"opening_fen": 0, "closing_fen": 0, "income": [], "expenses": []}


def _line(fund: dict, line: dict, other: dict | None) -> list[dict]:
    key, title = line["key"], line["title"]
    if other is None:
        return _compare(fund, key, title, "金额", line["amount_fen"], None)
    found = _compare(fund, key, title, "金额", line["amount_fen"], other["amount_fen"])
    for name, (what, unit) in LINE_COUNTS.items():
        if name in line:
            found += _compare(fund, key, title, what, line[name], other.get(name), unit)
    return found


def _compare(fund, key, title, what, frozen, recomputed, unit: str | None = None) -> list[dict]:
    """One difference, or none when the values agree."""
    if frozen == recomputed:
        return []

    def shown(value):
        if value is None:
            return "无"
        return f"{value} {unit}" if unit else figures.yuan(value)

    where = f"{fund['name']}·{title}" + (f"的{what}" if what else "")
    return [
        {
            "kind": "figure",
            "fund": fund["account"],
            "fund_name": fund["name"],
            "line": key,
            "line_title": title,
            "frozen": frozen,
            "recomputed": recomputed,
            "message": f"{where}：公示 {shown(frozen)}，账本重算 {shown(recomputed)}",
        }
    ]
