"""Expenses (支出): a committee member proposes, the finance supervisor approves or
objects, a change asks for a new approval, a large one needs a second member; every
member of the compound reads them with their receipts."""

from __future__ import annotations

import pytest

from server.extensions import db
from server.models import Compound
from server.services.people import roles
from tests.factories import add_person, build_world, fund_money, self_governance_fee
from tests.helpers import inbox
from tests.steps import (
    expense_step,
    expense_stepped,
    pay_body,
    propose_expense,
    proposed_expense,
    reported_id,
    uploaded_id,
)


@pytest.fixture
def world(db_session, photo_storage):
    world = build_world("ex")
    self_governance_fee(world.compound)
    fund_money(world, 500000)
    db.session.flush()
    return world


def show(client, world, expense_id, who="resident_1_1"):
    response = client.get(f"/api/v1/expenses/{expense_id}", headers=world.fresh_headers(who))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_proposed_objected_changed_approved_and_paid(client, world):
    receipt = uploaded_id(client, world, who="committee")
    made = proposed_expense(client, world, receipts=[receipt])
    assert made["status"] == "proposed"
    assert (made["fund_name"], made["category_label"]) == ("自治管理费", "维修")
    assert made["receipts"] == [receipt]
    assert made["large"] is False
    supervisor = world.user_ids["supervisor"]
    assert [n.title for n in inbox(supervisor)] == ["新的支出待审核"]

    objected = expense_stepped(
        client, world, made["id"], "supervisor", "object", reason="报价偏高，请再比一家"
    )
    assert (objected["status"], objected["objection"]) == ("objected", "报价偏高，请再比一家")
    assert "支出有异议，已暂停" in [n.title for n in inbox(world.user_ids["committee"])]
    # An objection stops it: not approved, not paid, until it is changed.
    refused = expense_step(client, world, made["id"], "supervisor", "approve")
    assert (refused.status_code, refused.get_json()["code"]) == (409, "expense_state")
    assert "有异议" in refused.get_json()["message"]

    changed = expense_stepped(
        client, world, made["id"], "committee", "change", amount_fen=28000, note="换了一家"
    )
    assert (changed["status"], changed["version"], changed["amount_fen"]) == ("proposed", 2, 28000)
    assert changed["objection"] is None
    assert len(inbox(supervisor)) == 2

    approved = expense_stepped(client, world, made["id"], "supervisor", "approve")
    nickname = world.people["supervisor"].nickname
    assert (approved["status"], approved["approved_by"]) == ("approved", nickname)
    paid = expense_stepped(client, world, made["id"], "committee_2", "pay", **pay_body())
    assert paid["status"] == "paid"
    assert paid["pay_method"] == "transfer"

    seen = show(client, world, made["id"])
    assert [line["action"] for line in seen["history"]] == [
        "propose",
        "object",
        "change",
        "approve",
        "pay",
    ]
    change = seen["history"][2]
    assert change["data"]["changes"] == {"amount_fen": [35000, 28000]}
    assert (change["what"], change["note"]) == ("修改", "换了一家")
    assert seen["actions"] == []  # a resident acts on nothing


def test_what_each_person_may_do_is_listed(client, world):
    made = proposed_expense(client, world)
    assert show(client, world, made["id"], "supervisor")["actions"] == ["approve", "object"]
    assert show(client, world, made["id"], "committee")["actions"] == ["change", "withdraw"]
    expense_stepped(client, world, made["id"], "supervisor", "approve")
    assert show(client, world, made["id"], "committee_2")["actions"] == ["pay", "withdraw"]
    assert show(client, world, made["id"], "committee")["actions"] == ["withdraw"]


def test_the_proposer_cannot_approve_confirm_or_pay(client, world):
    both = add_person(world, "both", "committee", world.compound)
    roles.grant(both.id, "supervisor", world.compound)
    db.session.flush()
    made = proposed_expense(client, world, "both", amount_fen=300000)
    assert made["large"] is True
    for action in ("approve", "confirm"):
        refused = expense_step(client, world, made["id"], "both", action)
        assert (refused.status_code, refused.get_json()["code"]) == (403, "same_person")
        assert "提出人不能" in refused.get_json()["message"]
    expense_stepped(client, world, made["id"], "supervisor", "approve")
    expense_stepped(client, world, made["id"], "committee", "confirm")
    refused = expense_step(client, world, made["id"], "both", "pay", **pay_body())
    assert (refused.status_code, refused.get_json()["code"]) == (403, "same_person")


