"""The ledger's check from verified checkpoints: an incremental check recomputes only
the entries after the newest checkpoint it still trusts, a full pass every entry; a
changed entry is found by the check whose range holds it, a rewritten checkpoint is
not trusted, and appends made while a check runs are no break."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import event, select, text, update

from server.extensions import db
from server.models import LedgerCheckpoint, LedgerEntry, LedgerHead, Notification
from server.services.money import ledger, ledger_checks
from server.services.people.access import load_principal
from tests.factories import build_world


def credits(compound_id: int, count: int, start: int = 0) -> list:
    moves = [
        ledger.Movement("fee:self_governance", "credit", 2533 + i, "payment", 100 + i)
        for i in range(start, start + count)
    ]
    return ledger.append(compound_id, moves, actor_id=None)


@pytest.fixture
def world(db_session):
    world = build_world("lc")
    credits(world.compound.id, 5)
    db.session.commit()
    return world


def checkpoints(world) -> list[tuple[int, bool]]:
    rows = db.session.execute(
        select(LedgerCheckpoint.seq, LedgerCheckpoint.full)
        .where(LedgerCheckpoint.compound_id == world.compound.id)
        .order_by(LedgerCheckpoint.seq)
    )
    return [tuple(row) for row in rows]


def tamper(world, seq: int, **values) -> None:
    db.session.execute(
        update(LedgerEntry)
        .where(LedgerEntry.compound_id == world.compound.id, LedgerEntry.seq == seq)
        .values(**values)
    )
    db.session.commit()
    db.session.expire_all()


def rewrite_from(world, seq: int, amount_fen: int) -> None:
    """What someone with the database and the source could do: change entry `seq` and
    recompute its hash, every later entry's link and hash, and the head."""
    entries = db.session.scalars(
        select(LedgerEntry)
        .where(LedgerEntry.compound_id == world.compound.id, LedgerEntry.seq >= seq)
        .order_by(LedgerEntry.seq)
    ).all()
    prev = entries[0].prev_hash
    for entry in entries:
        if entry.seq == seq:
            entry.amount_fen = amount_fen
        entry.prev_hash = prev
        entry.hash = ledger.recomputed_hash(entry)
        prev = entry.hash
    db.session.get(LedgerHead, world.compound.id).hash = prev
    db.session.commit()
    db.session.expire_all()


def test_the_first_check_is_a_full_pass_and_records_a_full_checkpoint(world):
    result = ledger.verify("lc")
    assert (result.ok, result.checked, result.from_seq, result.up_to) == (True, 5, 0, 5)
    assert result.full_seq == 5
    assert checkpoints(world) == [(5, True)]


def test_appends_after_a_checkpoint_are_checked_and_only_they(app, world):
    ledger.verify("lc")
    credits(world.compound.id, 3, start=5)
    db.session.commit()
    cli = app.test_cli_runner().invoke(args=["ledger", "verify", "--compound", "lc"])
    assert cli.exit_code == 0, cli.output
    assert "1 chains, 3 entries recomputed (1 from their last checkpoint" in cli.output
    result = ledger.verify("lc")
    assert (result.ok, result.checked, result.from_seq, result.up_to) == (True, 0, 8, 8)
    assert result.full_seq == 5  # the last full pass reached entry 5
    assert checkpoints(world) == [(5, True), (8, False)]
    weekly = ledger.verify("lc", full=True)
    assert (weekly.ok, weekly.checked, weekly.full_seq) == (True, 8, 8)
    assert checkpoints(world) == [(5, True), (8, True)]
    assert ledger.verify("lc").full_seq == 8


def test_a_changed_entry_after_the_checkpoint_is_found_by_the_incremental_check(world):
    ledger.verify("lc")
    credits(world.compound.id, 3, start=5)
    db.session.commit()
    tamper(world, 7, amount_fen=1)
    result = ledger.verify("lc")
    assert (result.ok, result.seq, result.problem) == (False, 7, "its content was changed")
    assert result.from_seq == 5
    assert checkpoints(world) == [(5, True)]  # a broken chain gets no checkpoint


