"""Reads that may go to a replica (DATABASE_READ_URL): the committee's figures, exports
and ledger view read there; the reads that decide money (my bills, the bills a
collector takes cash for) stay on the primary; a replica away degrades to the primary,
and /healthz says so.

On MariaDB the replica is a real second database, migrated like the primary and filled
with the primary's rows (what replication would do), with a marker row written only
there. On SQLite the read URL points at the same file."""

from __future__ import annotations

import logging
from contextlib import contextmanager

import flask_migrate
import pytest
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from server import create_app
from server.database.read import replica_reads
from server.extensions import db
from server.models import AccessLog, Bill, Notification
from server.models.base import Base
from server.services.people.access import load_principal, record_access
from tests.conftest import app_env
from tests.factories import build_world, make_bill
from tests.money_month import a_month_of_money
from tests.timing import month

MARKER_FEN = 77_777
BILLED_FEN = 2533
UNREACHABLE = "mysql+pymysql://root@127.0.0.1:1/linli_no_replica"


@contextmanager
def app_with_replica(database_url, sandbox, read_url):
    app = create_app(app_env(database_url, sandbox, DATABASE_READ_URL=read_url))
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()
        replica = app.extensions.get("read_replica")
        if replica is not None:
            replica.engine.dispose()


@pytest.fixture
def world(committed_db):
    world = build_world("rr")
    make_bill(world, "1-1-101", amount_fen=BILLED_FEN)
    db.session.commit()
    return world


def summary(client, world) -> dict:
    reply = client.get(
        f"/api/v1/fees/summary?compound=rr&period={month(0)}", headers=world.headers("committee")
    )
    assert reply.status_code == 200, reply.get_json()
    return reply.get_json()


@pytest.fixture
def replica_url(app, database_url, world):
    """A second MariaDB database: migrated, filled with the primary's rows, then given a
    bill of its own (the marker) that the primary does not have."""
    if not database_url.startswith("mysql"):
        pytest.skip("a real second database: MariaDB (on SQLite the read URL is the file)")
    primary = make_url(database_url).database
    name = f"{primary}_replica"
    url = make_url(database_url).set(database=name).render_as_string(hide_password=False)
    server = create_engine(make_url(database_url).set(database=None))
    with server.begin() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    migrating = create_app(app_env(url, _Sandbox(), LOG_LEVEL="WARNING"))
    with migrating.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    with server.begin() as conn:
        conn.execute(text("SET FOREIGN_KEY_CHECKS=0"))
        for table in Base.metadata.sorted_tables:  # names from our own models
            copy = f"INSERT INTO `{name}`.`{table.name}` SELECT * FROM `{primary}`.`{table.name}`"  # noqa: S608
            conn.execute(text(copy))
    replica = create_engine(url)
    with replica.begin() as conn:
        household = world.household_ids["1-1-101"]
        conn.execute(
            insert(Bill).values(
                compound_id=world.compound.id,
                household_id=household,
                fee_item_id=db.session.scalar(text("SELECT id FROM fee_items LIMIT 1")),
                period=month(-1),
                amount_fen=MARKER_FEN,
                status="unpaid",
            )
        )
    replica.dispose()
    db.session.commit()
    yield url
    with server.begin() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
    server.dispose()


class _Sandbox:
    url = "http://127.0.0.1:9/"  # migrations call nobody


def test_replica_routed_reads_see_the_replica_and_money_reads_the_primary(
    database_url, sandbox, world, replica_url
):
    with app_with_replica(database_url, sandbox, replica_url) as app:
        client = app.test_client()
        # The committee's figures for last month: only the replica has a bill there.
        figures = client.get(
            f"/api/v1/fees/summary?compound=rr&period={month(-1)}",
            headers=world.headers("committee"),
        ).get_json()
        assert figures["billed_fen"] == MARKER_FEN
        # The resident's own bills (what a payment is made from): the primary's.
        mine = client.get("/api/v1/bills", headers=world.headers("resident_1_1")).get_json()
        assert [bill["amount_fen"] for bill in mine["items"]] == [BILLED_FEN]
        # The bills a collector takes cash for: the primary's too.
        household = world.household_ids["1-1-101"]
        cash = client.get(
            f"/api/v1/fees/unpaid-bills?household_id={household}",
            headers=world.headers("liaison_1_1"),
        ).get_json()
        assert [bill["amount_fen"] for bill in cash["items"]] == [BILLED_FEN]
        health = client.get("/healthz")
        assert (health.status_code, health.get_json()["replica"]) == (200, "ok")


