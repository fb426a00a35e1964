"""Cancelling an open WeChat Pay order through the sandbox: by the payer who closed the pay
sheet, or by the unit's liaison about to take cash; closed at WeChat Pay first (not
before WeChat Pay allows, 5 minutes after the order was made), its bills freed at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from server.clock import SHANGHAI
from server.errors import Conflict
from server.extensions import db
from server.models import Bill, LedgerEntry, Notification, Payment, PaymentAnomaly
from server.services.money import (
    fees,
    ledger,
    pay_notifications,
    payment_cancel,
    payments,
    pending_orders,
)
from server.services.people import roles
from server.services.people.access import load_principal
from server.wechat import payment_gateway
from server.wechat.pay import CLOSE_AFTER
from tests.factories import UserFactory, build_world, self_governance_fee
from tests.timing import shanghai_date

LATER = CLOSE_AFTER + timedelta(seconds=30)  # we close an order at WeChat Pay from here on


@pytest.fixture
def world(db_session):
    world = build_world("aa")
    self_governance_fee(world.compound)
    db.session.flush()
    fees.generate_bills("2026-11", "aa")
    fees.generate_bills("2026-12", "aa")
    return world


def bills(world, label="1-1-101") -> list[Bill]:
    return list(
        db.session.scalars(
            select(Bill)
            .where(Bill.household_id == world.household(label).id)
            .order_by(Bill.period)
            .execution_options(populate_existing=True)
        )
    )


def open_payment(client, world, bill_ids, who="resident_1_1"):
    return client.post(
        "/api/v1/payments", json={"bill_ids": bill_ids}, headers=world.fresh_headers(who)
    )


def opened(client, world, bill_ids, who="resident_1_1") -> Payment:
    response = open_payment(client, world, bill_ids, who)
    assert response.status_code == 201, response.get_json()
    return db.session.get(Payment, response.get_json()["payment_id"])


def cancel(client, world, payment, who="resident_1_1"):
    return client.post(f"/api/v1/payments/{payment.id}/cancel", headers=world.fresh_headers(who))


def wechat_state(sandbox, payment) -> str:
    return sandbox.pay.orders[payment.out_trade_no].state


def close_cancelled(after=LATER):
    with freeze_time(after, tick=True):
        return pending_orders.reconcile(min_age=300, cancelled_only=True)


def test_cancelled_after_five_minutes_it_is_closed_at_wechat_and_frees_the_bills_at_once(
    client, sandbox, world
):
    november, december = bills(world)
    payment = opened(client, world, [november.id, december.id])
    with freeze_time(LATER, tick=True):
        response = cancel(client, world, payment)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert (body["status"], body["cancelled"], body["closes_at"]) == ("closed", True, None)
        assert wechat_state(sandbox, payment) == "CLOSED"  # closed at WeChat Pay first
        assert [b.status for b in bills(world)] == ["unpaid", "unpaid"]
        other = open_payment(client, world, [december.id])  # another set, at once
        assert other.status_code == 201
    db.session.refresh(payment)
    assert payment.cancelled_by_id == world.people["resident_1_1"].id


def test_cancelled_in_the_first_five_minutes_it_is_closed_as_soon_as_wechat_allows(
    client, sandbox, world
):
    november, december = bills(world)
    payment = opened(client, world, [november.id, december.id])
    response = cancel(client, world, payment)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["cancelled"]) == ("pending", True)
    closes = payment.created_at + CLOSE_AFTER
    assert body["closes_at"] == closes.astimezone(SHANGHAI).isoformat(timespec="seconds")
    assert wechat_state(sandbox, payment) == "NOTPAY"  # WeChat Pay does not close it yet
    assert [b.status for b in bills(world)] == ["pending", "pending"]  # never paid twice
    refused = open_payment(client, world, [december.id])
    assert refused.get_json()["code"] == "bill_not_payable"
    assert cancel(client, world, payment).status_code == 200  # asking again changes nothing
    not_yet = close_cancelled(after=timedelta(minutes=4))
    assert (not_yet.checked, wechat_state(sandbox, payment)) == (0, "NOTPAY")
    assert close_cancelled().closed == 1  # the every-minute job
    assert wechat_state(sandbox, payment) == "CLOSED"
    assert db.session.get(Payment, payment.id).status == "closed"
    assert [b.status for b in bills(world)] == ["unpaid", "unpaid"]


def test_the_job_leaves_orders_nobody_cancelled_to_expire(client, sandbox, world):
    payment = opened(client, world, [bills(world)[0].id])
    assert close_cancelled().checked == 0
    assert (wechat_state(sandbox, payment), payment.status) == ("NOTPAY", "pending")


def test_paying_the_same_bills_again_reopens_an_order_cancelled_moments_ago(client, sandbox, world):
    ids = [b.id for b in bills(world)]
    payment = opened(client, world, ids)
    assert cancel(client, world, payment).status_code == 200
    again = open_payment(client, world, ids)
    assert again.status_code == 201
    assert again.get_json()["payment_id"] == payment.id  # the same order, still payable
    assert close_cancelled().checked == 0  # no longer cancelled
    assert wechat_state(sandbox, payment) == "NOTPAY"


def test_an_order_paid_meanwhile_is_credited_instead_and_the_answer_says_so(client, sandbox, world):
    payment = opened(client, world, [bills(world)[0].id])
    order = sandbox.pay.orders[payment.out_trade_no]
    order.state, order.transaction_id = "SUCCESS", "4200000000000042"  # notification lost
    response = cancel(client, world, payment)
    assert response.status_code == 409
    assert response.get_json() == {
        "code": "payment_already_paid",
        "message": "这笔订单已支付成功，已入账，无需取消",
    }
    assert db.session.get(Payment, payment.id).status == "paid"
    assert bills(world)[0].status == "paid"
    assert [e.amount_fen for e in db.session.scalars(select(LedgerEntry))] == [2533]


def test_a_notification_arriving_while_cancelling_wins_and_credits_once(
    client, sandbox, world, monkeypatch
):
    payment = opened(client, world, [bills(world)[0].id])
    gateway = payment_gateway()
    asked = gateway.query_order

    def notified_right_after_the_query(out_trade_no):
        state = asked(out_trade_no)  # NOTPAY, then the resident pays and WeChat notifies
        order = sandbox.pay.orders[out_trade_no]
        order.state, order.transaction_id = "SUCCESS", "4200000000000043"
        pay_notifications.handle_notification(sandbox.pay.notification(order))
        return state

    monkeypatch.setattr(gateway, "query_order", notified_right_after_the_query)
    with freeze_time(LATER, tick=True):
        response = cancel(client, world, payment)
    assert response.get_json()["code"] == "payment_already_paid"
    assert wechat_state(sandbox, payment) == "SUCCESS"  # never closed under a payment
    assert db.session.get(Payment, payment.id).status == "paid"
    assert len(db.session.scalars(select(LedgerEntry)).all()) == 1


def test_paid_while_closing_at_wechat_is_credited(client, sandbox, world, monkeypatch):
    payment = opened(client, world, [bills(world)[0].id])
    gateway = payment_gateway()
    close = gateway.close_order

    def paid_just_before(out_trade_no):
        order = sandbox.pay.orders[out_trade_no]
        order.state, order.transaction_id = "SUCCESS", "4200000000000044"
        return close(out_trade_no)  # ORDERPAID

    monkeypatch.setattr(gateway, "close_order", paid_just_before)
    with freeze_time(LATER, tick=True):
        response = cancel(client, world, payment)
    assert response.get_json()["code"] == "payment_already_paid"
    assert db.session.get(Payment, payment.id).status == "paid"
    assert [e.amount_fen for e in db.session.scalars(select(LedgerEntry))] == [2533]


def test_an_order_being_paid_is_not_cancelled(client, sandbox, world):
    payment = opened(client, world, [bills(world)[0].id])
    sandbox.pay.orders[payment.out_trade_no].state = "USERPAYING"
    response = cancel(client, world, payment)
    assert (response.status_code, response.get_json()["code"]) == (409, "payment_in_progress")
    assert response.get_json()["message"] == "这笔订单正在支付中，请稍后再试"
    assert bills(world)[0].status == "pending"


def test_closed_and_paid_orders_say_why_they_cannot_be_cancelled(client, sandbox, world):
    first, second = bills(world)
    closed = opened(client, world, [first.id])
    with freeze_time(LATER, tick=True):
        assert cancel(client, world, closed).status_code == 200
        again = cancel(client, world, closed)
    assert (again.status_code, again.get_json()["code"]) == (409, "payment_already_closed")
    assert again.get_json()["message"] == "这笔订单已关闭，账单已恢复为待缴"
    paid = opened(client, world, [second.id])
    order = sandbox.pay.orders[paid.out_trade_no]
    order.state, order.transaction_id = "SUCCESS", "4200000000000045"
    client.post("/api/v1/payments/wechat/notify", data=sandbox.pay.notification(order))
    response = cancel(client, world, paid)
    assert response.get_json()["code"] == "payment_already_paid"


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("family", 403, "not_your_payment"),  # the same flat, but not the payer
        ("resident_1_2", 403, "not_your_payment"),
        ("liaison_1_2", 403, "not_your_payment"),  # another unit's liaison
        ("supervisor", 403, "not_your_payment"),
        ("outsider", 404, "payment_not_found"),
        ("stranger", 404, "payment_not_found"),  # another compound's committee
    ],
)
def test_only_the_payer_the_units_liaison_and_the_committee_cancel(
    client, sandbox, world, who, status, code
):
    family = UserFactory()
    roles.grant(family.id, "resident", world.household("1-1-101"), relation="family")
    world.people["family"] = family
    world.people["stranger"] = build_world("zz").people["committee"]
    payment = opened(client, world, [bills(world)[0].id])
    response = cancel(client, world, payment, who=who)
    assert (response.status_code, response.get_json()["code"]) == (status, code)
    if status == 403:
        assert "只有发起人、本单元联络人或业委会成员可以取消" in response.get_json()["message"]
    assert db.session.get(Payment, payment.id).cancel_requested_at is None


@pytest.mark.parametrize("who", ["liaison_1_1", "committee"])
def test_a_collector_cancels_takes_cash_and_the_payer_is_told(client, sandbox, world, who):
    world.people["liaison_1_1"].nickname = "张桂英"
    world.people["committee"].nickname = "李建国"
    first, second = bills(world)
    payment = opened(client, world, [first.id])
    household = world.household("1-1-101").id
    with freeze_time(LATER, tick=True):
        headers = world.fresh_headers(who)
        listed = client.get(f"/api/v1/fees/unpaid-bills?household_id={household}", headers=headers)
        held = {b["id"]: (b["status"], b["payment_id"]) for b in listed.get_json()["items"]}
        assert held == {first.id: ("pending", payment.id), second.id: ("unpaid", None)}
        assert cancel(client, world, payment, who=who).get_json()["status"] == "closed"
        listed = client.get(f"/api/v1/fees/unpaid-bills?household_id={household}", headers=headers)
        assert {b["status"] for b in listed.get_json()["items"]} == {"unpaid"}
        cash = {"bill_ids": [first.id, second.id], "method": "cash", "amount_fen": 5066}
        cash["paid_on"] = shanghai_date().isoformat()
        recorded = client.post("/api/v1/offline-payments", json=cash, headers=headers)
        assert recorded.status_code == 201, recorded.get_json()
    name = {"liaison_1_1": "张桂英", "committee": "李建国"}[who]
    told = db.session.scalars(
        select(Notification).where(Notification.user_id == world.people["resident_1_1"].id)
    ).all()
    assert [n.title for n in told] == ["微信支付订单已取消"]
    assert f"（25.33 元）已由{name}取消，账单已恢复为待缴" in told[0].body


def test_a_late_success_for_a_cancelled_order_goes_to_the_refund_account(client, sandbox, world):
    first = bills(world)[0]
    payment = opened(client, world, [first.id])
    with freeze_time(LATER, tick=True):
        assert cancel(client, world, payment, who="liaison_1_1").status_code == 200
        cash = {"bill_ids": [first.id], "method": "cash", "amount_fen": 2533}
        cash["paid_on"] = shanghai_date().isoformat()
        client.post(
            "/api/v1/offline-payments", json=cash, headers=world.fresh_headers("liaison_1_1")
        )
    order = sandbox.pay.orders[payment.out_trade_no]  # WeChat Pay took it after all
    order.state, order.transaction_id = "SUCCESS", "4200000000000046"
    answer = client.post("/api/v1/payments/wechat/notify", data=sandbox.pay.notification(order))
    assert b"SUCCESS" in answer.data
    refund_due = db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.account == ledger.REFUND_DUE)
    ).all()
    assert [e.amount_fen for e in refund_due] == [2533]
    (double,) = db.session.scalars(select(PaymentAnomaly)).all()
    assert (double.kind, double.details["bills"]) == ("double_payment", [first.id])


def test_cancelling_settles_a_mismatch_that_brought_no_money(client, sandbox, world):
    payment = opened(client, world, [bills(world)[0].id])
    order = sandbox.pay.orders[payment.out_trade_no]
    forged = sandbox.pay.notification(order, total_fee=1, transaction_id="4200000000000047")
    client.post("/api/v1/payments/wechat/notify", data=forged)
    with freeze_time(LATER, tick=True):
        assert cancel(client, world, payment).get_json()["status"] == "closed"
    (anomaly,) = db.session.scalars(select(PaymentAnomaly)).all()
    assert (anomaly.kind, anomaly.resolved_by_id) == ("amount_mismatch", None)
    assert anomaly.resolution.startswith("未收到款项")


def test_wechat_pay_down_leaves_the_order_as_it_was(client, sandbox, world):
    payment = opened(client, world, [bills(world)[0].id])
    sandbox.fault("pay/orderquery", "status", 502)
    response = cancel(client, world, payment)
    assert (response.status_code, response.get_json()["code"]) == (503, "pay_unavailable")
    assert (db.session.get(Payment, payment.id).cancel_requested_at, bills(world)[0].status) == (
        None,
        "pending",
    )


def test_a_liaison_cancelling_a_fresh_order_tells_the_payer_when_the_bills_are_freed(
    client, sandbox, world
):
    world.people["liaison_1_1"].nickname = "张桂英"
    payment = opened(client, world, [bills(world)[0].id])
    body = cancel(client, world, payment, who="liaison_1_1").get_json()
    assert (body["status"], body["cancelled"]) == ("pending", True)
    at = (payment.created_at + CLOSE_AFTER).astimezone(SHANGHAI)
    (told,) = db.session.scalars(
        select(Notification).where(Notification.user_id == world.people["resident_1_1"].id)
    ).all()
    assert f"已由张桂英取消，账单将于 {at:%H:%M} 恢复为待缴" in told.body
    again = open_payment(client, world, [bills(world)[0].id])  # the payer cannot reopen it
    assert again.get_json()["code"] == "bill_not_payable"


def test_an_order_wechat_pay_took_another_amount_for_ends_disputed_and_is_booked(
    client, sandbox, world
):
    payment = opened(client, world, [bills(world)[0].id])
    order = sandbox.pay.orders[payment.out_trade_no]
    order.state, order.transaction_id, order.total_fee = "SUCCESS", "4200000000000048", 2000
    response = cancel(client, world, payment)
    assert (response.status_code, response.get_json()["code"]) == (409, "payment_disputed")
    assert db.session.get(Payment, payment.id).status == "disputed"
    assert bills(world)[0].status == "unpaid"  # freed, to be paid properly
    (owed,) = db.session.scalars(select(LedgerEntry)).all()
    assert (owed.account, owed.amount_fen) == (ledger.REFUND_DUE, 2000)


def test_reconciling_at_once_never_asks_wechat_pay_to_close_too_early(client, sandbox, world):
    payment = opened(client, world, [bills(world)[0].id])
    assert cancel(client, world, payment).get_json()["cancelled"] is True
    result = pending_orders.reconcile(min_age=0)  # the CLI can ask this
    assert (result.checked, result.closed, result.differences) == (1, 0, [])
    assert wechat_state(sandbox, payment) == "NOTPAY"


def test_an_order_still_being_made_at_wechat_cannot_be_cancelled_yet(
    client, sandbox, world, monkeypatch
):
    """The bills are held before WeChat Pay is asked for the order: a collector cancelling
    in between must not free them while the order comes into being at WeChat Pay."""
    bill = bills(world)[0]
    gateway = payment_gateway()
    create = gateway.create_order
    liaison = load_principal(world.people["liaison_1_1"].id)
    refused = []

    def collector_cancels_while_wechat_creates(**order):
        made = db.session.scalars(
            select(Payment).where(Payment.out_trade_no == order["out_trade_no"])
        ).one()
        with pytest.raises(Conflict) as raised:
            payment_cancel.cancel(liaison, made.id)
        refused.append(raised.value.code)
        return create(**order)

    monkeypatch.setattr(gateway, "create_order", collector_cancels_while_wechat_creates)
    payment = opened(client, world, [bill.id])
    db.session.refresh(payment)
    assert refused == ["payment_in_progress"]
    assert (payment.status, payment.prepay_id is not None) == ("pending", True)
    assert wechat_state(sandbox, payment) == "NOTPAY"
    assert bills(world)[0].status == "pending"  # still held: never paid twice


def test_paying_again_does_not_undo_a_collectors_cancel_made_meanwhile(
    client, sandbox, world, monkeypatch
):
    bill = bills(world)[0]
    payment = opened(client, world, [bill.id])
    assert cancel(client, world, payment).get_json()["cancelled"] is True  # the payer's own
    liaison = load_principal(world.people["liaison_1_1"].id)
    found = payments._open_order_for

    def a_collector_cancels_in_between(*args):
        order = found(*args)
        payment_cancel.cancel(liaison, order.id)  # cash instead
        return order

    monkeypatch.setattr(payments, "_open_order_for", a_collector_cancels_in_between)
    again = open_payment(client, world, [bill.id])
    assert (again.status_code, again.get_json()["code"]) == (409, "payment_cancelled")
    db.session.refresh(payment)
    assert payment.cancelled_by_id == world.people["liaison_1_1"].id
