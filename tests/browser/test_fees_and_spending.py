"""The desk's money pages in Chromium: a fee change confirmed by a second member through
the confirm dialog; an expense with its photo; public income; the month's disclosure
prepared and its PDF downloaded; the stairwell electricity readings."""

from __future__ import annotations

import re
from pathlib import Path

from server.extensions import db
from tests.browser.conftest import shot
from tests.browser.desk import agree, sign_in
from tests.factories import (
    build_world,
    fund_money,
    self_governance_fee,
    stair_electricity_fee,
)
from tests.helpers import image_bytes
from tests.money_month import a_month_of_money
from tests.timing import month


def test_a_second_member_confirms_a_fee_change_through_the_dialog(page, desk_url, app):
    world = build_world("desk-fee")
    stair_electricity_fee(world.compound)
    self_governance_fee(world.compound)
    db.session.commit()  # (then no ORM reads here: SQLite would hold its write lock)
    phone = app.test_client()
    proposed = phone.patch(
        "/api/v1/compounds/desk-fee/fee-items/self_governance",
        json={"rate": "0.40"},
        headers=world.headers("committee"),
    )
    assert proposed.status_code == 202, proposed.get_json()

    sign_in(page, desk_url, app, world, "committee_2")
    page.get_by_role("navigation", name="功能菜单").get_by_role("link", name="收费项目").click()
    waiting = page.get_by_role("table", name="等待确认的收费标准调整")
    assert "0.40" in waiting.inner_text()
    assert "待确认" in waiting.inner_text()
    shot(page, "40-fees")
    waiting.get_by_role("button", name="确认").click()
    agree(page)
    page.get_by_text("已确认，变更已生效").wait_for()
    rates = page.get_by_role("table", name="本小区的收费项目").inner_text()
    assert "0.4000" in rates

    # 抄表: a reading recorded here waits for another member.
    page.get_by_role("link", name="抄表").click()
    page.get_by_label("月份").fill(month(0))
    page.get_by_label("电费金额（元）").fill("86.4")
    page.get_by_role("button", name="登记", exact=True).click()
    page.get_by_text("已登记，等另一位业委会成员确认后计入各户账单").wait_for()
    assert "86.40" in page.get_by_role("table", name=re.compile("电费读数（最近")).inner_text()
    shot(page, "44-meter-readings")


def test_an_expense_income_and_the_months_disclosure_with_its_pdf(page, desk_url, app, tmp_path):
    world = build_world("desk-pay")
    money = a_month_of_money(world)
    fund_money(world, 500_000)
    db.session.commit()
    sign_in(page, desk_url, app, world, "committee")

    page.get_by_role("link", name="支出").click()
    page.get_by_label("金额（元）").fill("1280.50")
    page.get_by_label("用途").fill("更换楼道灯泡")
    page.get_by_label("收款人").fill("五金店")
    photo = tmp_path / "invoice.jpg"
    photo.write_bytes(image_bytes(size=(320, 240)))
    page.get_by_label("发票或收据照片（可不填）").set_input_files(str(photo))
    page.get_by_role("button", name="提交").click()
    page.get_by_text("已提出支出，等财务监督审核").wait_for()
    page.get_by_role("link", name=re.compile(r"^\d+ 号$")).first.click()
    page.get_by_role("img", name=re.compile("票据照片")).wait_for()
    assert page.get_by_role("img", name=re.compile("票据照片")).evaluate("i => i.naturalWidth") > 0
    shot(page, "41-expenses")

    page.get_by_role("link", name="公共收入").click()
    page.get_by_text("登记一项资产").click()
    page.get_by_label("名称").fill("1号楼东侧广告牌")
    page.get_by_role("button", name="登记资产").click()
    page.get_by_text("已登记资产").wait_for()
    shot(page, "42-income")

    page.get_by_role("link", name="月度公示").click()
    page.get_by_label("月份").fill(money.month)
    page.get_by_role("button", name="生成公示草稿").click()
    page.wait_for_url(re.compile(r"/console/disclosures/\d+$"))
    page.get_by_text("已生成公示草稿").wait_for()
    assert "月初余额" in page.locator("main").inner_text()
    shot(page, "43-disclosure")
    with page.expect_download() as caught:
        page.get_by_role("link", name=re.compile("下载 PDF")).click()
    download = caught.value
    assert re.fullmatch(r"disclosure-desk-pay-\d{4}-\d{2}-v1\.pdf", download.suggested_filename)
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
