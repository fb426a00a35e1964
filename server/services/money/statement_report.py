"""A compound's share of a merchant's daily statement, as the daily report shows it.

`PayStatement.differences` holds, for each compound the statement touched (None: a
line we could not place), one entry `{"compound_id", "totals": {lines, paid_fen,
refund_fen, fee_fen}}` and one `{"compound_id", "text"}` per difference.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from server.extensions import db
from server.models import PayStatement
from server.services.money import merchants

ZERO = {"lines": 0, "paid_fen": 0, "refund_fen": 0, "fee_fen": 0}


def entries(totals: dict, differences: list[tuple[int | None, str]]) -> list[dict]:
    """What a statement keeps of a comparison (per compound totals, then differences)."""
    kept = [
        {"compound_id": compound_id, "totals": dict(values)}
        for compound_id, values in sorted(totals.items(), key=lambda item: item[0] or 0)
    ]
    return kept + [{"compound_id": c, "text": text} for c, text in differences]


def section(compound_id: int, day: date) -> dict | None:
    """The compound's statement of the day (its merchant's): status, its lines and
    money, net = paid − refunded − fees, and its differences; None when none was read."""
    merchant = merchants.name_for_compound(compound_id)
    row = db.session.scalars(
        select(PayStatement).where(PayStatement.merchant == merchant, PayStatement.day == day)
    ).first()
    if row is None:
        return None
    mine = [entry for entry in row.differences or [] if entry.get("compound_id") == compound_id]
    totals = next((entry["totals"] for entry in mine if "totals" in entry), ZERO)
    return {
        "status": row.status,
        "lines": totals["lines"],
        "paid_fen": totals["paid_fen"],
        "refund_fen": totals["refund_fen"],
        "fee_fen": totals["fee_fen"],
        "net_fen": totals["paid_fen"] - totals["refund_fen"] - totals["fee_fen"],
        "differences": [entry["text"] for entry in mine if "text" in entry],
    }


def difference_texts(row: PayStatement) -> list[str]:
    """Every difference of a statement, whichever compound it concerns."""
    return [entry["text"] for entry in row.differences or [] if "text" in entry]
