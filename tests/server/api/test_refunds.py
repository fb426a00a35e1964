"""Refunds through WeChat Pay (v2, the sandbox): proposed by one committee member,
confirmed by a second, sent, settled once by WeChat Pay's notification or our query."""

from __future__ import annotations

import random

import pytest
import requests
from sqlalchemy import func, select

from server.clock import utcnow
from server.extensions import db
from server.models import (
    Approval,
    Bill,
    LedgerEntry,
    Notification,
    Payment,
    PaymentAnomaly,
    Refund,
)
from server.services.disclosures import figures
from server.services.money import fees, refund_sending
from server.wechat.sandbox.pay import SandboxRefund
from server.wechat.sandbox.pay_refunds import refund_notification
from tests.factories import build_world, make_bill, make_payment, self_governance_fee
from tests.helpers import statements
from tests.steps import paid_all_bills
from tests.timing import month

REFUND_NOTIFY = "/api/v1/payments/wechat/refund-notify/default"


@pytest.fixture
def world(db_session):
    world = build_world("aa")
    self_governance_fee(world.compound)
    db.session.flush()
    fees.generate_bills("2026-11", "aa")
    fees.generate_bills("2026-12", "aa")
    return world


def paid(client, sandbox, world) -> dict:
    """1-1-101 pays its two bills (2 × 25.33 元) with WeChat Pay; the payment as created."""
    return paid_all_bills(client, sandbox, world)


def propose(client, world, payment_id, amount_fen, who="committee", **extra):
    return client.post(
        "/api/v1/compounds/aa/refunds",
        json={"payment_id": payment_id, "amount_fen": amount_fen, "reason": "多缴退还", **extra},
        headers=world.fresh_headers(who),
    )


def decide(client, world, change_id, verb="confirm", who="committee_2"):
    body = {"reason": "金额不对"} if verb == "reject" else {}
    return client.post(
        f"/api/v1/compounds/aa/pending-changes/{change_id}/{verb}",
        json=body,
        headers=world.fresh_headers(who),
    )


