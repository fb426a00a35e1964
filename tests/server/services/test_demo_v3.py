"""`make run`'s second demo compound, 新苑小区, pays through the sandbox's v3 merchant
beside 市供电局小区 on the v2 one."""

from __future__ import annotations

from sqlalchemy import select

from server.extensions import db
from server.models import Bill, Compound, Household, Membership, User
from server.services.money import fees
from server.services.people import auth
from tests.timing import month


def test_demo_with_v3_adds_a_small_compound_on_the_v3_merchant(app, client, db_session):
    cli = app.test_cli_runner()
    first = cli.invoke(args=["demo", "--v3"])
    assert first.exit_code == 0, first.output
    assert first.output.splitlines()[-1] == (
        "demo compound 新苑小区 (demo-v3, WeChat Pay API v3) loaded: 6 households"
    )
    again = cli.invoke(args=["demo", "--v3"])
    assert "(demo-v3, WeChat Pay API v3) already present: 6 households" in again.output

    compounds = {c.code: c for c in db.session.scalars(select(Compound))}
    assert compounds["demo"].pay_merchant is None  # the default, v2 merchant
    assert compounds["demo-v3"].pay_merchant == "sandbox-v3"
    resident = db.session.scalars(select(User).where(User.openid == "v3-resident-1-1-101")).one()
    [home] = db.session.scalars(
        select(Household)
        .join(Membership, Membership.household_id == Household.id)
        .where(Membership.user_id == resident.id)
    ).all()
    assert home.compound_id == compounds["demo-v3"].id

    listed = cli.invoke(args=["compounds", "list"]).output
    assert "demo-v3\t新苑小区\t1 buildings\t6 households · WeChat Pay: sandbox-v3 v3" in listed
    assert "demo\t市供电局小区\t3 buildings\t132 households · WeChat Pay: default v2 (default)" in (
        listed
    )

    # Its resident pays through the sandbox's v3 merchant: pay params signed RSA.
    fees.generate_bills(month(-1), "demo-v3")
    bill_ids = db.session.scalars(select(Bill.id).where(Bill.household_id == home.id)).all()
    token = auth.issue_token(resident)[0]
    order = client.post(
        "/api/v1/payments",
        json={"bill_ids": list(bill_ids)},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert order.status_code == 201, order.get_json()
    assert order.get_json()["pay_params"]["signType"] == "RSA"