def test_a_changed_entry_before_the_checkpoint_waits_for_the_full_pass(app, world):
    ledger.verify("lc")
    credits(world.compound.id, 3, start=5)
    db.session.commit()
    tamper(world, 2, amount_fen=1)

    daily = ledger.verify("lc")
    assert (daily.ok, daily.checked, daily.from_seq, daily.up_to) == (True, 3, 5, 8)

    full = ledger.verify("lc", full=True)
    assert (full.ok, full.seq, full.problem, full.from_seq) == (
        False,
        2,
        "its content was changed",
        0,
    )
    cli = app.test_cli_runner().invoke(args=["ledger", "verify", "--full"])
    assert cli.exit_code != 0
    assert "ledger of lc broken at entry 2" in cli.output


def test_a_checkpoint_whose_entry_was_rewritten_is_not_trusted(world):
    ledger.verify("lc")  # checkpoint at 5
    rewrite_from(world, 4, amount_fen=999999)  # 4 and 5 rehashed, the head too
    result = ledger.verify("lc")
    assert not result.ok
    assert (result.seq, result.problem) == (5, ledger_checks.CHANGED_SINCE_VERIFIED)
    assert result.note == "the checkpoint at entry 5 no longer matches the chain"
    assert (result.from_seq, result.checked) == (0, 5)  # fell back to the genesis


def test_an_untrusted_checkpoint_falls_back_to_the_previous_one(world):
    ledger.verify("lc")  # checkpoint at 5
    credits(world.compound.id, 3, start=5)
    db.session.commit()
    ledger.verify("lc")  # checkpoint at 8
    rewrite_from(world, 7, amount_fen=1)
    result = ledger.verify("lc")
    assert (result.ok, result.seq, result.from_seq, result.checked) == (False, 8, 5, 3)
    # The full pass holds every checkpointed entry to the hash it had.
    full = ledger.verify("lc", full=True)
    assert (full.ok, full.seq, full.problem) == (False, 8, ledger_checks.CHANGED_SINCE_VERIFIED)


def test_a_cut_tail_is_found(world):
    ledger.verify("lc")
    db.session.execute(
        text("DELETE FROM ledger_entries WHERE compound_id = :c AND seq > 3"),
        {"c": world.compound.id},
    )
    entry_3 = db.session.scalars(
        select(LedgerEntry.hash).where(
            LedgerEntry.compound_id == world.compound.id, LedgerEntry.seq == 3
        )
    ).one()
    db.session.execute(
        update(LedgerHead)
        .where(LedgerHead.compound_id == world.compound.id)
        .values(seq=3, hash=entry_3)
    )
    db.session.commit()
    db.session.expire_all()
    result = ledger.verify("lc")
    assert (result.ok, result.seq, result.problem) == (False, 5, "the chain's end is missing")


def test_a_changed_head_is_found_with_nothing_new_to_check(world):
    ledger.verify("lc")
    db.session.execute(
        update(LedgerHead).where(LedgerHead.compound_id == world.compound.id).values(hash="f" * 64)
    )
    db.session.commit()
    result = ledger.verify("lc")
    assert (result.ok, result.checked, result.problem) == (False, 0, "the chain's end is missing")


def test_entries_appended_while_a_check_runs_are_no_break(world, monkeypatch):
    ledger.verify("lc")
    real_head = ledger_checks._head

    def head_then_append(compound_id):
        head = real_head(compound_id)
        credits(compound_id, 2, start=5)  # another payment lands after the head was read
        db.session.flush()
        return head

    monkeypatch.setattr(ledger_checks, "_head", head_then_append)
    during = ledger.verify("lc")
    monkeypatch.undo()
    assert (during.ok, during.checked, during.up_to) == (True, 0, 5)
    after = ledger.verify("lc")
    assert (after.ok, after.checked, after.from_seq, after.up_to) == (True, 2, 5, 7)


def test_checking_all_compounds_reports_the_broken_one(world):
    other = build_world("ld")
    credits(other.compound.id, 2)
    db.session.commit()
    assert ledger.verify().ok
    tamper(other, 2, memo="edited")
    credits(other.compound.id, 1, start=2)
    db.session.commit()
    result = ledger.verify()
    assert (result.ok, result.compound, result.seq) == (False, "ld", 2)


