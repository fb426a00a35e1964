"""The monthly disclosure over HTTP: the committee freezes a month from the ledger, the
finance supervisor signs it off or objects, the committee publishes it to every
household; corrections are new versions."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.extensions import db
from server.models import LedgerHead, Notification
from server.services.people import roles
from tests.factories import HouseholdFactory, add_person, build_world
from tests.helpers import statements
from tests.money_month import FEE, a_month_of_money
from tests.timing import month

CO = "fund:co_construction"
REFUND_DUE = "suspense:refund_due"


@pytest.fixture
def world(db_session):
    return build_world("ds")


@pytest.fixture
def money(world):
    return a_month_of_money(world)


def freeze(client, world, month_, who="committee", **body):
    return client.post(
        f"/api/v1/compounds/{world.compound.code}/disclosures",
        json={"month": month_, **body},
        headers=world.headers(who),
    )


def step(client, world, disclosure_id, action, who, **body):
    return client.post(
        f"/api/v1/disclosures/{disclosure_id}/{action}", json=body, headers=world.headers(who)
    )


def read(client, world, disclosure_id, who):
    return client.get(f"/api/v1/disclosures/{disclosure_id}", headers=world.headers(who))


def published(client, world, money) -> dict:
    made = freeze(client, world, money.month).get_json()
    assert step(client, world, made["id"], "sign-off", "supervisor").status_code == 200
    return step(client, world, made["id"], "publish", "committee").get_json()


def funds_of(body: dict) -> dict[str, dict]:
    return {fund["account"]: fund for fund in body["funds"]}


def test_a_frozen_month_shows_every_fund_from_the_ledger(client, world, money):
    made = freeze(client, world, money.month)
    assert made.status_code == 201
    body = made.get_json()
    head = db.session.get(LedgerHead, world.compound.id)
    assert (body["status"], body["version"], body["month"]) == ("draft", 1, money.month)
    assert (body["ledger_seq"], body["ledger_head"]) == (head.seq, head.hash)
    assert body["actions"] == ["correct"]
    funds = funds_of(body)
    assert [f["name"] for f in body["funds"]][:3] == ["自治管理费", "共建基金", "待退款"]

    fee = funds[FEE]
    assert fee["opening_fen"] == 5000
    (fees,) = [line for line in fee["income"] if line["kind"] == "fees"]
    assert (fees["amount_fen"], fees["bills"], fees["households"]) == (9433, 4, 3)
    (expense,) = [line for line in fee["expenses"] if line["kind"] == "expense"]
    assert expense["amount_fen"] == 12000  # this month's 700 is not last month's
    assert (expense["purpose"], expense["payee"], expense["category_name"]) == (
        "更换楼道灯泡",
        "李师傅五金店",
        "维修",
    )
    assert expense["receipts"] == money.receipts
    (correction,) = [line for line in fee["expenses"] if line["kind"] == "correction"]
    assert (correction["title"], correction["amount_fen"]) == ("更正：误记入的零钱", 100)
    assert fee["closing_fen"] == 5000 + 9433 - 12000 - 100

    co = funds[CO]
    (income,) = [line for line in co["income"] if line["kind"] == "income"]
    assert (income["counterparty"], income["kind_name"], income["amount_fen"]) == (
        "华联超市",
        "广告收入",
        60000,
    )
    assert income["title"] == "广告收入（华联超市）"
    (reversal,) = [line for line in co["income"] if line["kind"] == "reversal"]
    assert (reversal["title"], reversal["reason"]) == ("冲正：修剪树木", "重复登记")
    assert (co["opening_fen"], co["closing_fen"]) == (100000, 160000)

    refund_due = funds[REFUND_DUE]
    assert [(line["kind"], line["count"]) for line in refund_due["expenses"]] == [("refund", 1)]
    assert (refund_due["opening_fen"], refund_due["closing_fen"]) == (3000, 0)


def test_opening_plus_income_less_expenses_is_the_closing_of_every_fund(client, world, money):
    body = freeze(client, world, money.month).get_json()
    assert len(body["funds"]) >= 3
    for fund in body["funds"]:
        income = sum(line["amount_fen"] for line in fund["income"])
        spent = sum(line["amount_fen"] for line in fund["expenses"])
        assert fund["opening_fen"] + income - spent == fund["closing_fen"], fund["name"]
        assert (fund["income_fen"], fund["expense_fen"]) == (income, spent)


def test_no_payer_is_named(client, world, money):
    body = published(client, world, money)
    text = read(client, world, body["id"], "resident_1_2").get_data(as_text=True)
    for name in ("王秀兰", "李建国", "1-1-101", "1-2-101"):
        assert name not in text


def test_the_collection_rate_and_the_issues_of_the_month(client, world, money):
    body = freeze(client, world, money.month).get_json()
    assert body["collection"]["households_billed"] == 3
    assert body["collection"]["households_paid"] == 3
    assert body["issues"] == []


def test_a_month_not_begun_or_malformed_is_refused(client, world, money):
    for bad in (month(1), "2026-13", "26-01", "abc"):
        refused = freeze(client, world, bad)
        assert refused.status_code == 400, bad
        assert refused.get_json()["code"] == "bad_month"
        assert "月" in refused.get_json()["message"]
    assert freeze(client, world, month(0)).status_code == 201  # on demand, so far


def test_a_second_freeze_of_a_month_needs_a_correction(client, world, money):
    first = freeze(client, world, money.month).get_json()
    again = freeze(client, world, money.month)
    assert again.status_code == 409
    assert again.get_json()["code"] == "disclosure_exists"
    unexplained = freeze(client, world, money.month, corrects=first["id"])
    assert unexplained.status_code == 400
    assert unexplained.get_json()["code"] == "changes_required"
    second = freeze(client, world, money.month, corrects=first["id"], changes="补上一张票据")
    assert second.status_code == 201
    body = second.get_json()
    assert (body["version"], body["supersedes_id"], body["changes"]) == (
        2,
        first["id"],
        "补上一张票据",
    )
    assert body["title"].endswith("（第 2 版）")
    stale = freeze(client, world, money.month, corrects=first["id"], changes="再改")
    assert stale.status_code == 409
    assert stale.get_json()["code"] == "not_latest"


def test_signed_off_published_and_pushed_to_every_household(client, world, money):
    made = freeze(client, world, money.month).get_json()
    supervisor_inbox = db.session.scalars(
        select(Notification.title).where(Notification.user_id == world.user_ids["supervisor"])
    ).all()
    assert any("待审核" in title for title in supervisor_inbox)
    assert read(client, world, made["id"], "supervisor").get_json()["actions"] == [
        "sign_off",
        "object",
    ]
    early = step(client, world, made["id"], "publish", "committee")
    assert early.status_code == 409
    assert early.get_json()["code"] == "bad_status"
    not_theirs = step(client, world, made["id"], "sign-off", "committee")
    assert not_theirs.status_code == 403
    assert not_theirs.get_json()["code"] == "supervisor_only"
    signed = step(client, world, made["id"], "sign-off", "supervisor")
    assert signed.status_code == 200
    assert signed.get_json()["status"] == "signed"
    assert step(client, world, made["id"], "sign-off", "supervisor").status_code == 409
    by_supervisor = step(client, world, made["id"], "publish", "supervisor")
    assert by_supervisor.status_code == 403
    done = step(client, world, made["id"], "publish", "committee")
    assert done.status_code == 200
    assert done.get_json()["status"] == "published"
    assert done.get_json()["status_name"] == "已公示"
    for resident in ("resident_1_1", "resident_1_2"):
        (line,) = db.session.scalars(
            select(Notification).where(
                Notification.user_id == world.user_ids[resident],
                Notification.kind == "disclosure",
            )
        ).all()
        assert line.title.endswith("收支公示已发布")
        assert line.page == f"pages/disclosure/index?id={made['id']}"
    seen = read(client, world, made["id"], "resident_1_1")
    assert seen.status_code == 200
    assert funds_of(seen.get_json())[CO]["closing_fen"] == 160000


def test_residents_see_it_only_once_published_and_other_compounds_never(client, world, money):
    made = freeze(client, world, money.month).get_json()
    for who in ("resident_1_1", "liaison_1_1", "outsider"):
        hidden = read(client, world, made["id"], who)
        assert hidden.status_code == 404, who
        assert hidden.get_json()["code"] == "disclosure_not_found"
    listed = client.get(
        f"/api/v1/compounds/{world.compound.code}/disclosures",
        headers=world.headers("resident_1_1"),
    )
    assert listed.get_json()["items"] == []
    step(client, world, made["id"], "sign-off", "supervisor")
    step(client, world, made["id"], "publish", "committee")
    listed = client.get(
        f"/api/v1/compounds/{world.compound.code}/disclosures",
        headers=world.headers("resident_1_1"),
    ).get_json()["items"]
    assert [(d["id"], d["status_name"]) for d in listed] == [(made["id"], "已公示")]
    assert read(client, world, made["id"], "outsider").status_code == 404
    other = build_world("dt")
    db.session.commit()
    assert read(client, other, made["id"], "committee").status_code == 404


def test_only_the_committee_freezes(client, world, money):
    for who in ("resident_1_1", "supervisor"):
        refused = freeze(client, world, money.month, who=who)
        assert refused.status_code == 403, who
        assert refused.get_json()["code"] == "committee_only"
    assert freeze(client, world, money.month, who="outsider").status_code == 404


def test_an_objection_stops_it_until_a_corrected_version_is_published(client, world, money):
    first = freeze(client, world, money.month).get_json()
    empty = step(client, world, first["id"], "object", "supervisor", reason="")
    assert empty.status_code == 400
    objected = step(client, world, first["id"], "object", "supervisor", reason="少了一张票据")
    assert objected.status_code == 200
    assert (objected.get_json()["status"], objected.get_json()["objection"]) == (
        "objected",
        "少了一张票据",
    )
    committee_inbox = db.session.scalars(
        select(Notification.body).where(Notification.user_id == world.user_ids["committee"])
    ).all()
    assert any("少了一张票据" in body for body in committee_inbox)
    assert step(client, world, first["id"], "publish", "committee").status_code == 409
    assert step(client, world, first["id"], "sign-off", "supervisor").status_code == 409
    second = freeze(client, world, money.month, corrects=first["id"], changes="补上票据")
    second_id = second.get_json()["id"]
    step(client, world, second_id, "sign-off", "supervisor")
    assert step(client, world, second_id, "publish", "committee").status_code == 200
    old = read(client, world, first["id"], "committee").get_json()
    assert (old["status"], old["status_name"]) == ("superseded", "已更正")
    residents = db.session.scalars(
        select(Notification.body).where(
            Notification.user_id == world.user_ids["resident_1_1"],
            Notification.kind == "disclosure",
        )
    ).all()
    assert len(residents) == 1  # one line, about the corrected version
    assert "本版更正：补上票据" in residents[0]


def test_the_supervisor_cannot_sign_off_their_own_draft(client, world, money):
    roles.grant(world.user_ids["supervisor"], "committee", world.compound)
    db.session.commit()
    made = freeze(client, world, money.month, who="supervisor").get_json()
    refused = step(client, world, made["id"], "sign-off", "supervisor")
    assert refused.status_code == 403
    assert refused.get_json()["code"] == "same_person"


def test_an_older_version_is_neither_signed_off_nor_published(client, world, money):
    first = freeze(client, world, money.month).get_json()
    second = freeze(client, world, money.month, corrects=first["id"], changes="补上票据").get_json()
    for action, who in (("sign-off", "supervisor"), ("object", "supervisor")):
        refused = step(client, world, first["id"], action, who, reason="不对")
        assert refused.status_code == 409, action
        assert refused.get_json()["code"] == "not_latest"
    assert read(client, world, first["id"], "supervisor").get_json()["actions"] == []
    assert read(client, world, second["id"], "committee").get_json()["actions"] == ["correct"]


def test_publishing_tells_every_resident_in_the_same_statements_however_many(client, world, money):
    """Twenty more households with a resident each: publishing runs the same statements."""

    def publish_count(**extra) -> tuple[int, int]:
        made = freeze(client, world, money.month, **extra).get_json()
        assert step(client, world, made["id"], "sign-off", "supervisor").status_code == 200
        seen = statements(lambda: step(client, world, made["id"], "publish", "committee"))
        return made["id"], len(seen)

    first, _ = publish_count()
    second, small = publish_count(corrects=first, changes="补上一张收据")
    unit = world.units[0]
    for i in range(20):
        home = HouseholdFactory(unit_obj=unit, room=f"{5 + i // 4}0{i % 4 + 1}", floor=5 + i // 4)
        add_person(world, f"extra_{i}", "resident", home, relation="owner")
    db.session.flush()
    assert publish_count(corrects=second, changes="更正一处笔误")[1] == small
    told = db.session.scalars(
        select(Notification.user_id).where(
            Notification.kind == "disclosure", Notification.title.like("%（第 3 版）已发布")
        )
    ).all()
    assert world.user_ids["extra_7"] in told
    assert world.user_ids["resident_1_1"] in told
