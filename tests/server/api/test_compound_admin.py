"""The street office (platform admin) opens, lists, renames and archives compounds;
an archived compound can be read but not written."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.errors import Conflict
from server.extensions import db
from server.models import AuditEvent
from server.services.money import fees
from tests.factories import add_person, bills_of, build_world, self_governance_fee
from tests.steps import report
from tests.timing import shanghai_date

URL = "/api/v1/compounds"
PERIOD = "2026-11"
NEW = {
    "code": "xinhua-1",
    "name": "新华里小区",
    "address": "新华路 12 号",
    "district": "和平区",
    "street": "新华街道",
    "contact_name": "赵主任",
    "contact_phone": "13812345678",
}


@pytest.fixture
def world(db_session):
    world = build_world("aa")
    add_person(world, "admin", "admin", None)
    db.session.flush()
    return world


def post(client, world, who, url, body=None):
    return client.post(url, json=body, headers=world.headers(who))


def test_the_street_office_opens_a_compound_and_finds_it_listed(client, world):
    opened = post(client, world, "admin", URL, NEW)
    assert opened.status_code == 201, opened.get_json()
    body = opened.get_json()
    assert (body["code"], body["name"], body["district"], body["street"]) == (
        "xinhua-1",
        "新华里小区",
        "和平区",
        "新华街道",
    )
    assert (body["archived"], body["buildings"], body["households"]) == (False, 0, 0)

    listed = client.get(URL, headers=world.headers("admin")).get_json()["items"]
    by_code = {item["code"]: item for item in listed}
    assert by_code["xinhua-1"]["contact_phone"] == "13812345678"
    assert (by_code["aa"]["buildings"], by_code["aa"]["households"]) == (1, 6)

    opened_line = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "compound_opened")
    ).one()
    assert opened_line.summary == "开通小区：新华里小区（xinhua-1），和平区 新华街道"
    assert opened_line.actor_id == world.people["admin"].id


def test_a_taken_code_is_refused(client, world):
    assert post(client, world, "admin", URL, NEW).status_code == 201
    again = post(client, world, "admin", URL, {**NEW, "name": "另一个"})
    assert again.status_code == 409
    assert again.get_json()["code"] == "compound_exists"
    taken = post(client, world, "admin", URL, {"code": "aa", "name": "重名"})
    assert taken.get_json()["code"] == "compound_exists"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"code": "X", "name": "小"}, "bad_compound_code"),
        ({"code": "Has Space", "name": "名"}, "bad_compound_code"),
        ({"code": "a" * 33, "name": "长"}, "bad_compound_code"),
        ({"code": "ok-code"}, "name_required"),
        ({"code": "ok-code", "name": "  "}, "name_required"),
        ({"code": "ok-code", "name": "名" * 101}, "too_long"),
        ({"code": "ok-code", "name": "名", "contact_phone": "打电话"}, "bad_phone"),
    ],
)
def test_bad_input_is_refused_in_chinese(client, world, body, code):
    refused = post(client, world, "admin", URL, body)
    assert refused.status_code == 400
    assert refused.get_json()["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.get_json()["message"])


@pytest.mark.parametrize("who", ["committee", "resident_1_1", "outsider"])
def test_only_the_platform_admin_manages_compounds(client, world, who):
    headers = world.headers(who)
    assert post(client, world, who, URL, NEW).status_code == 403
    assert client.get(URL, headers=headers).status_code == 403
    assert client.patch(f"{URL}/aa", json={"name": "改"}, headers=headers).status_code == 403
    assert post(client, world, who, f"{URL}/aa/archive").status_code == 403


def test_renaming_changes_what_everyone_reads(client, world):
    renamed = client.patch(
        f"{URL}/aa", json={"name": "市供电局小区（东院）"}, headers=world.headers("admin")
    )
    assert renamed.status_code == 200
    assert renamed.get_json()["name"] == "市供电局小区（东院）"
    seen = client.get(f"{URL}/aa", headers=world.headers("resident_1_1")).get_json()
    assert seen["name"] == "市供电局小区（东院）"
    assert "contact_phone" not in seen  # the contact is for the street office
    blank = client.patch(f"{URL}/aa", json={"name": ""}, headers=world.headers("admin"))
    assert blank.get_json()["code"] == "name_required"
    missing = client.patch(f"{URL}/nowhere", json={"name": "x"}, headers=world.headers("admin"))
    assert missing.status_code == 404


def test_an_archived_compound_is_read_only_and_still_readable(client, world):
    archived = post(client, world, "admin", f"{URL}/aa/archive")
    assert archived.status_code == 200
    assert archived.get_json()["archived"] is True
    again = post(client, world, "admin", f"{URL}/aa/archive")
    assert again.get_json()["archived_at"] == archived.get_json()["archived_at"]

    seen = client.get(f"{URL}/aa", headers=world.headers("resident_1_1")).get_json()
    assert (seen["code"], seen["name"], seen["archived"]) == ("aa", "aa小区", True)

    refused = report(client, world)
    assert refused.status_code == 409
    assert refused.get_json() == {"code": "compound_archived", "message": "本小区已归档，只能查看"}
    room = {"compound": "aa", "building": 1, "unit": 1, "room": "102", "name": "张阿姨"}
    binding = post(client, world, "outsider", "/api/v1/bindings", {**room, "relation": "tenant"})
    assert binding.get_json()["code"] == "compound_archived"
    rename = client.patch(f"{URL}/aa", json={"name": "新"}, headers=world.headers("admin"))
    assert rename.get_json()["code"] == "compound_archived"
    listed = client.get(URL, headers=world.headers("admin")).get_json()["items"]
    assert [item["archived"] for item in listed if item["code"] == "aa"] == [True]


@pytest.fixture
def cli(app, db_session):
    return app.test_cli_runner()


def test_the_cli_opens_a_compound_that_is_then_listed(cli):
    opened = cli.invoke(
        args=["compounds", "create", "west-2", "--name", "西园小区", "--district", "河西区"]
    )
    assert opened.exit_code == 0, opened.output
    listed = cli.invoke(args=["compounds", "list"])
    assert "west-2\t西园小区\t0 buildings\t0 households" in listed.output
    taken = cli.invoke(args=["compounds", "create", "west-2", "--name", "又一个"])
    assert taken.exit_code != 0
    assert "小区编号 west-2 已被使用" in taken.output
    renamed = cli.invoke(args=["compounds", "rename", "west-2", "--name", "西园新村"])
    assert renamed.exit_code == 0, renamed.output
    archived = cli.invoke(args=["compounds", "archive", "west-2"])
    assert archived.exit_code == 0, archived.output
    assert "西园新村" in archived.output
    assert "[archived]" in cli.invoke(args=["compounds", "list"]).output


def test_an_archived_compound_takes_no_money_and_runs_no_bills(client, world):
    self_governance_fee(world.compound)
    db.session.flush()
    fees.generate_bills(PERIOD, "aa")
    bills = bills_of(world, "1-1-101")
    assert post(client, world, "admin", f"{URL}/aa/archive").status_code == 200

    cash = {
        "bill_ids": [bill.id for bill in bills],
        "method": "cash",
        "amount_fen": sum(bill.amount_fen for bill in bills),
        "paid_on": shanghai_date(-1).isoformat(),
    }
    recorded = post(client, world, "committee", "/api/v1/offline-payments", cash)
    assert (recorded.status_code, recorded.get_json()["code"]) == (409, "compound_archived")
    with pytest.raises(Conflict):
        fees.generate_bills("2026-12", "aa")
    assert fees.generate_bills("2026-12").created == 0  # every compound: archived ones skipped
