"""Money coming in, in a real browser: a liaison records cash from the phone, a second
committee member confirms it at the desk; the register, the ledger and the daily
reconciliation as the committee reads them."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import update

from server.extensions import db
from server.models import Membership, ReconciliationReport
from tests.browser.conftest import shot
from tests.browser.desk import agree, sign_in
from tests.factories import build_world, make_bill, make_payment
from tests.helpers import image_bytes, multipart
from tests.timing import shanghai_date

NAMES = {"liaison_1_1": "张桂芳", "liaison_1_2": "刘志强", "committee": "陈国华"}


def test_a_committee_member_confirms_cash_a_liaison_recorded(page, desk_url, app, photo_storage):
    world = build_world("cash")
    for who, name in NAMES.items():
        db.session.execute(
            update(Membership).where(Membership.user_id == world.user_ids[who]).values(name=name)
        )
    mine = make_bill(world, "1-1-101", amount_fen=42000)
    other = make_bill(world, "1-2-101", amount_fen=15000)
    paid = make_bill(world, "1-1-102", amount_fen=2533)
    make_payment(world, [paid], "paid", out_trade_no="LL20261201093000AB12")
    counts = {"orders": 1, "paid": 1, "closed": 0, "pending": 0, "disputed": 0}
    db.session.add_all(
        [
            ReconciliationReport(
                compound_id=world.compound.id,
                day=shanghai_date(-1),
                summary={**counts, "differences": 0, "open_anomalies": 0},
            ),
            ReconciliationReport(
                compound_id=world.compound.id,
                day=shanghai_date(-2),
                summary={**counts, "differences": 1, "open_anomalies": 1},
                differences="订单 LL20261130201500CD34：微信支付为“支付成功”，本系统记为“待支付”",
            ),
        ]
    )
    bills = [(mine.id, 42000, "liaison_1_1"), (other.id, 15000, "liaison_1_2")]
    db.session.commit()

    phone = app.test_client()
    receipt = phone.post(
        "/api/v1/uploads",
        headers=world.headers("liaison_1_1"),
        **multipart(image_bytes(), "receipt.jpg", "image/jpeg"),
    )
    assert receipt.status_code == 201, receipt.get_json()
    receipts = {"liaison_1_1": receipt.get_json()["id"], "liaison_1_2": None}
    for bill_id, amount, liaison in bills:
        recorded = phone.post(
            "/api/v1/offline-payments",
            json={
                "bill_ids": [bill_id],
                "method": "cash",
                "amount_fen": amount,
                "paid_on": shanghai_date(-1).isoformat(),
                "note": "老人当面交的现金",
                "receipt_photo": receipts[liaison],
            },
            headers=world.headers(liaison),
        )
        assert recorded.status_code == 201, recorded.get_json()

    sign_in(page, desk_url, app, world, "committee")
    page.get_by_role("navigation", name="功能菜单").get_by_role("link", name="待确认的现金").click()
    expect(page.get_by_role("heading", name="待确认的现金")).to_be_visible()
    row = page.locator("tbody tr", has_text="1-1-101")
    expect(row).to_contain_text("420.00")
    expect(row).to_contain_text("张桂芳")
    expect(row.get_by_role("link", name="1-1-101 的收据照片")).to_be_visible()
    # The receipt is served through the desk's photo check and shows.
    expect(row.get_by_role("img")).to_have_js_property("complete", True)
    expect(row.get_by_role("img")).not_to_have_js_property("naturalWidth", 0)
    expect(page.locator("tbody tr", has_text="1-2-101")).to_contain_text("150.00")
    shot(page, "30-offline-payments")

    # The question comes on the page in large type; 取消 has the focus, and it (or Esc)
    # leaves the cash waiting.
    row.get_by_role("button", name="确认", exact=True).click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("确认已收到 1-1-101 的现金 ¥420.00？")
    expect(dialog.get_by_role("button", name="取消")).to_be_focused()
    size = dialog.locator(".question").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 22
    shot(page, "34-confirm-dialog")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    row.get_by_role("button", name="确认", exact=True).click()
    page.get_by_role("alertdialog").get_by_role("button", name="取消").click()
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    expect(row).to_be_visible()
    expect(page.locator(".flash.success")).to_have_count(0)

    asked = []
    row.get_by_role("button", name="确认", exact=True).click()
    asked.append(agree(page))
    expect(page.locator(".flash.success")).to_have_text("已确认收款，账单已记为已缴，并已记入账本")
    assert asked[0].startswith("确认已收到 1-1-101 的现金 ¥420.00？")
    expect(page.locator("tbody tr", has_text="1-1-101")).to_have_count(0)
    expect(page.locator("tbody tr", has_text="1-2-101")).to_have_count(1)

    page.get_by_role("link", name="缴费记录").click()
    expect(page.locator("tbody")).to_contain_text("LL20261201093000AB12")
    page.get_by_role("link", name="现金和转账").click()
    expect(page.locator("tbody tr", has_text="1-1-101")).to_contain_text("已确认")
    shot(page, "31-payments")

    page.get_by_role("link", name="账本").click()
    expect(page.locator(".verdict")).to_contain_text("账本完整")
    expect(page.locator("tbody")).to_contain_text("420.00")
    shot(page, "32-ledger")
    page.get_by_role("link", name="核验账本").click()
    expect(page.locator(".verdict")).to_contain_text("核对了 1 条记录")

    page.get_by_role("link", name="每日对账").click()
    reports = page.get_by_role("table", name="每日对账（新的在前，最近 30 天）").locator("tbody")
    expect(reports).to_contain_text(shanghai_date(-1).isoformat())
    expect(reports).to_contain_text("有 1 处差异")
    shot(page, "33-reconciliation")