def refund_of(client, world, refund_id, who="committee"):
    response = client.get(
        f"/api/v1/compounds/aa/refunds/{refund_id}", headers=world.fresh_headers(who)
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def settle_at_wechat(sandbox, out_refund_no, status="SUCCESS"):
    reply = requests.post(
        sandbox.url + "sandbox/pay/refunds/settle",
        json={"out_refund_no": out_refund_no, "status": status, "notify": False},
        timeout=5,
    )
    assert reply.status_code == 200, reply.text
    return sandbox.pay.refunds[out_refund_no]


def refund_notify(client, sandbox, number, **changes):
    body = refund_notification(sandbox.pay, sandbox.pay.refunds[number], **changes)
    return client.post(REFUND_NOTIFY, data=body, content_type="text/xml")


def at_wechat(sandbox, payment) -> list:
    """The refunds WeChat Pay holds of a payment's order."""
    number = payment["out_trade_no"]
    return [r for r in sandbox.pay.refunds.values() if r.out_trade_no == number]


def ledger_lines(world):
    return db.session.execute(
        select(LedgerEntry.account, LedgerEntry.direction, LedgerEntry.amount_fen, LedgerEntry.memo)
        .where(LedgerEntry.compound_id == world.compound.id)
        .order_by(LedgerEntry.seq)
    ).all()


def confirmed_refund(client, sandbox, world, amount_fen=3000, **extra) -> tuple[dict, dict]:
    """A paid order and a refund of it proposed and confirmed (sent at once)."""
    payment = paid(client, sandbox, world)
    proposed = propose(client, world, payment["payment_id"], amount_fen, **extra)
    assert proposed.status_code == 201, proposed.get_json()
    confirmed = decide(client, world, proposed.get_json()["pending_change_id"])
    assert confirmed.status_code == 200, confirmed.get_json()
    return payment, refund_of(client, world, proposed.get_json()["id"])


def test_a_partial_refund_is_proposed_confirmed_sent_and_settled_once(client, sandbox, world):
    payment = paid(client, sandbox, world)
    refundable = client.get(
        f"/api/v1/compounds/aa/payments/{payment['payment_id']}/refundable",
        headers=world.fresh_headers("supervisor"),
    ).get_json()
    assert refundable == {
        "payment_id": payment["payment_id"],
        "out_trade_no": payment["out_trade_no"],
        "household": "1-1-101",
        "paid_fen": 5066,
        "refunded_fen": 0,
        "in_flight_fen": 0,
        "refundable_fen": 5066,
        "merchant_version": "v2",
    }
    proposed = propose(client, world, payment["payment_id"], 3000)
    assert proposed.status_code == 201, proposed.get_json()
    refund = proposed.get_json()
    assert (refund["status"], refund["household"], refund["amount_fen"]) == (
        "proposed",
        "1-1-101",
        3000,
    )
    assert refund["pending_change_id"]
    assert refund["confirmed_by"] is None
    assert "openid" not in str(refund)
    # The proposer cannot confirm their own; nothing was sent meanwhile.
    same = decide(client, world, refund["pending_change_id"], who="committee")
    assert (same.status_code, same.get_json()["code"]) == (403, "same_person")
    assert at_wechat(sandbox, payment) == []
    changes = client.get(
        "/api/v1/compounds/aa/pending-changes", headers=world.fresh_headers("committee_2")
    ).get_json()["items"]
    assert [(c["kind"], c["id"]) for c in changes] == [
        ("wechat_refund", refund["pending_change_id"])
    ]

    assert decide(client, world, refund["pending_change_id"]).status_code == 200
    sent = refund_of(client, world, refund["id"])
    assert (sent["status"], sent["pending_change_id"], sent["sent_at"] is not None) == (
        "processing",
        None,
        True,
    )
    assert sent["confirmed_by"] not in (None, sent["proposed_by"])
    (sent_there,) = at_wechat(sandbox, payment)
    assert (sent_there.refund_fen, sent_there.total_fen) == (3000, 5066)
    assert sent_there.notify_url.endswith(REFUND_NOTIFY)
    assert ledger_lines(world)[-1][1] == "credit"  # confirming moved no money

    settle_at_wechat(sandbox, sent_there.out_refund_no)
    for _ in range(5):  # WeChat Pay repeats itself
        answer = refund_notify(client, sandbox, sent_there.out_refund_no)
        assert b"SUCCESS" in answer.data
    done = refund_of(client, world, refund["id"])
    assert (done["status"], done["received_by"]) == ("success", "支付用户的零钱")
    debits = [line for line in ledger_lines(world) if line[1] == "debit"]
    how = f"微信退款，订单 {payment['out_trade_no']}，退款单 {sent_there.out_refund_no}"
    assert debits == [
        ("fee:self_governance", "debit", 1500, f"1-1-101 2026年11月 自治管理费，{how}"),
        ("fee:self_governance", "debit", 1500, f"1-1-101 2026年12月 自治管理费，{how}"),
    ]
    mine = client.get(
        f"/api/v1/payments/{payment['payment_id']}", headers=world.fresh_headers("resident_1_1")
    ).get_json()
    assert mine["refunded_fen"] == 3000
    assert [(r["amount_fen"], r["status"], r["received_by"]) for r in mine["refunds"]] == [
        (3000, "success", "支付用户的零钱")
    ]
    listed = client.get("/api/v1/payments", headers=world.fresh_headers("resident_1_1"))
    assert listed.get_json()["items"][0]["refunded_fen"] == 3000
    titles = db.session.scalars(
        select(Notification.title)
        .where(Notification.user_id == world.people["resident_1_1"].id)
        .order_by(Notification.id)
    ).all()
    assert titles[-2:] == ["30.00 元退款已提交", "30.00 元已退回"]
    body = db.session.scalars(
        select(Notification.body).where(Notification.title == "30.00 元已退回")
    ).one()
    assert body.startswith("30.00 元已退回您的微信零钱")
    # The bills stay paid: only part of the payment came back.
    assert set(db.session.scalars(select(Bill.status))) >= {"paid"}


def test_more_than_is_left_is_refused_counting_refunds_in_flight(client, sandbox, world):
    payment = paid(client, sandbox, world)
    first = propose(client, world, payment["payment_id"], 4000)
    assert first.status_code == 201
    second = propose(client, world, payment["payment_id"], 1067)
    assert (second.status_code, second.get_json()["code"]) == (400, "refund_exceeds_refundable")
    assert propose(client, world, payment["payment_id"], 1066).status_code == 201
    refundable = client.get(
        f"/api/v1/compounds/aa/payments/{payment['payment_id']}/refundable",
        headers=world.fresh_headers("committee"),
    ).get_json()
    assert (refundable["in_flight_fen"], refundable["refundable_fen"]) == (5066, 0)
    # Rejecting one frees what it held.
    assert decide(client, world, first.get_json()["pending_change_id"], "reject").status_code == 200
    assert refund_of(client, world, first.get_json()["id"])["status"] == "rejected"
    assert propose(client, world, payment["payment_id"], 4000).status_code == 201
    assert at_wechat(sandbox, payment) == []


def test_who_may_propose_and_what(client, sandbox, world):
    payment = paid(client, sandbox, world)
    for who in ("supervisor", "resident_1_1", "liaison_1_1"):
        response = propose(client, world, payment["payment_id"], 100, who=who)
        assert response.status_code in (403, 404), who
    assert propose(client, world, 10**12, 100).get_json()["code"] in (
        "payment_not_found",
        "validation_error",
    )
    assert propose(client, world, 999999, 100).get_json()["code"] == "payment_not_found"
    anomaly = propose(client, world, payment["payment_id"], 100, anomaly_id=999999)
    assert anomaly.get_json()["code"] == "anomaly_not_found"
    for bad in ({"amount_fen": 0}, {"amount_fen": "1"}, {"reason": ""}, {"reason": "长" * 201}):
        body = {"payment_id": payment["payment_id"], "amount_fen": 100, "reason": "x", **bad}
        response = client.post(
            "/api/v1/compounds/aa/refunds", json=body, headers=world.fresh_headers("committee")
        )
        assert response.status_code == 400, bad
    db.session.execute(
        Payment.__table__.update()
        .where(Payment.id == payment["payment_id"])
        .values(status="closed")
    )
    closed = propose(client, world, payment["payment_id"], 100)
    assert (closed.status_code, closed.get_json()["code"]) == (409, "payment_not_refundable")


def test_a_refusal_fails_the_refund_and_tells_the_committee(client, sandbox, world):
    payment = paid(client, sandbox, world)
    proposed = propose(client, world, payment["payment_id"], 5066).get_json()
    # Meanwhile 1 元 was refunded at WeChat Pay directly: less is left there than asked.
    outside = SandboxRefund("RFoutside", payment["out_trade_no"], 100, 5066, "50300")
    sandbox.pay.refunds[outside.out_refund_no] = outside
    assert decide(client, world, proposed["pending_change_id"]).status_code == 200
    failed = refund_of(client, world, proposed["id"])
    assert failed["status"] == "failed"
    assert "NOTENOUGH" in failed["error"]
    committee = db.session.scalars(
        select(Notification.title).where(Notification.user_id == world.people["committee"].id)
    ).all()
    assert "退款未完成：1-1-101 50.66 元" in committee
    assert not [line for line in ledger_lines(world) if line[1] == "debit"]


def test_wechat_away_keeps_it_confirmed_and_the_job_sends_it_once(client, sandbox, world):
    sandbox.fault("secapi/pay/refund", "status", 502, times=1)
    payment, refund = confirmed_refund(client, sandbox, world)
    assert refund["status"] == "confirmed"
    assert at_wechat(sandbox, payment) == []
    assert refund_sending.send_due().sent == {sandbox_number(refund): "sent"}
    assert refund_sending.send_due().sent == {}
    assert len(at_wechat(sandbox, payment)) == 1
    assert refund_of(client, world, refund["id"])["status"] == "processing"


def sandbox_number(refund_view) -> str:
    return db.session.get(Refund, refund_view["id"]).out_refund_no


def test_the_job_queries_and_settles_once_shuffled_with_notifications(client, sandbox, world):
    _, refund = confirmed_refund(client, sandbox, world, amount_fen=5066)
    number = sandbox_number(refund)
    settle_at_wechat(sandbox, number)
    row = db.session.get(Refund, refund["id"])
    row.sent_at = row.sent_at.replace(year=row.sent_at.year - 1)  # long processing
    db.session.flush()
    steps = ["notify"] * 5 + ["job"] * 3
    random.Random(16).shuffle(steps)  # a fixed order: a failure is run again as it was
    for step in steps:
        if step == "notify":
            assert b"SUCCESS" in refund_notify(client, sandbox, number).data
        else:
            refund_sending.send_due()
    debits = [line for line in ledger_lines(world) if line[1] == "debit"]
    assert sum(line[2] for line in debits) == 5066
    assert len(debits) == 2
    # Refunded whole: the household owes its bills again, and is told so.
    assert set(
        db.session.scalars(
            select(Bill.status).where(Bill.household_id == world.household("1-1-101").id)
        )
    ) == {"unpaid"}
    body = db.session.scalars(
        select(Notification.body).where(Notification.title == "50.66 元已退回")
    ).one()
    assert "相应账单恢复为待缴" in body


@pytest.mark.parametrize("status", ["CLOSED", "ABNORMAL"])
def test_closed_or_abnormal_moves_nothing_and_raises_an_anomaly(client, sandbox, world, status):
    payment, refund = confirmed_refund(client, sandbox, world)
    number = sandbox_number(refund)
    settle_at_wechat(sandbox, number, status)
    for _ in range(2):
        assert b"SUCCESS" in refund_notify(client, sandbox, number).data
    assert refund_of(client, world, refund["id"])["status"] == status.lower()
    assert not [line for line in ledger_lines(world) if line[1] == "debit"]
    (anomaly,) = db.session.scalars(
        select(PaymentAnomaly).where(PaymentAnomaly.kind == "refund_abnormal")
    ).all()
    assert anomaly.details["out_refund_no"] == number
    assert db.session.get(Payment, payment["payment_id"]).refunded_fen == 0


def test_forged_or_foreign_refund_notifications_settle_nothing(client, sandbox, world):
    _, refund = confirmed_refund(client, sandbox, world)
    number = sandbox_number(refund)
    settle_at_wechat(sandbox, number)
    good = refund_notification(sandbox.pay, sandbox.pay.refunds[number])
    forged = [
        good.replace(b"<req_info>", b"<req_info>AAAA"),
        b"<xml><return_code>SUCCESS</return_code></xml>",
        b"not xml",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><xml>&a;</xml>',
    ]
    for body in forged:
        answer = client.post(REFUND_NOTIFY, data=body, content_type="text/xml")
        assert b"FAIL" in answer.data
    for changes in ({"refund_fee": 2999}, {"out_refund_no": "RFnone"}, {"out_trade_no": "LLx"}):
        assert b"FAIL" in refund_notify(client, sandbox, number, **changes).data
    assert refund_of(client, world, refund["id"])["status"] == "processing"
    assert not [line for line in ledger_lines(world) if line[1] == "debit"]


def test_the_list_filters_and_stays_in_its_compound(client, sandbox, world):
    _, refund = confirmed_refund(client, sandbox, world)
    listed = client.get(
        "/api/v1/compounds/aa/refunds?status=processing", headers=world.fresh_headers("supervisor")
    ).get_json()["items"]
    assert [r["id"] for r in listed] == [refund["id"]]
    none = client.get(
        "/api/v1/compounds/aa/refunds?status=success", headers=world.fresh_headers("committee")
    ).get_json()["items"]
    assert none == []
    outsider = client.get("/api/v1/compounds/aa/refunds", headers=world.fresh_headers("outsider"))
    assert outsider.status_code == 404
    resident = client.get(
        "/api/v1/compounds/aa/refunds", headers=world.fresh_headers("resident_1_1")
    )
    assert resident.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Approval)) == 1


