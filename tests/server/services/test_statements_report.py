"""The statement as the committee reads it: the payment-reports API's `statement`
section (this compound's lines only) and the desk's 每日对账 page, in plain words."""

from __future__ import annotations

import pytest

from server.config_pay import SANDBOX_V3_MERCHANT
from server.extensions import db
from server.services.money import reconciliation, statements
from tests.factories import build_world, make_bill, make_payment, self_governance_fee
from tests.helpers import inbox
from tests.server.console.desk import signed_in
from tests.statement_helpers import beijing, own_statement, paid_at_wechat
from tests.timing import month, shanghai_date


@pytest.fixture
def pay(sandbox):
    with own_statement(sandbox) as pay:
        yield pay


@pytest.fixture
def worlds(db_session):
    """Two compounds on the same (default) merchant."""
    found = []
    for code in ("sa", "sb"):
        world = build_world(code)
        self_governance_fee(world.compound)
        found.append(world)
    db.session.flush()
    return found


def paid(world, pay, number: str, fen: int, flat: str = "1-1-101"):
    when = beijing(-1, "10:00")
    order = paid_at_wechat(pay, number, fen, when)
    bill = make_bill(world, flat, month(0), amount_fen=fen)
    return make_payment(
        world,
        [bill],
        "paid",
        out_trade_no=number,
        paid_at=when,
        transaction_id=order.transaction_id,
    )


def reports(client, world) -> list[dict]:
    answer = client.get(
        f"/api/v1/compounds/{world.compound.code}/payment-reports",
        headers=world.fresh_headers("committee"),
    )
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["items"]


def test_each_compound_sees_its_own_share_of_the_statement(client, worlds, pay):
    mine, theirs = worlds
    paid(mine, pay, "LL-SR-001", 10000)
    paid(mine, pay, "LL-SR-002", 2533, "1-1-102")
    paid(theirs, pay, "LL-SR-003", 5000)
    pay.bill_plants.append({"kind": "drop", "out_trade_no": "LL-SR-002"})
    reconciliation.daily_report(shanghai_date(-1))  # the night's report first
    statements.read_one("default", shanghai_date(-1))
    (report,) = reports(client, mine)
    section = dict(report["statement"])
    (difference,) = section.pop("differences")
    assert section == {
        "status": "compared",
        "lines": 1,  # LL-SR-002 is not in the statement; LL-SR-003 is the other's
        "paid_fen": 10000,
        "refund_fen": 0,
        "fee_fen": 60,
        "net_fen": 9940,
    }
    assert "订单 LL-SR-002" in difference
    assert "微信支付对账单里没有" in difference
    assert f"对账单：{difference}" in report["differences"]
    told = [n.title for n in inbox(mine.people["committee"].id)]
    assert told == ["对账发现 1 处差异"]  # as the night's report tells of its own
    (other,) = reports(client, theirs)
    assert (other["statement"]["lines"], other["statement"]["differences"]) == (1, [])


def test_before_the_statement_is_read_the_report_says_nothing_of_it(client, worlds, pay):
    mine, _ = worlds
    paid(mine, pay, "LL-SR-011", 10000)
    reconciliation.daily_report(shanghai_date(-1))
    (report,) = reports(client, mine)
    assert report["statement"] is None


def test_the_desk_shows_the_statement_in_plain_words(app, worlds, pay):
    mine, _ = worlds
    paid(mine, pay, "LL-SR-021", 10000)
    paid(mine, pay, "LL-SR-022", 2533, "1-1-102")
    pay.bill_plants.append({"kind": "fee", "out_trade_no": "LL-SR-022", "fee_fen": 20})
    statements.read_one("default", shanghai_date(-1))
    db.session.commit()
    page = signed_in(app, mine).get("/console/reconciliation").get_data(as_text=True)
    assert "微信支付对账单" in page
    assert "已核对" in page
    for amount in ("125.33", "0.80", "124.53"):  # paid, fees (60 + 20), net
        assert amount in page


def test_a_compound_moved_to_another_merchant_still_sees_the_old_ones_lines(client, worlds, pay):
    """The street office moves a compound to another merchant: orders made before still
    went to the old one, and its statement's lines, fees and differences for the
    compound stay in the compound's report beside the new merchant's."""
    mine, _ = worlds
    paid(mine, pay, "LL-SR-031", 10000)
    paid(mine, pay, "LL-SR-032", 2533, "1-1-102")
    pay.bill_plants.append({"kind": "drop", "out_trade_no": "LL-SR-032"})
    mine.compound.pay_merchant = SANDBOX_V3_MERCHANT  # new orders only
    db.session.commit()
    statements.read_statements(shanghai_date(-1))
    (report,) = reports(client, mine)
    section = dict(report["statement"])
    (difference,) = section.pop("differences")
    assert section == {
        "status": "compared",
        "lines": 1,
        "paid_fen": 10000,
        "refund_fen": 0,
        "fee_fen": 60,
        "net_fen": 9940,
    }
    assert "订单 LL-SR-032" in difference
