"""Issue 14's "done when", end to end: a committee member signs in by scanning and does a
month's work at the desk with clicks and the keyboard only, from the menu, never typing
an address: the dashboard's collection table, the overdue issues waiting to be accepted,
the cash a liaison took, a fee change another member proposed, a roster file fixed and
loaded, last month's disclosure prepared, printed, signed off by the supervisor in her
own browser and published. The work comes from phones, through the API; a second
compound's data, with names found nowhere else, never shows on any page visited."""

from __future__ import annotations

import re
from pathlib import Path

import time_machine
from openpyxl import Workbook
from playwright.sync_api import expect
from sqlalchemy import update

from server.extensions import db
from server.models import Membership
from server.services.disclosures import freeze
from server.services.people.access import load_principal
from tests.browser.conftest import shot
from tests.browser.desk import agree, sign_in
from tests.factories import build_world, make_bill, self_governance_fee
from tests.money_month import a_month_of_money
from tests.steps import recorded_cash, reported_id
from tests.timing import month, shanghai_day

# The other compound's data: none of these may appear on a page the member or the
# supervisor sees.
ELSEWHERE = ("桃源新村", "泳池水质发绿", "桃源现金", "987.65")
ROSTER = ["楼栋", "单元", "房号", "建筑面积(m²)", "楼层", "状态", "备注"]