def test_an_archived_compound_refunds_nothing(client, sandbox, world):
    payment, refund = confirmed_refund(client, sandbox, world, amount_fen=1000)
    world.compound.archived_at = world.compound.created_at
    db.session.flush()
    again = propose(client, world, payment["payment_id"], 1000)
    assert again.get_json() == {"code": "compound_archived", "message": "本小区已归档，只能查看"}
    assert again.status_code == 409
    # What was confirmed before still ends as WeChat Pay says, and can be read.
    number = sandbox_number(refund)
    settle_at_wechat(sandbox, number)
    assert b"SUCCESS" in refund_notify(client, sandbox, number).data
    assert refund_of(client, world, refund["id"], who="supervisor")["status"] == "success"


def test_production_refuses_v2_refunds_without_the_merchant_certificate(
    client, sandbox, world, app, monkeypatch
):
    payment = paid(client, sandbox, world)
    monkeypatch.setitem(app.config, "LINLI_ENV", "production")
    refused = propose(client, world, payment["payment_id"], 100)
    assert (refused.status_code, refused.get_json()["code"]) == (503, "refund_not_configured")
    assert "证书" in refused.get_json()["message"]
    merchants = {**app.config["WECHAT_PAY_MERCHANTS"]}
    merchants["default"] = {**merchants["default"], "cert_file": "c.pem", "key_file": "k.pem"}
    monkeypatch.setitem(app.config, "WECHAT_PAY_MERCHANTS", merchants)
    assert propose(client, world, payment["payment_id"], 100).status_code == 201