def test_without_a_replica_every_read_is_the_primarys(client_of_session_app, world):
    assert summary(client_of_session_app, world)["billed_fen"] == BILLED_FEN
    assert client_of_session_app.get("/healthz").get_json()["replica"] == "none"


@pytest.fixture
def client_of_session_app(app, committed_db):
    return app.test_client()


def test_on_sqlite_the_read_url_may_be_the_same_file(database_url, sandbox, world):
    with app_with_replica(database_url, sandbox, database_url) as app:
        client = app.test_client()
        assert summary(client, world)["billed_fen"] == BILLED_FEN
        committee = world.headers("committee")
        for path in (  # every routed view reads only: a write there would raise
            "/api/v1/ledger?compound=rr",
            f"/api/v1/issues/stats?compound=rr&month={month(0)}",
            "/api/v1/issues/register.xlsx?compound=rr",
            f"/api/v1/fees/export.xlsx?compound=rr&period={month(0)}",
        ):
            assert client.get(path, headers=committee).status_code == 200, path
        assert client.get("/healthz").get_json() == {
            "status": "ok",
            "database": "ok",
            "replica": "ok",
        }


def test_a_replica_away_degrades_to_the_primary_and_health_says_so(
    database_url, sandbox, world, caplog
):
    with app_with_replica(database_url, sandbox, UNREACHABLE) as app:
        client = app.test_client()
        with caplog.at_level(logging.WARNING, logger="server.database.read"):
            assert summary(client, world)["billed_fen"] == BILLED_FEN  # not a 500
            assert summary(client, world)["billed_fen"] == BILLED_FEN
        said = [r.getMessage() for r in caplog.records if r.name == "server.database.read"]
        assert len(said) == 1  # marked down once; the second read went straight to the primary
        assert "reading from the primary" in said[0]
        health = client.get("/healthz")
        assert health.status_code == 200
        assert health.get_json() == {"status": "ok", "database": "ok", "replica": "down"}


def test_a_replica_session_writes_nothing(database_url, sandbox, world):
    @replica_reads
    def sneaky_write():
        db.session.add(
            Notification(
                dedupe_key="replica-write",
                user_id=world.people["committee"].id,
                compound_id=world.compound.id,
                kind="notice",
                title="t",
                body="b",
                page="p",
            )
        )
        db.session.flush()

    with (
        app_with_replica(database_url, sandbox, database_url) as app,
        app.app_context(),
        pytest.raises(RuntimeError, match="writes nothing"),
    ):
        sneaky_write()


def test_a_replica_session_refuses_statements_that_write(database_url, sandbox, world):
    """An access-log line (PIPL: who read whose personal data) written with a statement of
    its own, not a flush, inside a routed view: refused, never sent to the replica and
    then lost when its session closes (a view that must log its reads reads the
    primary)."""
    committee, compound = world.user_ids["committee"], world.compound.id
    db.session.commit()  # the fixtures' session lets go of SQLite's file

    @replica_reads
    def logged_read():
        record_access(load_principal(committee), "list", "resident", [1], compound)
        db.session.commit()

    with (
        app_with_replica(database_url, sandbox, database_url) as app,
        app.app_context(),
    ):
        with pytest.raises(RuntimeError, match="writes nothing"):
            logged_read()
        db.session.rollback()
        assert db.session.scalars(select(AccessLog.id)).all() == []


def test_the_disclosures_paper_and_check_answer_through_the_replica_session(
    database_url, sandbox, committed_db
):
    """The two routed disclosure views (the PDF, the public check): they read only, so
    the replica session (which refuses any write) serves them."""
    world = build_world("rd")
    money = a_month_of_money(world)
    code, committee = world.compound.code, world.headers("committee")
    db.session.commit()  # and SQLite's file is let go of
    with app_with_replica(database_url, sandbox, database_url) as app:
        client = app.test_client()
        created = client.post(
            f"/api/v1/compounds/{code}/disclosures", json={"month": money.month}, headers=committee
        )
        assert created.status_code == 201, created.get_json()
        disclosure_id = created.get_json()["id"]
        paper = client.get(f"/api/v1/disclosures/{disclosure_id}.pdf", headers=committee)
        assert (paper.status_code, paper.mimetype) == (200, "application/pdf")
        check = client.get(f"/api/v1/disclosures/{disclosure_id}/verify", headers=committee)
        assert check.status_code == 200, check.get_json()
        assert check.get_json()["verified"] is True
        assert client.get("/healthz").get_json()["replica"] == "ok"
