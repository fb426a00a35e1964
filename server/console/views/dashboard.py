"""概览: the compound at a glance. What waits for the person at the desk (等你处理:
server/console/waiting.py) first, then cards with the figures a committee member asks first,
then charts, each with the same numbers as a table under it and that table as Excel
(the figures: server/console/dashboard_board.py)."""

from __future__ import annotations

from flask import abort

from server.console.blueprint import bp
from server.console.dashboard_board import MONTHS, TABLES, Board, rate_of, score_text
from server.console.pages import desk, download, percent, render, yuan
from server.console.tables import desk_link
from server.console.waiting import waiting_for_me


def _cards(board: Board) -> list[dict]:
    cards = []
    if board.this_month is not None:
        s = board.this_month
        rate = rate_of(s["households_paid"], s["households_billed"])
        cards.append(
            {
                "title": "本月收缴率",
                "value": percent(rate) if rate is not None else "本月还没有账单",
                "detail": f"已缴 {s['households_paid']} 户 / 应缴 {s['households_billed']} 户",
                "link": desk_link("desk.payments"),
                "link_label": "查看缴费记录",
            }
        )
    if board.issues is not None:
        cards.append(
            {
                "title": "待处理报事",
                "value": f"{board.issues.open} 件",
                "detail": "待受理、处理中和已转办的",
                "link": desk_link("desk.issues"),
                "link_label": "查看报事登记",
            }
        )
        cards.append(
            {
                "title": "超期报事",
                "value": f"{board.issues.overdue} 件",
                "detail": "超过处理时限还没办结的",
                "link": desk_link("desk.issues", overdue=1),
                "link_label": "查看超期报事",
                "alert": board.issues.overdue > 0,
            }
        )
        mean = board.issues.satisfaction
        cards.append(
            {
                "title": "满意度",
                "value": f"{score_text(mean)} 分" if mean is not None else "还没有评分",
                "detail": f"近{MONTHS}个月 {board.issues.rated} 人评分，满分 5 分",
            }
        )
    if board.funds is not None:
        cards.append(
            {
                "title": "各项资金余额",
                "funds": [(f.name, yuan(f.balance_fen)) for f in board.funds],
                "link": desk_link("desk.ledger"),
                "link_label": "查看账本",
            }
        )
    return cards


@bp.get("/")
def dashboard():
    board = Board()
    tables = [table for make in TABLES.values() if (table := make(board)) is not None]
    return render(
        "dashboard.html",
        title="概览",
        waiting=waiting_for_me(),
        cards=_cards(board),
        tables=tables,
    )


@bp.get("/dashboard/<table>.xlsx")
def dashboard_table(table: str):
    """One table of the dashboard, exactly as the page shows it, as Excel."""
    make = TABLES.get(table)
    if make is None:
        abort(404)
    found = make(Board(strict=True))
    return download(f"{desk().compound.code}-{table}.xlsx", found.sheet())
