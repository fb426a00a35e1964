"""A compound's funds, from the ledger only: each balance, this month's income and
spending; every member reads them, another compound's people get 404."""

from __future__ import annotations

import pytest

from server.extensions import db
from tests.factories import build_world, fund_money, self_governance_fee
from tests.steps import expense_stepped, pay_body, proposed_expense


@pytest.fixture
def world(db_session):
    world = build_world("fu")
    self_governance_fee(world.compound)
    fund_money(world, 120000)
    fund_money(world, 8800, "fund:co_construction")
    db.session.flush()
    return world


def funds_of(client, world, who="resident_1_1") -> dict[str, dict]:
    response = client.get("/api/v1/compounds/fu/funds", headers=world.fresh_headers(who))
    assert response.status_code == 200, response.get_json()
    return {fund["account"]: fund for fund in response.get_json()["funds"]}


def test_every_member_reads_each_funds_balance(client, world):
    for who in ("resident_1_1", "liaison_1_2", "lead_1", "committee", "supervisor"):
        funds = funds_of(client, world, who)
        assert list(funds) == ["fee:self_governance", "fund:co_construction", "suspense:refund_due"]
    assert funds["fee:self_governance"] == {
        "account": "fee:self_governance",
        "name": "自治管理费",
        "balance_fen": 120000,
        "income_fen_month": 120000,
        "spent_fen_month": 0,
    }
    assert funds["fund:co_construction"]["name"] == "共建基金"
    assert funds["fund:co_construction"]["balance_fen"] == 8800
    assert funds["suspense:refund_due"]["balance_fen"] == 0


def test_a_paid_expense_shows_as_this_months_spending(client, world):
    made = proposed_expense(client, world, amount_fen=45000)
    expense_stepped(client, world, made["id"], "supervisor", "approve")
    before = funds_of(client, world)["fee:self_governance"]
    assert before["balance_fen"] == 120000  # approved is not paid
    expense_stepped(client, world, made["id"], "committee_2", "pay", **pay_body())
    after = funds_of(client, world)["fee:self_governance"]
    assert (after["balance_fen"], after["spent_fen_month"], after["income_fen_month"]) == (
        75000,
        45000,
        120000,
    )
    expense_stepped(client, world, made["id"], "committee", "reverse", reason="付错了")
    reversed_ = funds_of(client, world)["fee:self_governance"]
    assert (reversed_["balance_fen"], reversed_["income_fen_month"]) == (120000, 165000)


def test_others_get_not_found(client, world):
    other = build_world("fv")
    for who, headers in (
        ("outsider", world.headers("outsider")),
        ("other committee", other.headers("committee")),
        ("other resident", other.headers("resident_1_1")),
    ):
        response = client.get("/api/v1/compounds/fu/funds", headers=headers)
        assert (response.status_code, response.get_json()["code"]) == (
            404,
            "compound_not_found",
        ), who
    assert client.get("/api/v1/compounds/fu/funds").status_code == 401
