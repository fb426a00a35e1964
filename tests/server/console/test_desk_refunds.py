"""The desk's refunds through WeChat Pay: 退款 on a paid WeChat payment of 缴费记录, 通过微信原路
退款 on an anomaly of 异常与退款, 退款记录 with who proposed and confirmed each and when, and
a second committee member's confirm (the money then goes back through the sandbox) or
reject — as the pages show them, with the services' own rules and refusals."""

from __future__ import annotations

import re

import pytest
import requests
from sqlalchemy import select

from server import PROJECT_ROOT
from server.extensions import db
from server.models import LedgerEntry, PaymentAnomaly, Refund
from server.services.money import fees, refund_sending
from server.services.people import users
from tests.factories import build_world, self_governance_fee
from tests.server.console.desk import signed_in, submit
from tests.steps import paid_all_bills

PROPOSED = "已提交，等待另一位业委会成员确认"


@pytest.fixture
def world(db_session):
    world = build_world("aa")
    self_governance_fee(world.compound)
    db.session.flush()
    fees.generate_bills("2026-11", "aa")
    fees.generate_bills("2026-12", "aa")
    return world


def text(response) -> str:
    return response.get_data(as_text=True)


def paid(client, sandbox, world) -> dict:
    """1-1-101 pays its two bills (2 × 25.33 元) with WeChat Pay; the payment as created."""
    return paid_all_bills(client, sandbox, world)


def name(world, who: str) -> str:
    person = world.people[who].id
    return users.names_in(world.compound.id, [person])[person]


def refund_form(desk, payment_id: int, amount: str, reason: str = "搬走了，退还多缴的钱"):
    return submit(
        desk,
        "/console/refunds",
        {"payment_id": str(payment_id), "amount_yuan": amount, "reason": reason},
        follow_redirects=True,
    )


def change_of(page: str) -> int:
    return int(re.search(r"/console/refunds/changes/(\d+)/confirm", page).group(1))


def test_a_paid_payment_is_refunded_in_part_by_two_members(app, client, sandbox, world):
    payment = paid(client, sandbox, world)
    desk = signed_in(app, world)
    register = text(desk.get("/console/payments"))
    assert f'href="/console/payments/{payment["payment_id"]}/refund"' in register
    form = text(desk.get(f"/console/payments/{payment['payment_id']}/refund"))
    assert "还可退（元）" in form
    assert "50.66" in form
    assert "通过微信原路退款" in form
    # The dialog will say the amount as typed (console.js fills {amount_yuan}) and to whom.
    assert 'data-confirm="把 {amount_yuan} 元通过微信支付原路退给 1-1-101？' in form
    assert "data-confirm-fill" in form

    done = refund_form(desk, payment["payment_id"], "12.50")
    assert PROPOSED in text(done)
    listed = text(desk.get("/console/refunds"))
    assert "1-1-101 退款 12.50 元" in listed
    assert "待第二人确认" in listed
    assert "搬走了，退还多缴的钱" in listed
    assert name(world, "committee") in listed
    # Their own proposal: said, no buttons (the two-person rule).
    assert "这笔退款是你提出的" in listed
    assert "/console/refunds/changes/" not in listed
    # Nothing sent or ended yet: no empty 交给微信支付 / 结束时间 lines.
    assert "交给微信支付" not in listed
    assert "结束时间" not in listed

    second = signed_in(app, world, "committee_2")
    waiting = text(second.get("/console/refunds"))
    assert "通过微信支付原路退回给 1-1-101" in waiting  # the dialog's words
    assert "不能撤回" in waiting
    confirmed = submit(
        second, f"/console/refunds/changes/{change_of(waiting)}/confirm", follow_redirects=True
    )
    assert "已确认，正在通过微信支付原路退回" in text(confirmed)
    refund = db.session.scalars(select(Refund)).one()
    db.session.refresh(refund)
    assert refund.status == "processing"  # sent to WeChat Pay once the answer went out
    assert "退款中" in text(second.get("/console/refunds"))
    assert name(world, "committee_2") in text(second.get("/console/refunds"))

    reply = requests.post(
        sandbox.url + "sandbox/pay/refunds/settle",
        json={"out_refund_no": refund.out_refund_no, "status": "SUCCESS", "notify": False},
        timeout=5,
    )
    reply.raise_for_status()
    refund_sending.check(refund.id)
    arrived = text(desk.get("/console/refunds?status=success"))
    assert "已退回" in arrived
    assert "1-1-101 退款 12.50 元" in arrived
    # Where it went, in our words: WeChat Pay's 支付用户的零钱 is the payer's WeChat 零钱.
    assert "<dt>退到</dt><dd>住户的微信零钱</dd>" in arrived
    assert "支付用户" not in arrived
    after = text(desk.get(f"/console/payments/{payment['payment_id']}/refund"))
    assert "38.16" in after  # 50.66 less 12.50 still refundable


