"""The street office chooses each compound's WeChat Pay merchant; the committee reads it;
an order already made keeps the merchant it was made with."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from server.extensions import db
from server.models import AuditEvent, Compound
from server.services.money import fees, merchants
from tests.factories import add_person, bills_of, build_world, self_governance_fee
from tests.steps import opened_payment

URL = "/api/v1/compounds"


@pytest.fixture
def world(db_session):
    world = build_world("aa")
    add_person(world, "admin", "admin", None)
    db.session.flush()
    return world


def patch(client, world, body, who="admin", code="aa"):
    return client.patch(f"{URL}/{code}", json=body, headers=world.headers(who))


def merchant_lines():
    return db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "pay_merchant_changed")
        .order_by(AuditEvent.id)
    ).all()


def test_the_street_office_sees_the_merchants_it_can_choose_and_never_a_key(client, world):
    listed = client.get(URL, headers=world.headers("admin"))
    body = listed.get_json()
    assert body["pay_merchants"] == [
        {"name": "default", "version": "v2", "mch_id": "1900000109", "default": True},
        {"name": "sandbox-v3", "version": "v3", "mch_id": "1900000300", "default": False},
    ]
    aa = next(item for item in body["items"] if item["code"] == "aa")
    assert (aa["pay_merchant"], aa["pay_version"], aa["pay_merchant_is_default"]) == (
        "default",
        "v2",
        True,
    )
    text = listed.get_data(as_text=True)
    for secret in ("PRIVATE KEY", "apiv3", "key_file", ".pem", "sandboxpaykey"):
        assert secret not in text


def test_switching_a_compound_to_v3_is_logged_and_the_committee_reads_it(client, world):
    changed = patch(client, world, {"pay_merchant": "sandbox-v3"})
    assert changed.status_code == 200, changed.get_json()
    body = changed.get_json()
    assert (body["pay_merchant"], body["pay_version"], body["pay_merchant_is_default"]) == (
        "sandbox-v3",
        "v3",
        False,
    )
    [line] = merchant_lines()
    assert line.summary == (
        "更换微信支付收款商户：默认商户 default（v2） → sandbox-v3（v3），此后的新订单生效"
    )
    assert line.actor_id == world.people["admin"].id

    seen = client.get(f"{URL}/aa", headers=world.headers("committee")).get_json()
    assert (seen["pay_merchant"], seen["pay_version"]) == ("sandbox-v3", "v3")
    resident = client.get(f"{URL}/aa", headers=world.headers("resident_1_1")).get_json()
    assert resident["name"] == "aa小区"
    assert "pay_merchant" not in resident
    assert "pay_version" not in resident

    again = patch(client, world, {"pay_merchant": "sandbox-v3", "name": "aa小区"})
    assert again.status_code == 200
    assert len(merchant_lines()) == 1  # nothing changed, nothing logged

    back = patch(client, world, {"pay_merchant": None}).get_json()
    assert (back["pay_merchant"], back["pay_merchant_is_default"]) == ("default", True)
    assert merchant_lines()[-1].summary == (
        "更换微信支付收款商户：sandbox-v3（v3） → 默认商户 default（v2），此后的新订单生效"
    )
    renamed = patch(client, world, {"name": "新名"}).get_json()
    assert renamed["pay_merchant_is_default"] is True  # a PATCH without it keeps it


def test_an_unknown_merchant_is_refused_and_nothing_changes(client, world):
    refused = patch(client, world, {"pay_merchant": "nobody", "name": "不该改名"})
    assert refused.status_code == 400
    assert refused.get_json() == {
        "code": "unknown_merchant",
        "message": "没有名为“nobody”的微信支付商户，请先在服务器配置中添加",
    }
    db.session.expire_all()
    compound = db.session.scalars(select(Compound).where(Compound.code == "aa")).one()
    assert (compound.name, compound.pay_merchant) == ("aa小区", None)
    assert merchant_lines() == []
    opened = client.post(
        URL,
        json={"code": "xin-1", "name": "新小区", "pay_merchant": "nobody"},
        headers=world.headers("admin"),
    )
    assert opened.get_json()["code"] == "unknown_merchant"


@pytest.mark.parametrize("who", ["committee", "supervisor", "resident_1_1"])
def test_only_the_street_office_chooses_the_merchant(client, world, who):
    refused = patch(client, world, {"pay_merchant": "sandbox-v3"}, who=who)
    assert refused.status_code == 403
    assert merchant_lines() == []


def test_a_compound_opened_on_v3_says_so(client, world):
    opened = client.post(
        URL,
        json={"code": "xin-1", "name": "新小区", "pay_merchant": "sandbox-v3"},
        headers=world.headers("admin"),
    )
    assert opened.status_code == 201, opened.get_json()
    assert (opened.get_json()["pay_merchant"], opened.get_json()["pay_version"]) == (
        "sandbox-v3",
        "v3",
    )
    line = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "compound_opened")
    ).one()
    assert line.summary == "开通小区：新小区（xin-1），微信支付收款商户 sandbox-v3"


def test_an_order_already_made_keeps_its_merchant(client, world):
    self_governance_fee(world.compound)
    db.session.flush()
    fees.generate_bills("2026-11", "aa")
    payment = opened_payment(client, world, [bill.id for bill in bills_of(world, "1-1-101")])
    assert payment.merchant == "default"

    assert patch(client, world, {"pay_merchant": "sandbox-v3"}).status_code == 200
    db.session.refresh(payment)
    assert payment.merchant == "default"
    assert merchants.name_for_compound(world.compound.id) == "sandbox-v3"
    assert merchants.for_payment(payment).merchant == "default"


def test_the_cli_opens_a_compound_on_a_merchant_and_switches_it(app, db_session):
    cli = app.test_cli_runner()
    opened = cli.invoke(
        args=["compounds", "create", "west-2", "--name", "西园小区", "--pay-merchant", "sandbox-v3"]
    )
    assert opened.exit_code == 0, opened.output
    assert opened.output.strip() == "opened: west-2 西园小区 · WeChat Pay: sandbox-v3 v3"
    listed = cli.invoke(args=["compounds", "list"]).output
    assert "west-2\t西园小区\t0 buildings\t0 households · WeChat Pay: sandbox-v3 v3" in listed
    unknown = cli.invoke(args=["compounds", "rename", "west-2", "--pay-merchant", "nobody"])
    assert unknown.exit_code != 0
    assert "没有名为“nobody”的微信支付商户" in unknown.output
    back = cli.invoke(args=["compounds", "rename", "west-2", "--pay-merchant", ""])
    assert back.exit_code == 0, back.output
    assert back.output.strip() == "updated: west-2 西园小区 · WeChat Pay: default v2 (default)"
    [line] = merchant_lines()
    assert line.actor_id is None
    assert json.dumps(line.details) == json.dumps({"pay_merchant": None})