def test_a_large_expense_needs_a_second_member(client, world):
    made = proposed_expense(client, world, amount_fen=200001, purpose="修补屋顶防水")
    assert (made["large"], made["needs_confirmation"]) == (True, True)
    # The other committee member is told it waits for them.
    assert "大额支出待第二位委员确认" in [n.title for n in inbox(world.user_ids["committee_2"])]
    expense_stepped(client, world, made["id"], "supervisor", "approve")
    refused = expense_step(client, world, made["id"], "committee_2", "pay", **pay_body())
    assert (refused.status_code, refused.get_json()["code"]) == (409, "confirmation_required")
    refused = expense_step(client, world, made["id"], "committee", "confirm")
    assert refused.get_json()["code"] == "same_person"
    confirmed = expense_stepped(client, world, made["id"], "committee_2", "confirm")
    assert confirmed["confirmed_by"]
    assert confirmed["needs_confirmation"] is False
    again = expense_step(client, world, made["id"], "committee_2", "confirm")
    assert (again.status_code, again.get_json()["code"]) == (409, "already_confirmed")
    paid = expense_stepped(client, world, made["id"], "committee_2", "pay", **pay_body())
    assert paid["status"] == "paid"


def test_at_the_threshold_it_is_not_large(client, world):
    made = proposed_expense(client, world, amount_fen=200000)
    assert made["large"] is False
    refused = expense_step(client, world, made["id"], "committee_2", "confirm")
    assert (refused.status_code, refused.get_json()["code"]) == (409, "not_large")


def test_an_owners_decision_rule_refuses_a_members_confirmation(client, world):
    db.session.get(Compound, world.compound.id).large_expense_rule = "owners_decision"
    db.session.flush()
    made = proposed_expense(client, world, amount_fen=300000)
    refused = expense_step(client, world, made["id"], "committee_2", "confirm")
    assert (refused.status_code, refused.get_json()["code"]) == (409, "decision_required")
    assert "业主大会" in refused.get_json()["message"]


def test_withdrawn_is_the_end(client, world):
    made = proposed_expense(client, world)
    withdrawn = expense_stepped(client, world, made["id"], "committee_2", "withdraw")
    assert withdrawn["status"] == "withdrawn"
    for who, action, body in (
        ("supervisor", "approve", {}),
        ("committee", "change", {"amount_fen": 100}),
        ("committee", "withdraw", {}),
        ("committee", "reverse", {"reason": "错了"}),
    ):
        refused = expense_step(client, world, made["id"], who, action, **body)
        assert (refused.status_code, refused.get_json()["code"]) == (409, "expense_state")
        assert "已撤回" in refused.get_json()["message"]


def test_only_the_right_role_takes_each_step(client, world):
    made = proposed_expense(client, world)
    for who, action, code in (
        ("committee_2", "approve", "supervisor_only"),
        ("resident_1_1", "object", "supervisor_only"),
        ("supervisor", "change", "committee_only"),
        ("liaison_1_1", "withdraw", "committee_only"),
    ):
        body = {"object": {"reason": "不对"}, "change": {"amount_fen": 1}}.get(action, {})
        refused = expense_step(client, world, made["id"], who, action, **body)
        assert (refused.status_code, refused.get_json()["code"]) == (403, code)
    refused = propose_expense(client, world, "resident_1_1")
    assert (refused.status_code, refused.get_json()["code"]) == (403, "committee_only")
    refused = propose_expense(client, world, "supervisor")
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"fund": "fee:parking"}, "fund_unknown"),
        ({"fund": "suspense:refund_due"}, "fund_unknown"),
        ({"amount_fen": 0}, "validation_error"),
        ({"amount_fen": 10_000_001}, "validation_error"),
        ({"amount_fen": 12.5}, "validation_error"),
        ({"purpose": "  "}, "validation_error"),
        ({"payee": "张" * 101}, "validation_error"),
        ({"category": "dinner"}, "validation_error"),
        ({"receipts": [2**62]}, "photo_invalid"),
    ],
)
def test_a_proposal_is_checked(client, world, fields, code):
    refused = propose_expense(client, world, **fields)
    assert (refused.status_code, refused.get_json()["code"]) == (400, code), refused.get_json()
    assert refused.get_json()["message"]


