"""Migrations build the schema the models describe, on SQLite and MariaDB, both ways."""

from __future__ import annotations

import uuid

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from server import create_app
from server.extensions import db
from server.models import Base
from tests.conftest import app_env

CHARSETS = text(
    "SELECT DISTINCT c.character_set_name FROM information_schema.TABLES t"
    " JOIN information_schema.COLLATION_CHARACTER_SET_APPLICABILITY c"
    " ON c.collation_name = t.table_collation WHERE t.table_schema = DATABASE()"
)


@pytest.fixture
def empty_database(database_url, tmp_path):
    """A brand-new empty database of the same kind as the test database."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    url = make_url(database_url)
    name = f"linli_mig_{uuid.uuid4().hex[:8]}"
    server = create_engine(url.set(database=None))
    with server.begin() as conn:
        conn.execute(
            text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        )
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.begin() as conn:
            conn.execute(text(f"DROP DATABASE `{name}`"))
        server.dispose()


def test_upgrade_matches_models_and_downgrade_empties(empty_database, sandbox):
    app = create_app(app_env(empty_database, sandbox))
    with app.app_context():
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
            )
        assert diff == []
        if db.engine.dialect.name != "sqlite":
            tables = inspect(db.engine).get_table_names()
            with db.engine.connect() as conn:
                charsets = conn.execute(CHARSETS).scalars().all()
            assert charsets == ["utf8mb4"], tables
        flask_migrate.downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        flask_migrate.upgrade()
        assert "households" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_chinese_text_round_trips(client, db_session):
    from tests.factories import build_world

    world = build_world("cn")
    world.compound.name = "市供电局小区（东院）🏠"
    db.session.flush()
    db.session.expire_all()
    assert world.compound.name == "市供电局小区（东院）🏠"


def test_readings_entered_before_two_person_confirmation_stand_confirmed(empty_database, sandbox):
    """Before a7c3e9d2f104 a reading made its bills when entered: after it, such a reading
    is confirmed, its bills stand (void_key 0), and the month is read once still."""
    app = create_app(app_env(empty_database, sandbox))
    with app.app_context():
        flask_migrate.upgrade(revision="5b0e2c7d9a14")
        with db.engine.begin() as conn:
            for statement in (
                "INSERT INTO compounds (id, code, name, created_at) "
                "VALUES (1, 'old', '老小区', '2026-11-01 00:00:00')",
                "INSERT INTO buildings (id, compound_id, number) VALUES (1, 1, 1)",
                "INSERT INTO units (id, compound_id, building_id, number) VALUES (1, 1, 1, 1)",
                "INSERT INTO households (id, compound_id, building_id, unit_id, room, floor, "
                "area_m2, occupancy) VALUES (1, 1, 1, 1, '101', 1, 72.36, 'occupied')",
                "INSERT INTO fee_items (id, compound_id, code, name, kind, cycle, vacant_rule, "
                "active) VALUES (1, 1, 'stair', '电费', 'shared_meter', 'monthly', 'charge', 1)",
                "INSERT INTO meter_readings (id, compound_id, unit_id, fee_item_id, period, "
                "amount_fen, created_at) "
                "VALUES (1, 1, 1, 1, '2026-11', 450, '2026-11-30 00:00:00')",
                "INSERT INTO bills (id, compound_id, household_id, fee_item_id, period, "
                "amount_fen, status, created_at) "
                "VALUES (1, 1, 1, 1, '2026-11', 450, 'unpaid', '2026-11-30 00:00:00')",
            ):
                conn.execute(text(statement))
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            reading = conn.execute(text("SELECT status, void_key FROM meter_readings")).one()
            bill = conn.execute(text("SELECT status, void_key FROM bills")).one()
            assert (tuple(reading), tuple(bill)) == (("confirmed", 0), ("unpaid", 0))
            again = text(
                "INSERT INTO meter_readings (compound_id, unit_id, fee_item_id, period, "
                "amount_fen, created_at, status, void_key) "
                "VALUES (1, 1, 1, '2026-11', 450, '2026-12-01 00:00:00', 'pending', 0)"
            )
            with pytest.raises(IntegrityError):
                conn.execute(again)
        flask_migrate.downgrade(revision="base")
        db.engine.dispose()