def test_the_jobs_check_new_entries_daily_and_everything_weekly(world):
    assert ledger_checks.verify_new_entries() == {"checked": 5, "compounds": 1, "broken": ""}
    credits(world.compound.id, 1, start=5)
    db.session.commit()
    assert ledger_checks.verify_new_entries()["checked"] == 1
    tamper(world, 1, amount_fen=7)
    assert ledger_checks.verify_new_entries()["broken"] == ""
    assert ledger_checks.verify_from_genesis() == {
        "checked": 1,
        "compounds": 1,
        "broken": "lc at entry 1: its content was changed",
    }


class Statements:
    def __init__(self, engine):
        self.engine, self.sql = engine, []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self.seen)
        return self

    def __exit__(self, *_):
        event.remove(self.engine, "before_cursor_execute", self.seen)

    def seen(self, _conn, _cursor, statement, *_args):
        self.sql.append(statement)


def test_a_ledger_page_costs_the_same_at_10_and_1000_entries(db_session, monkeypatch):
    rows_checked = []
    real = ledger_checks._entries_after

    def counted(compound_id, after, up_to):
        for row in real(compound_id, after, up_to):
            rows_checked.append(row.seq)
            yield row

    monkeypatch.setattr(ledger_checks, "_entries_after", counted)
    costs = {}
    for code, size in (("small", 10), ("big", 1000)):
        world = build_world(code)
        credits(world.compound.id, size)
        db.session.commit()
        ledger.verify(code)  # the daily job's checkpoint
        credits(world.compound.id, 2, start=size)  # the day's payments
        db.session.commit()
        committee = load_principal(world.people["committee"].id)
        rows_checked.clear()
        with Statements(db.engine) as statements:
            page = ledger.page(committee, code, None, 50)
        assert page.verified
        assert (page.verification.checked, page.verification.up_to) == (2, size + 2)
        assert rows_checked == [size + 1, size + 2]  # only the day's entries were read
        costs[code] = len(statements.sql)
    assert costs["small"] == costs["big"]


def test_checks_while_payments_land_on_other_connections_see_no_break(app, committed_db):
    if db.engine.dialect.name == "sqlite":
        pytest.skip("concurrent writers: MariaDB only (SQLite's write lock serialises)")
    world = build_world("lx")
    credits(world.compound.id, 5)
    db.session.commit()
    compound_id, appended = world.compound.id, 40
    done = threading.Event()

    def pay():
        with app.app_context():
            try:
                for i in range(appended):
                    credits(compound_id, 1, start=5 + i)
                    db.session.commit()
            finally:
                db.session.remove()
                done.set()

    def check() -> list:
        verdicts = []
        with app.app_context():
            while not done.is_set() or not verdicts:
                verdicts.append(ledger.verify("lx"))
                verdicts.append(ledger_checks.check(compound_id, "lx"))
                db.session.remove()
        return verdicts

    with ThreadPoolExecutor(2) as pool:
        paying, checking = pool.submit(pay), pool.submit(check)
        paying.result()
        verdicts = checking.result()
    assert [v for v in verdicts if not v.ok] == []
    db.session.rollback()  # this session's snapshot is from before the payments
    final = ledger.verify("lx")
    assert (final.ok, final.up_to) == (True, 5 + appended)


def test_a_broken_chain_is_told_to_the_committee_and_supervisor_once(world):
    """The weekly pass finds an old entry changed: the committee and the finance
    supervisor get a message in plain words (inbox and push), once, however often the
    check runs again; residents get nothing."""
    ledger_checks.verify_new_entries()
    tamper(world, 2, amount_fen=1)
    for _ in range(2):
        assert ledger_checks.verify_from_genesis()["broken"].startswith("lc at entry 2")
    told = db.session.execute(
        select(Notification.user_id, Notification.title, Notification.body)
    ).all()
    committee = {world.people[who].id for who in ("committee", "committee_2", "supervisor")}
    assert {user for user, _, _ in told} == committee
    assert len(told) == len(committee)
    (_user, title, body) = told[0]
    assert title == "账本核验发现问题"
    assert "第 2 条记录起对不上（这一条的内容被改过）" in body
    assert "entry" not in body