def roster_file(path: Path, rows: list[list]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(ROSTER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


class Pages:
    """Every page a browser shows, read as the person reads it (its text), and checked
    for the other compound's data."""

    def __init__(self):
        self.seen: list[str] = []

    def read(self, page) -> str:
        page.wait_for_load_state()
        text = page.locator("body").inner_text()
        self.seen.append(page.url)
        for foreign in ELSEWHERE:
            assert foreign not in text, f"“{foreign}” (another compound's) shown at {page.url}"
        return text

    def open(self, page, label: str) -> str:
        """A page opened from the menu."""
        menu = page.get_by_role("navigation", name="功能菜单")
        with page.expect_navigation():
            menu.get_by_role("link", name=label, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(label)
        return self.read(page)


def another_compound(phone) -> None:
    """Next door, with its own overdue issue, cash waiting and a disclosure draft."""
    other = build_world("taoyuan")
    other.compound.name = "桃源新村"
    self_governance_fee(other.compound)
    make_bill(other, "1-1-102", amount_fen=98765)
    db.session.commit()
    with time_machine.travel(shanghai_day(-3), tick=False):
        reported_id(phone, other, title="泳池水质发绿", description="桃源的泳池")
    recorded_cash(phone, other, "1-1-102", note="桃源现金")
    freeze.create(load_principal(other.user_ids["committee"]), "taoyuan", month(-1))


def test_a_committee_member_does_a_months_work_at_the_desk(page, chromium, desk_url, app, tmp_path):
    # What the test built stays readable after its commits without a new transaction
    # (on SQLite one takes the write lock the phone's and the browser's requests need).
    db.session().expire_on_commit = False
    world = build_world("xingfu")
    world.compound.name = "幸福里小区"
    names = {"committee": "陈国华", "committee_2": "周文", "supervisor": "林淑芬"}
    for who, name in {**names, "liaison_1_2": "刘志强"}.items():
        db.session.execute(
            update(Membership).where(Membership.user_id == world.user_ids[who]).values(name=name)
        )
    money = a_month_of_money(world)  # last month's money in the ledger (commits)
    for flat in world.households:  # this month: two of six households have paid
        make_bill(world, flat, status="paid" if flat in ("1-1-101", "1-2-101") else "unpaid")
    db.session.commit()

    # What came in from phones during the month.
    phone = app.test_client()
    another_compound(phone)
    with time_machine.travel(shanghai_day(-3), tick=False):
        light = reported_id(phone, world, title="楼道灯不亮", description="三楼楼道灯坏了")
        reported_id(
            phone,
            world,
            "resident_1_2",
            household_id=world.household_ids["1-2-101"],
            category="hazard",
            title="消防通道堆满杂物",
            description="二单元一楼通道堆了纸箱",
        )
    reported_id(phone, world, category="suggestion", title="增加自行车棚", description="想停车")
    recorded_cash(phone, world, "1-2-102", "liaison_1_2", note="老人当面交的现金")
    proposed = phone.patch(
        "/api/v1/compounds/xingfu/fee-items/self_governance",
        json={"rate": "0.40"},
        headers=world.fresh_headers("committee_2"),
    )
    assert proposed.status_code == 202, proposed.get_json()

    pages = Pages()
    sign_in(page, desk_url, app, world, "committee")

    # 概览: this month's collection, by building, in the table under the chart.
    text = pages.read(page)
    assert page.locator("header .brand").inner_text() == "邻里 · 幸福里小区"
    assert page.locator("header .who").inner_text() == "业委会委员 陈国华"
    assert "超期报事" in text
    block = page.get_by_role("region", name=re.compile("^收缴率按楼栋"))
    table = block.get_by_role("table")
    if not table.is_visible():
        block.locator("summary").click()
    expect(table.get_by_role("row").nth(1)).to_have_text(
        re.compile(r"1号楼\s+6\s+2\s+33\.3%\s+151\.98\s+50\.66")
    )
    expect(page.locator(".card", has_text="超期报事").locator(".value")).to_have_text("2 件")

    # 报事登记: only what is overdue and still waiting, chosen with the keyboard.
    pages.open(page, "报事登记")
    register = page.get_by_role("table", name="报事登记")
    expect(register.get_by_role("row")).to_have_count(4)  # the heading and three issues
    page.get_by_label("只看超期").focus()
    page.keyboard.press("Space")
    page.get_by_label("状态").select_option(label="待受理")
    with page.expect_navigation():
        page.get_by_role("button", name="查询").press("Enter")
    assert re.search(r"status=submitted.*overdue=1|overdue=1.*status=submitted", page.url)
    pages.read(page)
    expect(register.get_by_role("row")).to_have_count(3)
    expect(register.get_by_text("已超期")).to_have_count(2)
    assert register.get_by_text("增加自行车棚").count() == 0
    shot(page, "70-month-overdue-issues")

    with page.expect_navigation():
        register.get_by_role("link", name="楼道灯不亮").click()
    pages.read(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"报事 #{light}：楼道灯不亮")
    page.get_by_role("button", name="受理", exact=True).click()
    with page.expect_navigation():
        agree(page)
    pages.read(page)
    expect(page.get_by_role("status")).to_have_text("已受理")
    expect(page.locator("ol.timeline > li").nth(1)).to_contain_text("处理中")
    expect(page.locator("ol.timeline > li").nth(1)).to_contain_text("（业委会委员）")

    # 待确认的现金: the liaison's cash, confirmed after reading the receipt's details.
    pages.open(page, "待确认的现金")
    row = page.locator("tbody tr", has_text="1-2-102")
    expect(row).to_contain_text("25.33")
    expect(row).to_contain_text("刘志强")
    expect(row).to_contain_text("老人当面交的现金")
    asked = []
    row.get_by_role("button", name="确认", exact=True).click()
    with page.expect_navigation():
        asked.append(agree(page))
    pages.read(page)
    assert asked[0].startswith("确认已收到 1-2-102 的现金 ¥25.33？")
    expect(page.locator(".flash.success")).to_have_text("已确认收款，账单已记为已缴，并已记入账本")
    expect(page.get_by_text("没有等待确认的线下缴费。")).to_be_visible()

    # 收费项目: the fee change 周文 proposed, confirmed by a second member.
    pages.open(page, "收费项目")
    waiting = page.get_by_role("table", name="等待确认的收费标准调整")
    expect(waiting).to_contain_text("0.40")
    waiting.get_by_role("button", name="确认", exact=True).click()
    with page.expect_navigation():
        agree(page)
    pages.read(page)
    expect(page.get_by_text("已确认，变更已生效")).to_be_visible()
    expect(page.get_by_role("table", name="本小区的收费项目")).to_contain_text("0.4000")

    # 房屋名册: a new building's Excel with a mistake, then fixed and loaded.
    pages.open(page, "房屋名册")
    broken = roster_file(tmp_path / "名册.xlsx", [[2, 1, 101, "七十"], [2, 1, 102, 80]])
    page.get_by_label("名册文件").set_input_files(str(broken))
    with page.expect_navigation():
        page.get_by_role("button", name="检查文件").click()
    pages.read(page)
    expect(page.get_by_role("alert")).to_contain_text("有 1 处问题，不能导入")
    problems = page.get_by_role("table", name="要改正的问题")
    expect(problems).to_contain_text("第 2 行")
    expect(problems).to_contain_text("建筑面积应为数字")
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    with page.expect_navigation():
        page.get_by_role("button", name="重新选择文件").click()
    fixed = roster_file(tmp_path / "名册-改好.xlsx", [[2, 1, 101, 70], [2, 1, 102, 80]])
    page.get_by_label("名册文件").set_input_files(str(fixed))
    with page.expect_navigation():
        page.get_by_role("button", name="检查文件").click()
    pages.read(page)
    expect(page.get_by_text("没有发现问题，可以导入")).to_be_visible()
    asked.clear()
    page.get_by_role("button", name="确认导入").click()
    with page.expect_navigation():
        asked.append(agree(page))
    pages.read(page)
    assert asked[0].startswith("确定导入吗？将新建 2 户、更新 0 户。")
    expect(page.get_by_role("status").first).to_contain_text(
        "已导入名册：新建 1 栋楼、1 个单元、2 户"
    )
    expect(page.get_by_role("cell", name="2号楼")).to_be_visible()

    # 月度公示: last month (the form's default), prepared and printed.
    pages.open(page, "月度公示")
    expect(page.get_by_label("月份")).to_have_value(money.month)
    with page.expect_navigation():
        page.get_by_role("button", name="生成公示草稿").click()
    text = pages.read(page)
    expect(page.get_by_text("已生成公示草稿，等财务监督审核")).to_be_visible()
    assert "待审核" in text
    assert "月初余额" in text
    assert "更换楼道灯泡" in text
    with page.expect_download() as caught:
        page.get_by_role("link", name="下载 PDF（打印张贴用）").click()
    pdf = caught.value
    assert re.fullmatch(rf"disclosure-xingfu-{money.month}-v1\.pdf", pdf.suggested_filename)
    assert Path(pdf.path()).read_bytes().startswith(b"%PDF")
    expect(page.get_by_role("button", name="公示给每一户")).to_have_count(0)

    # The supervisor, at her own computer, checks it and signs it off.
    context = chromium.new_context(
        viewport={"width": 1366, "height": 768}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    try:
        supervisor = context.new_page()
        supervisor.set_default_timeout(10_000)
        sign_in(supervisor, desk_url, app, world, "supervisor")
        pages.read(supervisor)
        assert supervisor.locator("header .who").inner_text() == "财务监督 林淑芬"
        menu = supervisor.get_by_role("navigation", name="功能菜单")
        assert menu.get_by_role("link", name="报事登记").count() == 0  # money, not issues
        pages.open(supervisor, "月度公示")
        listed = supervisor.get_by_role("row", name=re.compile(money.month))
        expect(listed).to_contain_text("待审核")
        with supervisor.expect_navigation():
            listed.get_by_role("link").first.click()
        pages.read(supervisor)
        shot(supervisor, "71-month-disclosure-to-sign-off")
        supervisor.get_by_role("button", name="审核通过").click()
        with supervisor.expect_navigation():
            agree(supervisor)
        pages.read(supervisor)
        expect(supervisor.get_by_text("已审核通过，业委会可以公示了")).to_be_visible()
    finally:
        context.close()

    # Back at the member's desk: published to every household.
    pages.open(page, "月度公示")
    listed = page.get_by_role("row", name=re.compile(money.month))
    expect(listed).to_contain_text("已审核")
    with page.expect_navigation():
        listed.get_by_role("link").first.click()
    pages.read(page)
    page.get_by_role("button", name="公示给每一户").click()
    with page.expect_navigation():
        agree(page)
    text = pages.read(page)
    expect(page.get_by_text("已公示，每户都能看到")).to_be_visible()
    assert "已公示" in page.locator(".facts").first.inner_text()
    shot(page, "72-month-disclosure-published")

    # 概览 again: the cash counts in this month's collection.
    pages.open(page, "概览")
    table = page.get_by_role("region", name=re.compile("^收缴率按楼栋")).get_by_role("table")
    expect(table.get_by_role("row", name=re.compile("^1号楼"))).to_contain_text("50.0%")
    assert len(pages.seen) >= 20
