"""Closing and results of owners' decisions over HTTP (issue 12): every boundary of
art. 278 stored and returned right, a result any owner can re-count from its receipts,
no other flat's choice visible to a resident or a liaison, the supervisor's audit list
(logged), everybody told, and what a passed proposal changes (a fee rate through the
two-person rule, a large expense under "owners_decision")."""

from __future__ import annotations

import io
import json
from collections import defaultdict
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from server.extensions import db
from server.models import AccessLog, Approval, Compound, Proposal
from server.services.decisions import effects_check, results
from server.services.money import fees
from server.services.people import roles
from tests.decisions_helpers import (
    closed,
    owner,
    result_of,
    set_areas,
    voted,
    voting_proposal,
)
from tests.factories import add_person, bill_of, build_world, fund_money, self_governance_fee
from tests.helpers import inbox
from tests.steps import decide, expense_step, expense_stepped, pay_body, proposed_expense
from tests.timing import month

FLATS = ("1-1-101", "1-1-102", "1-1-201", "1-2-101", "1-2-102", "1-2-201")
EVEN = dict.fromkeys(FLATS, "100.00")


@pytest.fixture
def world(db_session):
    return build_world("rs")


def decided(client, world, *, matter=9, areas=None, votes=None, effect=None) -> tuple[int, dict]:
    """A proposal voted on (`votes`: flat → choice) and closed; (id, close response)."""
    set_areas(world, areas or EVEN)
    for label in votes:
        owner(world, label)
    pid = voting_proposal(world, matter=matter, effect=effect)
    for label, choice in votes.items():
        voted(client, world, pid, label, choice)
    return pid, closed(client, world, pid)


# (matter, areas, votes) → (quorum_area_met, quorum_heads_met, passed, area, heads)
BOUNDARIES = {
    "quorum exactly 2/3 of area and heads, yes 3 of 4": (
        9,
        EVEN,
        {"1-1-101": "yes", "1-1-102": "yes", "1-1-201": "yes", "1-2-101": "no"},
        (True, True, True, "400.00", 4),
    ),
    "area met but one head short of 2/3": (
        9,
        {**dict.fromkeys(FLATS, "60.00"), "1-1-101": "300.00"},
        {"1-1-101": "yes", "1-1-102": "yes", "1-1-201": "yes"},
        (True, False, False, "420.00", 3),
    ),
    "heads met but area 0.02 m² short of 2/3": (
        9,
        {**EVEN, "1-2-201": "100.03"},
        {"1-1-101": "yes", "1-1-102": "yes", "1-1-201": "yes", "1-2-101": "yes"},
        (False, True, False, "400.00", 4),
    ),
    "yes exactly half is not more than half": (
        9,
        EVEN,
        {"1-1-101": "yes", "1-1-102": "yes", "1-1-201": "no", "1-2-101": "no"},
        (True, True, False, "400.00", 4),
    ),
    "matter 6: yes exactly 3/4 of area and heads passes": (
        6,
        EVEN,
        {"1-1-101": "yes", "1-1-102": "yes", "1-1-201": "yes", "1-2-101": "no"},
        (True, True, True, "400.00", 4),
    ),
    "matter 7: 3/4 of heads but yes area 0.01 m² short of 3/4": (
        7,
        {**EVEN, "1-2-101": "100.01"},
        {"1-1-101": "yes", "1-1-102": "yes", "1-1-201": "yes", "1-2-101": "no"},
        (True, True, False, "400.01", 4),
    ),
    "abstaining takes part but is no yes": (
        9,
        EVEN,
        {"1-1-101": "yes", "1-1-102": "yes", "1-1-201": "abstain", "1-2-101": "abstain"},
        (True, True, False, "400.00", 4),
    ),
}


