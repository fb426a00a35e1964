"""Cash and transfers: one volunteer records, a second, different committee member confirms."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.extensions import db
from server.models import LedgerEntry, Notification, OutboxMessage
from server.services.money import fees, ledger
from server.services.people import roles
from tests.factories import (
    UserFactory,
    bill_of,
    build_world,
    second_account,
    self_governance_fee,
)
from tests.steps import confirm_cash, record_cash
from tests.timing import shanghai_date


@pytest.fixture
def world(db_session):
    world = build_world("aa")
    self_governance_fee(world.compound)
    db.session.flush()
    fees.generate_bills("2026-12", "aa")
    return world


def test_recorded_by_a_liaison_confirmed_by_the_committee(client, world):
    recorded = record_cash(client, world, bill_of(world))
    assert recorded.status_code == 201
    payment = recorded.get_json()
    assert payment["status"] == "pending"
    assert bill_of(world, "1-1-101").status == "pending"
    confirmed = confirm_cash(client, world, payment["id"], "committee")
    assert confirmed.status_code == 200
    assert confirmed.get_json()["status"] == "confirmed"
    bill = bill_of(world, "1-1-101")
    db.session.refresh(bill)
    assert bill.status == "paid"
    (entry,) = db.session.scalars(select(LedgerEntry)).all()
    assert (entry.source_type, entry.amount_fen, entry.actor_id) == (
        "offline_payment",
        bill.amount_fen,
        world.people["committee"].id,
    )


def test_the_same_person_cannot_record_and_confirm(client, world):
    payment = record_cash(client, world, bill_of(world), "committee").get_json()
    same = confirm_cash(client, world, payment["id"], "committee")
    assert same.status_code == 403
    assert same.get_json()["code"] == "same_person"
    other = confirm_cash(client, world, payment["id"], "committee_2")
    assert other.status_code == 200
    again = confirm_cash(client, world, payment["id"], "committee_2")
    assert again.status_code == 409


def test_a_second_account_of_the_recorder_cannot_confirm(client, world):
    twin = second_account(world, "committee", "committee", world.compound)
    payment = record_cash(client, world, bill_of(world), "committee").get_json()
    same = confirm_cash(client, world, payment["id"], twin)
    assert (same.status_code, same.get_json()["code"]) == (403, "same_person")


def test_a_rejection_frees_the_bills(client, world):
    payment = record_cash(client, world, bill_of(world)).get_json()
    missing_reason = client.post(
        f"/api/v1/offline-payments/{payment['id']}/reject",
        json={},
        headers=world.headers("committee"),
    )
    assert missing_reason.status_code == 400
    rejected = client.post(
        f"/api/v1/offline-payments/{payment['id']}/reject",
        json={"reason": "收据与金额不符"},
        headers=world.headers("committee"),
    )
    assert rejected.get_json()["reason"] == "收据与金额不符"
    bill = bill_of(world, "1-1-101")
    db.session.refresh(bill)
    assert bill.status == "unpaid"
    assert db.session.scalars(select(LedgerEntry)).all() == []


@pytest.mark.parametrize("who", ["resident_1_1", "liaison_1_2", "supervisor", "outsider"])
def test_only_the_units_liaison_or_the_committee_record(client, world, who):
    response = record_cash(client, world, bill_of(world), who)
    assert response.status_code in {403, 404}
    assert bill_of(world, "1-1-101").status == "unpaid"


@pytest.mark.parametrize("who", ["resident_1_1", "liaison_1_1", "supervisor"])
def test_only_a_committee_member_confirms(client, world, who):
    payment = record_cash(client, world, bill_of(world), "committee").get_json()
    response = confirm_cash(client, world, payment["id"], who)
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"amount_fen": 1}, "amount_mismatch"),
        ({"paid_on": shanghai_date(1).isoformat()}, "paid_on_in_future"),
    ],
)
def test_amount_and_date_are_checked(client, world, changes, code):
    response = record_cash(client, world, bill_of(world), **changes)
    assert response.status_code == 400
    assert response.get_json()["code"] == code


def test_a_bill_cannot_be_recorded_twice(client, world):
    assert record_cash(client, world, bill_of(world)).status_code == 201
    assert record_cash(client, world, bill_of(world)).status_code == 409


def test_the_committee_sees_the_pending_list(client, world):
    payment = record_cash(client, world, bill_of(world)).get_json()
    listed = client.get("/api/v1/offline-payments?compound=aa", headers=world.headers("supervisor"))
    assert [p["id"] for p in listed.get_json()["items"]] == [payment["id"]]


def test_confirmed_cash_tells_every_resident_of_the_household_once(client, world):
    family = UserFactory(nickname="王小明")
    roles.grant(family.id, "resident", world.household("1-1-101"), relation="family")
    world.people["liaison_1_1"].nickname = "张桂英"
    world.people["committee"].nickname = "李建国"
    db.session.flush()
    payment = record_cash(client, world, bill_of(world)).get_json()
    confirm = f"/api/v1/offline-payments/{payment['id']}/confirm"
    assert client.post(confirm, headers=world.headers("committee")).status_code == 200
    assert client.post(confirm, headers=world.headers("committee_2")).status_code == 409
    residents = [world.people["resident_1_1"].id, family.id]
    inbox = db.session.scalars(
        select(Notification).where(Notification.user_id.in_(residents)).order_by(Notification.id)
    ).all()
    assert [(n.user_id, n.kind, n.title, n.page) for n in inbox] == [
        (uid, "payment", "缴费成功：25.33 元", "pages/bills/index") for uid in residents
    ]
    assert inbox[0].body == (
        "您已通过现金缴费 25.33 元（2026年12月 自治管理费）。由张桂英登记，李建国确认。"
    )
    pushes = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.user_id.in_(residents)).order_by(OutboxMessage.id)
    ).all()
    assert [(m.user_id, m.template) for m in pushes] == [(uid, "reminder") for uid in residents]
    data = pushes[0].payload["data"]
    assert (data["thing1"], data["thing2"]) == ("2026年12月 自治管理费", "现金缴费25.33元已入账")
    others = select(Notification).where(Notification.user_id == world.people["resident_1_2"].id)
    assert db.session.scalars(others).all() == []  # another household hears nothing


def test_the_ledger_says_in_chinese_which_flat_paid_what_and_who_handled_it(client, world):
    world.people["liaison_1_1"].nickname = "张桂英"
    world.people["committee_2"].nickname = "李建国"
    db.session.flush()
    payment = record_cash(client, world, bill_of(world)).get_json()
    confirm_cash(client, world, payment["id"], "committee_2")
    (entry,) = db.session.scalars(select(LedgerEntry)).all()
    assert entry.memo == "1-1-101 2026年12月 自治管理费，现金，张桂英登记，李建国确认"
    assert ledger.verify("aa").ok