def test_the_largest_amount_and_an_issue_of_the_compound(client, world):
    issue = reported_id(client, world)
    made = proposed_expense(client, world, amount_fen=10_000_000, issue_id=issue)
    assert (made["amount_fen"], made["issue_id"]) == (10_000_000, issue)
    other = build_world("ey")
    elsewhere = reported_id(client, other)
    refused = propose_expense(client, world, issue_id=elsewhere)
    assert (refused.status_code, refused.get_json()["code"]) == (400, "issue_not_found")


def test_a_change_of_nothing_is_refused(client, world):
    made = proposed_expense(client, world)
    refused = expense_step(client, world, made["id"], "committee", "change", amount_fen=35000)
    assert (refused.status_code, refused.get_json()["code"]) == (400, "nothing_changed")


def test_a_change_after_approval_is_refused_and_an_approved_one_can_be_objected(client, world):
    made = proposed_expense(client, world)
    expense_stepped(client, world, made["id"], "supervisor", "approve")
    refused = expense_step(client, world, made["id"], "committee", "change", amount_fen=1)
    assert (refused.status_code, refused.get_json()["code"]) == (409, "expense_state")
    objected = expense_stepped(client, world, made["id"], "supervisor", "object", reason="重复报销")
    assert (objected["status"], objected["approved_by"]) == ("objected", None)


def test_residents_read_expenses_and_receipts_other_compounds_see_nothing(client, world):
    receipt = uploaded_id(client, world, who="committee")
    made = proposed_expense(client, world, receipts=[receipt])
    for who in ("resident_1_1", "liaison_1_1", "supervisor"):
        listed = client.get("/api/v1/compounds/ex/expenses", headers=world.fresh_headers(who))
        assert [item["id"] for item in listed.get_json()["items"]] == [made["id"]]
        photo = client.get(f"/api/v1/uploads/{receipt}", headers=world.fresh_headers(who))
        assert photo.status_code == 200
    seen = show(client, world, made["id"])
    assert (seen["purpose"], seen["payee"], seen["amount_fen"]) == (
        "更换3单元楼道灯",
        "老张水电维修部",
        35000,
    )
    other = build_world("ez")
    for who in ("committee", "supervisor", "resident_1_1"):
        headers = other.fresh_headers(who)
        for url in (
            f"/api/v1/expenses/{made['id']}",
            "/api/v1/compounds/ex/expenses",
            "/api/v1/compounds/ex/funds",
        ):
            response = client.get(url, headers=headers)
            assert response.status_code == 404, (url, response.get_json())
        assert client.get(f"/api/v1/uploads/{receipt}", headers=headers).status_code == 404
        refused = client.post(f"/api/v1/expenses/{made['id']}/approve", json={}, headers=headers)
        assert (refused.status_code, refused.get_json()["code"]) == (404, "expense_not_found")
    outsider = client.get(f"/api/v1/expenses/{made['id']}", headers=world.headers("outsider"))
    assert outsider.status_code == 404


def test_the_supervisors_queue_and_pages(client, world):
    ids = [proposed_expense(client, world, purpose=f"第{i}笔")["id"] for i in range(22)]
    expense_stepped(client, world, ids[0], "supervisor", "approve")
    headers = world.fresh_headers("supervisor")
    base = "/api/v1/compounds/ex/expenses"
    first = client.get(base, headers=headers).get_json()
    assert [item["id"] for item in first["items"]] == ids[::-1][:20]
    assert first["waiting_for_me"] == 21
    rest = client.get(f"{base}?cursor={first['next_cursor']}", headers=headers).get_json()
    assert [item["id"] for item in rest["items"]] == ids[1::-1]
    assert rest["next_cursor"] is None
    queue = client.get(f"{base}?waiting_for_me=true", headers=headers).get_json()
    assert ids[0] not in [item["id"] for item in queue["items"]]
    approved = client.get(f"{base}?status=approved", headers=headers).get_json()
    assert [item["id"] for item in approved["items"]] == [ids[0]]
    # committee_2 may pay the approved one; residents wait for nothing.
    payer = client.get(f"{base}?waiting_for_me=true", headers=world.fresh_headers("committee_2"))
    assert [item["id"] for item in payer.get_json()["items"]] == [ids[0]]
    resident = client.get(base, headers=world.fresh_headers("resident_1_1")).get_json()
    assert resident["waiting_for_me"] == 0
    bad = client.get(f"{base}?cursor=zz!", headers=headers)
    assert (bad.status_code, bad.get_json()["code"]) == (400, "bad_cursor")
    bad = client.get(f"{base}?status=lost", headers=headers)
    assert bad.status_code == 400
