"""Every calendar day a client sends is bounded to a plausible window, named in the
message: 0001-01-01 or 9999-12-31 is a typo (or a probe), never a record nor a 500."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from server.extensions import db
from server.models import OfflinePayment
from server.services.money import fees
from tests.factories import bill_of, build_world, self_governance_fee
from tests.steps import act, acted, record_cash, reported_id
from tests.timing import month, shanghai_date, shanghai_day


@pytest.fixture
def world(db_session):
    world = build_world("aa")
    self_governance_fee(world.compound)
    db.session.flush()
    fees.generate_bills(month(0), "aa")
    return world


def window_message(earliest: date, latest: date) -> str:
    return f"日期应在 {earliest.isoformat()} 到 {latest.isoformat()} 之间"


@pytest.mark.parametrize("paid_on", ["0001-01-01", "1999-12-31", "9999-12-31"])
def test_an_implausible_payment_day_is_refused_naming_the_window(client, world, paid_on):
    with freeze_time(shanghai_day(0, "10:00")):
        response = record_cash(client, world, bill_of(world), paid_on=paid_on)
        latest = shanghai_date(366)
    assert response.status_code == 400
    assert response.get_json()["details"]["fields"] == {
        "paid_on": [window_message(date(2000, 1, 1), latest)]
    }
    assert db.session.scalars(select(OfflinePayment)).all() == []


def test_a_payment_made_days_ago_is_recorded(client, world):
    with freeze_time(shanghai_day(0, "10:00")):
        response = record_cash(client, world, bill_of(world), paid_on=shanghai_date(-3).isoformat())
    assert response.status_code == 201
    assert response.get_json()["paid_on"] == shanghai_date(-3).isoformat()


def test_a_payment_day_still_to_come_keeps_its_own_message(client, world):
    with freeze_time(shanghai_day(0, "10:00")):
        response = record_cash(client, world, bill_of(world), paid_on=shanghai_date(1).isoformat())
    assert response.get_json()["code"] == "paid_on_in_future"


def refer(client, world, follow_up_on: str):
    issue_id = reported_id(client, world, category="hazard", title="电线老化", description="楼道")
    acted(client, world, issue_id, "liaison_1_1", "accept")
    return act(
        client,
        world,
        issue_id,
        "liaison_1_1",
        "refer",
        referral_body="供电局",
        follow_up_on=follow_up_on,
    )


@pytest.mark.parametrize("days", [-367, 367, None], ids=["a year gone", "next year", "0001"])
def test_a_follow_up_day_is_within_a_year_of_today(client, world, days):
    with freeze_time(shanghai_day(0, "10:00")):
        day = shanghai_date(days).isoformat() if days is not None else "0001-01-01"
        response = refer(client, world, day)
        window = window_message(shanghai_date(-366), shanghai_date(366))
    assert response.status_code == 400
    assert response.get_json()["details"]["fields"] == {"follow_up_on": [window]}


def test_a_follow_up_in_a_month_is_fine(client, world):
    with freeze_time(shanghai_day(0, "10:00")):
        response = refer(client, world, shanghai_date(30).isoformat())
    assert response.status_code == 200
    assert response.get_json()["referral"]["follow_up_on"] == shanghai_date(30).isoformat()


@pytest.mark.parametrize(
    "query",
    ["reported_from=0001-01-01", "reported_to=9999-12-31", "reported_from=1999-12-31"],
)
def test_the_register_refuses_days_out_of_range_instead_of_overflowing(client, world, query):
    response = client.get(
        f"/api/v1/issues/register.xlsx?compound=aa&{query}", headers=world.headers("committee")
    )
    assert response.status_code == 400
    (field,) = response.get_json()["details"]["fields"]
    assert response.get_json()["details"]["fields"][field][0].startswith("日期应在 2000-01-01 到")


def test_the_register_takes_a_day_in_the_window(client, world):
    since = (shanghai_date(0) - timedelta(days=3650)).isoformat()
    response = client.get(
        f"/api/v1/issues/register.xlsx?compound=aa&reported_from={since}",
        headers=world.headers("committee"),
    )
    assert response.status_code == 200
