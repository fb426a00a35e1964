"""The dashboard's figures (概览): each table as the page shows it, its chart, and its
sheet for the Excel download. Every figure comes from the service the API serves it
with, called with the desk's principal: what a service refuses for the person at the
desk is left out (None), nothing more."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from functools import cached_property

from server.clock import SHANGHAI, utcnow
from server.console.pages import desk
from server.console.tables import Col, Table, desk_link
from server.errors import Forbidden, NotFound
from server.services.issues import statistics
from server.services.money import collection, collection_stats
from server.services.spending import views as spending

MONTHS = 12


def rate_of(paid: int, billed: int) -> Fraction | None:
    return Fraction(paid, billed) if billed else None


def _chart_percent(rate: Fraction | None) -> float | None:
    return None if rate is None else round(float(rate * 100), 1)


def last_months(now: datetime, count: int = MONTHS) -> list[str]:
    """The `count` months up to now's, in Shanghai, oldest first ("2026-01", ...)."""
    local = now.astimezone(SHANGHAI)
    index = local.year * 12 + local.month - 1
    return [f"{i // 12}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


def month_start(month: str) -> datetime:
    year, number = (int(p) for p in month.split("-"))
    return datetime(year, number, 1, tzinfo=SHANGHAI)


class Board:
    """The dashboard's figures, each read once, only when a card or table asks for it."""

    def __init__(self, *, strict: bool = False):
        self.strict = strict  # a refusal raises (a download) rather than leaving it out
        self.principal = desk().principal
        self.code = desk().compound.code
        self.now = utcnow()
        self.months = last_months(self.now)

    def _refused(self, read: Callable):
        """The service's answer, or None when it refuses the person at the desk."""
        try:
            return read()
        except (Forbidden, NotFound):  # NotFound: the admin, not a member of the compound
            if self.strict:
                raise
            return None

    @cached_property
    def summaries(self) -> list[dict] | None:
        return self._refused(
            lambda: collection_stats.monthly(self.principal, self.code, self.months)
        )

    @cached_property
    def this_month(self) -> dict | None:
        """This month's summary with its buildings (the month's figures are also the
        last of `summaries`: the same count)."""
        return self._refused(lambda: collection.summary(self.principal, self.code, self.months[-1]))

    @cached_property
    def issues(self) -> statistics.Overview | None:
        since = month_start(self.months[0])
        return self._refused(
            lambda: statistics.overview(self.principal, self.code, since=since, now=self.now)
        )

    @cached_property
    def overdue(self) -> list[statistics.OverdueIssue] | None:
        return self._refused(
            lambda: statistics.most_overdue(self.principal, self.code, now=self.now)
        )

    @cached_property
    def funds(self) -> list | None:
        return self._refused(lambda: spending.compound_funds(self.principal, self.code))

    # ----- the tables (None: the service refuses this person) -----

    def collection_months(self) -> Table | None:
        if self.summaries is None:
            return None
        rows = [
            [
                f"{s['period'][:4]}年{int(s['period'][5:])}月",
                s["households_billed"],
                s["households_paid"],
                rate_of(s["households_paid"], s["households_billed"]),
                s["billed_fen"],
                s["collected_fen"],
            ]
            for s in self.summaries
        ]
        chart = {
            "type": "line",
            "categories": [r[0] for r in rows],
            "series": [{"name": "收缴率", "data": [_chart_percent(r[3]) for r in rows]}],
            "unit": "%",
        }
        return Table(
            "collection-months",
            f"收缴率按月（近{MONTHS}个月）",
            _collection_columns("月份"),
            rows,
            chart,
            note="按户计：当月账单全部缴清的户数 ÷ 有账单的户数。",
        )

    def collection_buildings(self) -> Table | None:
        if self.this_month is None:
            return None
        rows = [
            [
                f"{b['building']}号楼",
                b["households_billed"],
                b["households_paid"],
                rate_of(b["households_paid"], b["households_billed"]),
                b["billed_fen"],
                b["collected_fen"],
            ]
            for b in self.this_month["by_building"]
        ]
        month = self.months[-1]
        chart = {
            "type": "bar",
            "categories": [r[0] for r in rows],
            "series": [{"name": "收缴率", "data": [_chart_percent(r[3]) for r in rows]}],
            "unit": "%",
        }
        return Table(
            "collection-buildings",
            f"收缴率按楼栋（{month[:4]}年{int(month[5:])}月）",
            _collection_columns("楼栋"),
            rows,
            chart,
        )

    def issues_status(self) -> Table | None:
        if self.issues is None:
            return None
        rows = [[s.label, s.count] for s in self.issues.by_status]
        chart = {
            "type": "pie",
            "categories": [r[0] for r in rows],
            "series": [{"name": "件数", "data": [r[1] for r in rows]}],
            "unit": "件",
        }
        return Table(
            "issues-status",
            "报事按状态（全部报事，现在的状态）",
            [Col("状态"), Col("件数", "number", 10)],
            rows,
            chart,
        )

    def issues_category(self) -> Table | None:
        if self.issues is None:
            return None
        rows = [
            [c.label, c.reported, c.resolved, c.hours_to_resolve, c.days_to_resolve]
            for c in self.issues.by_category
        ]
        chart = {
            "type": "bar",
            "categories": [r[0] for r in rows],
            "series": [
                {"name": "报事件数", "data": [r[1] for r in rows]},
                {"name": "已解决", "data": [r[2] for r in rows]},
            ],
            "unit": "件",
        }
        return Table(
            "issues-category",
            f"报事按类别（近{MONTHS}个月报的事）",
            [
                Col("类别"),
                Col("报事件数", "number", 10),
                Col("已解决件数", "number", 12),
                Col("平均处理时长（小时）", "decimal", 20),
                Col("平均处理时长（天）", "decimal", 18),
            ],
            rows,
            chart,
            note="处理时长：从报事到办结的时间，只算已办结的。",
        )

    def satisfaction(self) -> Table | None:
        if self.issues is None:
            return None
        ratings, rated = self.issues.ratings, self.issues.rated
        rows = [
            [f"{score} 分", ratings.get(score, 0), rate_of(ratings.get(score, 0), rated)]
            for score in range(5, 0, -1)
        ]
        chart = {
            "type": "bar",
            "categories": [r[0] for r in rows],
            "series": [{"name": "评分人数", "data": [r[1] for r in rows]}],
            "unit": "人",
        }
        mean = self.issues.satisfaction
        note = (
            f"平均 {score_text(mean)} 分（满分 5 分，{rated} 人评分）。"
            if mean is not None
            else "还没有人评分。"
        )
        return Table(
            "satisfaction",
            f"满意度（近{MONTHS}个月报的事）",
            [Col("评分"), Col("人数", "number", 10), Col("占比", "percent", 10)],
            rows,
            chart,
            note=note,
        )

    def overdue_issues(self) -> Table | None:
        if self.overdue is None:
            return None
        rows = [
            [
                i.issue_id,
                i.title,
                i.category,
                i.location,
                i.status,
                i.due_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
                _late(i.hours_late),
            ]
            for i in self.overdue
        ]
        links = [desk_link("desk.issue_detail", issue_id=i.issue_id) for i in self.overdue]
        return Table(
            "overdue",
            "超期报事（超期最久的几件）",
            [
                Col("编号", "number", 8),
                Col("标题", width=30, wrap=True),
                Col("类别", width=10),
                Col("位置", width=14),
                Col("状态", width=10),
                Col("期限", width=18),
                Col("已超期", width=12),
            ],
            rows,
            links=links,
        )

    def fund_balances(self) -> Table | None:
        if self.funds is None:
            return None
        rows = [[f.name, f.balance_fen, f.income_fen_month, f.spent_fen_month] for f in self.funds]
        chart = {
            "type": "bar",
            "categories": [r[0] for r in rows],
            "series": [{"name": "余额", "data": [_chart_yuan(r[1]) for r in rows]}],
            "unit": "元",
        }
        return Table(
            "funds",
            "资金余额",
            [
                Col("资金", width=16),
                Col("余额（元）", "money"),
                Col("本月收入（元）", "money"),
                Col("本月支出（元）", "money"),
            ],
            rows,
            chart,
            note="来自账本：每项资金的收入减支出。",
        )


def _collection_columns(first: str) -> list[Col]:
    return [
        Col(first, width=12),
        Col("应缴户数", "number", 10),
        Col("已缴户数", "number", 10),
        Col("收缴率", "percent", 10),
        Col("应收（元）", "money"),
        Col("实收（元）", "money"),
    ]


def _chart_yuan(fen: int) -> float:
    return float(Decimal(fen) / 100)


def score_text(mean: Fraction) -> str:
    return f"{float(mean):.1f}"


def _late(hours: int) -> str:
    days, rest = divmod(hours, 24)
    return f"{days} 天 {rest} 小时" if days else f"{rest} 小时"


TABLES = {
    "collection-months": Board.collection_months,
    "collection-buildings": Board.collection_buildings,
    "issues-status": Board.issues_status,
    "issues-category": Board.issues_category,
    "satisfaction": Board.satisfaction,
    "overdue": Board.overdue_issues,
    "funds": Board.fund_balances,
}
