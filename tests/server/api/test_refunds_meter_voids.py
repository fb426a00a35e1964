"""A refund through WeChat Pay of a shared-meter bill racing the void of its reading:
the bill's money is given back once, by one of them, and booked from where it is."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import select

from server.extensions import db
from server.models import Bill, FeeItem, Payment, Refund
from server.services.money import ledger
from server.wechat.sandbox.pay_refunds import refund_notification
from tests.factories import build_world, stair_electricity_fee
from tests.helpers import balance
from tests.steps import decide, notify, opened_payment, pay_at_wechat
from tests.timing import month


@pytest.fixture
def world(db_session):
    world = build_world("aa")
    stair_electricity_fee(world.compound)
    return world


def test_no_void_of_a_reading_while_a_wechat_refund_of_its_paid_bill_is_under_way(
    client, sandbox, world
):
    """A committee member sends a resident's electricity bill back through WeChat Pay;
    meanwhile another voids the reading (which would owe the same money back again from
    the refund suspense account, and leave the WeChat refund no bill to be booked on).
    The void waits until the refund has ended, and then owes nothing twice."""
    reading = client.post(
        "/api/v1/meter-readings",
        json={"unit_id": world.units[0].id, "period": month(0), "amount_fen": 450},
        headers=world.fresh_headers("liaison_1_1"),
    ).get_json()
    assert decide(client, world, reading["open_change"]["id"], "committee").status_code == 200
    bill = db.session.scalars(
        select(Bill)
        .join(FeeItem, FeeItem.id == Bill.fee_item_id)
        .where(FeeItem.kind == "shared_meter", Bill.household_id == world.household("1-1-101").id)
    ).one()
    payment = opened_payment(client, world, [bill.id])
    assert b"SUCCESS" in notify(client, sandbox, pay_at_wechat(sandbox, payment.out_trade_no)).data
    proposed = client.post(
        "/api/v1/compounds/aa/refunds",
        json={"payment_id": payment.id, "amount_fen": bill.amount_fen, "reason": "电费退还"},
        headers=world.fresh_headers("committee"),
    )
    assert proposed.status_code == 201, proposed.get_json()
    assert (
        decide(client, world, proposed.get_json()["pending_change_id"], "committee_2").status_code
        == 200
    )
    refund = db.session.get(Refund, proposed.get_json()["id"])
    assert refund.status == "processing"

    voided = client.post(
        f"/api/v1/meter-readings/{reading['id']}/void",
        json={"reason": "表读错了"},
        headers=world.fresh_headers("committee"),
    )
    assert voided.status_code == 202, voided.get_json()
    early = decide(client, world, voided.get_json()["id"], "committee_2")
    assert (early.status_code, early.get_json()["code"]) == (409, "wechat_refund_under_way")
    assert "微信" in early.get_json()["message"]

    there = sandbox.pay.refunds[refund.out_refund_no]
    settled = requests.post(
        sandbox.url + "sandbox/pay/refunds/settle",
        json={"out_refund_no": there.out_refund_no, "notify": False},
        timeout=5,
    )
    assert settled.status_code == 200
    answer = client.post(
        "/api/v1/payments/wechat/refund-notify/default",
        data=refund_notification(sandbox.pay, there),
        content_type="text/xml",
    )
    assert b"SUCCESS" in answer.data
    assert db.session.get(Payment, payment.id).refunded_fen == bill.amount_fen
    assert balance(f"fee:{bill.fee_item.code}") == 0  # paid, then given back
    later = decide(client, world, voided.get_json()["id"], "committee_2")
    assert later.status_code == 200, later.get_json()
    assert balance(ledger.REFUND_DUE) == 0  # nothing owed back a second time