@pytest.mark.parametrize("case", sorted(BOUNDARIES))
def test_every_boundary_is_stored_and_returned_right(client, world, case):
    matter, areas, votes, expected = BOUNDARIES[case]
    pid, shown = decided(client, world, matter=matter, areas=areas, votes=votes)
    area_met, heads_met, passed, area, _heads = expected
    assert shown["status"] == "closed"
    assert shown["passed"] is passed
    summary = shown["result"]
    got = (
        summary["quorum_area_met"],
        summary["quorum_heads_met"],
        summary["passed"],
        summary["participating_area_m2"],
        summary["participating_heads"],
    )
    assert got == expected
    assert summary["quorum_met"] is (area_met and heads_met)
    assert summary["winner"] == ("yes" if passed else None)  # nobody wins without a pass
    assert summary["eligible_heads"] == 6
    assert summary["eligible_area_m2"] == str(sum(Decimal(a) for a in areas.values()))
    assert summary["rule"] == ("three_quarters" if matter in (6, 7, 8) else "majority")
    assert summary["thresholds"]["pass"] == ("3/4" if matter in (6, 7, 8) else "1/2")
    assert summary["thresholds"]["quorum"] == "2/3"
    proposal = db.session.get(Proposal, pid)
    assert proposal.passed is passed
    assert proposal.result["participating_area_m2"] == area
    assert result_of(client, world, pid)["passed"] is passed


def test_the_result_can_be_recounted_from_its_receipts(client, world):
    votes = {"1-1-101": "yes", "1-1-102": "no", "1-1-201": "yes", "1-2-101": "yes"}
    set_areas(world, {**EVEN, "1-1-102": "85.30", "1-2-101": "120.55"})
    for label in votes:
        owner(world, label)
    pid = voting_proposal(world)
    receipts = {label: voted(client, world, pid, label, c)["receipt"] for label, c in votes.items()}
    closed(client, world, pid)
    result = result_of(client, world, pid, who="resident_1_1")
    assert [b["receipt"] for b in result["ballots"]] == sorted(receipts.values())
    assert all(set(b) == {"receipt", "area_m2", "choice", "head"} for b in result["ballots"])
    area, heads = defaultdict(Decimal), defaultdict(int)
    for ballot in result["ballots"]:
        area[ballot["choice"]] += Decimal(ballot["area_m2"])
        heads[ballot["choice"]] += ballot["head"]
    for option in result["options"]:
        assert Decimal(option["area_m2"]) == area[option["choice"]]
        assert option["heads"] == heads[option["choice"]]
    assert [(o["choice"], o["label"]) for o in result["options"]] == [
        ("yes", "同意"),
        ("no", "反对"),
        ("abstain", "弃权"),
    ]
    assert result["participating_area_m2"] == str(sum(area.values()))
    assert result["options"][0]["area_m2"] == "320.55"
    assert result["my_receipts"] == [receipts["1-1-101"]]
    assert result["rule_label"] == "参与表决面积和人数均过半数同意"
    not_mine = result_of(client, world, pid, who="resident_1_2")["my_receipts"]
    assert not_mine == [receipts["1-2-101"]]


def test_turnout_while_voting_gives_totals_only(client, world):
    pid = voting_proposal(world)
    voted(client, world, pid, "1-1-101", "yes")
    voted(client, world, pid, "1-2-101", "no")
    assert results.turnout(db.session.get(Proposal, pid)) == {
        "eligible_area_m2": "434.16",
        "eligible_heads": 6,
        "participating_area_m2": "144.72",
        "participating_heads": 2,
    }


def test_one_owner_of_two_flats_is_one_head_with_both_areas(client, world):
    roles.grant(
        world.user_ids["resident_1_1"], "resident", world.households["1-1-102"], relation="owner"
    )
    pid = voting_proposal(world)
    assert db.session.get(Proposal, pid).eligible_heads == 5
    voted(client, world, pid, "1-1-101", "yes")
    later = voted(client, world, pid, "1-1-102", "no", who="resident_1_1")
    summary = closed(client, world, pid)["result"]
    assert (summary["participating_area_m2"], summary["participating_heads"]) == ("144.72", 1)
    # Each flat's area goes to its own ballot; the owner's one head to the latest.
    by = {o["choice"]: (o["area_m2"], o["heads"]) for o in summary["options"]}
    assert (by["yes"], by["no"]) == (("72.36", 0), ("72.36", 1))
    # The published list lets anyone add the heads up too: one ballot carries it.
    ballots = result_of(client, world, pid, who="resident_1_2")["ballots"]
    assert sorted((b["choice"], b["head"]) for b in ballots) == [("no", True), ("yes", False)]
    assert next(b for b in ballots if b["head"])["receipt"] == later["receipt"]


