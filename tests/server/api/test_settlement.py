"""Settling orders when things go wrong: an order paid after we closed it, a bill paid
two ways, amounts that differ, a transaction id used twice, WeChat Pay's PAYERROR,
a broken order in reconciliation, and the committee resolving what is left."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
import pytest
from freezegun import freeze_time
from sqlalchemy import select

from server.extensions import db
from server.models import (
    Notification,
    Payment,
    PaymentAnomaly,
    ReconciliationReport,
)
from server.services.money import fees, ledger, pending_orders, reconciliation
from server.wechat.pay import OrderState
from tests.factories import bill_of, build_world, make_bill, self_governance_fee
from tests.helpers import balance, ledger_entries
from tests.steps import (
    confirm_cash,
    decide,
    notify,
    open_payment,
    opened_payment,
    pay_at_wechat,
    record_cash,
    recorded_cash,
    resolve_anomaly,
    uploaded_id,
)


@pytest.fixture
def world(db_session):
    world = build_world("aa")
    self_governance_fee(world.compound)
    db.session.flush()
    fees.generate_bills("2026-12", "aa")
    return world


def anomalies(kind=None) -> list[PaymentAnomaly]:
    query = select(PaymentAnomaly).order_by(PaymentAnomaly.id)
    if kind:
        query = query.where(PaymentAnomaly.kind == kind)
    return list(db.session.scalars(query))


def expire_and_reconcile(minutes=31):
    with freeze_time(timedelta(minutes=minutes), tick=True):
        return pending_orders.reconcile(min_age=300)


def test_a_closed_order_paid_later_never_takes_a_bill_paid_in_cash(client, sandbox, world):
    bill = bill_of(world)
    payment = opened_payment(client, world, [bill.id])
    expire_and_reconcile()  # unpaid past its expiry: closed at WeChat and here
    assert db.session.get(Payment, payment.id).status == "closed"
    offline_id = recorded_cash(client, world, bill)  # the neighbour pays the liaison instead
    # ...but WeChat Pay took the money after all (a late payment, then its notification).
    order = pay_at_wechat(sandbox, payment.out_trade_no)
    assert b"SUCCESS" in notify(client, sandbox, order).data
    db.session.refresh(bill)
    assert (bill.status, bill.held_by) == ("pending", f"offline:{offline_id}")
    # The second committee member confirms the cash: the bill is paid once, by the cash.
    assert confirm_cash(client, world, offline_id, "committee_2").status_code == 200
    db.session.refresh(bill)
    assert (bill.status, bill.held_by) == ("paid", f"offline:{offline_id}")
    assert [e.amount_fen for e in ledger_entries("fee:self_governance")] == [2533]
    assert balance(ledger.REFUND_DUE) == 2533  # the online yuan are owed back
    (owed,) = ledger_entries(ledger.REFUND_DUE)
    assert owed.memo == (
        f"1-1-101 微信支付订单 {payment.out_trade_no}：账单已由其他方式缴清，待退款"
    )
    (double,) = anomalies()
    assert double.kind == "double_payment"
    assert double.details["bills"] == [bill.id]
    assert double.details["refund_due_fen"] == 2533
    assert db.session.get(Payment, payment.id).status == "paid"  # never closed and paid
    inbox = db.session.scalars(
        select(Notification).where(Notification.user_id == world.people["resident_1_1"].id)
    ).all()
    assert any("业委会将退还" in item.body for item in inbox)


def test_a_bill_held_by_a_second_order_is_paid_by_that_order_only(client, sandbox, world):
    bill = bill_of(world)
    first = opened_payment(client, world, [bill.id])
    expire_and_reconcile()
    second = opened_payment(client, world, [bill.id])
    assert second.id != first.id
    # Both end up paid at WeChat; the stale first order's notification arrives first.
    notify(client, sandbox, pay_at_wechat(sandbox, first.out_trade_no))
    notify(client, sandbox, pay_at_wechat(sandbox, second.out_trade_no))
    db.session.refresh(bill)
    assert (bill.status, bill.held_by) == ("paid", f"payment:{second.id}")
    assert [e.amount_fen for e in ledger_entries("fee:self_governance")] == [2533]
    assert balance(ledger.REFUND_DUE) == 2533
    assert sum(e.amount_fen for e in ledger_entries()) == first.total_fen + second.total_fen
    assert [a.payment_id for a in anomalies("double_payment")] == [first.id]


def test_a_notified_amount_that_differs_credits_nothing_once_and_reconciliation_decides(
    client, sandbox, world
):
    bill = bill_of(world)
    payment = opened_payment(client, world, [bill.id])
    order = pay_at_wechat(sandbox, payment.out_trade_no)
    for _ in range(3):
        answer = notify(client, sandbox, order, total_fee=order.total_fee + 1)
        assert b"SUCCESS" in answer.data  # acknowledged, not retried for ever
    assert [a.kind for a in anomalies()] == ["amount_mismatch"]  # one, however often
    assert db.session.get(Payment, payment.id).status == "pending"
    assert ledger_entries() == []
    # WeChat Pay's own answer is the real amount: reconciliation credits the order.
    result = expire_and_reconcile(minutes=6)
    assert result.credited == 1
    db.session.refresh(bill)
    assert bill.status == "paid"
    assert [e.amount_fen for e in ledger_entries()] == [2533]


def test_an_amount_confirmed_different_by_wechat_ends_disputed_and_frees_the_bill(
    client, sandbox, world
):
    bill = bill_of(world)
    payment = opened_payment(client, world, [bill.id])
    order = pay_at_wechat(sandbox, payment.out_trade_no)
    order.total_fee = payment.total_fen - 1  # what WeChat Pay says it took
    for _ in range(2):
        expire_and_reconcile(minutes=6)
    payment = db.session.get(Payment, payment.id)
    assert payment.status == "disputed"
    db.session.refresh(bill)
    assert (bill.status, bill.held_by) == ("unpaid", None)  # can be paid properly
    assert ledger_entries("fee:self_governance") == []
    assert balance(ledger.REFUND_DUE) == 2532
    (disputed,) = anomalies()
    assert (disputed.kind, disputed.details["refund_due_fen"]) == ("amount_disputed", 2532)
    status = client.get(f"/api/v1/payments/{payment.id}", headers=world.headers("resident_1_1"))
    assert status.get_json()["status"] == "disputed"
    # The resident pays again, correctly.
    again = opened_payment(client, world, [bill.id])
    notify(client, sandbox, pay_at_wechat(sandbox, again.out_trade_no))
    db.session.refresh(bill)
    assert bill.status == "paid"


def test_a_transaction_id_already_credited_to_another_order_is_refused_cleanly(
    client, sandbox, world
):
    mine = opened_payment(client, world, [bill_of(world).id])
    theirs = opened_payment(client, world, [bill_of(world, "1-2-101").id], who="resident_1_2")
    notify(client, sandbox, pay_at_wechat(sandbox, mine.out_trade_no, transaction_id="4200000001"))
    answer = notify(
        client, sandbox, pay_at_wechat(sandbox, theirs.out_trade_no, transaction_id="4200000001")
    )
    assert answer.status_code == 200
    assert b"SUCCESS" in answer.data
    assert db.session.get(Payment, theirs.id).status == "pending"
    assert [a.kind for a in anomalies()] == ["duplicate_transaction"]
    assert [e.amount_fen for e in ledger_entries()] == [2533]


@pytest.mark.parametrize("state", ["PAYERROR", "NOTPAY", "USERPAYING"])
def test_an_unpaid_order_is_closed_only_after_expiry_and_at_wechat_first(
    client, sandbox, world, state
):
    bill = bill_of(world)
    payment = opened_payment(client, world, [bill.id])
    sandbox.pay.orders[payment.out_trade_no].state = state
    assert expire_and_reconcile(minutes=6).closed == 0  # not expired: the resident may retry
    assert db.session.get(Payment, payment.id).status == "pending"
    result = expire_and_reconcile(minutes=31)
    order = sandbox.pay.orders[payment.out_trade_no]
    if state == "USERPAYING":  # entering a password: never closed under the resident
        assert result.closed == 0
        assert order.state == "USERPAYING"
        return
    assert result.closed == 1
    assert order.state == "CLOSED"  # closed at WeChat Pay, then here
    db.session.refresh(bill)
    assert (db.session.get(Payment, payment.id).status, bill.status) == ("closed", "unpaid")


def test_one_broken_order_does_not_stop_reconciliation(client, sandbox, world, monkeypatch):
    first = opened_payment(client, world, [bill_of(world).id])
    second = opened_payment(client, world, [bill_of(world, "1-2-101").id], who="resident_1_2")
    pay_at_wechat(sandbox, first.out_trade_no)
    pay_at_wechat(sandbox, second.out_trade_no)
    original = pending_orders.settlement.settle_paid

    def broken_for_first(payment, *args, **kwargs):
        if payment.id == first.id:
            raise ValueError("a bug in one order")
        return original(payment, *args, **kwargs)

    monkeypatch.setattr(pending_orders.settlement, "settle_paid", broken_for_first)
    result = expire_and_reconcile(minutes=6)
    assert (result.checked, result.credited) == (2, 1)
    assert f"payment {first.id}: could not be reconciled" in result.differences
    assert db.session.get(Payment, second.id).status == "paid"


def test_bills_that_add_up_to_nothing_are_not_paid_online(client, world):
    bill = make_bill(world, "1-1-101", "2026-11", amount_fen=0)
    response = open_payment(client, world, [bill.id])
    assert response.status_code == 400
    assert response.get_json()["code"] == "nothing_to_pay"


def test_a_receipt_photo_backs_one_offline_payment_only(client, world, photo_storage):
    upload_id = uploaded_id(client, world, who="liaison_1_1")  # a real JPEG
    for room, expected in (("1-1-101", 201), ("1-1-102", 400)):
        response = record_cash(client, world, bill_of(world, room), receipt_photo=upload_id)
        assert response.status_code == expected, response.get_json()
    assert response.get_json()["code"] == "receipt_used"


# ----- the committee resolves anomalies -----


@pytest.fixture
def double_paid(client, sandbox, world):
    """A bill paid in cash and, after its order was closed, through WeChat Pay too."""
    bill = bill_of(world)
    payment = opened_payment(client, world, [bill.id])
    expire_and_reconcile()
    offline_id = recorded_cash(client, world, bill)
    assert confirm_cash(client, world, offline_id, "committee_2").status_code == 200
    notify(client, sandbox, pay_at_wechat(sandbox, payment.out_trade_no))
    (anomaly,) = anomalies()
    return anomaly


def confirm_refund(client, world, resolved, who="committee_2"):
    """A second committee member confirms the refund a resolve recorded (202)."""
    assert resolved.status_code == 202, resolved.get_json()
    return decide(client, world, resolved.get_json()["pending_refund"]["id"], who)


def test_a_closed_order_whose_payment_news_never_came_is_settled_by_the_daily_report(
    client, sandbox, world
):
    bill = bill_of(world)
    payment = opened_payment(client, world, [bill.id])
    expire_and_reconcile()
    pay_at_wechat(sandbox, payment.out_trade_no)  # WeChat Pay took it after all; no notification
    with freeze_time(timedelta(days=1), tick=True):
        (report,) = reconciliation.daily_report()
    assert "已补记入账" in report.differences
    db.session.refresh(bill)
    assert (db.session.get(Payment, payment.id).status, bill.status) == ("paid", "paid")
    assert [e.amount_fen for e in ledger_entries("fee:self_governance")] == [2533]


def test_a_closed_order_notified_with_another_amount_books_what_arrived(client, sandbox, world):
    payment = opened_payment(client, world, [bill_of(world).id])
    expire_and_reconcile()
    order = pay_at_wechat(sandbox, payment.out_trade_no)
    notify(client, sandbox, order, total_fee=2000)
    assert db.session.get(Payment, payment.id).status == "disputed"
    assert balance(ledger.REFUND_DUE) == 2000
    (disputed,) = anomalies()
    assert (disputed.kind, disputed.details["refund_due_fen"]) == ("amount_disputed", 2000)


def test_an_order_stuck_on_another_orders_transaction_frees_its_bill_after_expiry(
    client, sandbox, world
):
    mine = opened_payment(client, world, [bill_of(world).id])
    their_bill = bill_of(world, "1-2-101")
    theirs = opened_payment(client, world, [their_bill.id], who="resident_1_2")
    notify(client, sandbox, pay_at_wechat(sandbox, mine.out_trade_no, transaction_id="4200000001"))
    pay_at_wechat(sandbox, theirs.out_trade_no, transaction_id="4200000001")
    expire_and_reconcile(minutes=6)
    assert db.session.get(Payment, theirs.id).status == "pending"  # not expired yet
    expire_and_reconcile(minutes=31)
    db.session.refresh(their_bill)
    assert (db.session.get(Payment, theirs.id).status, their_bill.status) == (
        "disputed",
        "unpaid",
    )
    assert [a.kind for a in anomalies()] == ["duplicate_transaction"]
    assert balance(ledger.REFUND_DUE) == 0  # the money, if any, is the other order's


def test_the_export_says_how_each_bill_was_really_paid(client, sandbox, world, double_paid):
    theirs = opened_payment(client, world, [bill_of(world, "1-2-101").id], who="resident_1_2")
    notify(client, sandbox, pay_at_wechat(sandbox, theirs.out_trade_no))
    response = client.get(
        "/api/v1/fees/export.xlsx?compound=aa&period=2026-12", headers=world.headers("committee")
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data))["账单"]
    how = {row[1]: row[7] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert how["1-1-101"] == "现金"  # paid in cash; the late WeChat money is to refund
    assert how["1-2-101"] == "微信支付"


def test_a_refund_can_come_in_parts_and_the_anomaly_stays_open_until_all_is_back(
    client, world, double_paid
):
    nothing = resolve_anomaly(client, world, double_paid.id, refunded_fen=0)
    assert (nothing.status_code, nothing.get_json()["code"]) == (400, "refund_required")
    first = resolve_anomaly(
        client, world, double_paid.id, refunded_fen=1000, resolution="先退 10 元"
    )
    assert confirm_refund(client, world, first).status_code == 200
    listed = client.get(
        "/api/v1/compounds/aa/payment-anomalies", headers=world.headers("committee")
    ).get_json()["items"]
    assert (listed[0]["refund_left_fen"], listed[0]["resolved_at"]) == (1533, None)
    assert balance(ledger.REFUND_DUE) == 1533
    rest = resolve_anomaly(client, world, double_paid.id, refunded_fen=1533, resolution="余款已退")
    assert confirm_refund(client, world, rest).status_code == 200
    db.session.expire_all()
    assert db.session.get(PaymentAnomaly, double_paid.id).resolved_at is not None
    assert balance(ledger.REFUND_DUE) == 0
    assert [e.amount_fen for e in ledger_entries() if e.source_type == "refund"] == [1000, 1533]


def test_a_resident_is_refused_before_any_anomaly_is_looked_up(client, world):
    response = resolve_anomaly(client, world, 999999, who="resident_1_1")
    assert (response.status_code, response.get_json()["code"]) == (403, "committee_only")


def test_the_committee_records_the_refund_and_the_ledger_balances(client, world, double_paid):
    listed = client.get(
        "/api/v1/compounds/aa/payment-anomalies?open=true", headers=world.headers("supervisor")
    ).get_json()["items"]
    assert [(a["id"], a["details"]["refund_due_fen"]) for a in listed] == [(double_paid.id, 2533)]
    too_much = resolve_anomaly(client, world, double_paid.id, refunded_fen=2534)
    assert too_much.status_code == 400
    assert too_much.get_json()["code"] == "refund_exceeds_due"
    done = resolve_anomaly(client, world, double_paid.id, refunded_fen=2533)
    assert confirm_refund(client, world, done).status_code == 200
    anomaly = client.get(
        "/api/v1/compounds/aa/payment-anomalies", headers=world.headers("committee")
    ).get_json()["items"][0]
    assert (anomaly["refunded_fen"], anomaly["resolution"]) == (2533, "已通过微信退款")
    assert balance(ledger.REFUND_DUE) == 0
    (refund,) = [e for e in ledger_entries() if e.source_type == "refund"]
    assert (refund.direction, refund.actor_id) == ("debit", world.people["committee_2"].id)
    assert ledger.verify("aa").ok
    again = resolve_anomaly(client, world, double_paid.id, refunded_fen=0)
    assert (again.status_code, again.get_json()["code"]) == (409, "anomaly_resolved")
    assert (
        client.get(
            "/api/v1/compounds/aa/payment-anomalies?open=true", headers=world.headers("committee")
        ).get_json()["items"]
        == []
    )


@pytest.mark.parametrize("who", ["supervisor", "liaison_1_1", "resident_1_1"])
def test_only_the_committee_resolves_anomalies(client, world, double_paid, who):
    response = resolve_anomaly(client, world, double_paid.id, who=who)
    assert response.status_code == 403
    assert response.get_json()["code"] == "committee_only"
    assert anomalies()[0].resolved_at is None


def test_a_committee_cannot_resolve_another_compounds_anomaly_through_its_own_code(
    client, world, double_paid
):
    other = build_world("zz")
    response = client.post(
        f"/api/v1/compounds/zz/payment-anomalies/{double_paid.id}/resolve",
        json={"resolution": "x"},
        headers=other.headers("committee"),
    )
    assert (response.status_code, response.get_json()["code"]) == (404, "anomaly_not_found")


# ----- the daily report -----


def test_the_daily_report_is_kept_per_compound_and_reaches_the_committee(client, sandbox, world):
    payment = opened_payment(client, world, [bill_of(world).id])
    pay_at_wechat(sandbox, payment.out_trade_no)  # paid at WeChat, the notification lost
    with freeze_time(timedelta(days=1), tick=True):
        (report,) = reconciliation.daily_report()
        (again,) = reconciliation.daily_report()  # a rerun replaces it
    assert again.id == report.id
    assert db.session.scalars(select(ReconciliationReport)).all() == [report]
    listed = client.get(
        "/api/v1/compounds/aa/payment-reports", headers=world.headers("supervisor")
    ).get_json()["items"]
    assert len(listed) == 1
    assert listed[0]["summary"]["differences"] == 1
    assert listed[0]["differences"] == [
        f"订单 {payment.out_trade_no}：微信支付为“支付成功”，本系统记为“待支付”，已补记入账"
    ]
    assert db.session.get(Payment, payment.id).status == "paid"  # the report settled it
    told = db.session.scalars(
        select(Notification).where(Notification.user_id == world.people["committee"].id)
    ).all()
    assert [item.title for item in told] == ["对账发现 1 处差异"]
    denied = client.get(
        "/api/v1/compounds/aa/payment-reports", headers=world.headers("liaison_1_1")
    )
    assert (denied.status_code, denied.get_json()["code"]) == (403, "committee_only")


@pytest.mark.parametrize(
    ("status", "total", "state", "line"),
    [
        ("paid", 2533, OrderState("NOTPAY"), "本系统记为“已支付”，微信支付为“未支付”"),
        (
            "closed",
            2533,
            OrderState("SUCCESS", "42", 2533),
            "微信支付为“支付成功”，本系统记为“已关闭”",
        ),
        (
            "paid",
            2533,
            OrderState("SUCCESS", "42", 2000),
            "金额不同：本系统 25.33 元，微信支付 20.00 元",
        ),
        (
            "disputed",
            2533,
            OrderState("SUCCESS", "42", None),
            "金额不符：订单 25.33 元，微信支付实收 金额不明",
        ),
        ("paid", 2533, OrderState("SUCCESS", "43", 2533), "微信交易号不一致"),
        ("paid", 2533, OrderState("SUCCESS", "42", 2533), None),
        ("closed", 2533, OrderState("CLOSED"), None),
    ],
)
def test_the_report_says_each_difference_in_the_committees_words(status, total, state, line):
    payment = Payment(status=status, total_fen=total, transaction_id="42")
    assert reconciliation._difference(payment, state) == line


# ----- a mismatched notification that brought no money -----


def open_anomalies(client, world) -> list[dict]:
    response = client.get(
        "/api/v1/compounds/aa/payment-anomalies?open=true", headers=world.headers("committee")
    )
    assert response.status_code == 200
    return response.get_json()["items"]


def forge_mismatch(client, sandbox, payment) -> None:
    """A correctly signed notification of another amount for an order nobody paid."""
    order = sandbox.pay.orders[payment.out_trade_no]
    assert order.state == "NOTPAY"
    forged = notify(client, sandbox, order, total_fee=1, transaction_id="4200000099")
    assert b"SUCCESS" in forged.data


def test_reconciliation_settles_a_mismatch_when_wechat_pay_took_no_money(client, sandbox, world):
    payment = opened_payment(client, world, [bill_of(world).id])
    forge_mismatch(client, sandbox, payment)
    assert [a["kind"] for a in open_anomalies(client, world)] == ["amount_mismatch"]
    result = expire_and_reconcile(minutes=6)  # WeChat Pay: NOTPAY, nothing taken
    assert f"{payment.out_trade_no}: mismatched notification, no money; settled" in (
        result.differences
    )
    assert open_anomalies(client, world) == []  # only real money is left to look at
    (anomaly,) = anomalies()
    assert anomaly.resolved_at is not None
    assert anomaly.resolved_by_id is None  # settled by the system, not by a person
    assert anomaly.resolution.startswith("未收到款项：微信支付查询此单为“未支付”")
    assert ledger_entries() == []
    assert db.session.get(Payment, payment.id).status == "pending"  # still payable
    expire_and_reconcile(minutes=31)
    assert db.session.get(Payment, payment.id).status == "closed"


def test_the_daily_report_settles_a_mismatch_of_an_order_closed_unpaid(client, sandbox, world):
    payment = opened_payment(client, world, [bill_of(world).id])
    forge_mismatch(client, sandbox, payment)
    sandbox.pay.orders[payment.out_trade_no].state = "CLOSED"
    payment.status, payment.closed_at = "closed", payment.created_at
    db.session.flush()
    with freeze_time(timedelta(days=1), tick=True):
        (report,) = reconciliation.daily_report()
    assert report.summary["open_anomalies"] == 0
    (anomaly,) = anomalies()
    assert (anomaly.resolved_by_id, anomaly.resolution[:5]) == (None, "未收到款项")
    assert "已关闭" in anomaly.resolution


def test_a_mismatch_stays_open_while_the_resident_is_still_paying(client, sandbox, world):
    payment = opened_payment(client, world, [bill_of(world).id])
    forge_mismatch(client, sandbox, payment)
    sandbox.pay.orders[payment.out_trade_no].state = "USERPAYING"
    expire_and_reconcile(minutes=6)
    assert [a["kind"] for a in open_anomalies(client, world)] == ["amount_mismatch"]
