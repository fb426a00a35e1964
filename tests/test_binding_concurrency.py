"""A flood sent all at once: the per-person limit of pending binding requests holds.

(Meaningful on MariaDB, where the person's row lock orders the requests; on SQLite
the write lock serialises them, or a busy database answers 503.)
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.extensions import db
from server.models import BindingRequest
from server.services.people.bindings import MAX_PENDING_PER_USER
from tests.factories import build_world
from tests.helpers import together


@pytest.fixture
def world(committed_db):
    world = build_world("bc", units_per_building=3)
    db.session.commit()
    return world


def test_requests_sent_at_once_stop_at_the_limit(app, world):
    rooms = [(unit, room) for unit in (1, 2, 3) for room in ("101", "102")]
    headers = world.headers("outsider")

    def ask(unit, room):
        body = {"compound": "bc", "building": 1, "unit": unit, "room": room}
        body.update(name="赵大妈", relation="owner")
        return lambda: (
            app.test_client().post("/api/v1/bindings", json=body, headers=headers).status_code
        )

    results, errors = together(app, [ask(unit, room) for unit, room in rooms])
    assert errors == []
    assert set(results) <= {201, 409, 503}
    pending = db.session.scalar(
        select(func.count()).select_from(BindingRequest).where(BindingRequest.status == "pending")
    )
    db.session.commit()
    assert pending == results.count(201) <= MAX_PENDING_PER_USER
    if db.engine.dialect.name in {"mysql", "mariadb"}:
        assert sorted(results) == [201] * 3 + [409] * 3
