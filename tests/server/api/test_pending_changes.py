"""Fee changes and refunds, two people for every yuan, and the one list of what waits."""

from __future__ import annotations

import pytest
from sqlalchemy import event, insert, select

from server.errors import Conflict
from server.extensions import db
from server.models import Approval, Bill, FeeItem, LedgerEntry, OutboxMessage, PaymentAnomaly
from server.services.money import fee_items, fees, ledger
from server.services.people.access import load_principal
from tests.factories import (
    add_person,
    build_world,
    second_account,
    self_governance_fee,
    stair_electricity_fee,
)
from tests.steps import decide, resolve_anomaly
from tests.timing import month, shanghai_day

THIS_MONTH, NEXT_MONTH = month(0), month(1)
REFUNDED = "已微信转账退还"  # how the committee says a refund went


@pytest.fixture
def world(db_session):
    world = build_world("aa")
    self_governance_fee(world.compound)
    add_person(world, "committee_3", "committee", world.compound, user={"nickname": "赵三"})
    return world


def propose(client, world, body, who="committee", item="self_governance"):
    return client.patch(
        f"/api/v1/compounds/aa/fee-items/{item}", json=body, headers=world.headers(who)
    )


def listed(client, world, who="committee", status="pending"):
    response = client.get(
        f"/api/v1/compounds/aa/pending-changes?status={status}", headers=world.headers(who)
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def item(code="self_governance") -> FeeItem:
    return db.session.scalars(
        select(FeeItem).where(FeeItem.code == code).execution_options(populate_existing=True)
    ).one()


def label(period: str) -> str:
    return f"{int(period[:4])}年{int(period[5:])}月"


# ----- fee changes -----


def test_a_rate_change_takes_effect_only_when_a_second_member_confirms(client, world):
    fees.generate_bills(THIS_MONTH, "aa")  # this month is billed: the change starts next month
    proposed = propose(client, world, {"rate": "0.40", "vacant_rule": "exempt"})
    assert proposed.status_code == 202, proposed.get_json()
    change = proposed.get_json()
    assert (change["kind"], change["status"], change["effective_period"]) == (
        "fee_change",
        "pending",
        NEXT_MONTH,
    )
    assert change["summary"] == (
        "自治管理费：费率 0.35 元/m²/月 → 0.40 元/m²/月；空置房 照收 → 免收，"
        f"自{label(NEXT_MONTH)}账单起"
    )
    assert change["details"]["from"] == {"rate": "0.3500", "vacant_rule": "charge"}
    assert change["details"]["to"] == {"rate": "0.40", "vacant_rule": "exempt"}
    assert str(item().rate) == "0.3500"
    shown = client.get("/api/v1/compounds/aa/fee-items", headers=world.headers("committee"))
    (fee,) = shown.get_json()["items"]
    assert (fee["rate"], fee["pending_change"]["id"]) == ("0.3500", change["id"])
    assert decide(client, world, change["id"], "committee_2").status_code == 200
    assert (str(item().rate), item().vacant_rule) == ("0.4000", "exempt")
    fees.generate_bills(NEXT_MONTH, "aa")
    bills = client.get("/api/v1/bills", headers=world.headers("resident_1_1")).get_json()["items"]
    assert {b["period"]: b["amount_fen"] for b in bills} == {NEXT_MONTH: 2894, THIS_MONTH: 2533}


def test_the_proposers_second_wechat_account_cannot_confirm_either(client, world):
    twin = second_account(world, "committee", "committee", world.compound)
    change = propose(client, world, {"rate": "0.90"}).get_json()
    same = decide(client, world, change["id"], twin)
    assert (same.status_code, same.get_json()["code"]) == (403, "same_person")
    assert str(item().rate) == "0.3500"


def test_the_proposer_cannot_confirm_a_fee_change_and_a_third_member_gets_409(client, world):
    change = propose(client, world, {"rate": "0.40"}).get_json()
    same = decide(client, world, change["id"], "committee")
    assert (same.status_code, same.get_json()["code"]) == (403, "same_person")
    rejected = decide(
        client, world, change["id"], "committee_2", action="reject", reason="未经业主大会"
    )
    assert rejected.status_code == 200
    late = decide(client, world, change["id"], "committee_3")
    assert (late.status_code, late.get_json()["code"]) == (409, "change_decided")
    assert str(item().rate) == "0.3500"
    # Once decided, the item is free for a new proposal.
    assert propose(client, world, {"rate": "0.38"}, who="committee_2").status_code == 202


def test_one_open_proposal_per_fee_item(client, world):
    assert propose(client, world, {"rate": "0.40"}).status_code == 202
    second = propose(client, world, {"rate": "0.45"}, who="committee_2")
    assert (second.status_code, second.get_json()["code"]) == (409, "change_pending")
    assert "等待确认" in second.get_json()["message"]


def test_two_proposals_at_the_same_moment_leave_one_open(client, world):
    """The other proposal lands between our look and our insert: the unique key decides."""
    fee = item()
    other = world.people["committee_2"]
    landed = []

    def the_other_proposal(session, _context, _instances):
        if not landed and any(isinstance(o, Approval) for o in session.new):
            landed.append(True)
            session.connection().execute(
                insert(Approval).values(
                    compound_id=fee.compound_id,
                    kind="fee_change",
                    subject_id=fee.id,
                    summary="自治管理费：费率 0.35 → 0.45",
                    details={"to": {"rate": "0.45"}},
                    status="pending",
                    proposed_by_id=other.id,
                    created_at=shanghai_day(0),
                    open_key=0,
                )
            )

    event.listen(db.session(), "before_flush", the_other_proposal)
    try:
        with pytest.raises(Conflict) as raised:
            fee_items.update(
                load_principal(world.people["committee"].id), "aa", "self_governance", {"rate": 1}
            )
    finally:
        event.remove(db.session(), "before_flush", the_other_proposal)
    assert landed
    assert raised.value.code == "change_pending"


def test_a_proposal_confirmed_after_its_period_was_billed_is_refused(client, world):
    change = propose(client, world, {"rate": "0.40"}).get_json()
    assert change["effective_period"] == THIS_MONTH  # nothing billed yet this month
    fees.generate_bills(THIS_MONTH, "aa")  # the monthly job ran before the second person
    late = decide(client, world, change["id"], "committee_2")
    assert (late.status_code, late.get_json()["code"]) == (409, "effective_period_moved")
    assert f"原定自{label(THIS_MONTH)}起生效" in late.get_json()["message"]
    assert f"现在最早自{label(NEXT_MONTH)}起" in late.get_json()["message"]
    assert str(item().rate) == "0.3500"
    assert (
        decide(
            client, world, change["id"], "committee_2", action="reject", reason="重提"
        ).status_code
        == 200
    )


def test_the_cycle_rule_holds_at_confirmation_too(client, world):
    proposed = propose(client, world, {"cycle": "quarterly"})  # nothing billed: allowed
    assert proposed.status_code == 202, proposed.get_json()
    fees.generate_bills(NEXT_MONTH, "aa")  # a monthly bill inside that quarter, meanwhile
    confirmed = decide(client, world, proposed.get_json()["id"], "committee_2")
    assert (confirmed.status_code, confirmed.get_json()["code"]) == (
        409,
        "cycle_change_mid_period",
    )
    assert item().cycle == "monthly"


def test_proposing_what_is_already_in_force_is_refused(client, world):
    same = propose(client, world, {"rate": "0.35", "cycle": "monthly"})
    assert (same.status_code, same.get_json()["code"]) == (400, "no_change")


def test_a_shared_meter_change_applies_to_readings_confirmed_after_it(client, world):
    meter = stair_electricity_fee(world.compound)
    world.household("1-1-201").occupancy = "vacant"
    db.session.flush()

    def reading(unit):
        body = {"unit_id": world.units[unit].id, "period": THIS_MONTH, "amount_fen": 450}
        recorded = client.post(
            "/api/v1/meter-readings", json=body, headers=world.headers("committee_3")
        )
        assert recorded.status_code == 201, recorded.get_json()
        return recorded.get_json()["open_change"]["id"]

    def shares(unit):
        households = {h.id: h.room for h in world.units[unit].households}
        bills = db.session.scalars(
            select(Bill).where(Bill.fee_item_id == meter.id, Bill.household_id.in_(households))
        )
        return sorted((households[b.household_id], b.amount_fen) for b in bills)

    waiting = reading(0)  # recorded before the change, confirmed after it
    change = propose(client, world, {"vacant_rule": "exempt"}, item="stair_electricity")
    assert change.status_code == 202
    assert change.get_json()["effective_period"] is None
    assert (
        change.get_json()["summary"] == "楼道公用电费：空置房 照收 → 免收，此后确认的每一笔电费起"
    )
    assert decide(client, world, change.get_json()["id"], "committee_2").status_code == 200
    assert decide(client, world, waiting, "committee").status_code == 200
    assert shares(0) == [("101", 225), ("102", 225)]  # 201 stands empty: exempt now
    later = reading(1)
    switched_off = propose(client, world, {"active": False}, item="stair_electricity")
    assert decide(client, world, switched_off.get_json()["id"], "committee_2").status_code == 200
    refused = decide(client, world, later, "committee")
    assert (refused.status_code, refused.get_json()["code"]) == (409, "fee_item_inactive")
    assert shares(1) == []


@pytest.mark.parametrize("who", ["liaison_1_1", "supervisor", "resident_1_1"])
def test_only_the_committee_proposes_fee_changes(client, world, who):
    response = propose(client, world, {"rate": "0.40"}, who=who)
    assert (response.status_code, response.get_json()["code"]) == (403, "committee_only")
    assert db.session.scalars(select(Approval)).all() == []


# ----- the list and the pushes -----


def test_the_list_says_who_proposed_what_and_the_supervisor_reads_it(client, world):
    fee = propose(client, world, {"rate": "0.40"}).get_json()
    (row,) = listed(client, world, who="supervisor")
    assert (row["id"], row["proposed_by"], row["mine"]) == (
        fee["id"],
        world.people["committee"].nickname,
        False,
    )
    (own,) = listed(client, world, who="committee")
    assert own["mine"] is True
    decide(client, world, fee["id"], "committee_2")
    assert listed(client, world) == []
    (done,) = listed(client, world, status="confirmed")
    assert done["decided_by"] == world.people["committee_2"].nickname
    for who in ("liaison_1_1", "resident_1_1", "lead_1"):
        refused = client.get("/api/v1/compounds/aa/pending-changes", headers=world.headers(who))
        assert (refused.status_code, refused.get_json()["code"]) == (403, "committee_only")


def test_a_new_change_is_pushed_to_the_other_committee_members_only(client, world):
    propose(client, world, {"rate": "0.40"}, who="committee_2")
    pushes = db.session.scalars(select(OutboxMessage)).all()
    assert {p.user_id for p in pushes} == {
        world.people["committee"].id,
        world.people["committee_3"].id,
    }
    assert {p.template for p in pushes} == {"reminder"}
    data = pushes[0].payload["data"]
    assert data["thing1"] == "待确认收费标准调整"
    assert data["thing2"].startswith("自治管理费：费率")
    assert pushes[0].payload["page"] == "pages/confirm/index"


# ----- refunds -----


@pytest.fixture
def owed(world):
    anomaly = PaymentAnomaly(
        compound_id=world.compound.id,
        kind="double_payment",
        details={"out_trade_no": "LL-T-9", "refund_due_fen": 2533},
    )
    db.session.add(anomaly)
    ledger.append(
        world.compound.id,
        [ledger.Movement(ledger.REFUND_DUE, "credit", 2533, "payment", 1, "paid twice")],
        None,
    )
    db.session.flush()
    return anomaly


def refunds() -> list[LedgerEntry]:
    return list(db.session.scalars(select(LedgerEntry).where(LedgerEntry.source_type == "refund")))


def test_a_refund_counts_only_once_a_second_member_confirms_it(client, world, owed):
    recorded = resolve_anomaly(client, world, owed.id, refunded_fen=2533, resolution=REFUNDED)
    assert recorded.status_code == 202, recorded.get_json()
    body = recorded.get_json()
    assert (body["refunded_fen"], body["refund_left_fen"], body["resolved_at"]) == (
        None,
        2533,
        None,
    )
    waiting = body["pending_refund"]
    assert waiting["summary"] == "已退还订单 LL-T-9 25.33 元（尚需退还 25.33 元）：已微信转账退还"
    assert refunds() == []
    same = decide(client, world, waiting["id"], "committee")
    assert same.get_json()["code"] == "same_person"
    assert decide(client, world, waiting["id"], "committee_2").status_code == 200
    (entry,) = refunds()
    names = world.people["committee"].nickname, world.people["committee_2"].nickname
    assert (entry.amount_fen, entry.direction, entry.actor_id) == (
        2533,
        "debit",
        world.people["committee_2"].id,
    )
    assert (
        entry.memo == f"退款 25.33 元给订单 LL-T-9：已微信转账退还，{names[0]}登记，{names[1]}确认"
    )
    anomaly = client.get(
        "/api/v1/compounds/aa/payment-anomalies", headers=world.headers("supervisor")
    ).get_json()["items"][0]
    assert (anomaly["refunded_fen"], anomaly["pending_refund"]) == (2533, None)
    assert anomaly["resolved_at"] is not None
    late = decide(client, world, waiting["id"], "committee_3")
    assert late.status_code == 409
    assert ledger.verify("aa").ok


def test_a_rejected_refund_leaves_everything_owed(client, world, owed):
    waiting = resolve_anomaly(
        client, world, owed.id, refunded_fen=1000, resolution=REFUNDED
    ).get_json()["pending_refund"]
    twice = resolve_anomaly(
        client, world, owed.id, who="committee_3", refunded_fen=1533, resolution=REFUNDED
    )
    assert (twice.status_code, twice.get_json()["code"]) == (409, "change_pending")
    rejected = decide(
        client, world, waiting["id"], "committee_2", action="reject", reason="没看到转账记录"
    )
    assert rejected.status_code == 200
    assert refunds() == []
    db.session.expire_all()
    assert (db.session.get(PaymentAnomaly, owed.id).refunded_fen, owed.resolved_at) == (None, None)
    assert (
        resolve_anomaly(
            client, world, owed.id, who="committee_3", refunded_fen=2533, resolution=REFUNDED
        ).status_code
        == 202
    )


def test_resolving_with_a_note_when_nothing_is_owed_stays_one_persons_act(client, world):
    anomaly = PaymentAnomaly(
        compound_id=world.compound.id, kind="amount_mismatch", details={"out_trade_no": "LL-T-8"}
    )
    db.session.add(anomaly)
    db.session.flush()
    response = resolve_anomaly(client, world, anomaly.id, resolution="与微信支付核对无误")
    assert response.status_code == 200
    assert response.get_json()["resolved_at"] is not None
    assert db.session.scalars(select(Approval)).all() == []


def test_a_per_area_fee_without_a_rate_needs_one_in_the_proposal(client, world):
    item().rate = None
    db.session.flush()
    refused = propose(client, world, {"cycle": "quarterly"})
    assert (refused.status_code, refused.get_json()["code"]) == (400, "rate_required")
    assert propose(client, world, {"cycle": "quarterly", "rate": "0.35"}).status_code == 202
