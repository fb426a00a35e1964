"""WeChat Pay API v3 end to end over HTTP on the sandbox, beside a v2 compound in the
same installation: the street office puts one compound on the sandbox's v3 merchant,
residents of both pay through POST /api/v1/payments, WeChat Pay (the sandbox) notifies,
and duplicate, forged and misdirected notifications credit nothing more.

(Meaningful on MariaDB too, where row locks decide the concurrent duplicates.)
"""

from __future__ import annotations

import base64
import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from sqlalchemy import func, select

from server.config_pay import SANDBOX_KEYS, SANDBOX_V3_MERCHANT
from server.extensions import db
from server.models import Bill, LedgerEntry, Payment, PaymentAnomaly
from server.services.money import fees, ledger
from tests.conftest import served_app
from tests.factories import add_person, build_world, self_governance_fee
from tests.timing import month

NOTIFY = "api/v1/payments/wechat/notify"
MONTHS = [month(-i) for i in range(1, 7)]
DUPLICATES = 10


@pytest.fixture
def running(database_url, sandbox, committed_db):
    """Two compounds in one app behind a real HTTP server: `pay-v2` on the default (v2)
    merchant, `pay-v3` put on the sandbox's v3 merchant by the street office over HTTP;
    six months of bills in each."""
    worlds = {"v2": build_world("pay-v2"), "v3": build_world("pay-v3")}
    add_person(worlds["v3"], "admin", "admin", None)
    for world in worlds.values():
        self_governance_fee(world.compound)
    db.session.commit()
    for world in worlds.values():
        for period in MONTHS:
            fees.generate_bills(period, world.compound.code)
    db.session.commit()
    with served_app(database_url, sandbox) as (url, app):
        app.config["PUBLIC_BASE_URL"] = url.rstrip("/")
        chosen = requests.patch(
            url + "api/v1/compounds/pay-v3",
            json={"pay_merchant": SANDBOX_V3_MERCHANT},
            headers=worlds["v3"].headers("admin"),
            timeout=10,
        )
        assert chosen.status_code == 200, chosen.text
        assert (chosen.json()["pay_merchant"], chosen.json()["pay_version"]) == (
            "sandbox-v3",
            "v3",
        )
        yield {"url": url, **worlds}


def bill_ids(world, label: str, *periods: str) -> list[int]:
    household = world.household(label).id
    ids = db.session.scalars(
        select(Bill.id).where(Bill.household_id == household, Bill.period.in_(periods))
    ).all()
    db.session.commit()
    assert len(ids) == len(periods)
    return list(ids)


def open_order(running, which: str, who: str, *periods: str) -> dict:
    world = running[which]
    label = {"resident_1_1": "1-1-101", "resident_1_2": "1-2-101"}[who]
    reply = requests.post(
        running["url"] + "api/v1/payments",
        json={"bill_ids": bill_ids(world, label, *periods)},
        headers=world.headers(who),
        timeout=10,
    )
    assert reply.status_code == 201, reply.text
    return reply.json()


def status_of(running, which: str, who: str, order: dict) -> str:
    reply = requests.get(
        running["url"] + f"api/v1/payments/{order['payment_id']}",
        headers=running[which].headers(who),
        timeout=10,
    )
    return reply.json()["status"]


def paid_at_sandbox_v3(sandbox, order: dict, *, notify: bool) -> dict:
    reply = requests.post(
        sandbox.url + "sandbox/pay/v3/pay",
        json={"out_trade_no": order["out_trade_no"], "notify": notify},
        timeout=10,
    )
    assert reply.status_code == 200, reply.text
    return reply.json()


def send(running, path: str, notification: tuple[dict, bytes]) -> requests.Response:
    headers, body = notification
    return requests.post(
        running["url"] + path,
        data=body,
        headers={**headers, "Content-Type": "application/json"},
        timeout=30,
    )


def credited(order: dict) -> tuple[str, int, list[str]]:
    """(the order's status, its ledger entries, its bills' statuses) as stored."""
    payment = db.session.get(Payment, order["payment_id"])
    entries = db.session.scalar(
        select(func.count())
        .select_from(LedgerEntry)
        .where(LedgerEntry.source_type == "payment", LedgerEntry.source_id == payment.id)
    )
    bills = db.session.scalars(
        select(Bill.status).where(Bill.held_by == f"payment:{payment.id}")
    ).all()
    result = (payment.status, entries, sorted(bills))
    db.session.commit()
    return result


def anomalies(order: dict) -> list[str]:
    kinds = db.session.scalars(
        select(PaymentAnomaly.kind).where(PaymentAnomaly.payment_id == order["payment_id"])
    ).all()
    db.session.commit()
    return sorted(kinds)


