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
    """The compound's statement of the day: its share of every merchant's statement
    that has its lines (a compound moved to another merchant has orders made before
    on the old one) and of its current merchant's — status ("compared" once all are),
    lines and money, net = paid − refunded − fees, and differences; None when none was
    read."""
    merchant = merchants.name_for_compound(compound_id)
    rows = db.session.scalars(
        select(PayStatement).where(PayStatement.day == day).order_by(PayStatement.merchant)
    ).all()
    totals, texts, statuses = dict(ZERO), [], []
    for row in rows:
        mine = [e for e in row.differences or [] if e.get("compound_id") == compound_id]
        if row.merchant != merchant and not mine:
            continue
        statuses.append(row.status)
        for entry in mine:
            if "totals" in entry:
                totals = {key: totals[key] + entry["totals"].get(key, 0) for key in ZERO}
            else:
                texts.append(entry["text"])
    if not statuses:
        return None
    return {
        "status": next((s for s in statuses if s != "compared"), "compared"),
        "lines": totals["lines"],
        "paid_fen": totals["paid_fen"],
        "refund_fen": totals["refund_fen"],
        "fee_fen": totals["fee_fen"],
        "net_fen": totals["paid_fen"] - totals["refund_fen"] - totals["fee_fen"],
        "differences": texts,
    }


def difference_texts(row: PayStatement) -> list[str]:
    """Every difference of a statement, whichever compound it concerns."""
    return [entry["text"] for entry in row.differences or [] if "text" in entry]
