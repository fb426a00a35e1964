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
from server.models import LedgerEntry, Notification, Payment, PaymentAnomaly
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
from tests.factories import UserFactory, bills_of, build_world, self_governance_fee
from tests.steps import (
    notify,
    open_payment,
    opened_payment,
    pay_at_wechat,
    record_cash,
    recorded_cash,
    unpaid_bills,
)
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
    november, december = bills_of(world)
    payment = opened_payment(client, world, [november.id, december.id])
    with freeze_time(LATER, tick=True):
        response = cancel(client, world, payment)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert (body["status"], body["cancelled"], body["closes_at"]) == ("closed", True, None)
        assert wechat_state(sandbox, payment) == "CLOSED"  # closed at WeChat Pay first
        assert [b.status for b in bills_of(world)] == ["unpaid", "unpaid"]
        other = open_payment(client, world, [december.id])  # another set, at once
        assert other.status_code == 201
    db.session.refresh(payment)
    assert payment.cancelled_by_id == world.people["resident_1_1"].id


def test_cancelled_in_the_first_five_minutes_it_is_closed_as_soon_as_wechat_allows(
    client, sandbox, world
):
    november, december = bills_of(world)
    payment = opened_payment(client, world, [november.id, december.id])
    response = cancel(client, world, payment)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["cancelled"]) == ("pending", True)
    closes = payment.created_at + CLOSE_AFTER
    assert body["closes_at"] == closes.astimezone(SHANGHAI).isoformat(timespec="seconds")
    assert wechat_state(sandbox, payment) == "NOTPAY"  # WeChat Pay does not close it yet
    assert [b.status for b in bills_of(world)] == [
        "pending",
        "pending",
    ]  # never paid twice
    refused = open_payment(client, world, [december.id])
    assert refused.get_json()["code"] == "bill_not_payable"
    assert cancel(client, world, payment).status_code == 200  # asking again changes nothing
    not_yet = close_cancelled(after=timedelta(minutes=4))
    assert (not_yet.checked, wechat_state(sandbox, payment)) == (0, "NOTPAY")
    assert close_cancelled().closed == 1  # the every-minute job
    assert wechat_state(sandbox, payment) == "CLOSED"
    assert db.session.get(Payment, payment.id).status == "closed"
    assert [b.status for b in bills_of(world)] == ["unpaid", "unpaid"]


def test_the_job_leaves_orders_nobody_cancelled_to_expire(client, sandbox, world):
    payment = opened_payment(client, world, [bills_of(world)[0].id])
    assert close_cancelled().checked == 0
    assert (wechat_state(sandbox, payment), payment.status) == ("NOTPAY", "pending")


def test_paying_the_same_bills_again_reopens_an_order_cancelled_moments_ago(client, sandbox, world):
    ids = [b.id for b in bills_of(world)]
    payment = opened_payment(client, world, ids)
    assert cancel(client, world, payment).status_code == 200
    again = open_payment(client, world, ids)
    assert again.status_code == 201
    assert again.get_json()["payment_id"] == payment.id  # the same order, still payable
    assert close_cancelled().checked == 0  # no longer cancelled
    assert wechat_state(sandbox, payment) == "NOTPAY"


def test_an_order_paid_meanwhile_is_credited_instead_and_the_answer_says_so(client, sandbox, world):
    payment = opened_payment(client, world, [bills_of(world)[0].id])
    pay_at_wechat(sandbox, payment.out_trade_no, transaction_id="4200000000000042")  # unheard
    response = cancel(client, world, payment)
    assert response.status_code == 409
    assert response.get_json() == {
        "code": "payment_already_paid",
        "message": "这笔订单已支付成功，已入账，无需取消",
    }
    assert db.session.get(Payment, payment.id).status == "paid"
    assert bills_of(world)[0].status == "paid"
    assert [e.amount_fen for e in db.session.scalars(select(LedgerEntry))] == [2533]


