"""A refund through WeChat Pay in a real browser: one committee member proposes sending
an anomaly's money back from 异常与退款, a second confirms it on 退款记录 (the desk's own
dialog says it cannot be taken back), and WeChat Pay (the sandbox) returns it."""

from __future__ import annotations

import requests
from playwright.sync_api import expect
from sqlalchemy import select, update

from server.extensions import db
from server.models import Membership, PaymentAnomaly, Refund
from server.services.money import fees, refund_sending
from tests.browser.conftest import shot
from tests.browser.desk import agree, sign_in
from tests.factories import build_world, self_governance_fee
from tests.steps import notify, pay_at_wechat

NAMES = {"committee": "陈国华", "committee_2": "赵丽"}


def test_one_member_proposes_from_anomalies_and_another_confirms(
    page, desk_url, app, sandbox, chromium
):
    world = build_world("refund")
    for who, name in NAMES.items():
        db.session.execute(
            update(Membership).where(Membership.user_id == world.user_ids[who]).values(name=name)
        )
    self_governance_fee(world.compound)
    db.session.flush()
    fees.generate_bills("2026-12", "refund")
    db.session.commit()
    phone = app.test_client()
    bills = phone.get("/api/v1/bills", headers=world.headers("resident_1_1"))
    assert bills.status_code == 200, bills.get_json()
    # The test's own session reads nothing meanwhile (SQLite: one writer at a time).
    ids = [b["id"] for b in bills.get_json()["items"]]
    created = phone.post(
        "/api/v1/payments", json={"bill_ids": ids}, headers=world.headers("resident_1_1")
    )
    assert created.status_code == 201, created.get_json()
    created = created.get_json()
    order = pay_at_wechat(sandbox, created["out_trade_no"])
    assert b"SUCCESS" in notify(phone, sandbox, order).data
    anomaly = PaymentAnomaly(
        compound_id=world.compound.id,
        payment_id=created["payment_id"],
        kind="double_payment",
        details={"out_trade_no": created["out_trade_no"], "refund_due_fen": 2533},
    )
    db.session.add(anomaly)
    db.session.commit()

    sign_in(page, desk_url, app, world, "committee")
    page.get_by_role("navigation", name="功能菜单").get_by_role("link", name="异常与退款").click()
    card = page.locator("section.anomaly", has_text="重复缴费")
    expect(card.get_by_label("退款金额（元），最多 25.33")).to_have_value("25.33")
    # Two ways to give the money back, each under its own heading.
    expect(card.get_by_role("heading", level=3)).to_have_text(
        ["由微信支付原路退回", "已用别的方式退还（现金、转账等），在这里登记"]
    )
    # The form at 200% zoom (half the CSS width): it wraps instead of scrolling sideways.
    page.set_viewport_size({"width": 683, "height": 768})
    width = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width[0] <= width[1], width
    shot(page, "refund-form-zoom-200")
    page.set_viewport_size({"width": 1366, "height": 768})
    card.get_by_label("退款理由").fill("重复缴费，退还多缴的钱")
    # The dialog says the amount as typed; 取消 sends nothing.
    card.get_by_label("退款金额（元），最多 25.33").fill("20.00")
    card.get_by_role("button", name="通过微信原路退款").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("把 20.00 元通过微信支付原路退给 1-1-101？")
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_have_count(0)
    card.get_by_label("退款金额（元），最多 25.33").fill("25.33")
    card.get_by_role("button", name="通过微信原路退款").click()
    question = agree(page)
    # The dialog says the amount as typed, and to whom, before money may move.
    assert question.startswith("把 25.33 元通过微信支付原路退给 1-1-101？"), question
    assert "不能撤回" in question
    expect(page.locator(".flash.success")).to_contain_text("已提交，等待另一位业委会成员确认")
    expect(card).to_contain_text("微信退款 25.33 元：待第二人确认（陈国华 提出于")
    expect(card.get_by_role("button", name="通过微信原路退款")).to_have_count(0)
    shot(page, "refund-proposed")

    second = chromium.new_context(
        viewport={"width": 1366, "height": 768}, locale="zh-CN", timezone_id="Asia/Shanghai"
    ).new_page()
    sign_in(second, desk_url, app, world, "committee_2")
    expect(second.get_by_text("1 笔微信退款等你确认")).to_be_visible()
    second.get_by_role("navigation", name="功能菜单").get_by_role("link", name="退款记录").click()
    refund_card = second.locator("section.refund", has_text="1-1-101 退款 25.33 元")
    expect(refund_card).to_contain_text("待第二人确认")
    expect(refund_card).to_contain_text("陈国华")
    expect(refund_card).to_contain_text("重复缴费，退还多缴的钱")
    refund_card.get_by_role("button", name="确认退款").click()
    asked = agree(second)
    assert "25.33 元通过微信支付原路退回给 1-1-101" in asked
    assert "不能撤回" in asked
    expect(second.locator(".flash.success")).to_contain_text("正在通过微信支付原路退回")
    expect(refund_card).to_contain_text("退款中")
    expect(refund_card).to_contain_text("赵丽")

    refund = db.session.scalars(select(Refund).where(Refund.anomaly_id == anomaly.id)).one()
    db.session.commit()
    settled = requests.post(
        sandbox.url + "sandbox/pay/refunds/settle",
        json={"out_refund_no": refund.out_refund_no, "status": "SUCCESS", "notify": False},
        timeout=5,
    )
    settled.raise_for_status()
    refund_sending.check(refund.id)
    second.reload()
    expect(refund_card).to_contain_text("已退回")
    # Where the money went, in the committee's words (WeChat Pay says 支付用户的零钱).
    expect(refund_card.locator("dd", has_text="零钱")).to_have_text("住户的微信零钱")
    expect(refund_card).to_contain_text("交给微信支付")
    shot(second, "refund-returned")
    # At 200% zoom (half the CSS width) the page reflows instead of scrolling sideways.
    second.set_viewport_size({"width": 683, "height": 768})
    second.reload()
    width = second.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width[0] <= width[1], width
    shot(second, "refund-returned-zoom-200")
    second.context.close()
