"""A refund through WeChat Pay of an anomaly's money owed back: the refund suspense
account and the anomaly are settled by the real refund, not by a note."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from freezegun import freeze_time
from sqlalchemy import select

from server.extensions import db
from server.models import Bill, Notification, Payment, PaymentAnomaly
from server.services.money import fees, ledger, pending_orders
from server.wechat.sandbox.pay_refunds import refund_notification
from tests.factories import bill_of, build_world, self_governance_fee
from tests.helpers import balance
from tests.steps import notify, opened_payment, pay_at_wechat

REFUND_NOTIFY = "/api/v1/payments/wechat/refund-notify/default"


@pytest.fixture
def world(db_session):
    world = build_world("aa")
    self_governance_fee(world.compound)
    db.session.flush()
    fees.generate_bills("2026-12", "aa")
    return world


@pytest.fixture
def disputed(client, sandbox, world) -> tuple[Payment, PaymentAnomaly]:
    """WeChat Pay took 25.32 元 for a 25.33 元 order: disputed, 25.32 元 owed back."""
    payment = opened_payment(client, world, [bill_of(world).id])
    order = pay_at_wechat(sandbox, payment.out_trade_no)
    order.total_fee = payment.total_fen - 1
    with freeze_time(timedelta(minutes=6), tick=True):
        pending_orders.reconcile(min_age=300)
    (anomaly,) = db.session.scalars(select(PaymentAnomaly)).all()
    assert (anomaly.kind, anomaly.details["refund_due_fen"]) == ("amount_disputed", 2532)
    assert balance(ledger.REFUND_DUE) == 2532
    return db.session.get(Payment, payment.id), anomaly


def refund(client, sandbox, world, payment, amount_fen, anomaly_id) -> dict:
    """Proposed, confirmed by a second member, sent, settled SUCCESS; the refund."""
    proposed = client.post(
        "/api/v1/compounds/aa/refunds",
        json={
            "payment_id": payment.id,
            "amount_fen": amount_fen,
            "reason": "支付金额与账单不符，原路退回",
            "anomaly_id": anomaly_id,
        },
        headers=world.fresh_headers("committee"),
    )
    assert proposed.status_code == 201, proposed.get_json()
    change = proposed.get_json()["pending_change_id"]
    confirmed = client.post(
        f"/api/v1/compounds/aa/pending-changes/{change}/confirm",
        json={},
        headers=world.fresh_headers("committee_2"),
    )
    assert confirmed.status_code == 200, confirmed.get_json()
    view = client.get(
        f"/api/v1/compounds/aa/refunds/{proposed.get_json()['id']}",
        headers=world.fresh_headers("committee"),
    ).get_json()
    assert view["status"] == "processing"
    (there,) = [
        r
        for r in sandbox.pay.refunds.values()
        if r.out_trade_no == payment.out_trade_no and r.status == "PROCESSING"
    ]
    assert there.total_fen == 2532  # what WeChat Pay took, not the order's amount
    settled = requests.post(
        sandbox.url + "sandbox/pay/refunds/settle",
        json={"out_refund_no": there.out_refund_no, "notify": False},
        timeout=5,
    )
    assert settled.status_code == 200
    for _ in range(3):
        body = refund_notification(sandbox.pay, there)
        answer = client.post(REFUND_NOTIFY, data=body, content_type="text/xml")
        assert b"SUCCESS" in answer.data
    return view


def test_refunds_settle_the_anomaly_and_the_suspense_account(client, sandbox, world, disputed):
    payment, anomaly = disputed
    refund(client, sandbox, world, payment, 1000, anomaly.id)
    db.session.refresh(anomaly)
    assert (anomaly.refunded_fen, anomaly.resolved_at) == (1000, None)
    assert balance(ledger.REFUND_DUE) == 1532
    # More than is left owed back is refused, and then the rest settles it.
    too_much = client.post(
        "/api/v1/compounds/aa/refunds",
        json={
            "payment_id": payment.id,
            "amount_fen": 1533,
            "reason": "x",
            "anomaly_id": anomaly.id,
        },
        headers=world.fresh_headers("committee"),
    )
    assert (too_much.status_code, too_much.get_json()["code"]) == (400, "refund_exceeds_refundable")
    refund(client, sandbox, world, payment, 1532, anomaly.id)
    db.session.refresh(anomaly)
    assert anomaly.refunded_fen == 2532
    assert anomaly.resolution == "微信支付原路退回"
    assert anomaly.resolved_at is not None
    assert balance(ledger.REFUND_DUE) == 0
    assert balance("fee:self_governance") == 0  # the fees were never touched
    assert db.session.get(Payment, payment.id).refunded_fen == 2532
    # The bill was freed when the payment was disputed: still the household's to pay.
    assert db.session.scalar(select(Bill.status)) == "unpaid"
    shown = client.get(
        "/api/v1/compounds/aa/payment-anomalies", headers=world.fresh_headers("supervisor")
    ).get_json()["items"]
    assert [(a["id"], a["refund_left_fen"]) for a in shown] == [(anomaly.id, 0)]


def test_a_disputed_payment_refunds_its_anomaly_even_unnamed(client, sandbox, world, disputed):
    payment, anomaly = disputed
    view = refund(client, sandbox, world, payment, 2532, None)
    assert view["anomaly_id"] == anomaly.id
    db.session.refresh(anomaly)
    assert anomaly.resolved_at is not None
    assert balance(ledger.REFUND_DUE) == 0


def test_no_refund_by_hand_while_one_through_wechat_is_under_way(client, world, disputed):
    """The money of an anomaly goes back once: while a WeChat refund of it is proposed
    (or on its way), recording a refund by hand, or closing it with a note, is refused;
    once that proposal is rejected, the hand-made refund may be recorded."""
    payment, anomaly = disputed
    proposed = client.post(
        "/api/v1/compounds/aa/refunds",
        json={
            "payment_id": payment.id,
            "amount_fen": 2532,
            "reason": "原路退回",
            "anomaly_id": anomaly.id,
        },
        headers=world.fresh_headers("committee"),
    ).get_json()
    by_hand = client.post(
        f"/api/v1/compounds/aa/payment-anomalies/{anomaly.id}/resolve",
        json={"resolution": "已现金退还", "refunded_fen": 2532},
        headers=world.fresh_headers("committee_2"),
    )
    assert (by_hand.status_code, by_hand.get_json()["code"]) == (409, "wechat_refund_under_way")
    assert "微信原路退回" in by_hand.get_json()["message"]
    rejected = client.post(
        f"/api/v1/compounds/aa/pending-changes/{proposed['pending_change_id']}/reject",
        json={"reason": "改为现金退还"},
        headers=world.fresh_headers("committee_2"),
    )
    assert rejected.status_code == 200, rejected.get_json()
    again = client.post(
        f"/api/v1/compounds/aa/payment-anomalies/{anomaly.id}/resolve",
        json={"resolution": "已现金退还", "refunded_fen": 2532},
        headers=world.fresh_headers("committee_2"),
    )
    assert again.status_code == 202, again.get_json()  # waits for a second member
    assert balance(ledger.REFUND_DUE) == 2532


def test_a_payment_whose_bills_were_paid_another_way_refunded_whole_owes_nothing_again(
    client, sandbox, world
):
    """A resident paid through WeChat Pay bills the liaison had meanwhile taken in cash:
    all of it waits to be given back. Once it is refunded whole, the payer is told the
    money is back — not that the bills are owed again (they stay paid in cash: told
    otherwise, the resident would pay them a second time)."""
    bill = bill_of(world)
    payment = opened_payment(client, world, [bill.id])
    bill.status, bill.held_by = "paid", "offline:1"  # taken in cash meanwhile
    db.session.commit()
    order = pay_at_wechat(sandbox, payment.out_trade_no)
    assert b"SUCCESS" in notify(client, sandbox, order).data
    (anomaly,) = db.session.scalars(select(PaymentAnomaly)).all()
    assert (anomaly.kind, anomaly.details["refund_due_fen"]) == ("double_payment", 2533)
    proposed = client.post(
        "/api/v1/compounds/aa/refunds",
        json={
            "payment_id": payment.id,
            "amount_fen": 2533,
            "reason": "账单已现金缴清，原路退回",
            "anomaly_id": anomaly.id,
        },
        headers=world.fresh_headers("committee"),
    )
    assert proposed.status_code == 201, proposed.get_json()
    confirmed = client.post(
        f"/api/v1/compounds/aa/pending-changes/{proposed.get_json()['pending_change_id']}/confirm",
        json={},
        headers=world.fresh_headers("committee_2"),
    )
    assert confirmed.status_code == 200, confirmed.get_json()
    (there,) = [r for r in sandbox.pay.refunds.values() if r.out_trade_no == payment.out_trade_no]
    settled = requests.post(
        sandbox.url + "sandbox/pay/refunds/settle",
        json={"out_refund_no": there.out_refund_no, "notify": False},
        timeout=5,
    )
    assert settled.status_code == 200
    body = refund_notification(sandbox.pay, there)
    assert b"SUCCESS" in client.post(REFUND_NOTIFY, data=body, content_type="text/xml").data
    assert db.session.get(Payment, payment.id).refunded_fen == 2533
    assert (bill.status, bill.held_by) == ("paid", "offline:1")
    told = db.session.scalars(
        select(Notification.body).where(Notification.title == "25.33 元已退回")
    ).one()
    assert "恢复为待缴" not in told
