"""Paying an expense: a ledger debit of its fund in the same transaction, by a committee
member other than the proposer; never below zero; a paid expense is reversed, never
edited."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.extensions import db
from server.models import LedgerEntry
from server.models.spending import Expense, ExpenseEvent
from server.services.money import ledger
from tests.factories import add_person, build_world, fund_money, self_governance_fee
from tests.helpers import balance, inbox, ledger_entries, together
from tests.steps import (
    EXPENSE,
    expense_step,
    expense_stepped,
    pay_body,
    proposed_expense,
    uploaded_id,
)


@pytest.fixture
def world(db_session, photo_storage):
    world = build_world("ep")
    self_governance_fee(world.compound)
    fund_money(world, 100000)
    db.session.flush()
    return world


def approved(client, world, **fields) -> int:
    made = proposed_expense(client, world, **fields)
    # The supervisor's approval needs no body.
    response = world_post(client, world, f"/api/v1/expenses/{made['id']}/approve", "supervisor")
    assert response.status_code == 200, response.get_json()
    return made["id"]


def world_post(client, world, url, who):
    return client.post(url, headers=world.fresh_headers(who))


def test_paying_debits_the_fund_once_with_a_memo(client, world):
    expense_id = approved(client, world)
    proof = uploaded_id(client, world, who="committee_2")
    paid = expense_stepped(
        client, world, expense_id, "committee_2", "pay", proof=[proof], **pay_body(-1, "cash")
    )
    assert (paid["status"], paid["pay_method"], paid["proofs"]) == ("paid", "cash", [proof])
    assert paid["paid_by"] == world.people["committee_2"].nickname
    debit = ledger_entries("fee:self_governance")[-1]
    assert (debit.direction, debit.amount_fen, debit.source_type, debit.source_id) == (
        "debit",
        35000,
        "expense",
        expense_id,
    )
    assert "更换3单元楼道灯" in debit.memo
    assert "老张水电维修部" in debit.memo
    assert balance("fee:self_governance") == 65000
    assert ledger.verify("ep").ok
    # The proposer hears it was paid; residents read the proof.
    assert "支出已付款" in [n.title for n in inbox(world.user_ids["committee"])]
    photo = client.get(f"/api/v1/uploads/{proof}", headers=world.fresh_headers("resident_1_2"))
    assert photo.status_code == 200
    again = expense_step(client, world, expense_id, "committee_2", "pay", **pay_body())
    assert (again.status_code, again.get_json()["code"]) == (409, "expense_state")
    assert len(ledger_entries("fee:self_governance")) == 2


def test_an_overdraw_is_refused_and_nothing_is_written(client, world):
    expense_id = approved(client, world, amount_fen=100001)
    entries = len(ledger_entries())
    events = db.session.scalar(select(func.count(ExpenseEvent.id)))
    refused = expense_step(client, world, expense_id, "committee_2", "pay", **pay_body())
    assert (refused.status_code, refused.get_json()["code"]) == (409, "insufficient_funds")
    assert refused.get_json()["message"] == "自治管理费余额只有 1,000.00 元，不够支付 1,000.01 元"
    db.session.expire_all()
    assert len(ledger_entries()) == entries
    assert db.session.scalar(select(func.count(ExpenseEvent.id))) == events
    assert db.session.get(Expense, expense_id).status == "approved"
    # Exactly the balance is fine: the fund reaches zero, never below.
    fund_money(world, 1)
    db.session.commit()
    expense_stepped(client, world, expense_id, "committee_2", "pay", **pay_body())
    assert balance("fee:self_governance") == 0


def test_the_proposer_may_not_pay_and_only_approved_ones_are_paid(client, world):
    made = proposed_expense(client, world)
    refused = expense_step(client, world, made["id"], "committee_2", "pay", **pay_body())
    assert (refused.status_code, refused.get_json()["code"]) == (409, "expense_state")
    expense_stepped(client, world, made["id"], "supervisor", "approve")
    refused = expense_step(client, world, made["id"], "committee", "pay", **pay_body())
    assert (refused.status_code, refused.get_json()["code"]) == (403, "same_person")
    refused = expense_step(client, world, made["id"], "supervisor", "pay", **pay_body())
    assert (refused.status_code, refused.get_json()["code"]) == (403, "committee_only")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (pay_body(1), "paid_on_in_future"),
        (pay_body(-400), "validation_error"),
        ({**pay_body(), "method": "gold"}, "validation_error"),
        ({"method": "cash"}, "validation_error"),
    ],
)
def test_a_payment_is_checked(client, world, body, code):
    expense_id = approved(client, world)
    refused = expense_step(client, world, expense_id, "committee_2", "pay", **body)
    assert (refused.status_code, refused.get_json()["code"]) == (400, code), refused.get_json()
    assert len(ledger_entries()) == 1


def test_a_reversal_credits_back_and_the_expense_stays_as_paid(client, world):
    expense_id = approved(client, world)
    expense_stepped(client, world, expense_id, "committee_2", "pay", **pay_body())
    refused = expense_step(client, world, expense_id, "committee", "change", amount_fen=100)
    assert (refused.status_code, refused.get_json()["code"]) == (409, "expense_state")
    reversed_ = expense_stepped(
        client, world, expense_id, "committee", "reverse", reason="重复付款，对方已退回"
    )
    assert (reversed_["status"], reversed_["reversed"], reversed_["amount_fen"]) == (
        "paid",
        True,
        35000,
    )
    assert reversed_["reversal_reason"] == "重复付款，对方已退回"
    credit = ledger_entries("fee:self_governance")[-1]
    assert (credit.direction, credit.amount_fen, credit.source_type) == (
        "credit",
        35000,
        "expense_reversal",
    )
    assert "重复付款" in credit.memo
    assert balance("fee:self_governance") == 100000
    again = expense_step(client, world, expense_id, "committee", "reverse", reason="再来")
    assert (again.status_code, again.get_json()["code"]) == (409, "already_reversed")
    refused = expense_step(client, world, expense_id, "supervisor", "reverse", reason="x")
    assert refused.get_json()["code"] == "committee_only"
    seen = client.get(f"/api/v1/expenses/{expense_id}", headers=world.headers("resident_1_1"))
    assert [line["action"] for line in seen.get_json()["history"]][-2:] == ["pay", "reverse"]


def test_two_payments_at_once_write_one_debit(app, committed_db):
    world = build_world("eq")
    self_governance_fee(world.compound)
    fund_money(world, 100000)
    add_person(world, "committee_3", "committee", world.compound)
    db.session.commit()
    client = app.test_client()
    # Tokens made at build time: the test's session reads nothing while others write.
    made = client.post(
        "/api/v1/compounds/eq/expenses", json=EXPENSE, headers=world.headers("committee")
    )
    assert made.status_code == 201, made.get_json()
    expense_id = made.get_json()["id"]
    approve = client.post(
        f"/api/v1/expenses/{expense_id}/approve", headers=world.headers("supervisor")
    )
    assert approve.status_code == 200, approve.get_json()
    body = pay_body()

    def pay(who):
        headers = world.headers(who)
        return lambda: app.test_client().post(
            f"/api/v1/expenses/{expense_id}/pay", json=body, headers=headers
        )

    responses, errors = together(app, [pay("committee_2"), pay("committee_3")])
    assert errors == []
    assert sorted(r.status_code for r in responses) == [200, 409]
    debits = db.session.scalars(
        select(LedgerEntry).where(
            LedgerEntry.source_type == "expense", LedgerEntry.source_id == expense_id
        )
    ).all()
    assert len(debits) == 1
    assert balance("fee:self_governance") == 65000


def test_two_expenses_paid_at_once_from_one_fund_never_overdraw_it(app, committed_db):
    """Two different expenses of ¥600 from a fund of ¥1000, paid at the same moment:
    the second waits for the first and then sees its debit (MariaDB: not a snapshot
    taken before the chain lock)."""
    world = build_world("er")
    self_governance_fee(world.compound)
    fund_money(world, 100000)
    add_person(world, "committee_3", "committee", world.compound)
    db.session.commit()
    client = app.test_client()
    ids = []
    for purpose in ("更换楼道灯", "修补屋顶"):
        made = client.post(
            "/api/v1/compounds/er/expenses",
            json={**EXPENSE, "amount_fen": 60000, "purpose": purpose},
            headers=world.headers("committee"),
        )
        assert made.status_code == 201, made.get_json()
        ids.append(made.get_json()["id"])
        approve = client.post(
            f"/api/v1/expenses/{ids[-1]}/approve", headers=world.headers("supervisor")
        )
        assert approve.status_code == 200, approve.get_json()
    body = pay_body()

    def pay(who, expense_id):
        headers = world.headers(who)
        return lambda: app.test_client().post(
            f"/api/v1/expenses/{expense_id}/pay", json=body, headers=headers
        )

    responses, errors = together(app, [pay("committee_2", ids[0]), pay("committee_3", ids[1])])
    assert errors == []
    assert sorted(r.status_code for r in responses) == [200, 409]
    refused = next(r for r in responses if r.status_code == 409).get_json()
    assert refused["code"] == "insufficient_funds"
    assert "余额只有 400.00 元" in refused["message"]
    assert balance("fee:self_governance") == 40000