def test_a_v3_payment_is_signed_with_rsa_and_credited_once(sandbox, running):
    order = open_order(running, "v3", "resident_1_1", MONTHS[0], MONTHS[1])
    params = order["pay_params"]
    assert params["signType"] == "RSA"
    assert params["package"].startswith("prepay_id=")
    public_key = serialization.load_pem_public_key(
        (SANDBOX_KEYS / "merchant_public_key.pem").read_bytes()
    )
    message = "".join(f"{params[key]}\n" for key in ("appId", "timeStamp", "nonceStr", "package"))
    public_key.verify(  # raises InvalidSignature otherwise
        base64.b64decode(params["paySign"]), message.encode(), padding.PKCS1v15(), hashes.SHA256()
    )
    at_wechat = sandbox.pay_v3.orders[order["out_trade_no"]]
    assert at_wechat.notify_url == running["url"] + NOTIFY + "/sandbox-v3"
    payment = db.session.get(Payment, order["payment_id"])
    assert payment.merchant == "sandbox-v3"
    db.session.commit()

    answered = paid_at_sandbox_v3(sandbox, order, notify=True)
    assert answered["backend_status"] == 204, answered
    assert status_of(running, "v3", "resident_1_1", order) == "paid"
    assert credited(order) == ("paid", 2, ["paid", "paid"])

    # WeChat Pay sends it again, ten times at once: nothing more is credited.
    again = [sandbox.pay_v3.notification(at_wechat) for _ in range(DUPLICATES)]
    with ThreadPoolExecutor(max_workers=DUPLICATES) as pool:
        replies = list(pool.map(lambda n: send(running, NOTIFY + "/sandbox-v3", n), again))
    assert [r.status_code for r in replies] == [204] * DUPLICATES
    assert credited(order) == ("paid", 2, ["paid", "paid"])
    assert ledger.verify("pay-v3").ok
    db.session.commit()


def test_ten_shuffled_duplicates_sent_at_once_credit_a_v3_payment_exactly_once(sandbox, running):
    order = open_order(running, "v3", "resident_1_2", MONTHS[0])
    paid_at_sandbox_v3(sandbox, order, notify=False)
    at_wechat = sandbox.pay_v3.orders[order["out_trade_no"]]
    notifications = [sandbox.pay_v3.notification(at_wechat) for _ in range(DUPLICATES)]
    random.Random(15).shuffle(notifications)
    sessions: dict[int, requests.Session] = {}
    start = threading.Barrier(DUPLICATES)

    def deliver(notification) -> int:
        session = sessions.setdefault(threading.get_ident(), requests.Session())
        headers, body = notification
        start.wait(timeout=10)
        return session.post(
            running["url"] + NOTIFY + "/sandbox-v3",
            data=body,
            headers={**headers, "Content-Type": "application/json"},
            timeout=30,
        ).status_code

    with ThreadPoolExecutor(max_workers=DUPLICATES) as pool:
        statuses = list(pool.map(deliver, notifications))
    assert statuses == [204] * DUPLICATES
    assert credited(order) == ("paid", 1, ["paid"])
    assert anomalies(order) == []
    assert ledger.verify("pay-v3").ok
    db.session.commit()


FORGERIES = ["bad_signature", "wrong_serial", "stale", "future", "undecryptable"]


def test_forged_v3_notifications_credit_nothing_and_are_refused(sandbox, running):
    order = open_order(running, "v3", "resident_1_1", MONTHS[2])
    paid_at_sandbox_v3(sandbox, order, notify=False)
    at_wechat = sandbox.pay_v3.orders[order["out_trade_no"]]
    forged = [sandbox.pay_v3.notification(at_wechat, forge=kind) for kind in FORGERIES]
    forged += [
        sandbox.pay_v3.notification(at_wechat, mchid="1900000999"),
        sandbox.pay_v3.notification(at_wechat, appid="wx00000000000000ff"),
    ]
    for kind, notification in zip([*FORGERIES, "other mchid", "other appid"], forged, strict=True):
        reply = send(running, NOTIFY + "/sandbox-v3", notification)
        assert not 200 <= reply.status_code < 300, kind
        assert reply.json()["code"] == "FAIL", kind
    assert credited(order) == ("pending", 0, ["pending"])
    assert status_of(running, "v3", "resident_1_1", order) == "pending"

    # The genuine one, afterwards, is credited as usual.
    assert send(running, NOTIFY + "/sandbox-v3", sandbox.pay_v3.notification(at_wechat)).ok
    assert credited(order) == ("paid", 1, ["paid"])


