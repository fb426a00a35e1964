"""概览 at the desk: the cards, each chart's table with the compound's own numbers (and
never another compound's), each table as the Excel it downloads, and what a role the
services refuse leaves out."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
import time_machine
from openpyxl import load_workbook

from server.console.dashboard_board import last_months, month_start
from server.extensions import db
from server.models import Building
from tests.factories import (
    HouseholdFactory,
    UnitFactory,
    World,
    add_person,
    build_world,
    fund_money,
    make_bill,
    make_issue,
)
from tests.server.console.desk import signed_in
from tests.timing import month, shanghai_date, shanghai_day

NOW = shanghai_day(0, "12:00")
TABLES = (
    "collection-months",
    "collection-buildings",
    "issues-status",
    "issues-category",
    "satisfaction",
    "overdue",
    "funds",
)


class Tables(HTMLParser):
    """The page's tables by id: their rows (header row first) as lists of cell text."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table = self._cell = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._table = self.tables.setdefault(dict(attrs).get("id", ""), [])
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None
        elif tag in ("td", "th") and self._cell is not None:
            self._table[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def second_building(world: World) -> None:
    """Building 2 with one unit of three households: 2-1-101, 2-1-102, 2-1-201."""
    building = Building(compound_id=world.compound.id, number=2, name="2号楼")
    db.session.add(building)
    db.session.flush()
    unit = UnitFactory(building_obj=building, number=1)
    for room in ("101", "102", "201"):
        world.households[f"2-1-{room}"] = HouseholdFactory(unit_obj=unit, room=room)


def issue_at(world: World, when, title: str, **state):
    with time_machine.travel(when, tick=False):
        issue = make_issue(*world.reporter(), title=title)
    for name, value in state.items():
        setattr(issue, name, value)
    db.session.flush()
    return issue


@pytest.fixture
def world(db_session):
    with time_machine.travel(NOW, tick=False):
        world = build_world("dash")
        second_building(world)
        # This month: building 1 pays 3 of 6, building 2 pays 2 of 3.
        for label in world.households:
            paid = label in ("1-1-101", "1-1-102", "1-2-101", "2-1-101", "2-1-102")
            make_bill(world, label, status="paid" if paid else "unpaid")
        make_bill(world, "1-1-101", month(-1), status="paid")  # last month: 1 of 1
        fund_money(world, 123456)
        other = build_world("dash-other")
        make_bill(other, "1-1-101", status="paid")
        issue_at(other, NOW - timedelta(days=5), "别的小区超期的事")
    world.overdue_id = issue_at(world, NOW - timedelta(days=3), "楼道灯三天没修").id  # 24 h
    issue_at(world, NOW - timedelta(hours=1), "刚报的事")
    issue_at(
        world,
        NOW - timedelta(days=4),
        "水管漏水",
        status="closed",
        resolved_at=NOW - timedelta(days=3),
        rating=4,
    )
    db.session.flush()
    return world


def page(app, world, who="committee") -> tuple[str, object]:
    with time_machine.travel(NOW, tick=False):
        browser = signed_in(app, world, who)
        html = browser.get("/console/").get_data(as_text=True)
    return html, browser


def test_the_committee_sees_the_compounds_figures_each_chart_with_its_table(app, world):
    html, _ = page(app, world)
    tables = Tables(html).tables

    assert "本月收缴率" in html
    assert "55.6%" in html  # 5 of 9 households
    assert "已缴 5 户 / 应缴 9 户" in html
    assert len(re.findall(r'class="chart" id="chart-', html)) == 6
    assert tables["table-collection-buildings"] == [
        ["楼栋", "应缴户数", "已缴户数", "收缴率", "应收（元）", "实收（元）"],
        ["1号楼", "6", "3", "50.0%", "151.98", "75.99"],
        ["2号楼", "3", "2", "66.7%", "75.99", "50.66"],
    ]
    months = tables["table-collection-months"]
    assert len(months) == 1 + 12
    assert months[-1][1:4] == ["9", "5", "55.6%"]
    assert months[-2][1:4] == ["1", "1", "100.0%"]
    assert months[1][1:4] == ["0", "0", "—"]

    assert tables["table-issues-status"][1:] == [["待受理", "2"], ["已完成", "1"]]
    assert tables["table-issues-category"][1] == ["报修", "3", "1", "24.0", "1.0"]
    assert tables["table-satisfaction"][1:3] == [["5 分", "0", "0.0%"], ["4 分", "1", "100.0%"]]
    assert "平均 4.0 分（满分 5 分，1 人评分）" in html
    overdue = tables["table-overdue"]
    assert [row[1] for row in overdue[1:]] == ["楼道灯三天没修"]
    assert overdue[1][4:] == ["待受理", overdue[1][5], "2 天 0 小时"]
    if "desk.issue_detail" in app.view_functions:  # the issues' pages, when merged
        assert f'href="/console/issues/{world.overdue_id}"' in html
    assert tables["table-funds"][1] == ["自治管理费", "1,234.56", "1,234.56", "0.00"]
    # Another compound's issue and money never appear.
    assert "别的小区超期的事" not in html
    assert "dash-other" not in html


def test_each_table_downloads_as_the_excel_of_exactly_its_rows(app, world):
    html, browser = page(app, world)
    tables = Tables(html).tables
    with time_machine.travel(NOW, tick=False):
        for key in TABLES:
            assert f'href="/console/dashboard/{key}.xlsx"' in html
            answer = browser.get(f"/console/dashboard/{key}.xlsx")
            assert answer.status_code == 200, key
            assert answer.headers["Content-Disposition"] == (
                f'attachment; filename="dash-{key}.xlsx"'
            )
            sheet = load_workbook(io.BytesIO(answer.data)).active
            rows = [[_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            shown = tables[f"table-{key}"]
            assert rows[0] == shown[0], key
            assert [row[0] for row in rows] == [row[0] for row in shown], key
            assert len(rows) == len(shown), key
        buildings = browser.get("/console/dashboard/collection-buildings.xlsx")
    sheet = load_workbook(io.BytesIO(buildings.data)).active
    assert list(sheet.iter_rows(min_row=2, values_only=True))[1][:4] == ("2号楼", 3, 2, "66.7%")
    assert float(sheet["F3"].value) == 50.66  # money as a number in yuan


def _text(value) -> str:
    return "" if value is None else str(value)


def test_the_supervisor_sees_the_figures_but_not_the_issues_and_nothing_unknown(app, world):
    html, browser = page(app, world, "supervisor")
    tables = Tables(html).tables
    assert tables["table-collection-buildings"][2][3] == "66.7%"
    assert tables["table-issues-status"][1:] == [["待受理", "2"], ["已完成", "1"]]
    assert "超期报事" in html  # the count, as a card
    assert "table-overdue" not in tables  # titles and places: for those who handle issues
    assert "楼道灯三天没修" not in html
    with time_machine.travel(NOW, tick=False):
        refused = browser.get("/console/dashboard/overdue.xlsx")
        assert refused.status_code == 403
        assert "只有业委会、楼栋长和联络人可以查看报事" in refused.get_data(as_text=True)
        assert browser.get("/console/dashboard/nothing.xlsx").status_code == 404


def test_a_compound_with_nothing_yet(app, db_session):
    with time_machine.travel(NOW, tick=False):
        world = build_world("dash-new")
    html, _ = page(app, world)
    assert "本月还没有账单" in html
    assert "还没有评分" in html
    assert "现在没有超期的报事" in html
    assert "还没有数据" in html  # the building table has no row yet


def test_the_platform_admin_sees_no_figures_of_a_compound_they_are_not_part_of(app, world):
    with time_machine.travel(NOW, tick=False):
        add_person(world, "admin", "admin")
        browser = signed_in(app, world, "admin", compound=world.compound.id)
        answer = browser.get("/console/")
        assert answer.status_code == 200
        html = answer.get_data(as_text=True)
        assert "这里的统计只给本小区的业委会和财务监督看" in html
        assert "55.6%" not in html
        assert "1,234.56" not in html
        assert browser.get("/console/dashboard/funds.xlsx").status_code == 404


def test_the_months_are_shanghais():
    year = shanghai_date().year + 1
    new_year = datetime(year - 1, 12, 31, 16, 30, tzinfo=UTC)  # 00:30 on 1 January there
    months = last_months(new_year)
    assert len(months) == 12
    assert (months[0], months[-1]) == (f"{year - 1}-02", f"{year}-01")
    assert month_start(f"{year}-01") == datetime(year - 1, 12, 31, 16, 0, tzinfo=UTC)
