"""Refunds through WeChat Pay API v3 (the sandbox's v3 merchant): the same two people,
the same exactly-once settlement, v3's signed and encrypted refund notification."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from server.config_pay import SANDBOX_V3_MERCHANT
from server.extensions import db
from server.models import LedgerEntry, Payment, PaymentAnomaly, Refund
from server.services.money import fees, refund_sending
from tests.factories import build_world, self_governance_fee
from tests.steps import open_payment

NOTIFY = f"/api/v1/payments/wechat/notify/{SANDBOX_V3_MERCHANT}"
REFUND_NOTIFY = f"/api/v1/payments/wechat/refund-notify/{SANDBOX_V3_MERCHANT}"


@pytest.fixture
def world(db_session):
    world = build_world("aa")
    world.compound.pay_merchant = SANDBOX_V3_MERCHANT
    self_governance_fee(world.compound)
    db.session.flush()
    fees.generate_bills("2026-11", "aa")
    fees.generate_bills("2026-12", "aa")
    return world


def paid_v3(client, sandbox, world) -> dict:
    """1-1-101 pays its two bills (50.66 元) through the v3 merchant, notified."""
    bills = client.get("/api/v1/bills", headers=world.fresh_headers("resident_1_1"))
    created = open_payment(client, world, [b["id"] for b in bills.get_json()["items"]])
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["pay_params"]["signType"] == "RSA"
    paid = requests.post(
        sandbox.url + "sandbox/pay/v3/pay",
        json={"out_trade_no": body["out_trade_no"], "notify": False},
        timeout=10,
    )
    assert paid.status_code == 200
    headers, payload = sandbox.pay_v3.notification(sandbox.pay_v3.orders[body["out_trade_no"]])
    answer = client.post(NOTIFY, data=payload, headers=headers, content_type="application/json")
    assert answer.status_code in (200, 204), answer.data
    assert db.session.get(Payment, body["payment_id"]).status == "paid"
    return body


def confirmed(client, world, payment_id: int, amount_fen: int) -> Refund:
    proposed = client.post(
        "/api/v1/compounds/aa/refunds",
        json={"payment_id": payment_id, "amount_fen": amount_fen, "reason": "多缴退还"},
        headers=world.fresh_headers("committee"),
    )
    assert proposed.status_code == 201, proposed.get_json()
    change = proposed.get_json()["pending_change_id"]
    same = client.post(
        f"/api/v1/compounds/aa/pending-changes/{change}/confirm",
        json={},
        headers=world.fresh_headers("committee"),
    )
    assert same.status_code == 403
    decided = client.post(
        f"/api/v1/compounds/aa/pending-changes/{change}/confirm",
        json={},
        headers=world.fresh_headers("committee_2"),
    )
    assert decided.status_code == 200, decided.get_json()
    return db.session.get(Refund, proposed.get_json()["id"])


def settle_at_wechat(sandbox, number: str, status: str = "SUCCESS"):
    ended = requests.post(
        sandbox.url + "sandbox/pay/v3/refunds/settle",
        json={"out_refund_no": number, "status": status, "notify": False},
        timeout=10,
    )
    assert ended.status_code == 200, ended.text
    return sandbox.pay_v3.refunds[number]


def deliver(client, sandbox, there, **forge):
    headers, payload = sandbox.pay_v3.refund_notification(there, **forge)
    return client.post(
        REFUND_NOTIFY, data=payload, headers=headers, content_type="application/json"
    )


def debits(world) -> list[tuple[str, int]]:
    return [
        tuple(row)
        for row in db.session.execute(
            select(LedgerEntry.account, LedgerEntry.amount_fen)
            .where(LedgerEntry.compound_id == world.compound.id, LedgerEntry.direction == "debit")
            .order_by(LedgerEntry.seq)
        )
    ]


def test_a_partial_v3_refund_settles_once_under_shuffled_notifications(client, sandbox, world):
    payment = paid_v3(client, sandbox, world)
    refundable = client.get(
        f"/api/v1/compounds/aa/payments/{payment['payment_id']}/refundable",
        headers=world.fresh_headers("committee"),
    ).get_json()
    assert (refundable["merchant_version"], refundable["refundable_fen"]) == ("v3", 5066)
    refund = confirmed(client, world, payment["payment_id"], 3000)
    db.session.refresh(refund)
    assert (refund.status, refund.merchant) == ("processing", SANDBOX_V3_MERCHANT)
    there = sandbox.pay_v3.refunds[refund.out_refund_no]
    assert (there.refund_fen, there.total_fen) == (3000, 5066)
    assert there.notify_url.endswith(REFUND_NOTIFY)
    settle_at_wechat(sandbox, refund.out_refund_no)
    refund.sent_at -= timedelta(minutes=10)  # processing a while: the job asks too
    db.session.flush()
    steps = ["notify"] * 5 + ["job"] * 3
    random.Random(16).shuffle(steps)  # a fixed order: a failure is run again as it was
    for step in steps:
        if step == "notify":
            assert deliver(client, sandbox, there).status_code == 204
        else:
            refund_sending.send_due()
    assert debits(world) == [("fee:self_governance", 1500), ("fee:self_governance", 1500)]
    mine = client.get(
        f"/api/v1/payments/{payment['payment_id']}", headers=world.fresh_headers("resident_1_1")
    ).get_json()
    assert mine["refunded_fen"] == 3000
    assert [(r["amount_fen"], r["status"]) for r in mine["refunds"]] == [(3000, "success")]


@pytest.mark.parametrize("status", ["CLOSED", "ABNORMAL"])
def test_a_v3_refund_ending_badly_moves_nothing(client, sandbox, world, status):
    payment = paid_v3(client, sandbox, world)
    refund = confirmed(client, world, payment["payment_id"], 1000)
    there = settle_at_wechat(sandbox, refund.out_refund_no, status)
    assert deliver(client, sandbox, there).status_code == 204
    assert deliver(client, sandbox, there).status_code == 204
    db.session.refresh(refund)
    assert refund.status == status.lower()
    assert debits(world) == []
    (anomaly,) = db.session.scalars(
        select(PaymentAnomaly).where(PaymentAnomaly.kind == "refund_abnormal")
    ).all()
    assert anomaly.details["status"] == status


@pytest.mark.parametrize("forge", ["bad_signature", "wrong_serial", "stale", "undecryptable"])
def test_forged_v3_refund_notifications_settle_nothing(client, sandbox, world, forge):
    payment = paid_v3(client, sandbox, world)
    refund = confirmed(client, world, payment["payment_id"], 1000)
    there = settle_at_wechat(sandbox, refund.out_refund_no)
    answer = deliver(client, sandbox, there, forge=forge)
    assert answer.status_code == 400
    assert answer.get_json()["code"] == "FAIL"
    other = deliver(client, sandbox, there, amount=999)
    assert other.status_code == 400
    db.session.refresh(refund)
    assert refund.status == "processing"
    assert debits(world) == []


def test_a_long_reason_is_shortened_for_wechat_pay_not_refused(client, sandbox, world):
    """The committee may write a reason of up to 200 characters; WeChat Pay v3 takes 80
    and refuses more (PARAM_ERROR): the refund goes out with the reason shortened, and
    the committee keeps the whole of it."""
    payment = paid_v3(client, sandbox, world)
    reason = "住户多缴了两个月的自治管理费，经业委会核对后原路退还。" * 5
    assert 80 < len(reason) <= 200
    proposed = client.post(
        "/api/v1/compounds/aa/refunds",
        json={"payment_id": payment["payment_id"], "amount_fen": 1000, "reason": reason},
        headers=world.fresh_headers("committee"),
    )
    assert proposed.status_code == 201, proposed.get_json()
    decided = client.post(
        f"/api/v1/compounds/aa/pending-changes/{proposed.get_json()['pending_change_id']}/confirm",
        json={},
        headers=world.fresh_headers("committee_2"),
    )
    assert decided.status_code == 200, decided.get_json()
    refund = db.session.get(Refund, proposed.get_json()["id"])
    assert (refund.status, refund.error) == ("processing", None)
    assert refund.reason == reason
    assert sandbox.pay_v3.refunds[refund.out_refund_no].reason == reason[:80]