def test_no_result_before_close_and_only_for_the_compound(client, world):
    pid = voting_proposal(world)
    early = client.get(f"/api/v1/proposals/{pid}/result", headers=world.headers("resident_1_1"))
    assert (early.status_code, early.get_json()["code"]) == (409, "result_not_ready")
    closed(client, world, pid)
    add_person(world, "tenant", "resident", world.households["1-1-102"], relation="tenant")
    tenant = client.get(f"/api/v1/proposals/{pid}/result", headers=world.fresh_headers("tenant"))
    assert (tenant.status_code, tenant.get_json()["code"]) == (403, "owners_only")
    other = build_world("ro")
    far = client.get(f"/api/v1/proposals/{pid}/result", headers=other.headers("resident_1_1"))
    assert far.status_code == 404
    for who in ("liaison_1_2", "lead_1", "committee", "supervisor"):
        seen = client.get(f"/api/v1/proposals/{pid}/result", headers=world.headers(who))
        assert seen.status_code == 200, who


def test_every_owner_and_volunteer_is_told_the_result(client, world):
    add_person(world, "tenant", "resident", world.households["1-1-102"], relation="tenant")
    pid, _shown = decided(client, world, votes={"1-1-101": "no"})
    for who in ("resident_1_1", "resident_1_2", "liaison_1_1", "committee", "supervisor"):
        (line,) = [n for n in inbox(world.user_ids[who]) if n.kind == "proposal_result"]
        assert line.page == f"pages/proposal-result/index?id={pid}"
        assert "未通过" in line.title
    # Neither a tenant (who may not open it) nor someone of no role here.
    assert inbox(world.user_ids["tenant"]) == []
    assert inbox(world.user_ids["outsider"]) == []


# ----- secrecy: nobody a resident or liaison can call returns another flat's choice -----


