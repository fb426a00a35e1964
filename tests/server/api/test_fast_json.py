"""The hot reads answer without marshmallow at request time (server/api/fast_json.py):
what they send must stay byte for byte what the documented schemas dump."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.api import presenters
from server.api.fast_json import compile_schema
from server.api.schemas.issues import IssueListOut, IssueOut
from server.api.schemas.money import BillListOut
from server.extensions import db
from server.models import Bill
from server.models.issue import ReturnVisit
from server.services.issues import detail as details
from server.services.issues import views
from server.services.money import bills
from server.services.people import roles
from server.services.people.access import load_principal
from tests.factories import build_world, make_bill, make_payment, stair_electricity_fee
from tests.steps import act, reported_id, uploaded_id
from tests.timing import day, month, shanghai_date

pytestmark = pytest.mark.usefixtures("photo_storage")


@pytest.fixture
def world(db_session):
    return build_world("fj")


def _expected(app, payload) -> bytes:
    """What APIFlask sends for a dumped payload: jsonify's bytes."""
    return app.json.response(payload).data


# ----- my bills -----


def _bills_world(world) -> int:
    """1-1-101's and 1-1-102's bills in every state, the resident living in both; the
    id of the open WeChat Pay order holding one."""
    resident = world.user_ids["resident_1_1"]
    roles.grant(resident, "resident", world.household("1-1-102"), relation="tenant", name="王秀兰")
    meter = stair_electricity_fee(world.compound)
    unpaid = make_bill(world, period=month(-3), amount_fen=2533)
    make_bill(world, period=month(-1), amount_fen=1999)
    in_order = make_bill(world, period=month(-2), amount_fen=2533)
    order = make_payment(world, [in_order])  # pending, held by an open WeChat Pay order
    in_order.held_by = f"payment:{order.id}"
    cash = make_bill(world, period=month(-4), amount_fen=2533)
    cash.status, cash.held_by = "pending", "offline:7"  # waiting for a second person
    paid = make_bill(world, period=month(-5), amount_fen=2533)
    payment = make_payment(world, [paid], "paid", paid_at=day(-3, "09:15"))
    paid.held_by = f"payment:{payment.id}"
    electricity = make_bill(world, period=month(-1), amount_fen=467, item=meter)
    electricity.basis = {"unit_total_fen": 2802, "households": 6, "reading_id": 3, "注": "均摊"}
    voided = make_bill(world, period=month(-2), amount_fen=512, item=meter)
    voided.status, voided.void_key, voided.paid_at = "cancelled", voided.id, day(-1, "20:01")
    voided.held_by = "payment:99"
    make_bill(world, "1-1-102", period=month(-1), amount_fen=3100)
    other = make_bill(world, "1-1-102", period=month(-2), amount_fen=3100)
    other.status, other.paid_at, other.held_by = "paid", day(-10, "23:59"), "offline:3"
    unpaid.basis = {"area_m2": "72.37", "rate": "0.35", "months": 1}
    db.session.flush()
    return order.id


def _schema_dump(household_ids) -> dict:
    """BillListOut's dump of the bills as ORM objects, in the list's order."""
    rows = db.session.scalars(
        select(Bill).where(Bill.household_id.in_(household_ids)).order_by(Bill.id.desc())
    ).all()
    order = {"unpaid": 0, "pending": 1, "paid": 2, "cancelled": 3}
    return BillListOut().dump(bills.bill_list(sorted(rows, key=lambda b: order[b.status])))


def test_my_bills_are_what_the_schema_dumps(app, client, world):
    order_id = _bills_world(world)
    headers = world.headers("resident_1_1")
    homes = [world.household_ids["1-1-101"], world.household_ids["1-1-102"]]
    response = client.get("/api/v1/bills", headers=headers)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.mimetype == "application/json"
    expected = _schema_dump(homes)
    assert response.data == _expected(app, expected)
    body = response.get_json()
    assert len(body["items"]) == 9
    assert body["unpaid_fen"] == 2533 + 1999 + 467 + 3100
    statuses = [item["status"] for item in body["items"]]
    assert statuses == sorted(statuses, key=["unpaid", "pending", "paid", "cancelled"].index)
    held = [item["payment_id"] for item in body["items"] if item["status"] == "pending"]
    assert held == [order_id, None] or held == [None, order_id]  # cash: no WeChat Pay order
    paid_at = [item["paid_at"] for item in body["items"] if item["paid_at"]]
    assert len(paid_at) == 3
    assert all(p.endswith("+08:00") for p in paid_at)
    assert {item["item_name"] for item in body["items"]} == {"自治管理费", "楼道公用电费"}

    one = client.get(f"/api/v1/bills?household_id={homes[1]}", headers=headers)
    assert one.data == _expected(app, _schema_dump(homes[1:]))
    assert len(one.get_json()["items"]) == 2


