"""GET /api/v1/config serves the Chinese of every code (server/labels.py), and it is
the wording the server's own exports, messages and refusals use."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from server import labels
from server.errors import ValidationFailed
from server.extensions import db
from server.models import Notification, User
from server.models.approvals import APPROVAL_KINDS
from server.models.binding import BINDING_STATUSES
from server.models.board import AUDIENCES, DISCLOSURE_STATUSES
from server.models.campaigns import CAMPAIGN_STATUSES, CAMPAIGN_TYPES
from server.models.census import (
    ACCESS_ACTIONS,
    AGE_BANDS,
    CARE_TAGS,
    CONSENT_KINDS,
    RESIDENCES,
    VISIT_HOWS,
    VISIT_METHODS,
    VISIT_STATUSES,
)
from server.models.compound import OCCUPANCIES, TENURES
from server.models.decisions import BALLOT_CHANNELS, BALLOT_STATUSES, MATTERS, PROPOSAL_STATUSES
from server.models.fees import BILL_STATUSES, READING_STATUSES
from server.models.governance import AUDIT_ACTIONS
from server.models.income import ASSET_KINDS, CONTRACT_CYCLES, INCOME_KINDS, INCOME_STATUSES
from server.models.issue import CATEGORIES, STATUSES
from server.models.payments import (
    ANOMALY_KINDS,
    OFFLINE_METHODS,
    OFFLINE_STATUSES,
    PAYMENT_STATUSES,
    REFUND_STATUSES,
)
from server.models.spending import EXPENSE_CATEGORIES, EXPENSE_STATUSES, PAY_METHODS
from server.models.user import RELATIONS, ROLE_SCOPES, ROLES
from server.services.issues.states import ACTIONS
from server.services.money import fees
from server.services.people import roles
from tests.factories import build_world, self_governance_fee, stair_electricity_fee
from tests.steps import export_sheets, fee_export, recorded_cash
from tests.timing import month, shanghai_date

THIS = month(0)

# The contract the mini-program codes against: these groups, by these names.
CONTRACT = {
    "issue_category": CATEGORIES,
    "issue_status": STATUSES,
    "issue_action": ACTIONS,
    "role": ROLES,
    "scope": tuple(dict.fromkeys(ROLE_SCOPES.values())),
    "relation": RELATIONS,
    "binding_status": BINDING_STATUSES,
    "bill_status": BILL_STATUSES,
    "reading_status": READING_STATUSES,
    "change_kind": APPROVAL_KINDS,
    "payment_status": PAYMENT_STATUSES,
    "anomaly_kind": ANOMALY_KINDS,
    "refund_status": REFUND_STATUSES,
    "offline_method": OFFLINE_METHODS,
    "offline_status": OFFLINE_STATUSES,
    "occupancy": OCCUPANCIES,
    "tenure": TENURES,
    "audit_action": AUDIT_ACTIONS,
    "expense_category": EXPENSE_CATEGORIES,
    "expense_status": EXPENSE_STATUSES,
    "pay_method": PAY_METHODS,
    "asset_kind": ASSET_KINDS,
    "contract_cycle": CONTRACT_CYCLES,
    "income_kind": INCOME_KINDS,
    "income_status": INCOME_STATUSES,
    "audience": AUDIENCES,
    "disclosure_status": DISCLOSURE_STATUSES,
    "proposal_status": PROPOSAL_STATUSES,
    "matter": tuple(str(m) for m in MATTERS),
    "decision_rule": ("three_quarters", "majority"),
    "ballot_channel": BALLOT_CHANNELS,
    "ballot_status": BALLOT_STATUSES,
    "age_band": AGE_BANDS,
    "residence": RESIDENCES,
    "care_tag": CARE_TAGS,
    "campaign_type": CAMPAIGN_TYPES,
    "campaign_status": CAMPAIGN_STATUSES,
    "visit_how": VISIT_HOWS,
    "visit_method": VISIT_METHODS,
    "visit_status": VISIT_STATUSES,
    "access_action": ACCESS_ACTIONS,
    "consent_kind": CONSENT_KINDS,
}
TODAY = shanghai_date(0).isoformat()
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def config(client) -> dict:
    response = client.get("/api/v1/config")  # no sign-in
    assert response.status_code == 200
    return response.get_json()


@pytest.fixture
def world(db_session):
    return build_world("aa")


def test_every_group_has_chinese_for_every_code_the_server_stores(client):
    body = config(client)
    served = body["labels"]
    assert sorted(served) == sorted(CONTRACT)  # JSON objects: Flask sends keys sorted
    for group, codes in CONTRACT.items():
        assert sorted(served[group]) == sorted(codes), group
        assert all(CHINESE.search(text) for text in served[group].values()), group
    assert served["bill_status"]["pending"] == "支付中"  # settled: what the payer sees
    # Older clients read these two.
    assert body["categories"] == served["issue_category"]
    assert body["statuses"] == served["issue_status"]


def test_the_labels_version_is_stable_and_changes_with_any_label(client, monkeypatch):
    version = config(client)["labels_version"]
    assert re.fullmatch(r"[0-9a-f]{12}", version)
    assert config(client)["labels_version"] == version
    monkeypatch.setitem(labels.GROUPS["offline_method"], "other", "其他方式")
    changed = config(client)
    assert changed["labels"]["offline_method"]["other"] == "其他方式"
    assert changed["labels_version"] != version


def test_the_openapi_document_describes_the_labels(client):
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    fields = schema["ClientConfigOut"]["properties"]
    assert {"labels", "labels_version", "categories", "statuses"} <= set(fields)
    assert all(group in fields["labels"]["description"] for group in CONTRACT)


def test_an_issue_reads_the_same_in_its_detail_its_pushes_and_the_register(client, world):
    served = config(client)["labels"]
    body = {"category": "hazard", "title": "楼道堆放杂物", "description": "三楼楼道堆满纸箱"}
    body["household_id"] = world.household("1-1-101").id
    issue = client.post("/api/v1/issues", json=body, headers=world.headers("resident_1_1"))
    assert issue.status_code == 201
    detail = issue.get_json()
    assert detail["category_label"] == served["issue_category"]["hazard"]
    assert detail["status_label"] == served["issue_status"]["submitted"]
    path = f"/api/v1/issues/{detail['id']}/transitions"
    accept = {"action": "accept"}
    assert client.post(path, json=accept, headers=world.headers("liaison_1_1")).status_code == 200
    accepted = served["issue_status"]["accepted"]
    reporter = world.people["resident_1_1"].id
    titles = db.session.scalars(select(Notification.title).where(Notification.user_id == reporter))
    assert f"楼道堆放杂物：{accepted}" in list(titles)
    again = client.post(path, json=accept, headers=world.headers("liaison_1_1"))
    assert again.status_code == 409
    assert f"事项当前为「{accepted}」" in again.get_json()["message"]
    register = client.get(
        "/api/v1/issues/register.xlsx?compound=aa", headers=world.headers("committee")
    )
    header, row, _total = register_rows(register)
    cells = dict(zip(header, row, strict=True))
    assert (cells["类别"], cells["状态"]) == (served["issue_category"]["hazard"], accepted)


def register_rows(response) -> list[list]:
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def test_the_fee_export_says_what_the_client_shows(client, world):
    self_governance_fee(world.compound)
    db.session.flush()
    fees.generate_bills(THIS, "aa")
    served = config(client)["labels"]
    bill = client.get("/api/v1/bills", headers=world.headers("resident_1_1")).get_json()["items"]
    paying = client.post(
        "/api/v1/payments",
        json={"bill_ids": [bill[0]["id"]]},
        headers=world.headers("resident_1_1"),
    )
    assert paying.status_code == 201
    cash = recorded_cash(client, world, "1-2-101", who="liaison_1_2")
    client.post(f"/api/v1/offline-payments/{cash}/confirm", headers=world.headers("committee_2"))
    # A liaison cannot take cash for the bill being paid online: it says why in the same word.
    refused = client.post(
        "/api/v1/offline-payments",
        json={"bill_ids": [bill[0]["id"]], "method": "cash", "amount_fen": 2533, "paid_on": TODAY},
        headers=world.headers("liaison_1_1"),
    )
    assert refused.status_code == 409, refused.get_json()
    assert refused.get_json()["message"] == f"账单已缴或正在{served['bill_status']['pending']}"
    book = export_sheets(fee_export(client, world, THIS))
    bills = {row[1]: row[5] for row in book["账单"][1:-2]}
    assert bills["1-1-101"] == served["bill_status"]["pending"]
    assert bills["1-2-101"] == served["bill_status"]["paid"]
    assert bills["1-1-102"] == served["bill_status"]["unpaid"]
    assert book["未缴名单"][0][3] == f"其中{served['bill_status']['pending']}（元）"
    payments = {row[1]: row for row in book["缴费记录"][1:-1]}
    assert payments["1-1-101"][6] == served["payment_status"]["pending"]
    assert payments["1-2-101"][0] == served["offline_method"]["cash"]
    assert payments["1-2-101"][6] == served["offline_status"]["confirmed"]


def test_binding_roles_and_changes_of_money_use_the_served_words(client, world):
    served = config(client)["labels"]
    body = {"compound": "aa", "building": 1, "unit": 1, "room": "102", "relation": "owner"}
    asked = client.post(
        "/api/v1/bindings", json=body | {"name": "赵大妈"}, headers=world.headers("outsider")
    )
    path = f"/api/v1/bindings/{asked.get_json()['id']}"
    client.post(f"{path}/approve", headers=world.headers("liaison_1_1"))
    again = client.post(
        f"{path}/reject", json={"reason": "重复"}, headers=world.headers("liaison_1_1")
    )
    assert again.status_code == 409
    assert f"（{served['binding_status']['approved']}）" in again.get_json()["message"]
    newcomer = world.people["outsider"].id
    told = db.session.scalars(select(Notification.body).where(Notification.user_id == newcomer))
    assert any(f"（{served['relation']['owner']}）" in line for line in told)

    with pytest.raises(ValidationFailed) as refused:
        roles.grant(db.session.scalars(select(User.id)).first(), "liaison", world.compound)
    assert refused.value.message.endswith(f"须指定到{served['scope']['unit']}")

    stair_electricity_fee(world.compound)
    db.session.flush()
    recorded = client.post(
        "/api/v1/meter-readings",
        json={"unit_id": world.units[0].id, "period": THIS, "amount_fen": 450},
        headers=world.headers("liaison_1_1"),
    )
    assert recorded.status_code == 201, recorded.get_json()
    committee = world.people["committee_2"].id
    titles = db.session.scalars(select(Notification.title).where(Notification.user_id == committee))
    assert any(t.startswith(f"待确认{served['change_kind']['meter_reading']}：") for t in titles)
