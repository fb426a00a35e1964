"""The desk's money coming in: the payments register, cash waiting for a second committee
member, anomalies and refunds, the daily reconciliation and the ledger with its check —
as the pages show them, with the services' own two-person rules and refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select, update

from server.extensions import db
from server.models import Bill, LedgerEntry, OfflinePayment, PaymentAnomaly, ReconciliationReport
from tests.factories import build_world, make_bill, make_payment
from tests.server.console.desk import signed_in, submit
from tests.steps import recorded_cash
from tests.timing import month, shanghai_date

WAITING = "/console/offline-payments"


@pytest.fixture
def world(db_session):
    return build_world("mi")


@pytest.fixture
def other(db_session):
    return build_world("mo")


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_register_shows_this_compounds_payments_only(app, client, world, other):
    paid = make_payment(world, [make_bill(world)], "paid", out_trade_no="LL-MINE-1")
    make_payment(world, [make_bill(world, "1-2-101")], "pending", out_trade_no="LL-MINE-2")
    make_payment(other, [make_bill(other)], "paid", out_trade_no="LL-THEIRS-1")
    cash = recorded_cash(client, world, make_bill(world, "1-1-102", amount_fen=42000))
    theirs = recorded_cash(client, other, make_bill(other, "1-1-102"))
    desk = signed_in(app, world)

    page = text(desk.get("/console/payments"))
    assert "LL-MINE-1" in page
    assert "LL-MINE-2" in page
    assert "LL-THEIRS-1" not in page
    assert "已支付" in page
    assert "待支付" in page
    only_paid = text(desk.get("/console/payments?kind=wechat&status=paid"))
    assert "LL-MINE-1" in only_paid
    assert "LL-MINE-2" not in only_paid
    assert paid.total_fen == 2533
    assert "25.33" in only_paid

    offline = text(desk.get("/console/payments?kind=offline"))
    assert f"/console/offline-payments/{cash}" in offline
    assert f"/console/offline-payments/{theirs}" not in offline
    assert "420.00" in offline
    assert "待确认" in offline
    elsewhere = text(desk.get("/console/payments?kind=offline&building=2"))
    assert f"/console/offline-payments/{cash}" not in elsewhere
    assert "没有符合条件的缴费记录" in elsewhere


def test_a_bad_filter_is_a_message_not_an_error(app, world):
    desk = signed_in(app, world)
    bad = desk.get("/console/payments?since=yesterday")
    assert bad.status_code == 400
    assert "日期请按 2026-12-01 这样填写" in text(bad)
    backwards = desk.get(f"/console/payments?since={shanghai_date(0)}&until={shanghai_date(-3)}")
    assert "开始日期不能晚于结束日期" in text(backwards)
    assert "分页参数无效" in text(desk.get("/console/payments?cursor=%%%"))


def test_a_second_committee_member_confirms_cash_and_the_ledger_has_it(app, client, world):
    bill = make_bill(world, amount_fen=42000)
    bill_id = bill.id
    payment_id = recorded_cash(client, world, bill)
    desk = signed_in(app, world)

    waiting = text(desk.get(WAITING))
    assert "1-1-101" in waiting
    assert "420.00" in waiting
    assert "确认已收到 1-1-101 的现金 ¥420.00？" in waiting
    assert 'name="csrf_token"' in waiting

    done = submit(desk, f"{WAITING}/{payment_id}/confirm", follow_redirects=True)
    page = text(done)
    assert "已确认收款，账单已记为已缴，并已记入账本" in page
    assert "没有等待确认的线下缴费" in page
    assert db.session.get(OfflinePayment, payment_id).status == "confirmed"
    assert db.session.scalar(select(Bill.status).where(Bill.id == bill_id)) == "paid"

    detail = text(desk.get(f"{WAITING}/{payment_id}"))
    assert "已确认" in detail
    ledger = text(desk.get("/console/ledger"))
    assert "账本完整" in ledger
    assert "1-1-101" in ledger
    assert "420.00" in ledger
    assert "收入" in ledger


def test_the_recorder_is_refused_with_the_services_message(app, client, world):
    payment_id = recorded_cash(client, world, make_bill(world), "committee")
    desk = signed_in(app, world, "committee")
    page = text(desk.get(WAITING))
    assert "你登记的，须另一位成员确认" in page
    refused = submit(desk, f"{WAITING}/{payment_id}/confirm", follow_redirects=True)
    assert 'class="flash error"' in text(refused)
    assert "登记人不能确认自己登记的缴费，请另一位业委会成员确认" in text(refused)
    assert db.session.get(OfflinePayment, payment_id).status == "pending"

    second = signed_in(app, world, "committee_2")
    done = submit(second, f"{WAITING}/{payment_id}/confirm", follow_redirects=True)
    assert "已确认收款" in text(done)


def test_a_rejection_needs_a_reason_and_frees_the_bill(app, client, world):
    bill = make_bill(world)
    bill_id = bill.id
    payment_id = recorded_cash(client, world, bill)
    desk = signed_in(app, world)
    blank = submit(desk, f"{WAITING}/{payment_id}/reject", {"reason": " "}, follow_redirects=True)
    assert "请填写驳回理由" in text(blank)
    assert db.session.get(OfflinePayment, payment_id).status == "pending"

    rejected = submit(
        desk, f"{WAITING}/{payment_id}/reject", {"reason": "收据与金额不符"}, follow_redirects=True
    )
    assert "已驳回，账单恢复为待缴" in text(rejected)
    assert db.session.scalar(select(Bill.status).where(Bill.id == bill_id)) == "unpaid"
    listed = text(desk.get("/console/payments?kind=offline&status=rejected"))
    assert "收据与金额不符" in listed
    assert "已驳回" in listed


def test_the_supervisor_reads_but_the_service_keeps_decisions_to_the_committee(app, client, world):
    payment_id = recorded_cash(client, world, make_bill(world))
    desk = signed_in(app, world, "supervisor")
    page = text(desk.get(WAITING))
    assert "1-1-101" in page
    assert "确认已收到" not in page
    refused = submit(desk, f"{WAITING}/{payment_id}/confirm", follow_redirects=True)
    assert "只有业委会成员可以确认线下缴费" in text(refused)
    assert db.session.get(OfflinePayment, payment_id).status == "pending"


def test_another_compounds_payment_is_not_found(app, client, world, other):
    theirs = recorded_cash(client, other, make_bill(other, amount_fen=31400))
    desk = signed_in(app, world)
    missing = desk.get(f"{WAITING}/{theirs}")
    assert missing.status_code == 404
    assert "找不到该线下缴费记录" in text(missing)
    assert "314.00" not in text(desk.get(WAITING))
    refused = submit(desk, f"{WAITING}/{theirs}/confirm", follow_redirects=True)
    assert "找不到该线下缴费记录" in text(refused)
    assert db.session.get(OfflinePayment, theirs).status == "pending"


def test_the_ledger_verifies_and_a_changed_entry_is_found(app, client, world):
    for label in ("1-1-101", "1-1-102"):
        payment_id = recorded_cash(client, world, make_bill(world, label))
        submit(signed_in(app, world), f"{WAITING}/{payment_id}/confirm")
    desk = signed_in(app, world)
    intact = text(desk.get("/console/ledger/verify"))
    assert "账本完整" in intact
    assert "核对了 2 条记录" in intact

    db.session.execute(
        update(LedgerEntry)
        .where(LedgerEntry.compound_id == world.compound.id, LedgerEntry.seq == 1)
        .values(amount_fen=1)
    )
    db.session.commit()
    broken = text(desk.get("/console/ledger/verify"))
    assert "账本有问题" in broken
    assert "第 1 条记录起对不上（这一条的内容被改过）" in broken
    assert "账本有问题" in text(desk.get("/console/ledger"))


def test_a_refund_waits_for_a_second_member(app, world, other):
    anomaly = PaymentAnomaly(
        compound_id=world.compound.id,
        kind="double_payment",
        details={"out_trade_no": "LL-TWICE", "household": "1-1-101", "refund_due_fen": 2533},
    )
    db.session.add_all(
        [
            anomaly,
            PaymentAnomaly(
                compound_id=other.compound.id,
                kind="amount_disputed",
                details={"out_trade_no": "LL-NOT-OURS"},
            ),
        ]
    )
    db.session.commit()
    desk = signed_in(app, world)
    page = text(desk.get("/console/anomalies"))
    assert "重复缴费" in page
    assert "LL-TWICE" in page
    assert "LL-NOT-OURS" not in page
    url = f"/console/anomalies/{anomaly.id}/resolve"
    no_amount = submit(desk, url, {"resolution": "已退还"}, follow_redirects=True)
    assert "请填写本次已退款金额（尚需退还 25.33 元）" in text(no_amount)
    waiting = submit(
        desk, url, {"resolution": "微信转账退还", "refunded_yuan": "25.33"}, follow_redirects=True
    )
    assert "须由另一位业委会成员确认" in text(waiting)
    assert "等待确认的退款" in text(waiting)
    change_id = anomaly_change(desk)

    own = submit(desk, f"/console/anomalies/refunds/{change_id}/confirm", follow_redirects=True)
    assert "提交人不能确认或驳回自己提交的变更" in text(own)
    second = signed_in(app, world, "committee_2")
    done = submit(second, f"/console/anomalies/refunds/{change_id}/confirm", follow_redirects=True)
    assert "已确认退款，已记入账本" in text(done)
    entry = db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.compound_id == world.compound.id)
    ).one()
    assert (entry.direction, entry.amount_fen) == ("debit", 2533)
    assert "已处理" in text(second.get("/console/anomalies"))


def anomaly_change(desk) -> int:
    import re

    page = text(desk.get("/console/anomalies"))
    return int(re.search(r"/console/anomalies/refunds/(\d+)/confirm", page).group(1))


def test_the_daily_reports_of_this_compound(app, world, other):
    day = shanghai_date(-1)
    summary = {"orders": 3, "paid": 2, "closed": 1, "pending": 0, "disputed": 0}
    db.session.add_all(
        [
            ReconciliationReport(
                compound_id=world.compound.id,
                day=day,
                summary={**summary, "differences": 1, "open_anomalies": 1},
                differences="订单 LL-DIFF：微信支付为“支付成功”，本系统记为“待支付”",
            ),
            ReconciliationReport(
                compound_id=other.compound.id,
                day=day,
                summary=summary,
                differences="订单 LL-NOT-OURS：金额不同",
            ),
        ]
    )
    db.session.commit()
    page = text(signed_in(app, world).get("/console/reconciliation"))
    assert day.isoformat() in page
    assert "有 1 处差异" in page
    assert "LL-DIFF" in page
    assert "LL-NOT-OURS" not in page


def test_the_statements_and_refunds_anomalies_say_how_much(app, world):
    """异常与退款: the anomalies issue 15 added name their day and amounts; a statement line
    no payment of ours matches says the server's advice; no WeChat Pay code shows."""
    payment = make_payment(world, [make_bill(world)], "paid", out_trade_no="LL-STMT")
    db.session.add_all(
        [
            PaymentAnomaly(
                compound_id=world.compound.id,
                payment_id=payment.id,
                kind="statement_amount",
                details={"day": "2026-12-04", "expected": 5066, "statement_fen": 5000},
            ),
            PaymentAnomaly(
                compound_id=world.compound.id,
                payment_id=payment.id,
                kind="refund_abnormal",
                details={
                    "out_refund_no": "RF-SECRET-NO",
                    "amount_fen": 1250,
                    "status": "CLOSED",
                    "household": "1-1-101",
                },
            ),
            PaymentAnomaly(
                compound_id=world.compound.id,
                payment_id=None,
                kind="statement_missing_here",
                details={"amount_fen": 999, "advice": "微信支付收款 9.99 元，本系统没有这笔订单"},
            ),
        ]
    )
    db.session.commit()
    page = text(signed_in(app, world).get("/console/anomalies"))
    assert "对账单日期 2026-12-04，应收 50.66 元，对账单 50.00 元" in page
    assert "房屋 1-1-101，金额 12.50 元" in page
    assert "微信支付收款 9.99 元，本系统没有这笔订单" in page
    assert "CLOSED" not in page
    assert "RF-SECRET-NO" not in page