def test_an_anomalys_money_goes_back_through_wechat_pay(app, client, sandbox, world):
    payment = paid(client, sandbox, world)
    anomaly = PaymentAnomaly(
        compound_id=world.compound.id,
        payment_id=payment["payment_id"],
        kind="double_payment",
        details={"out_trade_no": payment["out_trade_no"], "refund_due_fen": 2533},
    )
    db.session.add(anomaly)
    db.session.commit()
    desk = signed_in(app, world)
    page = text(desk.get("/console/anomalies"))
    assert "通过微信原路退款" in page
    assert 'name="amount_yuan" inputmode="decimal" size="10" required value="25.33"' in page
    # The anomaly does not name the flat; its payment does, and the dialog says it.
    assert 'data-confirm="把 {amount_yuan} 元通过微信支付原路退给 1-1-101？' in page
    proposed = submit(
        desk,
        "/console/refunds",
        {
            "payment_id": str(payment["payment_id"]),
            "anomaly_id": str(anomaly.id),
            "amount_yuan": "25.33",
            "reason": "重复缴费",
            "next": "/console/anomalies",
        },
        follow_redirects=True,
    )
    shown = text(proposed)
    assert PROPOSED in shown
    assert "微信退款 25.33 元：</strong>待第二人确认" in shown
    # Nothing is left to offer, by WeChat Pay or by hand, while it is in flight.
    assert "通过微信原路退款</button>" not in shown
    assert "登记退款" not in shown

    second = signed_in(app, world, "committee_2")
    waiting = text(second.get("/console/refunds?status=proposed"))
    submit(second, f"/console/refunds/changes/{change_of(waiting)}/confirm")
    refund = db.session.scalars(select(Refund)).one()
    db.session.refresh(refund)
    assert refund.anomaly_id == anomaly.id
    reply = requests.post(
        sandbox.url + "sandbox/pay/refunds/settle",
        json={"out_refund_no": refund.out_refund_no, "status": "SUCCESS", "notify": False},
        timeout=5,
    )
    reply.raise_for_status()
    refund_sending.check(refund.id)
    settled = text(desk.get("/console/anomalies"))
    assert "已处理" in settled
    debit = db.session.scalars(
        select(LedgerEntry).where(
            LedgerEntry.compound_id == world.compound.id, LedgerEntry.direction == "debit"
        )
    ).all()
    assert [e.amount_fen for e in debit] == [2533]


def test_refusals_are_said_in_words(app, client, sandbox, world):
    payment = paid(client, sandbox, world)
    desk = signed_in(app, world)
    too_much = text(refund_form(desk, payment["payment_id"], "50.67"))
    assert "退款金额不能超过可退的 50.66 元" in too_much
    assert "请填写退款理由" in text(refund_form(desk, payment["payment_id"], "1", reason=" "))
    assert "退款金额应为以元为单位的数字" in text(refund_form(desk, payment["payment_id"], "abc"))
    assert "退款金额应大于 0 元" in text(refund_form(desk, payment["payment_id"], "0"))
    assert db.session.scalars(select(Refund)).all() == []


def test_a_second_member_rejects_and_nothing_goes_back(app, client, sandbox, world):
    payment = paid(client, sandbox, world)
    desk = signed_in(app, world)
    refund_form(desk, payment["payment_id"], "5")
    second = signed_in(app, world, "committee_2")
    change = change_of(text(second.get("/console/refunds")))
    url = f"/console/refunds/changes/{change}/reject"
    assert "请填写驳回理由" in text(submit(second, url, {"reason": ""}, follow_redirects=True))
    rejected = submit(second, url, {"reason": "住户说不用退"}, follow_redirects=True)
    assert "已驳回这笔退款" in text(rejected)
    assert "已驳回" in text(second.get("/console/refunds?status=rejected"))
    assert db.session.scalars(select(Refund.status)).one() == "rejected"


def test_the_second_member_is_told_on_the_dashboard(app, client, sandbox, world):
    payment = paid(client, sandbox, world)
    refund_form(signed_in(app, world), payment["payment_id"], "5")
    board = text(signed_in(app, world, "committee_2").get("/console/"))
    assert "1 笔微信退款等你确认" in board
    assert "/console/refunds" in board


