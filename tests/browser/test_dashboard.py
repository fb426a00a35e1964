"""概览 in a real browser: the charts draw, the table under a chart reads the same
numbers, its Excel downloads, and with the browser's text made larger the page still
fits 1366×768 without scrolling sideways."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from openpyxl import load_workbook

from server.extensions import db
from server.models import Building
from server.models.income import CO_CONSTRUCTION
from server.services.money import offline_payments
from server.services.people.access import load_principal
from tests.browser.conftest import SHOTS, shot
from tests.browser.desk import sign_in
from tests.factories import (
    HouseholdFactory,
    UnitFactory,
    build_world,
    fund_money,
    make_bill,
    make_issue,
)
from tests.timing import day, month, shanghai_date

CHARTS = "document.documentElement.dataset.charts === '6'"


def compound_with_figures(code: str):
    world = build_world(code)
    building = Building(compound_id=world.compound.id, number=2, name="2号楼")
    db.session.add(building)
    db.session.flush()
    unit = UnitFactory(building_obj=building, number=1)
    for room in ("101", "102", "201"):
        world.households[f"2-1-{room}"] = HouseholdFactory(unit_obj=unit, room=room)
    for label in world.households:
        paid = label in ("1-1-101", "1-1-102", "1-2-101", "2-1-101", "2-1-102")
        make_bill(world, label, status="paid" if paid else "unpaid")
    # Earlier months, for the line: fewer households paid.
    for back, paying in ((-1, 7), (-2, 6), (-3, 4)):
        for index, label in enumerate(world.households):
            make_bill(world, label, month(back), status="paid" if index < paying else "unpaid")
    fund_money(world, 123456)
    fund_money(world, 50000, CO_CONSTRUCTION)
    with time_machine.travel(day(-3), tick=False):
        make_issue(*world.reporter(), title="楼道灯三天没修")
    for days, category, title, hours, rating in (
        (20, "repair", "电梯按钮失灵", 20, 5),
        (15, "care", "独居老人买药", 30, 4),
        (9, "hazard", "消防通道堆物", 5, None),
        (6, "repair", "水管漏水", 50, 3),
    ):
        with time_machine.travel(day(-days), tick=False):
            issue = make_issue(*world.reporter(), category=category, title=title)
        issue.resolved_at = issue.created_at + timedelta(hours=hours)
        issue.status, issue.rating = ("closed" if rating else "resolved"), rating
    with time_machine.travel(day(-1), tick=False):
        issue = make_issue(*world.reporter(), category="dispute", title="楼上噪音")
    issue.status = "accepted"
    db.session.commit()
    return world


def test_the_dashboard_draws_its_charts_with_tables_and_excel(page, desk_url, app):
    world = compound_with_figures("dash-b")
    sign_in(page, desk_url, app, world)
    page.wait_for_function(CHARTS)
    assert page.locator(".chart svg").count() == 6
    shot(page, "10-dashboard")

    block = page.get_by_role("region", name=re.compile("^收缴率按楼栋"))
    table = block.get_by_role("table")
    if not table.is_visible():
        block.locator("summary").click()
    assert table.is_visible()
    rows = [
        [cell.inner_text() for cell in row.locator("th, td").all()]
        for row in table.get_by_role("row").all()
    ]
    assert rows == [
        ["楼栋", "应缴户数", "已缴户数", "收缴率", "应收（元）", "实收（元）"],
        ["1号楼", "6", "3", "50.0%", "151.98", "75.99"],
        ["2号楼", "3", "2", "66.7%", "75.99", "50.66"],
    ]

    overdue = page.get_by_role("region", name="超期报事（超期最久的几件）")
    assert "楼道灯三天没修" in overdue.get_by_role("table").inner_text()

    with page.expect_download() as info:
        block.get_by_role("link", name="下载 Excel").click()
    download = info.value
    assert download.suggested_filename == "dash-b-collection-buildings.xlsx"
    with open(download.path(), "rb") as saved:
        sheet = load_workbook(saved).active
    assert [list(r[:4]) for r in sheet.iter_rows(values_only=True)] == [
        ["楼栋", "应缴户数", "已缴户数", "收缴率"],
        ["1号楼", 6, 3, "50.0%"],
        ["2号楼", 3, 2, "66.7%"],
    ]


def test_with_larger_text_the_dashboard_fits_without_scrolling_sideways(page, desk_url, app):
    world = compound_with_figures("dash-c")
    sign_in(page, desk_url, app, world)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 24, "fixed": 20}})
    page.reload()
    page.wait_for_function(CHARTS)

    root = page.evaluate("getComputedStyle(document.documentElement).fontSize")
    assert float(root.removesuffix("px")) >= 26  # 112.5% of 24px: the setting took
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    download = page.get_by_role("link", name="下载 Excel").first
    assert download.bounding_box()["height"] >= 44
    assert page.get_by_role("button", name="退出登录").bounding_box()["height"] >= 44
    # shot()'s full-page capture draws beyond the viewport with Chromium's default font
    # sizes again: make the window as tall as the page and capture the window instead.
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": 1366, "height": height})
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "11-dashboard-large-text.png"))


def test_what_waits_for_the_member_shows_first_and_its_link_opens_the_page(page, desk_url, app):
    world = build_world("dash-w")
    bill = make_bill(world, "1-1-102")
    offline_payments.record(
        load_principal(world.user_ids["liaison_1_1"]),
        bill_ids=[bill.id],
        method="cash",
        amount_fen=bill.amount_fen,
        paid_on=shanghai_date(-1),
        receipt_upload_id=None,
        note=None,
    )
    db.session.commit()
    sign_in(page, desk_url, app, world)
    waiting = page.get_by_role("region", name="等你处理")
    assert waiting.get_by_role("listitem").all_inner_texts() == [
        "1 笔现金或转账等你确认 → 待确认的现金"
    ]
    shot(page, "12-dashboard-waiting")
    waiting.get_by_role("link", name="待确认的现金").click()
    page.wait_for_url(re.compile(r"/console/offline-payments$"))
    assert page.get_by_role("heading", level=1).inner_text() == "待确认的现金"
    assert "1-1-102" in page.get_by_role("table").first.inner_text()
