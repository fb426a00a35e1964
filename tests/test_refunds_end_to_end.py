"""Refunds end to end, as `make run` shows them: a resident pays through the WeChat
sandbox, two committee members refund part of it over HTTP, and WeChat Pay's refund
notification — repeated, shuffled with the query job — moves the ledger once."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
from freezegun import freeze_time
from sqlalchemy import select, update

from server import create_app
from server.clock import utcnow
from server.config_pay import SANDBOX_V3_MERCHANT
from server.extensions import db
from server.models import Compound, LedgerEntry, Refund
from server.services.money import refund_sending
from server.services.platform import demo
from server.wechat.sandbox.pay_refunds import refund_notification
from tests.conftest import app_env, served_app


@pytest.fixture
def running(database_url, sandbox, committed_db):
    """The service over HTTP, with PUBLIC_BASE_URL pointing at itself (notify URLs)."""
    with served_app(database_url, sandbox) as (url, app):
        app.config["PUBLIC_BASE_URL"] = url.rstrip("/")
        demo.load()
        db.session.commit()
        yield {"app": app, "url": url}


def login(url, openid):
    reply = requests.post(url + "api/v1/auth/login", json={"code": f"demo-{openid}"}, timeout=10)
    return {"Authorization": f"Bearer {reply.json()['token']}"}


# (the merchant's name, the sandbox's pay control, its settle control)
MERCHANTS = {
    "v2": ("default", "sandbox/pay", "sandbox/pay/refunds/settle"),
    "v3": (SANDBOX_V3_MERCHANT, "sandbox/pay/v3/pay", "sandbox/pay/v3/refunds/settle"),
}


def paid_over_http(sandbox, running, version) -> tuple[dict, dict]:
    """1-1-101 pays its December bill through the sandbox, notified over HTTP."""
    if version == "v3":
        db.session.scalars(select(Compound)).one().pay_merchant = SANDBOX_V3_MERCHANT
        db.session.commit()
    cli = running["app"].test_cli_runner()
    cli.invoke(args=["bills", "generate", "--period", "2026-12", "--compound", "demo"])
    url, resident = running["url"], login(running["url"], "resident-1-1-101")
    (bill,) = requests.get(url + "api/v1/bills", headers=resident, timeout=10).json()["items"]
    created = requests.post(
        url + "api/v1/payments", json={"bill_ids": [bill["id"]]}, headers=resident, timeout=10
    ).json()
    paid = requests.post(
        sandbox.url + MERCHANTS[version][1],
        json={"out_trade_no": created["out_trade_no"]},
        timeout=10,
    ).json()
    assert paid["notified"], paid
    assert "FAIL" not in paid["backend_replied"], paid
    status = requests.get(
        running["url"] + f"api/v1/payments/{created['payment_id']}", headers=resident, timeout=10
    )
    assert status.json()["status"] == "paid"
    return created, resident


def notify_refund(sandbox, there, version):
    """WeChat Pay's refund notification, as the merchant's version sends it."""
    if version == "v3":
        headers, body = sandbox.pay_v3.refund_notification(there)
    else:
        headers, body = {"Content-Type": "text/xml"}, refund_notification(sandbox.pay, there)
    return requests.post(there.notify_url, data=body, headers=headers, timeout=10)


def fee_debits() -> list[tuple[str, int]]:
    rows = db.session.execute(
        select(LedgerEntry.account, LedgerEntry.amount_fen).where(LedgerEntry.direction == "debit")
    ).all()
    db.session.commit()
    return [tuple(row) for row in rows]


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_a_partial_refund_over_http_moves_the_ledger_once(app, sandbox, running, version):
    merchant, _, settle = MERCHANTS[version]
    created, resident = paid_over_http(sandbox, running, version)
    url = running["url"]
    first, second = login(url, "committee-1"), login(url, "committee-2")
    refundable = requests.get(
        url + f"api/v1/compounds/demo/payments/{created['payment_id']}/refundable",
        headers=first,
        timeout=10,
    ).json()
    assert (refundable["refundable_fen"], refundable["merchant_version"]) == (2679, version)
    proposed = requests.post(
        url + "api/v1/compounds/demo/refunds",
        json={"payment_id": created["payment_id"], "amount_fen": 1000, "reason": "面积核减退费"},
        headers=first,
        timeout=10,
    )
    assert proposed.status_code == 201, proposed.text
    refund = proposed.json()
    change = f"api/v1/compounds/demo/pending-changes/{refund['pending_change_id']}/confirm"
    own = requests.post(url + change, json={}, headers=first, timeout=10)
    assert (own.status_code, own.json()["code"]) == (403, "same_person")
    assert requests.post(url + change, json={}, headers=second, timeout=10).status_code == 200
    sent = requests.get(
        url + f"api/v1/compounds/demo/refunds/{refund['id']}", headers=first, timeout=10
    ).json()
    assert sent["status"] == "processing"  # sent right after the confirmation
    held = sandbox.pay_v3 if version == "v3" else sandbox.pay
    there = held.refunds[db.session.get(Refund, refund["id"]).out_refund_no]
    db.session.commit()
    assert there.notify_url == url + f"api/v1/payments/wechat/refund-notify/{merchant}"
    assert fee_debits() == []

    # WeChat Pay ends it; its notification comes 5 times, shuffled with the job's query.
    ended = requests.post(
        sandbox.url + settle,
        json={"out_refund_no": there.out_refund_no, "status": "SUCCESS", "notify": False},
        timeout=10,
    )
    assert ended.status_code == 200
    steps = ["notify"] * 5 + ["job"] * 3
    random.Random(16).shuffle(steps)  # a fixed order: a failure is run again as it was
    for step in steps:
        if step == "notify":
            answer = notify_refund(sandbox, there, version)
            assert answer.status_code in (200, 204)
            assert "FAIL" not in answer.text
        else:
            with freeze_time(timedelta(minutes=5), tick=True):
                refund_sending.send_due()
    assert fee_debits() == [("fee:self_governance", 1000)]
    mine = requests.get(
        url + f"api/v1/payments/{created['payment_id']}", headers=resident, timeout=10
    ).json()
    assert mine["refunded_fen"] == 1000
    assert [(r["amount_fen"], r["status"]) for r in mine["refunds"]] == [(1000, "success")]
    inbox = requests.get(url + "api/v1/me/notifications", headers=resident, timeout=10)
    titles = [item["title"] for item in inbox.json()["items"]]
    assert titles[:2] == ["10.00 元已退回", "10.00 元退款已提交"]


def test_notifications_racing_the_query_job_settle_each_refund_once(
    app, sandbox, running, database_url
):
    """Two refunds of a payment, each notified 5 times at once over HTTP while two job
    processes ask WeChat Pay about them: each moves the ledger exactly once."""
    url = running["url"]
    first, second = login(url, "committee-1"), login(url, "committee-2")
    created, _resident = paid_over_http(sandbox, running, "v2")
    numbers = []
    for amount in (1000, 500):
        proposed = requests.post(
            url + "api/v1/compounds/demo/refunds",
            json={"payment_id": created["payment_id"], "amount_fen": amount, "reason": "退费"},
            headers=first,
            timeout=10,
        ).json()
        change = f"api/v1/compounds/demo/pending-changes/{proposed['pending_change_id']}/confirm"
        assert requests.post(url + change, json={}, headers=second, timeout=10).status_code == 200
        numbers.append(db.session.get(Refund, proposed["id"]).out_refund_no)
        db.session.commit()  # SQLite: a read transaction left open holds the others off
    db.session.execute(update(Refund).values(sent_at=utcnow() - timedelta(minutes=10)))
    db.session.commit()
    for number in numbers:
        ended = requests.post(
            sandbox.url + "sandbox/pay/refunds/settle",
            json={"out_refund_no": number, "notify": False},
            timeout=10,
        )
        assert ended.status_code == 200
    bodies = [refund_notification(sandbox.pay, sandbox.pay.refunds[n]) for n in numbers] * 5
    random.Random(16).shuffle(bodies)  # a fixed order: a failure is run again as it was
    jobs = [create_app(app_env(database_url, sandbox)) for _ in range(2)]

    def send(body: bytes) -> str:
        return requests.post(
            url + "api/v1/payments/wechat/refund-notify/default",
            data=body,
            headers={"Content-Type": "text/xml"},
            timeout=30,
        ).text

    def job_round(job_app):
        with job_app.app_context():
            try:
                return refund_sending.send_due().checked
            finally:
                db.session.remove()
                db.engine.dispose()

    with ThreadPoolExecutor(max_workers=8) as pool:
        rounds = [pool.submit(job_round, job_app) for job_app in jobs]
        replies = list(pool.map(send, bodies))
        [r.result() for r in rounds]
    assert all("SUCCESS" in reply for reply in replies)
    assert sorted(amount for _, amount in fee_debits()) == [500, 1000]
    statuses = db.session.scalars(select(Refund.status)).all()
    db.session.commit()
    assert statuses == ["success", "success"]


def test_two_members_proposing_at_once_never_promise_more_than_was_paid(app, sandbox, running):
    """Two committee members each propose giving back most of the same payment at the
    same moment (round after round): one proposal stands, the other is told what is
    left; rejecting the one that stood frees its amount again."""
    created, _ = paid_over_http(sandbox, running, "v2")
    url = running["url"]
    members = [login(url, "committee-1"), login(url, "committee-2")]
    refundable = f"api/v1/compounds/demo/payments/{created['payment_id']}/refundable"

    def propose(headers):
        return requests.post(
            url + "api/v1/compounds/demo/refunds",
            json={"payment_id": created["payment_id"], "amount_fen": 2000, "reason": "多缴退还"},
            headers=headers,
            timeout=20,
        )

    for _ in range(6):
        with ThreadPoolExecutor(max_workers=2) as pool:
            answers = list(pool.map(propose, members))
        codes = sorted(a.status_code for a in answers)
        assert codes == [201, 400], [a.text for a in answers]
        refused = next(a for a in answers if a.status_code == 400).json()
        assert refused["code"] == "refund_exceeds_refundable"
        assert "6.79 元" in refused["message"]
        stood = next(a for a in answers if a.status_code == 201).json()
        left = requests.get(url + refundable, headers=members[0], timeout=10).json()
        assert (left["in_flight_fen"], left["refundable_fen"]) == (2000, 679)
        proposer = 0 if answers[0].status_code == 201 else 1
        rejected = requests.post(
            url + f"api/v1/compounds/demo/pending-changes/{stood['pending_change_id']}/reject",
            json={"reason": "金额不对"},
            headers=members[1 - proposer],
            timeout=10,
        )
        assert rejected.status_code == 200, rejected.text
        left = requests.get(url + refundable, headers=members[0], timeout=10).json()
        assert (left["in_flight_fen"], left["refundable_fen"]) == (0, 2679)
