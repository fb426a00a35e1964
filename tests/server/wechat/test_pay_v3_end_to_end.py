"""A compound whose fees go to a WeChat Pay API v3 merchant: a resident pays through the
app, WeChat Pay (the sandbox) notifies in v3's encrypted JSON, the bills are paid once;
forgeries and wrong amounts are answered as v3 expects."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.config_pay import SANDBOX_V3_MERCHANT
from server.extensions import db
from server.models import LedgerEntry, Payment, PaymentAnomaly
from server.services.money import fees
from tests.factories import build_world, self_governance_fee
from tests.steps import open_payment
from tests.timing import month

NOTIFY = "/api/v1/payments/wechat/notify/" + SANDBOX_V3_MERCHANT


@pytest.fixture
def world(db_session):
    world = build_world("v3")
    world.compound.pay_merchant = SANDBOX_V3_MERCHANT
    self_governance_fee(world.compound)
    db.session.flush()
    fees.generate_bills(month(-1), "v3")
    return world


def bills(client, world) -> list[dict]:
    return client.get("/api/v1/bills", headers=world.headers("resident_1_1")).get_json()["items"]


def paid_at_wechat(sandbox, out_trade_no: str):
    """The resident pays in WeChat (the sandbox; no notification yet): its order."""
    order = sandbox.pay_v3.orders[out_trade_no]
    order.state = "SUCCESS"
    order.transaction_id = "4200" + out_trade_no[-12:]
    return order


def notify(client, sandbox, order, **changes):
    headers, body = sandbox.pay_v3.notification(order, **changes)
    return client.post(NOTIFY, data=body, headers=headers, content_type="application/json")


@pytest.fixture
def opened(client, world):
    created = open_payment(client, world, [b["id"] for b in bills(client, world)])
    assert created.status_code == 201, created.get_json()
    return created.get_json()


def test_a_resident_pays_a_v3_merchant_and_is_credited_once(client, sandbox, world, opened):
    assert opened["pay_params"]["signType"] == "RSA"
    assert opened["pay_params"]["package"].startswith("prepay_id=wx")
    payment = db.session.get(Payment, opened["payment_id"])
    assert payment.merchant == SANDBOX_V3_MERCHANT
    order = sandbox.pay_v3.orders[opened["out_trade_no"]]
    assert order.total_fee == opened["total_fen"]
    assert order.notify_url.endswith(NOTIFY)

    paid_at_wechat(sandbox, opened["out_trade_no"])
    for _ in range(3):  # WeChat Pay repeats itself
        answer = notify(client, sandbox, order)
        assert (answer.status_code, answer.data) == (204, b"")
    assert {b["status"] for b in bills(client, world)} == {"paid"}
    entries = db.session.scalars(select(LedgerEntry)).all()
    assert sum(e.amount_fen for e in entries) == opened["total_fen"]


@pytest.mark.parametrize(
    ("forge", "changes"),
    [
        ("bad_signature", {}),
        ("stale", {}),
        ("wrong_serial", {}),
        ("undecryptable", {}),
        (None, {"mchid": "1900000999"}),
        (None, {"appid": "wx-someone-else"}),
    ],
)
def test_forged_v3_notifications_credit_nothing(client, sandbox, world, opened, forge, changes):
    order = paid_at_wechat(sandbox, opened["out_trade_no"])
    answer = notify(client, sandbox, order, forge=forge, **changes)
    assert answer.status_code == 400
    assert answer.get_json()["code"] == "FAIL"
    assert {b["status"] for b in bills(client, world)} == {"pending"}
    assert db.session.scalars(select(LedgerEntry)).all() == []


def test_a_wrong_amount_is_recorded_for_the_committee_and_acknowledged(
    client, sandbox, world, opened
):
    order = paid_at_wechat(sandbox, opened["out_trade_no"])
    answer = notify(client, sandbox, order, amount=opened["total_fen"] + 1)
    assert answer.status_code == 204
    assert {b["status"] for b in bills(client, world)} == {"pending"}
    (anomaly,) = db.session.scalars(select(PaymentAnomaly)).all()
    assert (anomaly.payment_id, anomaly.kind) == (opened["payment_id"], "amount_mismatch")
    assert anomaly.details["notified"] == opened["total_fen"] + 1
