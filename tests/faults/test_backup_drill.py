"""The backup and restore drill (scripts/backup-drill) on a small populated database:
the dump restores into a fresh database whose ledger verifies, and a ledger changed
behind the app's back fails the drill. MariaDB only; `make test-faults` runs it."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.engine import make_url

from server import PROJECT_ROOT
from server.extensions import db
from server.models import LedgerEntry, OutboxMessage
from tests.conftest import child_pythonpath
from tests.factories import build_world, fund_money, make_issues
from tests.faults.conftest import mariadb_only

pytestmark = [pytest.mark.faults, mariadb_only]

DRILL = PROJECT_ROOT / "scripts" / "backup-drill"


@pytest.fixture
def populated(committed_db):
    """Two compounds with money in their ledgers, issues and queued messages."""
    for code in ("aa", "bb"):
        world = build_world(code)
        for fen in (120_00, 35_50, 8_00):
            fund_money(world, fen)
        db.session.commit()
        make_issues(3, world.reporter())
    db.session.commit()
    entries = db.session.scalar(select(func.count()).select_from(LedgerEntry))
    messages = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    db.session.commit()
    return entries, messages


def run_drill(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": child_pythonpath(), "LINLI_ENV": "testing"}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, str(DRILL), *args, database_url],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=PROJECT_ROOT,
    )


def drill_databases(database_url: str) -> list[str]:
    name = make_url(database_url).database
    with db.engine.connect() as conn:
        names = conn.scalars(text("SHOW DATABASES")).all()
    return [n for n in names if n.startswith(f"{name[:40]}_drill_")]


def table_count(output: str, table: str) -> tuple[int, int]:
    copy, now = re.search(rf"(?m)^{table}\s+(\d+)\s+(\d+)$", output).groups()
    return int(copy), int(now)


def test_the_dump_restores_and_its_ledger_verifies(database_url, populated, tmp_path):
    entries, messages = populated
    assert entries == 6
    kept = tmp_path / "linli.sql"
    drill = run_drill(database_url, "--out", str(kept))
    assert drill.returncode == 0, drill.stdout + drill.stderr
    # "ledger OK: 6 entries verified", or with checkpoints "ledger OK: 2 chains, 6
    # entries recomputed (0 from their last checkpoint, …)": a full pass either way.
    assert re.search(rf"ledger OK: (.*\D)?{entries} entries (verified|recomputed)", drill.stdout)
    assert "0 from their last checkpoint" in drill.stdout or "checkpoint" not in drill.stdout
    assert table_count(drill.stdout, "ledger_entries") == (entries, entries)
    assert table_count(drill.stdout, "outbox_messages") == (messages, messages)
    assert table_count(drill.stdout, "compounds") == (2, 2)
    assert drill.stdout.rstrip().endswith("backup drill: PASSED")
    assert "CREATE TABLE `ledger_entries`" in kept.read_text(encoding="utf-8")
    assert drill_databases(database_url) == []  # the copy is dropped


def test_a_ledger_changed_behind_the_apps_back_fails_the_drill(database_url, populated):
    first = db.session.scalar(select(func.min(LedgerEntry.id)))
    db.session.execute(update(LedgerEntry).where(LedgerEntry.id == first).values(amount_fen=1))
    db.session.commit()
    drill = run_drill(database_url)
    assert drill.returncode == 1
    assert "broken at entry 1" in drill.stdout
    assert drill.stdout.rstrip().endswith("backup drill: FAILED")
    assert drill_databases(database_url) == []