def test_without_an_anomaly_only_the_fees_the_payment_settled_come_back(client, sandbox, world):
    payment = paid(client, sandbox, world)
    # December's bill counts as paid another way: its share of the order was the refund
    # suspense account's (an anomaly's to refund), not a fee to take back.
    december = db.session.scalars(select(Bill).where(Bill.period == "2026-12")).first()
    december.held_by = "offline:1"
    db.session.flush()
    refundable = client.get(
        f"/api/v1/compounds/aa/payments/{payment['payment_id']}/refundable",
        headers=world.fresh_headers("committee"),
    ).get_json()
    assert (refundable["paid_fen"], refundable["refundable_fen"]) == (5066, 2533)
    too_much = propose(client, world, payment["payment_id"], 2534)
    assert too_much.get_json()["code"] == "refund_exceeds_refundable"
    proposed = propose(client, world, payment["payment_id"], 2533).get_json()
    assert decide(client, world, proposed["pending_change_id"]).status_code == 200
    number = sandbox_number(proposed)
    settle_at_wechat(sandbox, number)
    assert b"SUCCESS" in refund_notify(client, sandbox, number).data
    debits = [line[2:] for line in ledger_lines(world) if line[1] == "debit"]
    how = f"微信退款，订单 {payment['out_trade_no']}，退款单 {number}"
    assert debits == [(2533, f"1-1-101 2026年11月 自治管理费，{how}")]


