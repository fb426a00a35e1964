"""Overdue public income reminds the committee once a day, each instalment once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from server.clock import utcnow
from server.extensions import db
from server.models import Compound
from server.services.income import reminders
from tests.factories import build_world
from tests.helpers import inbox
from tests.steps import added_contract, recorded_income
from tests.timing import shanghai_date


@pytest.fixture
def world(db_session, photo_storage):
    return build_world("aa")


def once(client, world, days_ago: int, counterparty: str, price_fen=20000) -> dict:
    """A one-off payment that fell due `days_ago` days ago."""
    return added_contract(
        client,
        world,
        counterparty=counterparty,
        cycle="once",
        price_fen=price_fen,
        start_on=shanghai_date(-days_ago).isoformat(),
        end_on=shanghai_date(30).isoformat(),
    )


def reminders_of(world, who: str) -> list:
    return [n for n in inbox(world.user_ids[who]) if n.kind == "income_overdue"]


def test_due_more_than_a_week_ago_and_unpaid_reminds_the_committee_once(client, world):
    once(client, world, 8, "顺达广告公司", 20000)
    once(client, world, 7, "便民超市")  # a week exactly: not yet
    paid = once(client, world, 30, "幸福理发店")
    recorded_income(client, world, contract_id=paid["id"])  # received, waiting: not chased
    assert reminders.remind_overdue() == 1
    for who in ("committee", "committee_2"):
        (line,) = reminders_of(world, who)
        assert line.title == "公共收益逾期未收 1 笔，共 200.00 元"
        due = shanghai_date(-8)
        assert f"顺达广告公司 {due.month}月{due.day}日应付 200.00 元" in line.body
        assert "幸福理发店" not in line.body
        assert "便民超市" not in line.body
        assert line.page == "pages/income/index"
    assert reminders_of(world, "supervisor") == []
    assert reminders.remind_overdue() == 0  # once per instalment
    assert len(reminders_of(world, "committee")) == 1
    # A day later the one due a week ago is overdue too: only it is reminded.
    assert reminders.remind_overdue(utcnow() + timedelta(days=1)) == 1
    later = reminders_of(world, "committee")
    assert len(later) == 2
    assert "便民超市" in later[1].body
    assert "顺达广告公司" not in later[1].body


def test_many_at_once_make_one_message_that_counts_them(client, world):
    added_contract(
        client,
        world,
        counterparty="顺达广告公司",
        start_on=shanghai_date(-200).isoformat(),
        end_on=shanghai_date(165).isoformat(),
    )
    assert reminders.remind_overdue() >= 5
    (line,) = reminders_of(world, "committee")
    assert "等共" in line.body


def test_an_archived_compound_is_left_alone(client, world):
    once(client, world, 10, "顺达广告公司")
    compound = db.session.get(Compound, world.compound.id)
    compound.archived_at = utcnow()
    db.session.commit()
    assert reminders.remind_overdue() == 0
    assert reminders_of(world, "committee") == []
    compound.archived_at = None
    db.session.commit()
    assert reminders.remind_overdue() == 1
