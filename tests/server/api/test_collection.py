"""Collection figures, unpaid lists, exports, meter readings, fee items, the ledger page,
reminders — what the committee, the supervisor and liaisons see of the money."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from server.extensions import db
from server.models import FeeItem, Notification, SubscriptionQuota
from server.services import collection, fees
from tests.factories import build_world


@pytest.fixture
def world(db_session):
    world = build_world("aa")
    db.session.add(
        FeeItem(
            compound_id=world.compound.id,
            code="self_governance",
            name="自治管理费",
            kind="per_area",
            rate="0.35",
            cycle="monthly",
            vacant_rule="charge",
        )
    )
    db.session.add(
        FeeItem(
            compound_id=world.compound.id,
            code="stair_electricity",
            name="楼道公用电费",
            kind="shared_meter",
            cycle="monthly",
            vacant_rule="exempt",
        )
    )
    db.session.flush()
    fees.generate_bills("2026-12", "aa")
    return world


def record_cash(client, world, label, who="liaison_1_1"):
    household_id = world.household(label).id
    bills = client.get(
        f"/api/v1/fees/unpaid-bills?household_id={household_id}", headers=world.headers(who)
    )
    assert bills.status_code == 200, bills.get_json()
    items = bills.get_json()["items"]
    body = {
        "bill_ids": [b["id"] for b in items],
        "method": "cash",
        "amount_fen": sum(b["amount_fen"] for b in items),
        "paid_on": "2026-11-30",
    }
    recorded = client.post("/api/v1/offline-payments", json=body, headers=world.headers(who))
    assert recorded.status_code == 201
    return recorded.get_json()["id"]


def test_collection_figures_per_building_and_unit(client, world):
    payment = record_cash(client, world, "1-1-101")
    client.post(f"/api/v1/offline-payments/{payment}/confirm", headers=world.headers("committee"))
    response = client.get(
        "/api/v1/fees/summary?compound=aa&period=2026-12", headers=world.headers("supervisor")
    )
    assert response.status_code == 200
    summary = response.get_json()
    assert (summary["households_billed"], summary["households_paid"]) == (6, 1)
    assert summary["collection_rate"] == round(1 / 6, 4)
    assert summary["billed_fen"] == 6 * 2533
    assert summary["collected_fen"] == 2533
    units = {u["label"]: u for u in summary["by_unit"]}
    assert (units["1-1"]["households_paid"], units["1-2"]["households_paid"]) == (1, 0)


def test_liaisons_see_their_units_unpaid_and_the_committee_all(client, world):
    mine = client.get(
        "/api/v1/fees/unpaid?compound=aa&period=2026-12", headers=world.headers("liaison_1_2")
    )
    assert {row["label"] for row in mine.get_json()["items"]} == {"1-2-101", "1-2-102", "1-2-201"}
    everyone = client.get(
        "/api/v1/fees/unpaid?compound=aa&period=2026-12", headers=world.headers("committee")
    )
    assert len(everyone.get_json()["items"]) == 6
    assert (
        client.get(
            "/api/v1/fees/unpaid?compound=aa&period=2026-12", headers=world.headers("resident_1_1")
        ).status_code
        == 403
    )


def test_a_liaison_cannot_take_cash_for_another_unit(client, world):
    household_id = world.household("1-1-101").id
    response = client.get(
        f"/api/v1/fees/unpaid-bills?household_id={household_id}",
        headers=world.headers("liaison_1_2"),
    )
    assert response.status_code == 403


def test_the_export_lists_bills_and_how_they_were_paid(client, world):
    payment = record_cash(client, world, "1-1-101")
    client.post(f"/api/v1/offline-payments/{payment}/confirm", headers=world.headers("committee_2"))
    response = client.get(
        "/api/v1/fees/export.xlsx?compound=aa&period=2026-12", headers=world.headers("committee")
    )
    rows = [
        list(r) for r in load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True)
    ]
    assert rows[0][:3] == ["账单号", "房屋", "收费项目"]
    paid = [r for r in rows[1:] if r[5] == "已缴"]
    assert [(r[1], r[4], r[7]) for r in paid] == [("1-1-101", 25.33, "现金")]


def test_a_units_electricity_entered_by_its_liaison(client, world):
    unit_id = world.units[0].id
    response = client.post(
        "/api/v1/meter-readings",
        json={"unit_id": unit_id, "period": "2026-12", "amount_fen": 450},
        headers=world.headers("liaison_1_1"),
    )
    assert response.status_code == 201
    assert sorted(b["amount_fen"] for b in response.get_json()["items"]) == [150, 150, 150]
    again = client.post(
        "/api/v1/meter-readings",
        json={"unit_id": unit_id, "period": "2026-12", "amount_fen": 450},
        headers=world.headers("committee"),
    )
    assert again.status_code == 409


def test_the_committee_changes_the_rate_for_bills_not_yet_made(client, world):
    response = client.patch(
        "/api/v1/compounds/aa/fee-items/self_governance",
        json={"rate": "0.40"},
        headers=world.headers("committee"),
    )
    assert response.status_code == 200
    rates = {i["code"]: i["rate"] for i in response.get_json()["items"]}
    assert rates["self_governance"] == "0.4000"
    fees.generate_bills("2027-01", "aa")
    bills = client.get("/api/v1/bills", headers=world.headers("resident_1_1")).get_json()["items"]
    assert {b["period"]: b["amount_fen"] for b in bills} == {"2027-01": 2894, "2026-12": 2533}
    bad = client.patch(
        "/api/v1/compounds/aa/fee-items/self_governance",
        json={"rate": "-1"},
        headers=world.headers("committee"),
    )
    assert bad.status_code == 400


def test_the_ledger_page_shows_balances_and_verifies(client, world):
    payment = record_cash(client, world, "1-2-101", who="liaison_1_2")
    client.post(f"/api/v1/offline-payments/{payment}/confirm", headers=world.headers("committee"))
    page = client.get("/api/v1/ledger?compound=aa", headers=world.headers("supervisor")).get_json()
    assert page["verified"] is True
    assert page["balance_fen"] == {"fee:self_governance": 2533}
    assert [e["source_type"] for e in page["items"]] == ["offline_payment"]


def test_reminders_push_to_subscribed_residents_and_task_the_liaison_otherwise(world):
    template = "sandbox-reminder"
    db.session.add(
        SubscriptionQuota(
            user_id=world.people["resident_1_1"].id, template_id=template, remaining=1
        )
    )
    db.session.flush()
    assert collection.remind_unpaid("2026-12") == 6
    assert collection.remind_unpaid("2026-12") == 6  # reminded again: no duplicate push
    kinds = {(n.user_id, n.kind) for n in db.session.scalars(select(Notification))}
    assert (world.people["resident_1_1"].id, "fee_reminder") in kinds
    assert (world.people["liaison_1_2"].id, "fee_task") in kinds  # 1-2-101 allowed no push
    assert (world.people["liaison_1_1"].id, "fee_task") in kinds  # 1-1-102 has no resident at all
