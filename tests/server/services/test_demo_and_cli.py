"""The operator CLI: the demo compound, granting roles, printing invite codes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import distinct, func, select

from server.extensions import db
from server.models import Compound, FeeItem, Household, Membership, Notification, Unit, User


@pytest.fixture
def cli(app, db_session):
    return app.test_cli_runner()


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_demo_loads_the_compound_of_the_article_once(cli):
    first = cli.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "132 households" in first.output
    again = cli.invoke(args=["demo"])
    assert "already present" in again.output

    compound = db.session.scalars(select(Compound).where(Compound.code == "demo")).one()
    assert compound.name == "市供电局小区"
    assert count(Unit, Unit.compound_id == compound.id) == 9
    assert count(Household, Household.compound_id == compound.id) == 132
    fee = db.session.scalars(select(FeeItem).where(FeeItem.code == "self_governance")).one()
    assert fee.rate == Decimal("0.3500")
    rooms = db.session.scalars(
        select(Household.room).where(Household.compound_id == compound.id).order_by(Household.id)
    ).all()
    assert rooms[:4] == ["101", "102", "201", "202"]  # floor × 100 + door
    for role, expected in [
        ("liaison", 9),
        ("committee", 9),
        ("supervisor", 1),
        ("building_lead", 3),
    ]:
        assert (
            count(Membership, Membership.compound_id == compound.id, Membership.role == role)
            == expected
        )
    # One liaison per unit.
    liaison_units = select(func.count(distinct(Membership.unit_id))).where(
        Membership.role == "liaison"
    )
    assert db.session.scalar(liaison_units) == 9
    areas = db.session.scalars(select(Household.area_m2)).all()
    assert all(
        Decimal("50") < area < Decimal("100") and area == area.quantize(Decimal("0.01"))
        for area in areas
    )


def test_grant_role_bootstraps_a_committee_member_before_first_login(cli, client):
    cli.invoke(args=["demo"])
    result = cli.invoke(args=["grant-role", "chair-openid", "committee", "--compound", "demo"])
    assert result.exit_code == 0, result.output
    assert "granted" in result.output
    user = db.session.scalars(select(User).where(User.openid == "chair-openid")).one()

    login = client.post("/api/v1/auth/login", json={"code": "demo-chair-openid"}).get_json()
    assert login["user"]["id"] == user.id
    assert [(r["role"], r["compound"]) for r in login["user"]["roles"]] == [("committee", "demo")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["grant-role", "x", "liaison", "--compound", "demo"], "单元"),
        (["grant-role", "x", "liaison", "--compound", "demo", "--unit", "1-9"], "9 单元"),
        (
            ["grant-role", "x", "resident", "--compound", "demo", "--household", "1-1"],
            "楼-单元-房号",
        ),
        (["grant-role", "x", "committee", "--compound", "nope"], "找不到该小区"),
        (["grant-role", "x", "committee"], "--compound"),
    ],
)
def test_grant_role_explains_mistakes(cli, args, message):
    cli.invoke(args=["demo"])
    result = cli.invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output


def test_grant_and_revoke_at_every_level(cli):
    cli.invoke(args=["demo"])
    for args in (
        ["resident", "--compound", "demo", "--household", "2-3-502"],
        ["liaison", "--compound", "demo", "--unit", "2-3"],
        ["building_lead", "--compound", "demo", "--building", "2"],
        ["supervisor", "--compound", "demo"],
        ["admin"],
    ):
        assert cli.invoke(args=["grant-role", "multi", *args]).exit_code == 0
    user = db.session.scalars(select(User).where(User.openid == "multi")).one()
    assert count(Membership, Membership.user_id == user.id) == 5
    result = cli.invoke(
        args=["revoke-role", "multi", "liaison", "--compound", "demo", "--unit", "2-3"]
    )
    assert "revoked" in result.output
    assert count(Membership, Membership.user_id == user.id) == 4


def test_invites_create_writes_a_csv(cli, tmp_path):
    cli.invoke(args=["demo"])
    out = tmp_path / "invites.csv"
    result = cli.invoke(
        args=["invites", "create", "--compound", "demo", "--unit", "3-2", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "household,code,expires_at_utc"
    assert len(lines) == 1 + 18  # 6 floors × 3 doors
    assert lines[1].startswith("3-2-101,")


def test_a_resident_granted_by_the_operator_is_announced_to_the_household(cli):
    cli.invoke(args=["demo"])
    flat = db.session.scalars(
        select(Household)
        .join(Unit, Unit.id == Household.unit_id)
        .where(Unit.number == 1, Household.room == "101", Household.building_id.is_not(None))
        .order_by(Household.id)
    ).first()
    owner = db.session.scalars(
        select(Membership).where(Membership.household_id == flat.id, Membership.role == "resident")
    ).first()
    args = ["grant-role", "lodger", "resident", "--compound", "demo", "--household", "1-1-101"]
    assert cli.invoke(args=[*args, "--relation", "tenant"]).exit_code == 0
    (line,) = db.session.scalars(
        select(Notification).where(Notification.user_id == owner.user_id)
    ).all()
    assert line.title == "1-1-101 有新成员：新成员"
    assert line.body.startswith("一位新成员（租户）由管理员登记，成为 1-1-101 的成员。")
    assert cli.invoke(args=[*args, "--relation", "tenant"]).exit_code == 0  # again: nothing new
    assert count(Notification, Notification.user_id == owner.user_id) == 1