def test_wechat_pays_statement_in_yuan_and_words(app, world):
    """每日对账's statement section: money columns say they are in 元; a statement not read
    shows why and no figures; a state the page does not know reads as a dash, not a code."""
    compared = {
        "status": "compared",
        "lines": 2,
        "paid_fen": 5066,
        "refund_fen": 1250,
        "fee_fen": 30,
        "net_fen": 3786,
        "differences": ["订单 LL-STMT：对账单有、本系统无"],
    }
    unread = {
        "lines": 0,
        "paid_fen": 0,
        "refund_fen": 0,
        "fee_fen": 0,
        "net_fen": 0,
        "differences": [],
    }
    db.session.add_all(
        [
            ReconciliationReport(
                compound_id=world.compound.id,
                day=shanghai_date(-1),
                summary={"orders": 2, "statement": compared},
            ),
            ReconciliationReport(
                compound_id=world.compound.id,
                day=shanghai_date(-2),
                summary={"orders": 0, "statement": {**unread, "status": "not_ready"}},
            ),
            ReconciliationReport(
                compound_id=world.compound.id,
                day=shanghai_date(-3),
                summary={"orders": 0, "statement": {**unread, "status": "some_new_state"}},
            ),
        ]
    )
    db.session.commit()
    page = text(signed_in(app, world).get("/console/reconciliation"))
    for header in ("收款（元）", "退款（元）", "手续费（元）", "净收入（元）"):
        assert f'<th scope="col" class="num">{header}</th>' in page
    assert "37.86" in page
    assert "有 1 处不一致" in page
    assert "some_new_state" not in page
    # A statement not read has no figures, not zeros that look like a day without money.
    statement_table = page.split("微信支付对账单")[1]
    unread_row = statement_table.split(shanghai_date(-2).isoformat())[1].split("</tr>")[0]
    assert "对账单尚未生成" in unread_row
    assert "0.00" not in unread_row
    assert unread_row.count('<td class="num">—</td>') == 5