def test_a_notification_naming_another_refunds_wechat_id_settles_nothing(client, sandbox, world):
    """WeChat Pay's own refund id names one refund: a notification of ours whose id is
    another refund's (or not the one WeChat Pay gave us when it took it) is refused, not
    settled on the wrong refund, and never a 500 for WeChat Pay to retry forever."""
    payment = paid(client, sandbox, world)
    refunds = []
    for amount in (2000, 1000):
        proposed = propose(client, world, payment["payment_id"], amount)
        assert decide(client, world, proposed.get_json()["pending_change_id"]).status_code == 200
        refunds.append(db.session.get(Refund, proposed.get_json()["id"]))
    first, second = refunds
    assert None not in (first.refund_id, second.refund_id)
    assert first.refund_id != second.refund_id
    settle_at_wechat(sandbox, first.out_refund_no)
    theirs = second.refund_id
    assert b"FAIL" in refund_notify(client, sandbox, first.out_refund_no, refund_id=theirs).data
    first.refund_id = None  # sent, WeChat Pay's answer lost: its id not known yet
    db.session.commit()
    answer = refund_notify(client, sandbox, first.out_refund_no, refund_id=theirs)
    assert answer.status_code == 200
    assert b"FAIL" in answer.data
    assert refund_of(client, world, first.id)["status"] == "processing"
    assert not [line for line in ledger_lines(world) if line[1] == "debit"]
    assert b"SUCCESS" in refund_notify(client, sandbox, first.out_refund_no).data
    assert refund_of(client, world, first.id)["status"] == "success"
    assert sum(line[2] for line in ledger_lines(world) if line[1] == "debit") == 2000


