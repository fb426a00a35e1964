"""The job on the 1st: last month's disclosure drafted for every open compound that has
none, its supervisor asked to check it; archived compounds and months already frozen
are left alone."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from server.clock import utcnow
from server.extensions import db
from server.jobs import JOBS
from server.models import Compound, Notification
from server.models.board import Disclosure
from server.services.disclosures import freeze, monthly
from tests.factories import build_world
from tests.money_month import a_month_of_money
from tests.timing import month, shanghai_month_start


@pytest.fixture
def worlds(db_session):
    drafted, archived = build_world("jd"), build_world("je")
    money = a_month_of_money(drafted)
    db.session.get(Compound, archived.compound.id).archived_at = utcnow()
    db.session.commit()
    return drafted, archived, money


def disclosures(world) -> list[Disclosure]:
    return list(
        db.session.scalars(
            select(Disclosure)
            .where(Disclosure.compound_id == world.compound.id)
            .execution_options(populate_existing=True)
        )
    )


def test_the_1st_drafts_last_month_and_asks_the_supervisor(worlds):
    drafted, archived, money = worlds
    with freeze_time(shanghai_month_start(0) + timedelta(hours=2)):
        result = monthly.draft_last_month()
    assert result.month == money.month == month(-1)
    (disclosure,) = disclosures(drafted)
    assert result.drafted == [disclosure.id]
    assert (disclosure.status, disclosure.month, disclosure.created_by_id) == (
        "draft",
        money.month,
        None,
    )
    funds = {fund["account"]: fund for fund in disclosure.figures["funds"]}
    assert funds["fund:co_construction"]["closing_fen"] == 160000
    assert disclosures(archived) == []
    (asked,) = db.session.scalars(
        select(Notification).where(Notification.user_id == drafted.user_ids["supervisor"])
    ).all()
    assert asked.title.startswith("待审核：")
    assert asked.page == f"pages/disclosure/index?id={disclosure.id}"


def test_running_again_drafts_nothing_new(worlds):
    drafted, _archived, _money = worlds
    with freeze_time(shanghai_month_start(0) + timedelta(hours=2)):
        assert len(monthly.draft_last_month().drafted) == 1
        assert monthly.draft_last_month().drafted == []
    assert len(disclosures(drafted)) == 1


def test_a_month_the_committee_froze_already_is_left_alone(worlds):
    drafted, _archived, money = worlds
    freeze.freeze(db.session.get(Compound, drafted.compound.id), money.month, None)
    db.session.commit()
    with freeze_time(shanghai_month_start(0) + timedelta(hours=2)):
        assert monthly.draft_last_month().drafted == []


def test_the_job_is_declared_for_the_1st():
    (job,) = [job for job in JOBS if job.name == "draft_disclosures"]
    assert job.func == "server.services.disclosures.monthly:draft_last_month"
    assert (job.trigger, job.schedule["day"]) == ("cron", 1)


def test_a_month_frozen_by_the_committee_while_the_job_waits_is_left_alone(app, committed_db):
    """The committee freezes last month while the job waits for the compound's ledger
    chain: the job then sees that disclosure (MariaDB: not its older snapshot) and
    drafts nothing, instead of failing on a second version 1."""
    world = build_world("jf")
    compound_id, holding = world.compound.id, threading.Event()
    db.session.commit()
    last = month(-1)

    def freeze_while_held():
        with app.app_context():
            compound = db.session.get(Compound, compound_id)
            freeze.lock_compound(compound_id)
            holding.set()
            time.sleep(0.8)  # the job has read the compound and waits for the chain
            freeze.freeze(compound, last, None)
            db.session.commit()
            db.session.remove()

    writer = threading.Thread(target=freeze_while_held)
    writer.start()
    assert holding.wait(10)
    with app.app_context():
        result = monthly.draft_last_month()
        db.session.remove()
    writer.join(30)
    assert (result.month, result.drafted) == (last, [])
    assert [(d.month, d.version) for d in disclosures(world)] == [(last, 1)]