def test_the_months_excel_is_the_apis(app, client, world):
    make_payment(world, [make_bill(world)], "paid", out_trade_no="LL-XLSX")
    desk = signed_in(app, world)
    sheet = desk.get(f"/console/payments/export.xlsx?month={month(0)}")
    assert sheet.status_code == 200
    assert sheet.mimetype.endswith("spreadsheetml.sheet")
    assert sheet.data[:2] == b"PK"
    bad = desk.get("/console/payments/export.xlsx?month=soon")
    assert bad.status_code == 400


def _statements(browser, url: str) -> int:
    """How many SQL statements the page took."""
    count = [0]

    def seen(*_args, **_kwargs):
        count[0] += 1

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        assert browser.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    return count[0]


def test_the_waiting_cash_takes_as_many_statements_for_ten_as_for_one(app, client, world):
    """The service logs the access and commits; the rows it returns must not then each
    be read again (expired by that commit)."""
    recorded_cash(client, world, make_bill(world, "1-1-102", month(-1)))
    desk = signed_in(app, world)
    one = _statements(desk, WAITING)
    for back in range(2, 11):
        recorded_cash(client, world, make_bill(world, "1-1-102", month(-back)))
    assert _statements(desk, WAITING) <= one


SPOOFED = "已核对\u202e元001退"  # a right-to-left override turns what others read around


@pytest.mark.parametrize("typed", [SPOOFED, "已核对\x00", "已核对\u2028另起一段"])
def test_reasons_and_notes_follow_the_apis_text_rules(app, client, world, typed):
    """The desk reads free text as the API's schemas do: no control characters, no
    line separators, no direction overrides (a reason others read must read as typed)."""
    cash = recorded_cash(client, world, make_bill(world, "1-1-102"))
    anomaly = PaymentAnomaly(
        compound_id=world.compound.id, kind="double_payment", details={"refund_due_fen": 2533}
    )
    db.session.add(anomaly)
    db.session.commit()
    desk = signed_in(app, world)
    for url, field in (
        (f"{WAITING}/{cash}/reject", "reason"),
        (f"/console/anomalies/{anomaly.id}/resolve", "resolution"),
    ):
        page = text(
            submit(desk, url, {field: typed, "refunded_yuan": "25.33"}, follow_redirects=True)
        )
        assert "不能包含换行或控制字符" in page, url
    db.session.expire_all()
    assert db.session.get(OfflinePayment, cash).status == "pending"
    assert "等待确认的退款" not in text(desk.get("/console/anomalies"))
