"""Public income: one committee member records, a second, different one confirms; only
then is it counted (a ledger credit to the co-construction fund)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.extensions import db
from server.models import LedgerEntry
from server.models.income import CO_CONSTRUCTION
from server.services.money import funds, ledger
from tests.factories import build_world, second_account
from tests.helpers import inbox
from tests.steps import (
    added_contract,
    decide_income,
    record_income,
    recorded_income,
    uploaded_id,
)
from tests.timing import shanghai_date


@pytest.fixture
def world(db_session, photo_storage):
    return build_world("aa")


def co_construction(world) -> int:
    (fund,) = [f for f in funds.balances(world.compound.id) if f.account == CO_CONSTRUCTION]
    return fund.balance_fen


def listed(client, world, who="committee", status=None) -> list[dict]:
    url = "/api/v1/compounds/aa/income" + (f"?status={status}" if status else "")
    response = client.get(url, headers=world.fresh_headers(who))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def test_recorded_by_one_confirmed_by_another_the_fund_grows(client, world):
    receipt = uploaded_id(client, world, "committee")
    income = recorded_income(client, world, amount_fen=30000, receipt=receipt, payer="临时摊位")
    assert co_construction(world) == 0
    (waiting,) = listed(client, world, "committee_2", "pending")
    assert (waiting["id"], waiting["amount_fen"], waiting["receipt"]) == (income, 30000, [receipt])
    assert waiting["mine"] is False
    assert listed(client, world, "committee")[0]["mine"] is True
    confirmed = decide_income(client, world, income, "committee_2")
    assert confirmed.status_code == 200, confirmed.get_json()
    assert confirmed.get_json()["status"] == "confirmed"
    assert co_construction(world) == 30000
    (entry,) = db.session.scalars(select(LedgerEntry)).all()
    assert (entry.account, entry.direction, entry.source_type, entry.source_id) == (
        CO_CONSTRUCTION,
        "credit",
        "income",
        income,
    )
    assert entry.memo.startswith("停车收入，临时摊位，现金，")
    assert ledger.verify("aa").ok
    assert listed(client, world, status="pending") == []


def test_income_of_a_contract_pays_its_oldest_instalment(client, world):
    contract = added_contract(
        client,
        world,
        counterparty="顺达广告公司",
        start_on=shanghai_date(-40).isoformat(),
        end_on=shanghai_date(325).isoformat(),
    )
    first, second = contract["instalments"][:2]
    income = recorded_income(
        client, world, kind="advertising", amount_fen=50000, contract_id=contract["id"]
    )
    shown = client.get(f"/api/v1/contracts/{contract['id']}", headers=world.headers("committee"))
    states = [i["state"] for i in shown.get_json()["instalments"][:2]]
    assert states == ["waiting", "overdue"]
    assert decide_income(client, world, income).status_code == 200
    after = client.get(
        f"/api/v1/contracts/{contract['id']}", headers=world.headers("supervisor")
    ).get_json()
    assert after["instalments"][0] == {**first, "state": "paid", "income_id": income}
    assert (after["paid_count"], after["paid_fen"]) == (1, 50000)
    assert [i["id"] for i in after["overdue"]] == [second["id"]]
    (entry,) = db.session.scalars(select(LedgerEntry)).all()
    assert entry.memo.startswith(f"广告收入，顺达广告公司，{first['due_on']} 一期，")
    assert co_construction(world) == 50000


def test_a_named_instalment_and_one_already_taken(client, world):
    contract = added_contract(client, world)
    third = contract["instalments"][2]
    income = recorded_income(client, world, contract_id=contract["id"], instalment_id=third["id"])
    (row,) = listed(client, world)
    assert row["instalment"]["id"] == third["id"]
    taken = record_income(
        client, world, "committee_2", contract_id=contract["id"], instalment_id=third["id"]
    )
    assert (taken.status_code, taken.get_json()["code"]) == (409, "instalment_taken")
    other = added_contract(client, world, counterparty="便民超市")
    wrong = record_income(client, world, contract_id=other["id"], instalment_id=third["id"])
    assert (wrong.status_code, wrong.get_json()["code"]) == (404, "instalment_not_found")
    assert [r["id"] for r in listed(client, world)] == [income]


def test_rejected_nothing_is_counted_and_the_instalment_is_free_again(client, world):
    contract = added_contract(client, world, cycle="once")
    income = recorded_income(client, world, contract_id=contract["id"])
    nothing_left = record_income(client, world, "committee_2", contract_id=contract["id"])
    assert (nothing_left.status_code, nothing_left.get_json()["code"]) == (409, "nothing_due")
    no_reason = decide_income(client, world, income, action="reject")
    assert no_reason.status_code == 400
    rejected = decide_income(client, world, income, action="reject", reason="金额与收据不符")
    assert rejected.status_code == 200, rejected.get_json()
    assert (rejected.get_json()["status"], rejected.get_json()["reason"]) == (
        "rejected",
        "金额与收据不符",
    )
    assert co_construction(world) == 0
    assert db.session.scalars(select(LedgerEntry)).all() == []
    again = decide_income(client, world, income)
    assert (again.status_code, again.get_json()["code"]) == (409, "income_decided")
    assert again.get_json()["message"] == "该笔收入已处理"
    assert recorded_income(client, world, "committee_2", contract_id=contract["id"])
    told = inbox(world.user_ids["committee"])
    assert any("已驳回" in n.title and "金额与收据不符" in n.body for n in told)


def test_the_recorder_cannot_decide_not_even_from_a_second_account(client, world):
    income = recorded_income(client, world)
    key = second_account(world, "committee", "committee", world.compound)
    for who in ("committee", key):
        for action, body in (("confirm", {}), ("reject", {"reason": "错了"})):
            refused = decide_income(client, world, income, who, action, **body)
            assert (refused.status_code, refused.get_json()["code"]) == (403, "same_person")
            assert "另一位业委会成员" in refused.get_json()["message"]
    for who in ("supervisor", "resident_1_1", "liaison_1_1"):
        refused = decide_income(client, world, income, who)
        assert (refused.status_code, refused.get_json()["code"]) == (403, "committee_only")
    assert co_construction(world) == 0


def test_the_other_committee_members_are_pushed(client, world):
    income = recorded_income(client, world, amount_fen=12345)
    (line,) = inbox(world.user_ids["committee_2"])
    assert line.title == "待确认公共收益：停车收入 123.45 元"
    assert line.page == "pages/income/index"
    assert inbox(world.user_ids["committee"]) == []
    assert inbox(world.user_ids["supervisor"]) == []
    decide_income(client, world, income)
    (told,) = inbox(world.user_ids["committee"])
    assert told.title == "已确认：停车收入 123.45 元"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"received_on": shanghai_date(1).isoformat()}, "received_on_in_future"),
        ({"amount_fen": 0}, "validation_error"),
        ({"amount_fen": -100}, "validation_error"),
        ({"amount_fen": 12.5}, "validation_error"),
        ({"kind": "lottery"}, "validation_error"),
        ({"method": "bitcoin"}, "validation_error"),
        ({"contract_id": 999999}, "contract_not_found"),
        ({"instalment_id": 1}, "contract_required"),
    ],
)
def test_bad_income_is_refused(client, world, fields, code):
    refused = record_income(client, world, **fields)
    assert refused.status_code == (404 if code.endswith("not_found") else 400)
    assert refused.get_json()["code"] == code
    assert listed(client, world) == []


def test_a_receipt_must_be_the_recorders_own_fresh_photo(client, world):
    theirs = uploaded_id(client, world, "resident_1_1")
    refused = record_income(client, world, receipt=theirs)
    assert (refused.status_code, refused.get_json()["code"]) == (400, "photo_invalid")
    assert listed(client, world) == []
    mine = uploaded_id(client, world, "committee")
    recorded_income(client, world, receipt=mine)
    reused = record_income(client, world, receipt=mine)
    assert (reused.status_code, reused.get_json()["code"]) == (400, "photo_invalid")
    shown = client.get(f"/api/v1/uploads/{mine}", headers=world.headers("resident_1_1"))
    assert shown.status_code == 404  # income receipts: committee and supervisor only


@pytest.mark.parametrize("who", ["resident_1_1", "liaison_1_1", "lead_1", "outsider"])
def test_residents_cannot_read_or_record_income(client, world, who):
    recorded_income(client, world)
    listing = client.get("/api/v1/compounds/aa/income", headers=world.headers(who))
    expected = (404, "compound_not_found") if who == "outsider" else (403, "committee_only")
    assert (listing.status_code, listing.get_json()["code"]) == expected
    assert record_income(client, world, who).status_code == expected[0]


def test_the_supervisor_reads_but_does_not_record(client, world):
    recorded_income(client, world)
    assert len(listed(client, world, "supervisor")) == 1
    refused = record_income(client, world, "supervisor")
    assert (refused.status_code, refused.get_json()["code"]) == (403, "committee_only")


def test_another_compound_sees_and_decides_nothing(client, world):
    other = build_world("bb")
    income = recorded_income(client, world)
    for who in ("committee", "committee_2", "supervisor"):
        refused = client.post(f"/api/v1/income/{income}/confirm", headers=other.headers(who))
        assert (refused.status_code, refused.get_json()["code"]) == (404, "income_not_found")
        listing = client.get("/api/v1/compounds/aa/income", headers=other.headers(who))
        assert (listing.status_code, listing.get_json()["code"]) == (404, "compound_not_found")
        into = client.post(
            "/api/v1/compounds/aa/income",
            json={
                "kind": "rent",
                "amount_fen": 1,
                "received_on": shanghai_date(0).isoformat(),
                "method": "cash",
            },
            headers=other.headers(who),
        )
        assert into.status_code == 404
    assert listed(client, world)[0]["status"] == "pending"
