"""The batch shape every row-by-row job uses: pick → commit → lock each → re-check →
act → commit (server/services/batches.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update

from server.extensions import db
from server.models import KeyValue
from server.services import batches


@pytest.fixture
def rows(db_session):
    """Five rows: batch-1 … batch-5, the odd ones "due"."""
    for n in range(1, 6):
        db.session.add(KeyValue(key=f"batch-{n}", value="due" if n % 2 else "idle"))
    db.session.commit()


def values() -> dict[str, str]:
    found = db.session.execute(select(KeyValue.key, KeyValue.value).order_by(KeyValue.key))
    return dict(found.all())


def pick(limit: int = 100):
    return (
        select(KeyValue.key)
        .where(KeyValue.key.like("batch-%"), KeyValue.value == "due")
        .order_by(KeyValue.key.desc())
        .limit(limit)
    )


def lock(key: str) -> KeyValue | None:
    return db.session.scalars(
        select(KeyValue)
        .where(KeyValue.key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def is_due(row: KeyValue) -> bool:
    return row.value == "due"


def mark_done(row: KeyValue) -> None:
    row.value = "done"


def test_the_picked_rows_are_acted_on_in_the_picks_order_each_in_its_own_transaction(rows):
    seen = []

    def watched_lock(key):
        seen.append((key, db.session().in_transaction()))
        return lock(key)

    assert batches.each_locked(pick(limit=2), watched_lock, is_due, mark_done) == 2
    # The pick's transaction ended before the first lock, and each row's before the next.
    assert seen == [("batch-5", False), ("batch-3", False)]
    db.session.rollback()  # nothing was left uncommitted
    assert values() == {
        "batch-1": "due",  # past the pick's limit: the next run's
        "batch-2": "idle",
        "batch-3": "done",
        "batch-4": "idle",
        "batch-5": "done",
    }


def test_each_row_is_checked_again_once_locked(rows):
    def meanwhile_someone_else_acts_on_batch_3(row):
        mark_done(row)
        if row.key == "batch-5":
            db.session.execute(
                update(KeyValue).where(KeyValue.key == "batch-3").values(value="taken")
            )
            db.session.execute(delete(KeyValue).where(KeyValue.key == "batch-1"))

    acted = batches.each_locked(pick(), lock, is_due, meanwhile_someone_else_acts_on_batch_3)
    assert acted == 1  # batch-3 is no longer due, batch-1 is gone
    assert values() == {"batch-2": "idle", "batch-3": "taken", "batch-4": "idle", "batch-5": "done"}


def test_a_failure_stops_the_batch_and_keeps_what_was_committed(rows):
    def fails_on_batch_3(row):
        if row.key == "batch-3":
            row.value = "half-done"
            raise RuntimeError("a bug in one row")
        mark_done(row)

    with pytest.raises(RuntimeError):
        batches.each_locked(pick(), lock, is_due, fails_on_batch_3)
    db.session.rollback()
    assert values() == {
        "batch-1": "due",  # not reached: the next run's
        "batch-2": "idle",
        "batch-3": "due",  # its own transaction rolled back
        "batch-4": "idle",
        "batch-5": "done",
    }


def test_nothing_due_does_nothing(rows):
    assert batches.each_locked(pick(), lock, lambda row: False, mark_done) == 0
    assert set(values().values()) == {"due", "idle"}
