"""Two compounds with objects of every kind, for the tenancy walks (the API's in
tests/server/api/test_tenancy.py, the desk's in tests/server/console/test_desk_security.py):
people of A look for B's objects by their ids."""

from __future__ import annotations

from server.extensions import db
from server.models import PaymentAnomaly
from server.services.disclosures import freeze as disclosure_freeze
from server.services.money import fees
from tests.decisions_helpers import record_paper, voting_proposal
from tests.factories import (
    bill_of,
    build_world,
    care_tagged,
    self_governance_fee,
    stair_electricity_fee,
)
from tests.steps import (
    added_contract,
    opened_payment,
    proposed_expense,
    recorded_cash,
    recorded_income,
    reported_id,
    uploaded_id,
)
from tests.timing import month, shanghai_date


def build_two_compounds(client):
    a, b = build_world("aa"), build_world("bb")
    asked = client.post(
        "/api/v1/bindings",
        json={
            "compound": "bb",
            "building": 1,
            "unit": 1,
            "room": "102",
            "name": "孙阿姨",
            "relation": "owner",
        },
        headers=b.headers("outsider"),
    )
    assert asked.status_code == 201
    photo = uploaded_id(client, b)
    issue = reported_id(
        client,
        b,
        category="hazard",
        title="楼道堆放杂物",
        description="消防通道被堵",
        photos=[photo],
    )
    self_governance_fee(b.compound)
    db.session.flush()
    expense = proposed_expense(client, b, amount_fen=300000)["id"]
    drafted = client.post(
        "/api/v1/compounds/bb/proposals",
        json={"title": "更换单元门", "body": "拟更换。", "matter": 9},
        headers=b.headers("committee"),
    )
    assert drafted.status_code == 201, drafted.get_json()
    proposal = drafted.get_json()["id"]
    shown = client.post(
        f"/api/v1/proposals/{proposal}/publish", json={}, headers=b.headers("committee")
    )
    assert shown.status_code == 200, shown.get_json()
    fees.generate_bills("2026-12", "bb")
    bills = client.get("/api/v1/bills", headers=b.headers("resident_1_1")).get_json()["items"]
    payment = opened_payment(client, b, [bills[0]["id"]])
    offline = recorded_cash(client, b, bill_of(b, "1-1-102"))
    anomaly = PaymentAnomaly(
        compound_id=b.compound.id,
        payment_id=payment.id,
        kind="double_payment",
        details={"refund_due_fen": 2533},
    )
    db.session.add(anomaly)
    stair_electricity_fee(b.compound)
    db.session.flush()
    reading = client.post(
        "/api/v1/meter-readings",
        json={"unit_id": b.units[0].id, "period": "2026-11", "amount_fen": 450},
        headers=b.headers("liaison_1_1"),
    )
    assert reading.status_code == 201, reading.get_json()
    role_invite = client.post(
        "/api/v1/compounds/bb/role-invites",
        json={"role": "liaison", "unit": "1-1"},
        headers=b.headers("committee"),
    )
    assert role_invite.status_code == 201, role_invite.get_json()
    asset = client.post(
        "/api/v1/compounds/bb/assets",
        json={"kind": "ad_space", "name": "东门广告牌"},
        headers=b.headers("committee"),
    )
    contract = added_contract(client, b, asset_id=asset.get_json()["id"])
    disclosures = {}
    for key, offset, status in (
        ("draft", -1, "draft"),
        ("signed", -2, "signed"),
        ("", -3, "published"),
    ):
        disclosure = disclosure_freeze.freeze(b.compound, month(offset), b.user_ids["committee"])
        disclosure.status = status
        disclosures[f"{key}_disclosure".lstrip("_")] = disclosure.id
    db.session.commit()
    notice = client.post(
        "/api/v1/compounds/bb/announcements",
        json={"title": "停水通知", "body": "明天上午停水", "urgent": True},
        headers=b.headers("committee"),
    )
    assert notice.status_code == 201, notice.get_json()
    campaign = client.post(
        "/api/v1/compounds/bb/campaigns",
        json={
            "type": "safety",
            "title": "消防排查",
            "scope": "compound",
            "due_on": shanghai_date(7).isoformat(),
        },
        headers=b.headers("committee"),
    )
    assert campaign.status_code == 201, campaign.get_json()
    voting = voting_proposal(b)
    paper_photo = uploaded_id(client, b, who="liaison_1_1")
    paper = record_paper(client, b, voting, "1-1-102", "yes", paper_photo)
    assert paper.status_code == 201, paper.get_json()
    census_member = client.post(
        f"/api/v1/households/{b.household_ids['1-1-101']}/members",
        json={"name": "王秀兰", "relation": "owner", "age_band": "70_79", "consent": True},
        headers=b.headers("liaison_1_1"),
    )
    assert census_member.status_code == 201, census_member.get_json()
    ids = {
        "voting_proposal": voting,
        "census_household": b.household_ids["1-1-101"],
        "census_member": census_member.get_json()["id"],
        "paper_ballot": paper.get_json()["id"],
        "asset": asset.get_json()["id"],
        "contract": contract["id"],
        "income": recorded_income(client, b, contract_id=contract["id"]),
        **disclosures,
        "announcement": notice.get_json()["id"],
        "role_invite": role_invite.get_json()["id"],
        "membership": b.people["committee_2"].memberships[0].id,
        "reading": reading.get_json()["id"],
        "change": reading.get_json()["open_change"]["id"],
        "anomaly": anomaly.id,
        "payment": payment.id,
        "offline": offline,
        "binding": asked.get_json()["id"],
        "upload": photo,
        "issue": issue,
        "unit": b.units[0].id,
        "expense": expense,
        "proposal": proposal,
        **care_visit(b),
        "campaign": campaign.get_json()["id"],
    }
    return a, b, ids


def care_visit(world) -> dict:
    """Care visits: B's 1-2-201 tagged (as the census tags it), its open visit due."""
    household, visit = care_tagged(world, "1-2-201", "disability")
    return {"care_visit": visit.id, "care_household": household.id}