@pytest.mark.parametrize("difference", [1, -1])
def test_a_v3_notification_one_fen_off_credits_nothing_and_is_one_anomaly(
    sandbox, running, difference
):
    order = open_order(running, "v3", "resident_1_2", MONTHS[3])
    paid_at_sandbox_v3(sandbox, order, notify=False)
    at_wechat = sandbox.pay_v3.orders[order["out_trade_no"]]
    off = sandbox.pay_v3.notification(at_wechat, amount=order["total_fen"] + difference)
    send(running, NOTIFY + "/sandbox-v3", off)
    assert credited(order) == ("pending", 0, ["pending"])
    assert anomalies(order) == ["amount_mismatch"]


def test_a_notification_at_the_other_versions_url_credits_nothing(sandbox, running):
    v3_order = open_order(running, "v3", "resident_1_1", MONTHS[4])
    paid_at_sandbox_v3(sandbox, v3_order, notify=False)
    v3_note = sandbox.pay_v3.notification(sandbox.pay_v3.orders[v3_order["out_trade_no"]])
    at_v2_url = send(running, NOTIFY, v3_note)
    assert b"SUCCESS" not in at_v2_url.content
    assert credited(v3_order) == ("pending", 0, ["pending"])

    v2_order = open_order(running, "v2", "resident_1_1", MONTHS[4])
    assert v2_order["pay_params"]["signType"] == "MD5"
    v2_at_wechat = sandbox.pay.orders[v2_order["out_trade_no"]]
    v2_at_wechat.state, v2_at_wechat.transaction_id = "SUCCESS", "4200" + "7" * 24
    v2_note = sandbox.pay.notification(v2_at_wechat)
    at_v3_url = requests.post(
        running["url"] + NOTIFY + "/sandbox-v3",
        data=v2_note,
        headers={"Content-Type": "text/xml"},
        timeout=10,
    )
    assert not at_v3_url.ok
    assert credited(v2_order) == ("pending", 0, ["pending"])

    # Each at its own URL is credited.
    assert send(running, NOTIFY + "/sandbox-v3", v3_note).status_code == 204
    own = requests.post(
        running["url"] + NOTIFY, data=v2_note, headers={"Content-Type": "text/xml"}, timeout=10
    )
    assert b"SUCCESS" in own.content
    assert credited(v3_order) == ("paid", 1, ["paid"])
    assert credited(v2_order) == ("paid", 1, ["paid"])


def test_the_v2_compound_pays_unchanged_in_the_same_run(sandbox, running):
    order = open_order(running, "v2", "resident_1_2", MONTHS[5], MONTHS[4])
    assert order["pay_params"]["signType"] == "MD5"
    assert sandbox.pay.orders[order["out_trade_no"]].notify_url == running["url"] + NOTIFY
    paid = requests.post(
        sandbox.url + "sandbox/pay", json={"out_trade_no": order["out_trade_no"]}, timeout=10
    ).json()
    assert "SUCCESS" in paid["backend_replied"]
    assert status_of(running, "v2", "resident_1_2", order) == "paid"
    assert credited(order) == ("paid", 2, ["paid", "paid"])
    payment = db.session.get(Payment, order["payment_id"])
    assert payment.merchant == "default"
    db.session.commit()
    assert ledger.verify("pay-v2").ok
    db.session.commit()


def test_with_v3_as_the_default_the_v2_merchant_is_still_notified_at_the_old_url(
    database_url, sandbox, committed_db
):
    """WECHAT_PAY_DEFAULT_MERCHANT names the v3 merchant; a compound the street office
    keeps on the v2 merchant "default" is notified at the old URL, which is that
    merchant's, not the default's."""
    world = build_world("pay-old")
    add_person(world, "admin", "admin", None)
    self_governance_fee(world.compound)
    db.session.commit()
    fees.generate_bills(MONTHS[0], "pay-old")
    db.session.commit()
    with served_app(database_url, sandbox, WECHAT_PAY_DEFAULT_MERCHANT="sandbox-v3") as (url, app):
        app.config["PUBLIC_BASE_URL"] = url.rstrip("/")
        running = {"url": url, "v2": world}
        kept = requests.patch(
            url + "api/v1/compounds/pay-old",
            json={"pay_merchant": "default"},
            headers=world.headers("admin"),
            timeout=10,
        ).json()
        assert (kept["pay_merchant"], kept["pay_version"]) == ("default", "v2")
        order = open_order(running, "v2", "resident_1_1", MONTHS[0])
        assert order["pay_params"]["signType"] == "MD5"
        assert sandbox.pay.orders[order["out_trade_no"]].notify_url == url + NOTIFY
        paid = requests.post(
            sandbox.url + "sandbox/pay", json={"out_trade_no": order["out_trade_no"]}, timeout=10
        ).json()
        assert "SUCCESS" in paid["backend_replied"]
        assert credited(order) == ("paid", 1, ["paid"])
