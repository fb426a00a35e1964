"""Paying bills with WeChat Pay through the sandbox: orders, notifications, forgeries,
reconciliation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from server.extensions import db
from server.models import Bill, LedgerEntry, Notification, Payment, PaymentAnomaly, PaymentBill
from server.services.money import fees, pending_orders
from tests.factories import bills_of, build_world, self_governance_fee, stair_electricity_fee
from tests.steps import notify, open_payment, pay_at_wechat, recorded_cash
from tests.timing import shanghai_date


@pytest.fixture
def world(db_session):
    world = build_world("aa")

    self_governance_fee(world.compound)
    db.session.flush()
    fees.generate_bills("2026-11", "aa")
    fees.generate_bills("2026-12", "aa")
    return world


def my_bills(client, world, who="resident_1_1"):
    return client.get("/api/v1/bills", headers=world.headers(who)).get_json()["items"]


def order_of(sandbox, out_trade_no):
    return sandbox.pay.orders[out_trade_no]


def test_bills_are_listed_unpaid_first_with_their_amounts(client, world):
    items = my_bills(client, world)
    assert [(b["period"], b["amount_fen"], b["status"]) for b in items] == [
        ("2026-12", 2533, "unpaid"),
        ("2026-11", 2533, "unpaid"),
    ]
    assert items[0]["item"] == "self_governance"
    assert my_bills(client, world, who="outsider") == []


def test_pay_two_months_at_once_and_get_credited_once(client, sandbox, world):
    bill_ids = [b["id"] for b in my_bills(client, world)]
    created = open_payment(client, world, bill_ids)
    assert created.status_code == 201
    body = created.get_json()
    assert body["total_fen"] == 5066
    params = body["pay_params"]
    assert params["package"].startswith("prepay_id=wx")
    assert params["signType"] == "MD5"
    assert params["paySign"]
    assert {b["status"] for b in my_bills(client, world)} == {"pending"}

    order = pay_at_wechat(sandbox, body["out_trade_no"])
    for _ in range(3):  # WeChat repeats itself
        answer = notify(client, sandbox, order)
        assert b"SUCCESS" in answer.data
    assert {b["status"] for b in my_bills(client, world)} == {"paid"}
    status = client.get(
        f"/api/v1/payments/{body['payment_id']}", headers=world.headers("resident_1_1")
    )
    assert status.get_json()["status"] == "paid"
    entries = db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.seq)).all()
    assert sorted(e.amount_fen for e in entries) == [2533, 2533]
    assert {e.account for e in entries} == {"fee:self_governance"}
    how = f"自治管理费，微信支付，订单 {body['out_trade_no']}"
    assert [e.memo for e in entries] == [f"1-1-101 2026年11月 {how}", f"1-1-101 2026年12月 {how}"]
    (line,) = db.session.scalars(
        select(Notification).where(Notification.user_id == world.people["resident_1_1"].id)
    ).all()
    assert (line.kind, line.title, line.page) == (
        "payment",
        "缴费成功：50.66 元",
        "pages/bills/index",
    )
    what = "2026年11月 自治管理费等 2 笔"
    assert line.body == f"您已通过微信支付缴费 50.66 元（{what}）。订单号 {body['out_trade_no']}。"


def test_bills_in_an_open_payment_cannot_go_into_a_second(client, world):
    first, other = (b["id"] for b in my_bills(client, world))
    assert open_payment(client, world, [first]).status_code == 201
    second = open_payment(client, world, [first, other])
    assert second.status_code == 409
    assert second.get_json()["code"] == "bill_not_payable"


def test_one_cannot_pay_someone_elses_bills(client, sandbox, world):
    theirs = my_bills(client, world, who="resident_1_2")[0]["id"]
    orders_before = set(sandbox.pay.orders)
    asked_before = sandbox.state.calls.get("pay/unifiedorder", 0)
    response = open_payment(client, world, [theirs])
    assert response.status_code == 404
    assert response.get_json()["code"] == "bill_not_found"
    # Nothing was made: no order here, none at WeChat Pay, their bill still theirs to pay.
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 0
    assert db.session.scalar(select(func.count()).select_from(PaymentBill)) == 0
    assert sandbox.state.calls.get("pay/unifiedorder", 0) == asked_before
    assert set(sandbox.pay.orders) == orders_before
    assert [b["status"] for b in my_bills(client, world, who="resident_1_2")] == [
        "unpaid",
        "unpaid",
    ]
    assert open_payment(client, world, [theirs], who="resident_1_2").status_code == 201


@pytest.mark.parametrize(
    "body", [{"bill_ids": []}, {"bill_ids": ["1"]}, {"bill_ids": list(range(1, 40))}, {}]
)
def test_malformed_payment_requests(client, world, body):
    response = client.post("/api/v1/payments", json=body, headers=world.headers("resident_1_1"))
    assert response.status_code == 400


@pytest.fixture
def order(client, sandbox, world):
    bill_id = my_bills(client, world)[0]["id"]
    body = open_payment(client, world, [bill_id]).get_json()
    return pay_at_wechat(sandbox, body["out_trade_no"])


def _credited():
    return db.session.scalar(
        select(func.count()).select_from(Payment).where(Payment.status == "paid")
    )


@pytest.mark.parametrize(
    "forge",
    [
        lambda pay, order: pay.notification(order).replace(b"<sign>", b"<sign>0"),  # bad signature
        lambda pay, order: pay.notification(order, total_fee=order.total_fee + 1),  # +1 fen
        lambda pay, order: pay.notification(order, total_fee=order.total_fee - 1),  # -1 fen
        lambda pay, order: pay.notification(order, appid="wx-someone-else"),
        lambda pay, order: pay.notification(order, mch_id="1234567890"),
        lambda pay, order: pay.notification(order, out_trade_no="LL-NO-SUCH-ORDER"),
        lambda pay, order: _without_sign(pay.notification(order)),
        lambda pay, order: (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><xml><a>&a;</a></xml>'
        ),
        lambda pay, order: b"<xml>" + b"A" * (1024 * 1024) + b"</xml>",
        lambda pay, order: b"<xml/>",
        lambda pay, order: b"not xml at all",
    ],
)
def test_forged_notifications_credit_nothing(client, sandbox, order, forge):
    response = notify(client, sandbox, body=forge(sandbox.pay, order))
    assert response.status_code in {200, 413}
    assert _credited() == 0
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 0


def _without_sign(xml: bytes) -> bytes:
    start, end = xml.index(b"<sign>"), xml.index(b"</sign>") + len(b"</sign>")
    return xml[:start] + xml[end:]


def test_an_amount_mismatch_is_recorded_and_acknowledged(client, sandbox, order):
    answer = notify(client, sandbox, order, total_fee=order.total_fee + 1)
    assert b"SUCCESS" in answer.data  # acknowledged, so WeChat stops repeating it
    (anomaly,) = db.session.scalars(select(PaymentAnomaly)).all()
    assert anomaly.kind == "amount_mismatch"
    assert anomaly.details["notified"] == order.total_fee + 1


def test_bad_signature_wrong_merchant_and_unknown_orders_are_answered_fail(client, sandbox, order):
    for body in (
        sandbox.pay.notification(order, mch_id="1234567890"),
        sandbox.pay.notification(order, out_trade_no="LL-UNKNOWN"),
        sandbox.pay.notification(order).replace(b"<sign>", b"<sign>0"),
    ):
        assert b"FAIL" in notify(client, sandbox, body=body).data


def test_a_lost_notification_is_made_good_by_reconciliation(app, client, sandbox, order):
    with freeze_time(timedelta(minutes=6), tick=True):
        result = pending_orders.reconcile(min_age=300)
    assert (result.checked, result.credited) == (1, 1)
    assert _credited() == 1
    payment = db.session.scalars(select(Payment)).one()
    assert payment.credited_by == "reconcile"
    notify(client, sandbox, order)  # the notification arrives after all
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 1


def test_an_unpaid_order_is_closed_after_it_expires_and_frees_its_bills(
    app, client, sandbox, world
):
    bill_id = my_bills(client, world)[0]["id"]
    out_trade_no = open_payment(client, world, [bill_id]).get_json()["out_trade_no"]
    with freeze_time(timedelta(minutes=10), tick=True):
        assert pending_orders.reconcile().closed == 0  # not expired yet (30 min)
    with freeze_time(timedelta(minutes=31), tick=True):
        assert pending_orders.reconcile().closed == 1
    assert order_of(sandbox, out_trade_no).state == "CLOSED"
    payment = db.session.scalars(select(Payment)).one()
    assert (payment.status, payment.paid_at) == ("closed", None)
    assert db.session.get(Bill, bill_id).status == "unpaid"
    assert open_payment(client, world, [bill_id]).status_code == 201


def test_paid_at_the_last_moment_is_never_both_closed_and_paid(app, client, sandbox, world):
    bill_id = my_bills(client, world)[0]["id"]
    out_trade_no = open_payment(client, world, [bill_id]).get_json()["out_trade_no"]
    pay_at_wechat(sandbox, out_trade_no)  # paid, the notification is lost, then it expires
    with freeze_time(timedelta(minutes=31), tick=True):
        pending_orders.reconcile()
    payment = db.session.scalars(select(Payment)).one()
    assert payment.status == "paid"
    assert payment.closed_at is None
    assert order_of(sandbox, out_trade_no).state == "SUCCESS"


def test_without_a_merchant_online_payment_is_off(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "WECHAT_PAY_DEFAULT_MERCHANT", "")
    app.extensions.pop("linli.payment_gateways", None)
    try:
        response = open_payment(client, world, [my_bills(client, world)[0]["id"]])
    finally:
        app.extensions.pop("linli.payment_gateways", None)
    assert response.status_code == 503
    assert response.get_json()["code"] == "pay_not_configured"
    assert {b["status"] for b in my_bills(client, world)} == {"unpaid"}


def test_a_wechat_pay_outage_frees_the_bills(app, client, sandbox, world):
    sandbox.fault("pay/unifiedorder", "status", 502)
    response = open_payment(client, world, [my_bills(client, world)[0]["id"]])
    assert response.status_code == 503
    assert response.get_json()["code"] == "pay_unavailable"
    assert {b["status"] for b in my_bills(client, world)} == {"unpaid"}


@pytest.mark.parametrize(
    ("method", "url", "code"),
    [
        ("get", "/api/v1/fees/summary?compound=aa&period=2026-12", "committee_only"),
        ("get", "/api/v1/fees/export.xlsx?compound=aa&period=2026-12", "committee_only"),
        ("get", "/api/v1/ledger?compound=aa", "committee_only"),
        ("get", "/api/v1/offline-payments?compound=aa", "committee_only"),
        ("get", "/api/v1/compounds/aa/payment-anomalies", "committee_only"),
        ("post", "/api/v1/offline-payments/{pending}/confirm", "committee_only"),
        ("post", "/api/v1/offline-payments/{pending}/reject", "committee_only"),
        ("patch", "/api/v1/compounds/aa/fee-items/self_governance", "committee_only"),
        ("post", "/api/v1/offline-payments", "not_a_collector"),
        ("get", "/api/v1/fees/unpaid?compound=aa&period=2026-12", "not_a_collector"),
        ("get", "/api/v1/fees/unpaid-bills?household_id={household}", "not_a_collector"),
        ("post", "/api/v1/meter-readings", "not_a_handler"),
    ],
)
def test_a_resident_reaches_no_committee_money_endpoint(client, world, method, url, code):
    """Everything asked about is the resident's own: compound, household, unit, bills, and
    a real offline payment of 1-1-101 pending confirmation. Only the role can be refused."""

    stair_electricity_fee(world.compound, vacant_rule="exempt")
    household = world.household("1-1-101")
    november, december = bills_of(world, "1-1-101")
    pending = recorded_cash(client, world, november)
    cash = {"method": "cash", "paid_on": shanghai_date(-1).isoformat()}
    path = url.split("?")[0]
    body = {
        "/api/v1/offline-payments": {
            "bill_ids": [december.id],
            "amount_fen": december.amount_fen,
            **cash,
        },
        "/api/v1/meter-readings": {
            "unit_id": household.unit_id,
            "period": "2026-12",
            "amount_fen": 450,
        },
        "/api/v1/offline-payments/{pending}/reject": {"reason": "收据不清楚"},
        "/api/v1/compounds/aa/fee-items/self_governance": {"rate": "0.40"},
    }.get(path)
    response = getattr(client, method)(
        url.format(pending=pending, household=household.id),
        json=body,
        headers=world.headers("resident_1_1"),
    )
    assert response.status_code == 403, response.get_json()
    assert response.get_json()["code"] == code
    db.session.expire_all()
    assert (november.status, december.status) == ("pending", "unpaid")


def test_paying_again_after_cancelling_reuses_the_open_order(client, world):
    bill_ids = [b["id"] for b in my_bills(client, world)]
    first = open_payment(client, world, bill_ids).get_json()
    again = open_payment(client, world, list(reversed(bill_ids)))
    assert again.status_code == 201
    assert again.get_json()["out_trade_no"] == first["out_trade_no"]
    assert again.get_json()["pay_params"]["package"] == first["pay_params"]["package"]
    part = open_payment(client, world, bill_ids[:1])  # a different set: still in an order
    assert part.status_code == 409