def test_the_supervisor_reads_refunds_but_proposes_and_confirms_nothing(
    app, client, sandbox, world
):
    payment = paid(client, sandbox, world)
    refund_form(signed_in(app, world), payment["payment_id"], "5")
    supervisor = signed_in(app, world, "supervisor")
    listed = text(supervisor.get("/console/refunds"))
    assert "1-1-101 退款 5.00 元" in listed
    assert "/console/refunds/changes/" not in listed
    assert '/refund"' not in text(supervisor.get("/console/payments"))
    refused = text(refund_form(supervisor, payment["payment_id"], "1"))
    assert "只有业委会成员可以发起退款" in refused
    assert len(db.session.scalars(select(Refund)).all()) == 1


def test_the_menu_has_refunds_next_to_anomalies(app, world):
    page = text(signed_in(app, world).get("/console/refunds"))
    menu = re.search(r'<nav[^>]*aria-label="功能菜单".*?</nav>', page, re.S).group(0)
    labels = re.findall(r"<a [^>]*>([^<]+)</a>", menu)
    assert labels[labels.index("异常与退款") + 1] == "退款记录"
    assert 'aria-current="page">退款记录' in menu
    assert "还没有通过微信支付的退款" in page


# ----- the mini-program's refund screens against the real API -----

MINIPROGRAM = PROJECT_ROOT / "miniprogram"
PHONE_API = (MINIPROGRAM / "api" / "refunds.js").read_text(encoding="utf-8")
PHONE_VIEWS = (MINIPROGRAM / "utils" / "refunds.js").read_text(encoding="utf-8")
# request({ url: `${compoundUrl(code)}/refunds/${id}`, method: 'POST', ... })
CALL = re.compile(
    r"request\(\{\s*url:\s*`\$\{compoundUrl\(code\)\}([^`$]*(?:\$\{\w+\}[^`$]*)*)`(?:,\s*method:\s*'(\w+)')?"
)


def unqueried(path: str) -> str:
    """A call's path without its query string (`/refunds${query}`)."""
    return path.replace("${query}", "")


def test_every_refund_call_of_the_mini_program_is_a_route(app):
    found = [
        (method or "GET", "/api/v1/compounds/aa" + re.sub(r"\$\{\w+\}", "7", unqueried(path)))
        for path, method in CALL.findall(PHONE_API)
    ]
    assert sorted(m for m, _ in found) == ["GET", "GET", "GET", "POST"]
    urls = app.url_map.bind("localhost")
    for method, url in found:
        endpoint, _ = urls.match(url, method=method)
        assert endpoint.startswith("refunds."), (method, url, endpoint)


def test_what_the_mini_program_reads_is_what_the_api_answers(app, client, sandbox, world):
    """The fields utils/refunds.js and pages/refunds read of a refund, of a payment's
    refunds and of /refundable are in the API's answers (on the sandbox, for real)."""
    payment = paid(client, sandbox, world)
    base = "/api/v1/compounds/aa"
    proposed = client.post(
        f"{base}/refunds",
        json={"payment_id": payment["payment_id"], "amount_fen": 1250, "reason": "多缴退还"},
        headers=world.fresh_headers("committee"),
    )
    assert proposed.status_code == 201, proposed.get_json()
    refund = proposed.get_json()
    assert set(re.findall(r"refund\.(\w+)", PHONE_VIEWS)) <= set(refund)
    change = refund["pending_change_id"]
    waiting = client.get(f"{base}/pending-changes", headers=world.fresh_headers("committee_2"))
    (shown,) = waiting.get_json()["items"]
    # pages/confirm's lines of a wechat_refund: whose, how much, which order; why (note).
    assert shown["kind"] == "wechat_refund"
    assert {"amount_fen", "household", "out_trade_no"} <= set(shown["details"])
    assert shown["note"] == "多缴退还"
    confirmed = client.post(
        f"{base}/pending-changes/{change}/confirm",
        json={},
        headers=world.fresh_headers("committee_2"),
    )
    assert confirmed.status_code == 200, confirmed.get_json()
    mine = client.get("/api/v1/payments", headers=world.fresh_headers("resident_1_1"))
    (item,) = [p for p in mine.get_json()["items"] if p["id"] == payment["payment_id"]]
    (line,) = item["refunds"]
    # What the resident's lines read (paymentRefundLines), not the committee's list.
    resident = PHONE_VIEWS.split("function paymentRefundLines", 1)[1].split("\n}\n", 1)[0]
    assert set(re.findall(r"\br\.(\w+)", resident)) <= set(line)
    assert line["status"] == "processing"  # the resident's line: 退款中
    page = (MINIPROGRAM / "pages" / "refunds" / "index.js").read_text(encoding="utf-8")
    left = client.get(
        f"{base}/payments/{payment['payment_id']}/refundable",
        headers=world.fresh_headers("committee"),
    ).get_json()
    assert set(re.findall(r"payment\.(\w+_fen|out_trade_no|household)", page)) <= set(left)
    assert left["refundable_fen"] == 5066 - 1250
