"""Bench lines for the ledger's check over the district: `ledger verify --full` (every
entry from the genesis) against the daily incremental check (the entries since each
compound's newest checkpoint), and the committee's ledger page of the biggest chain
before and after a checkpoint: entries recomputed, seconds, statements, and the rows
the database read (MariaDB's Handler_read_* counters; n/a on SQLite).

    .venv/bin/python -m scripts.bench.ledger_checks --database-url URL [--day 11]

`--day`: entries per compound the incremental check finds new (the district's ledger
averages ~11 a compound a day). The checkpoints the bench writes are removed at its
end: the checkpoints table is left as it was found.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass

from scripts.bench.per_compound import Reads

HEADER = [
    "| ledger check | entries checked | seconds | statements | rows read |",
    "|---|---:|---:|---:|---:|",
]


@dataclass
class Line:
    name: str
    checked: int
    seconds: float
    statements: int
    rows_read: int | None

    def render(self) -> str:
        read = "n/a" if self.rows_read is None else f"{self.rows_read:,}"
        return (
            f"| {self.name} | {self.checked:,} | {self.seconds:.2f} | {self.statements:,} "
            f"| {read} |"
        )


def measured(name: str, work) -> Line:
    """`work()` → entries checked, timed with its statements and rows read."""
    from server.extensions import db

    with Reads(db.engine) as reads:
        started = time.perf_counter()
        checked = work()
        seconds = time.perf_counter() - started
    return Line(name, checked, seconds, len(reads.statements), reads.rows_read)


def saved_checkpoints() -> list[dict]:
    from sqlalchemy import select

    from server.extensions import db
    from server.models import LedgerCheckpoint

    table = LedgerCheckpoint.__table__
    return [dict(row._mapping) for row in db.session.execute(select(table))]


def restore(rows: list[dict]) -> None:
    from sqlalchemy import delete, insert

    from server.extensions import db
    from server.models import LedgerCheckpoint

    table = LedgerCheckpoint.__table__
    db.session.execute(delete(table))
    if rows:
        db.session.execute(insert(table), rows)
    db.session.commit()


def move_checkpoints_back(day: int) -> int:
    """Checkpoints `day` entries before each head (true ones: the full pass just
    verified those entries), the newer ones dropped: what the daily check finds after
    a day's payments. Returns the entries the check will find new."""
    from sqlalchemy import delete, select

    from server.extensions import db
    from server.models import LedgerCheckpoint, LedgerEntry, LedgerHead
    from server.services.money.ledger import summed_balances

    db.session.execute(delete(LedgerCheckpoint))
    new = 0
    for compound_id, head_seq in db.session.execute(select(LedgerHead.compound_id, LedgerHead.seq)):
        seq = head_seq - day
        if seq <= 0:
            continue
        digest = db.session.scalar(
            select(LedgerEntry.hash).where(
                LedgerEntry.compound_id == compound_id, LedgerEntry.seq == seq
            )
        )
        balances = summed_balances(compound_id, seq)  # what `verify` keeps with it
        db.session.add(
            LedgerCheckpoint(
                compound_id=compound_id, seq=seq, hash=digest, full=True, balances=balances
            )
        )
        new += day
    db.session.commit()
    return new


def biggest_chain() -> tuple[str, object]:
    """(code, a committee member's principal) of the compound with the longest chain."""
    from sqlalchemy import select

    from server.extensions import db
    from server.models import Compound, LedgerHead, Membership
    from server.services.people.access import load_principal

    code, compound_id = db.session.execute(
        select(Compound.code, Compound.id)
        .join(LedgerHead, LedgerHead.compound_id == Compound.id)
        .order_by(LedgerHead.seq.desc())
        .limit(1)
    ).one()
    user_id = db.session.scalar(
        select(Membership.user_id)
        .where(Membership.compound_id == compound_id, Membership.role == "committee")
        .limit(1)
    )
    return code, load_principal(user_id)


def run(app, day: int) -> list[Line]:
    from server.extensions import db
    from server.models import LedgerCheckpoint
    from server.services.money import ledger

    lines = []
    with app.app_context():
        saved = saved_checkpoints()
        try:
            db.session.query(LedgerCheckpoint).delete()
            db.session.commit()
            code, committee = biggest_chain()

            def page():
                result = ledger.page(committee, code, None, 50)
                db.session.rollback()
                return result.verification.checked

            lines.append(measured(f"ledger page, {code}, no checkpoint", page))
            lines.append(measured("verify --full", lambda: ledger.verify(full=True).checked))
            lines.append(measured("verify, nothing new", lambda: ledger.verify().checked))
            lines.append(measured(f"ledger page, {code}, at its checkpoint", page))
            new = move_checkpoints_back(day)
            lines.append(measured(f"ledger page, {code}, {day} new", page))
            lines.append(
                measured(f"verify, {day} new a compound ({new:,})", lambda: ledger.verify().checked)
            )
        finally:
            db.session.rollback()
            restore(saved)
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench.ledger_checks")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--day", type=int, default=11, help="new entries a compound")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("give --database-url or set DATABASE_URL")

    from server import create_app

    app = create_app({"DATABASE_URL": args.database_url, "LOG_LEVEL": "WARNING"})
    print("\n".join([*HEADER, *(line.render() for line in run(app, args.day))]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