def _paid_with_refunds(world, count: int, start: int) -> None:
    """`count` more paid orders of 1-1-101, each with a refund sent (as the factories
    leave them: the services are not under test)."""
    for back in range(start, start + count):
        bill = make_bill(world, "1-1-101", month(-back - 2))
        payment = make_payment(
            world, [bill], "paid", paid_at=utcnow(), transaction_id=f"42{back:020d}"
        )
        db.session.add(
            Refund(
                compound_id=world.compound.id,
                payment_id=payment.id,
                out_refund_no=f"RF-LIST-{back}",
                amount_fen=100,
                reason="多缴退还",
                status="processing",
                proposed_by_id=world.people["committee"].id,
                confirmed_by_id=world.people["committee_2"].id,
            )
        )
    db.session.commit()


@pytest.mark.parametrize(
    ("who", "url"),
    [("resident_1_1", "/api/v1/payments"), ("committee", "/api/v1/compounds/aa/refunds")],
)
def test_payment_and_refund_lists_take_the_same_statements_however_long(client, world, who, url):
    """The payer's 缴费记录 (each payment with its refunds) and the committee's 退款记录
    (each refund with its flat) read in a fixed number of statements, not one more per
    row: a district's lists stay quick."""
    headers = world.fresh_headers(who)
    _paid_with_refunds(world, 2, 0)

    def counted() -> int:
        seen = statements(lambda: client.get(url, headers=headers))
        assert client.get(url, headers=headers).status_code == 200
        return len(seen)

    few = counted()
    _paid_with_refunds(world, 6, 2)
    assert counted() <= few


def test_each_refund_of_a_payment_ending_badly_is_its_own_anomaly(client, sandbox, world):
    """Two refunds of one payment both closed by WeChat Pay: the committee finds both
    in its anomalies (each with its refund number and amount), not only the first."""
    payment = paid(client, sandbox, world)
    numbers = []
    for amount in (2000, 1000):
        proposed = propose(client, world, payment["payment_id"], amount)
        assert decide(client, world, proposed.get_json()["pending_change_id"]).status_code == 200
        numbers.append(db.session.get(Refund, proposed.get_json()["id"]).out_refund_no)
    for number in numbers:
        settle_at_wechat(sandbox, number, "CLOSED")
        for _ in range(2):
            assert b"SUCCESS" in refund_notify(client, sandbox, number).data
    found = db.session.scalars(
        select(PaymentAnomaly)
        .where(PaymentAnomaly.kind == "refund_abnormal")
        .order_by(PaymentAnomaly.id)
    ).all()
    assert [(a.details["out_refund_no"], a.details["amount_fen"]) for a in found] == [
        (numbers[0], 2000),
        (numbers[1], 1000),
    ]


def test_the_public_disclosure_counts_wechat_refunds_without_naming_the_household(
    client, sandbox, world
):
    """The monthly disclosure every resident reads shows refunds through WeChat Pay as
    one counted line per fund (微信支付退款, how many), never a line per refund with the
    household's flat, order and reason."""
    _, refund = confirmed_refund(client, sandbox, world, amount_fen=3000)
    number = sandbox_number(refund)
    settle_at_wechat(sandbox, number)
    assert b"SUCCESS" in refund_notify(client, sandbox, number).data
    head = db.session.scalar(
        select(func.max(LedgerEntry.seq)).where(LedgerEntry.compound_id == world.compound.id)
    )
    shown = figures.compute(world.compound.id, month(0), head)["funds"]
    refunds = [
        (fund["name"], line["title"], line["amount_fen"], line.get("count"))
        for fund in shown
        for line in fund["expenses"]
        if line["kind"] == "wechat_refund"
    ]
    assert refunds == [("自治管理费", "微信支付退款", 3000, 1)]  # one refund, 2 bills
    text = repr(shown)
    assert "1-1-101" not in text
    assert number not in text
    assert "多缴退还" not in text