def leaks(data, flats: dict[int, str]) -> list:
    """Objects in a JSON answer naming one of `flats` (id or label) beside a choice."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            named = node.get("household_id") in flats or any(
                node.get(k) in flats.values() for k in ("label", "household_label")
            )
            if named and '"choice"' in json.dumps(node):
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(data)
    return found


def decision_reads(app) -> list[str]:
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        # The API's reads: residents and liaisons cannot sign into the desk (电脑端) at all.
        if "GET" in rule.methods
        and rule.rule.startswith("/api/v1/")
        and ("proposal" in rule.rule or "paper-ballot" in rule.rule)
    )


@pytest.mark.parametrize("stage", ["voting", "closed"])
def test_no_resident_or_liaison_learns_another_flats_choice(app, client, world, stage):
    votes = {"1-1-101": "yes", "1-1-102": "no", "1-2-102": "yes"}
    for label in votes:
        owner(world, label)
    pid = voting_proposal(world)
    receipts = {label: voted(client, world, pid, label, c)["receipt"] for label, c in votes.items()}
    if stage == "closed":
        closed(client, world, pid)
    routes = decision_reads(app)
    assert "/api/v1/proposals/<int:proposal_id>/result" in routes
    for who, own in (
        ("resident_1_2", "1-2-101"),
        ("liaison_1_1", None),
        ("owner_1-1-102", "1-1-102"),
    ):
        others = {world.household_ids[f]: f for f in votes if f != own}
        for rule in routes:
            url = rule.replace("<int:proposal_id>", str(pid)).replace(
                "<string(maxlength=32):code>", world.compound.code
            )
            response = client.get(url, headers=world.fresh_headers(who))
            assert response.status_code in {200, 403, 409}, (who, rule, response.get_json())
            if response.status_code != 200:
                continue
            data = response.get_json()
            assert leaks(data, others) == [], (who, rule)
            text = json.dumps(data)
            if "my_receipts" in text:
                mine = {receipts[own]} if own in receipts else set()
                assert set(data["my_receipts"]) == mine, (who, rule)


# ----- the audit list -----


def test_the_supervisor_audits_the_counted_ballots_and_is_logged(client, world):
    pid, _shown = decided(client, world, votes={"1-1-101": "yes", "1-2-102": "no"})
    offered = {
        who: "audit"
        in client.get(f"/api/v1/proposals/{pid}", headers=world.headers(who)).get_json()["actions"]
        for who in ("supervisor", "committee", "resident_1_1", "liaison_1_1")
    }
    assert offered == {
        "supervisor": True,
        "committee": True,
        "resident_1_1": False,
        "liaison_1_1": False,
    }
    audit = client.get(f"/api/v1/proposals/{pid}/audit", headers=world.headers("supervisor"))
    assert audit.status_code == 200, audit.get_json()
    items = audit.get_json()["items"]
    assert [(i["household_label"], i["choice"], i["channel"]) for i in items] == [
        ("1-1-101", "yes", "app"),
        ("1-2-102", "no", "app"),
    ]
    assert items[0]["area_m2"] == "100.00"
    # The secrecy walk's check would see this list (it is the supervisor's alone).
    assert leaks(items, {world.household_ids["1-1-101"]: "1-1-101"}) == [items[0]]
    assert items[0]["recorded_by"] == "王秀兰"
    assert len(items[0]["receipt"]) == 10
    logged = db.session.scalars(
        select(AccessLog).where(AccessLog.actor_id == world.user_ids["supervisor"])
    ).all()
    assert [(a.action, a.subject_type, a.subject_id) for a in logged] == [
        ("audit_ballots", "proposal", pid)
    ]
    sheet = client.get(
        f"/api/v1/proposals/{pid}/audit?format=xlsx", headers=world.headers("committee")
    )
    assert sheet.status_code == 200
    rows = list(load_workbook(io.BytesIO(sheet.data)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("房号", "面积(m²)", "选项", "方式")
    assert [r[:4] for r in rows[1:]] == [
        ("1-1-101", "100.00", "同意", "小程序投票"),
        ("1-2-102", "100.00", "反对", "小程序投票"),
    ]
    for who in ("resident_1_1", "liaison_1_1", "lead_1"):
        refused = client.get(f"/api/v1/proposals/{pid}/audit", headers=world.headers(who))
        assert refused.status_code == 403, who


def test_while_the_vote_runs_the_check_list_shows_no_choice_even_to_the_committee(client, world):
    pid = voting_proposal(world)
    voted(client, world, pid, "1-1-101", "no")
    for who in ("committee", "supervisor"):
        items = client.get(f"/api/v1/proposals/{pid}/audit", headers=world.headers(who))
        assert items.status_code == 200, items.get_json()
        (line,) = items.get_json()["items"]
        assert line["household_label"] == "1-1-101"
        assert (line["choice"], line["receipt"], line["choice_label"]) == (
            None,
            None,
            "表决结束后显示",
        )
        assert "反对" not in str(items.get_json())
    closed(client, world, pid)
    (line,) = client.get(
        f"/api/v1/proposals/{pid}/audit", headers=world.headers("supervisor")
    ).get_json()["items"]
    assert (line["choice"], line["choice_label"]) == ("no", "反对")
    assert len(line["receipt"]) == 10


# ----- what a passed proposal changes -----

RAISE = {"kind": "fee_rate", "item": "self_governance", "rate": "0.40"}
PASSING = {"1-1-101": "yes", "1-1-102": "yes", "1-1-201": "yes", "1-2-101": "yes"}


def test_a_passed_fee_rate_proposal_changes_the_next_bills_once_confirmed(client, world):
    self_governance_fee(world.compound)
    fees.generate_bills(month(0), world.compound.code)
    before = bill_of(world, "1-1-101", period=month(0)).amount_fen
    pid, shown = decided(
        client, world, votes=PASSING, effect=RAISE, areas=dict.fromkeys(FLATS, "72.36")
    )
    assert shown["passed"] is True
    assert "待另一位委员确认" in shown["result"]["effect_note"]
    listed = client.get(
        f"/api/v1/compounds/{world.compound.code}/pending-changes",
        headers=world.headers("committee_2"),
    ).get_json()["items"]
    (change,) = [c for c in listed if c["kind"] == "fee_change"]
    assert "业主大会表决通过" in change["summary"]
    approval = db.session.get(Approval, change["id"])
    assert approval.details["proposal_id"] == pid
    assert approval.proposed_by_id == world.user_ids["committee"]
    assert approval.effective_period == month(1)
    # The author cannot confirm their own; a second committee member does.
    assert decide(client, world, change["id"], "committee").status_code == 403
    assert decide(client, world, change["id"], "committee_2").status_code == 200
    fees.generate_bills(month(1), world.compound.code)
    after = bill_of(world, "1-1-101", period=month(1))
    assert after.basis["rate"].startswith("0.4")
    assert after.amount_fen > before
    assert bill_of(world, "1-1-101", period=month(0)).amount_fen == before


def test_a_fee_rise_for_a_later_period_is_confirmed_once_that_period_is_next(client, world):
    self_governance_fee(world.compound)
    fees.generate_bills(month(0), world.compound.code)
    later = dict(RAISE, from_period=month(2))
    _pid, shown = decided(
        client, world, votes=PASSING, effect=later, areas=dict.fromkeys(FLATS, "72.36")
    )
    assert shown["passed"] is True
    (approval,) = db.session.scalars(select(Approval)).all()
    assert approval.effective_period == month(2)
    early = decide(client, world, approval.id, "committee_2")
    assert (early.status_code, early.get_json()["code"]) == (409, "effective_period_not_yet")
    assert "账单生成之后再确认" in early.get_json()["message"]
    fees.generate_bills(month(1), world.compound.code)  # at the old rate
    assert decide(client, world, approval.id, "committee_2").status_code == 200
    fees.generate_bills(month(2), world.compound.code)
    assert bill_of(world, "1-1-101", period=month(1)).basis["rate"].startswith("0.35")
    assert bill_of(world, "1-1-101", period=month(2)).basis["rate"].startswith("0.4")


def test_a_failed_fee_rate_proposal_changes_nothing(client, world):
    self_governance_fee(world.compound)
    fees.generate_bills(month(0), world.compound.code)
    before = bill_of(world, "1-1-101", period=month(0)).amount_fen
    pid, shown = decided(
        client, world, votes={"1-1-101": "yes"}, effect=RAISE, areas=dict.fromkeys(FLATS, "72.36")
    )
    assert shown["passed"] is False
    assert db.session.scalars(select(Approval)).all() == []
    assert db.session.get(Proposal, pid).effect_applied_at is None
    fees.generate_bills(month(1), world.compound.code)
    assert bill_of(world, "1-1-101", period=month(1)).amount_fen == before


def test_a_passed_expense_proposal_lets_a_large_expense_be_paid(client, world):
    db.session.get(Compound, world.compound.id).large_expense_rule = "owners_decision"
    self_governance_fee(world.compound)
    fund_money(world, 500000)
    expense = proposed_expense(client, world, amount_fen=300000)["id"]
    expense_stepped(client, world, expense, "supervisor", "approve")
    blocked = expense_step(client, world, expense, "committee_2", "pay", **pay_body())
    assert (blocked.status_code, blocked.get_json()["code"]) == (409, "confirmation_required")
    pid, shown = decided(
        client, world, votes=PASSING, effect={"kind": "expense", "expense_id": expense}
    )
    assert shown["passed"] is True
    paid = expense_stepped(client, world, expense, "committee_2", "pay", **pay_body())
    assert paid["status"] == "paid"
    notes = [line["note"] for line in paid["history"] if line["action"] == "confirm"]
    assert notes == [f"业主大会表决通过（第{pid}号）"]


def test_a_failed_expense_proposal_leaves_it_blocked(client, world):
    db.session.get(Compound, world.compound.id).large_expense_rule = "owners_decision"
    self_governance_fee(world.compound)
    fund_money(world, 500000)
    expense = proposed_expense(client, world, amount_fen=300000)["id"]
    expense_stepped(client, world, expense, "supervisor", "approve")
    _pid, shown = decided(
        client, world, votes={"1-1-101": "no"}, effect={"kind": "expense", "expense_id": expense}
    )
    assert shown["passed"] is False
    blocked = expense_step(client, world, expense, "committee_2", "pay", **pay_body())
    assert (blocked.status_code, blocked.get_json()["code"]) == (409, "confirmation_required")


def test_an_expense_changed_during_the_vote_is_not_confirmed_by_it(client, world):
    """The owners voted on ¥3,000; the committee then made it ¥9,000: the decision does
    not confirm the new amount (the close says why), and it still cannot be paid."""
    db.session.get(Compound, world.compound.id).large_expense_rule = "owners_decision"
    self_governance_fee(world.compound)
    fund_money(world, 1000000)
    expense = proposed_expense(client, world, amount_fen=300000)["id"]
    set_areas(world, EVEN)
    for label in PASSING:
        owner(world, label)
    stored = effects_check.effect(world.compound.id, {"kind": "expense", "expense_id": expense})
    pid = voting_proposal(world, effect=stored)
    for label, choice in PASSING.items():
        voted(client, world, pid, label, choice)
    expense_stepped(client, world, expense, "committee", "change", amount_fen=900000)
    shown = closed(client, world, pid)
    assert shown["passed"] is True
    assert "修改" in shown["result"]["effect_note"]
    expense_stepped(client, world, expense, "supervisor", "approve")
    blocked = expense_step(client, world, expense, "committee_2", "pay", **pay_body())
    assert (blocked.status_code, blocked.get_json()["code"]) == (409, "confirmation_required")