def test_a_notification_arriving_while_cancelling_wins_and_credits_once(
    client, sandbox, world, monkeypatch
):
    payment = opened_payment(client, world, [bills_of(world)[0].id])
    gateway = payment_gateway()
    asked = gateway.query_order

    def notified_right_after_the_query(out_trade_no):
        state = asked(out_trade_no)  # NOTPAY, then the resident pays and WeChat notifies
        order = pay_at_wechat(sandbox, out_trade_no, transaction_id="4200000000000043")
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
    payment = opened_payment(client, world, [bills_of(world)[0].id])
    gateway = payment_gateway()
    close = gateway.close_order

    def paid_just_before(out_trade_no):
        pay_at_wechat(sandbox, out_trade_no, transaction_id="4200000000000044")
        return close(out_trade_no)  # ORDERPAID

    monkeypatch.setattr(gateway, "close_order", paid_just_before)
    with freeze_time(LATER, tick=True):
        response = cancel(client, world, payment)
    assert response.get_json()["code"] == "payment_already_paid"
    assert db.session.get(Payment, payment.id).status == "paid"
    assert [e.amount_fen for e in db.session.scalars(select(LedgerEntry))] == [2533]


def test_an_order_being_paid_is_not_cancelled(client, sandbox, world):
    payment = opened_payment(client, world, [bills_of(world)[0].id])
    sandbox.pay.orders[payment.out_trade_no].state = "USERPAYING"
    response = cancel(client, world, payment)
    assert (response.status_code, response.get_json()["code"]) == (409, "payment_in_progress")
    assert response.get_json()["message"] == "这笔订单正在支付中，请稍后再试"
    assert bills_of(world)[0].status == "pending"


def test_closed_and_paid_orders_say_why_they_cannot_be_cancelled(client, sandbox, world):
    first, second = bills_of(world)
    closed = opened_payment(client, world, [first.id])
    with freeze_time(LATER, tick=True):
        assert cancel(client, world, closed).status_code == 200
        again = cancel(client, world, closed)
    assert (again.status_code, again.get_json()["code"]) == (409, "payment_already_closed")
    assert again.get_json()["message"] == "这笔订单已关闭，账单已恢复为待缴"
    paid = opened_payment(client, world, [second.id])
    notify(
        client,
        sandbox,
        pay_at_wechat(sandbox, paid.out_trade_no, transaction_id="4200000000000045"),
    )
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
    payment = opened_payment(client, world, [bills_of(world)[0].id])
    response = cancel(client, world, payment, who=who)
    assert (response.status_code, response.get_json()["code"]) == (status, code)
    if status == 403:
        assert "只有发起人、本单元联络人或业委会成员可以取消" in response.get_json()["message"]
    assert db.session.get(Payment, payment.id).cancel_requested_at is None


@pytest.mark.parametrize("who", ["liaison_1_1", "committee"])
def test_a_collector_cancels_takes_cash_and_the_payer_is_told(client, sandbox, world, who):
    world.people["liaison_1_1"].nickname = "张桂英"
    world.people["committee"].nickname = "李建国"
    first, second = bills_of(world)
    payment = opened_payment(client, world, [first.id])
    with freeze_time(LATER, tick=True):
        listed = unpaid_bills(client, world, "1-1-101", who)
        held = {b["id"]: (b["status"], b["payment_id"]) for b in listed}
        assert held == {first.id: ("pending", payment.id), second.id: ("unpaid", None)}
        assert cancel(client, world, payment, who=who).get_json()["status"] == "closed"
        listed = unpaid_bills(client, world, "1-1-101", who)
        assert {b["status"] for b in listed} == {"unpaid"}
        recorded_cash(client, world, listed, who, paid_on=shanghai_date().isoformat())
    name = {"liaison_1_1": "张桂英", "committee": "李建国"}[who]
    told = db.session.scalars(
        select(Notification).where(Notification.user_id == world.people["resident_1_1"].id)
    ).all()
    assert [n.title for n in told] == ["微信支付订单已取消"]
    assert f"（25.33 元）已由{name}取消，账单已恢复为待缴" in told[0].body


def test_a_late_success_for_a_cancelled_order_goes_to_the_refund_account(client, sandbox, world):
    first = bills_of(world)[0]
    payment = opened_payment(client, world, [first.id])
    with freeze_time(LATER, tick=True):
        assert cancel(client, world, payment, who="liaison_1_1").status_code == 200
        record_cash(client, world, first, "liaison_1_1", paid_on=shanghai_date().isoformat())
    # WeChat Pay took it after all
    order = pay_at_wechat(sandbox, payment.out_trade_no, transaction_id="4200000000000046")
    answer = notify(client, sandbox, order)
    assert b"SUCCESS" in answer.data
    refund_due = db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.account == ledger.REFUND_DUE)
    ).all()
    assert [e.amount_fen for e in refund_due] == [2533]
    (double,) = db.session.scalars(select(PaymentAnomaly)).all()
    assert (double.kind, double.details["bills"]) == ("double_payment", [first.id])