def test_no_bills_and_someone_elses_household(app, client, world):
    response = client.get("/api/v1/bills", headers=world.headers("outsider"))
    assert response.data == _expected(app, {"items": [], "unpaid_fen": 0})
    other = world.household_ids["1-2-101"]
    refused = client.get(
        f"/api/v1/bills?household_id={other}", headers=world.headers("resident_1_1")
    )
    assert refused.status_code == 404
    assert refused.get_json()["code"] == "household_not_found"


# ----- issues -----


def _issues_world(client, world) -> list[int]:
    """Issues in every state, with photos, a referral, a rating, one filed for a
    neighbour, one marked as a duplicate."""
    photo = uploaded_id(client, world)
    submitted = reported_id(client, world, photos=[photo], show_name=True)
    accepted = reported_id(client, world, category="hazard", title="电线老化")
    act(client, world, accepted, "liaison_1_1", "accept", note="明天来看")
    referred = reported_id(client, world, title="路灯坏了")
    act(client, world, referred, "liaison_1_1", "accept")
    act(
        client,
        world,
        referred,
        "liaison_1_1",
        "refer",
        referral_body="供电局",
        referral_contact="95598",
        referral_ref="GD-1",
        follow_up_on=shanghai_date(7).isoformat(),
    )
    closed = reported_id(client, world, title="水管漏水")
    act(client, world, closed, "liaison_1_1", "accept")
    fixed = uploaded_id(client, world, who="liaison_1_1")
    act(client, world, closed, "liaison_1_1", "resolve", note="修好了", photos=[fixed])
    act(client, world, closed, "resident_1_1", "confirm", rating=4, note="很快")
    visit = db.session.scalars(select(ReturnVisit).where(ReturnVisit.issue_id == closed)).one()
    visit.kind, visit.status = "message", "sent"  # "is it still fixed?" asked of the reporter
    visit.assignee_id, visit.due_at = world.user_ids["resident_1_1"], day(0, "08:00")
    db.session.flush()
    rejected = reported_id(client, world, title="不是我们管")
    act(client, world, rejected, "committee", "reject", reason="属于市政")
    duplicate = reported_id(client, world, title="楼道灯又不亮")
    act(client, world, duplicate, "liaison_1_1", "mark_duplicate", duplicate_of=submitted)
    for_neighbour = reported_id(
        client,
        world,
        who="liaison_1_1",
        household_id=world.household_ids["1-1-102"],
        on_behalf_name="张大爷",
    )
    return [submitted, accepted, referred, closed, rejected, duplicate, for_neighbour]


@pytest.mark.parametrize("who", ["resident_1_1", "liaison_1_1", "committee", "resident_1_2"])
def test_issue_details_and_lists_are_what_the_schemas_dump(app, client, world, who):
    ids = _issues_world(client, world)
    headers = world.fresh_headers(who)
    seen = answers = 0
    for issue_id in ids:
        response = client.get(f"/api/v1/issues/{issue_id}", headers=headers)
        if response.status_code == 404:
            continue
        seen += 1
        assert response.headers["Cache-Control"] == "no-store"
        raw = presenters.issue_detail(details.detail(load_principal(world.user_ids[who]), issue_id))
        assert response.data == _expected(app, IssueOut().dump(raw))
        answers += raw["can_answer_return_visit"]
    assert seen == {"resident_1_1": 6, "resident_1_2": 0}.get(who, 7)
    assert answers == (who == "resident_1_1")

    page = client.get("/api/v1/issues?limit=50", headers=headers)
    rows, cursor = views.list_issues(load_principal(world.user_ids[who]), views.Filters())
    raw = {"items": [presenters.issue_item(row) for row in rows], "next_cursor": cursor}
    assert page.data == _expected(app, IssueListOut().dump(raw))
    assert len(page.get_json()["items"]) == seen


def test_a_new_issue_and_an_action_answer_as_the_schema_dumps(app, client, world):
    response = client.post(
        "/api/v1/issues",
        json={
            "category": "repair",
            "title": "楼道灯不亮",
            "description": "三楼",
            "household_id": world.household_ids["1-1-101"],
        },
        headers=world.fresh_headers("resident_1_1"),
    )
    assert response.status_code == 201
    issue_id = response.get_json()["id"]
    raw = presenters.issue_detail(
        details.detail(load_principal(world.user_ids["resident_1_1"]), issue_id)
    )
    assert response.data == _expected(app, IssueOut().dump(raw))
    accepted = act(client, world, issue_id, "liaison_1_1", "accept", note="收到")
    assert accepted.status_code == 200
    liaison = load_principal(world.user_ids["liaison_1_1"])
    raw = presenters.issue_detail(details.detail(liaison, issue_id))
    assert accepted.data == _expected(app, IssueOut().dump(raw))


def test_a_compiled_schema_refuses_what_it_cannot_copy():
    from apiflask import Schema, fields

    class Renamed(Schema):
        item = fields.String(attribute="fee_item.code")

    class Floating(Schema):
        share = fields.Float()

    for schema in (Renamed, Floating):
        with pytest.raises(TypeError):
            compile_schema(schema)