def test_cancelling_settles_a_mismatch_that_brought_no_money(client, sandbox, world):
    payment = opened_payment(client, world, [bills_of(world)[0].id])
    order = sandbox.pay.orders[payment.out_trade_no]
    notify(client, sandbox, order, total_fee=1, transaction_id="4200000000000047")
    with freeze_time(LATER, tick=True):
        assert cancel(client, world, payment).get_json()["status"] == "closed"
    (anomaly,) = db.session.scalars(select(PaymentAnomaly)).all()
    assert (anomaly.kind, anomaly.resolved_by_id) == ("amount_mismatch", None)
    assert anomaly.resolution.startswith("未收到款项")


def test_wechat_pay_down_leaves_the_order_as_it_was(client, sandbox, world):
    payment = opened_payment(client, world, [bills_of(world)[0].id])
    sandbox.fault("pay/orderquery", "status", 502)
    response = cancel(client, world, payment)
    assert (response.status_code, response.get_json()["code"]) == (503, "pay_unavailable")
    assert (
        db.session.get(Payment, payment.id).cancel_requested_at,
        bills_of(world)[0].status,
    ) == (
        None,
        "pending",
    )


def test_a_liaison_cancelling_a_fresh_order_tells_the_payer_when_the_bills_are_freed(
    client, sandbox, world
):
    world.people["liaison_1_1"].nickname = "张桂英"
    payment = opened_payment(client, world, [bills_of(world)[0].id])
    body = cancel(client, world, payment, who="liaison_1_1").get_json()
    assert (body["status"], body["cancelled"]) == ("pending", True)
    at = (payment.created_at + CLOSE_AFTER).astimezone(SHANGHAI)
    (told,) = db.session.scalars(
        select(Notification).where(Notification.user_id == world.people["resident_1_1"].id)
    ).all()
    assert f"已由张桂英取消，账单将于 {at:%H:%M} 恢复为待缴" in told.body
    again = open_payment(client, world, [bills_of(world)[0].id])  # the payer cannot reopen it
    assert again.get_json()["code"] == "bill_not_payable"


def test_an_order_wechat_pay_took_another_amount_for_ends_disputed_and_is_booked(
    client, sandbox, world
):
    payment = opened_payment(client, world, [bills_of(world)[0].id])
    order = pay_at_wechat(sandbox, payment.out_trade_no, transaction_id="4200000000000048")
    order.total_fee = 2000
    response = cancel(client, world, payment)
    assert (response.status_code, response.get_json()["code"]) == (409, "payment_disputed")
    assert db.session.get(Payment, payment.id).status == "disputed"
    assert bills_of(world)[0].status == "unpaid"  # freed, to be paid properly
    (owed,) = db.session.scalars(select(LedgerEntry)).all()
    assert (owed.account, owed.amount_fen) == (ledger.REFUND_DUE, 2000)


def test_reconciling_at_once_never_asks_wechat_pay_to_close_too_early(client, sandbox, world):
    payment = opened_payment(client, world, [bills_of(world)[0].id])
    assert cancel(client, world, payment).get_json()["cancelled"] is True
    result = pending_orders.reconcile(min_age=0)  # the CLI can ask this
    assert (result.checked, result.closed, result.differences) == (1, 0, [])
    assert wechat_state(sandbox, payment) == "NOTPAY"


def test_an_order_still_being_made_at_wechat_cannot_be_cancelled_yet(
    client, sandbox, world, monkeypatch
):
    """The bills are held before WeChat Pay is asked for the order: a collector cancelling
    in between must not free them while the order comes into being at WeChat Pay."""
    bill = bills_of(world)[0]
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
    payment = opened_payment(client, world, [bill.id])
    db.session.refresh(payment)
    assert refused == ["payment_in_progress"]
    assert (payment.status, payment.prepay_id is not None) == ("pending", True)
    assert wechat_state(sandbox, payment) == "NOTPAY"
    assert bills_of(world)[0].status == "pending"  # still held: never paid twice


def test_paying_again_does_not_undo_a_collectors_cancel_made_meanwhile(
    client, sandbox, world, monkeypatch
):
    bill = bills_of(world)[0]
    payment = opened_payment(client, world, [bill.id])
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
