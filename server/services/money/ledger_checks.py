"""Checking the ledger's hash chains from verified checkpoints.

A full pass recomputes every entry from the genesis; an incremental check starts at
the compound's newest checkpoint (`LedgerCheckpoint`: entry `seq` had `hash` when it
was verified) and recomputes only the entries after it, so the daily check and every
ledger view cost the entries written since, not the whole chain.

What an incremental check still proves about the verified prefix: the checkpoint's
entry is re-read, must still carry the hash it had and must still hash to it from its
own fields, and the chain's head must end where the recomputed entries end (a
rewritten or cut tail is found). What it does not prove: an entry before the
checkpoint changed together with every hash after it up to the checkpoint's entry
excluded — the next full pass finds that (the weekly job, `verify --full`).

A checkpoint whose entry no longer carries its hash is not trusted: the check says so,
falls back to the previous checkpoint (or the genesis) to find the first changed entry,
and reports the chain broken either way (entries are never updated, so a hash that
changed since it was verified is itself a break).

Each checkpoint keeps every account's balance up to its entry: a check adds the
entries it recomputes to the balances of the checkpoint it starts from, so the ledger's
view shows balances at the cost of the entries since, not of the whole chain. A full
pass holds each checkpoint's kept balances to the sums of the entries up to it.

Checks read the chain's head first and then only entries up to it: an entry appended
while a check runs is left to the next one, never taken for a break. Only `verify`
(the CLI and the jobs) writes checkpoints; the ledger's views only read them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from server.clock import utcnow
from server.extensions import db
from server.models import Compound, LedgerCheckpoint, LedgerEntry, LedgerHead
from server.services.money import ledger_alerts
from server.services.money.ledger import (
    GENESIS,
    add_movement,
    recomputed_hash,
    summed_balances,
)

log = logging.getLogger(__name__)

FALLBACKS = 3  # checkpoints tried, newest first, before a pass from the genesis
CHANGED_SINCE_VERIFIED = "its hash changed since it was verified"
BALANCES_CHANGED = "the balances kept with its checkpoint differ from its entries"
BATCH = 2000


@dataclass(frozen=True)
class Verification:
    """A check's verdict. `checked` entries were recomputed now: those after entry
    `from_seq` (0: from the genesis) up to `up_to`, the chain's head when the check
    began. `full_seq`/`full_at`: the chain was last recomputed from the genesis up to
    that entry at that time (this check included, if it was full)."""

    ok: bool
    checked: int
    compound: str | None = None
    seq: int | None = None
    entry_id: int | None = None
    problem: str | None = None
    from_seq: int = 0
    up_to: int = 0
    full_seq: int | None = None
    full_at: datetime | None = None
    checkpoint_at: datetime | None = None  # when entry `from_seq` was verified
    note: str | None = None  # a checkpoint not trusted, and why
    head_hash: str | None = field(default=None, repr=False)
    # A chain that verifies: each account's balance in fen up to entry `up_to`.
    balances: dict[str, int] | None = field(default=None, repr=False)
    # It started from a checkpoint written before balances were kept.
    unkept: bool = field(default=False, repr=False)

    @property
    def full(self) -> bool:
        return self.from_seq == 0


COLUMNS = (
    LedgerEntry.id,
    LedgerEntry.compound_id,
    LedgerEntry.seq,
    LedgerEntry.account,
    LedgerEntry.direction,
    LedgerEntry.amount_fen,
    LedgerEntry.source_type,
    LedgerEntry.source_id,
    LedgerEntry.actor_id,
    LedgerEntry.memo,
    LedgerEntry.created_at,
    LedgerEntry.prev_hash,
    LedgerEntry.hash,
)


def _problem(row, prev: str, expected_seq: int) -> str | None:
    if row.seq != expected_seq:
        return f"entry {expected_seq} is missing"
    if row.prev_hash != prev:
        return "does not follow the previous entry"
    return None if recomputed_hash(row) == row.hash else "its content was changed"


def _entry_at(compound_id: int, seq: int):
    return db.session.execute(
        select(*COLUMNS).where(LedgerEntry.compound_id == compound_id, LedgerEntry.seq == seq)
    ).first()


def _checkpoints(compound_id: int) -> list[LedgerCheckpoint]:
    return list(
        db.session.scalars(
            select(LedgerCheckpoint)
            .where(LedgerCheckpoint.compound_id == compound_id)
            .order_by(LedgerCheckpoint.seq.desc())
            .limit(FALLBACKS)
            .execution_options(populate_existing=True)
        )
    )


def _last_full(compound_id: int) -> LedgerCheckpoint | None:
    return db.session.scalars(
        select(LedgerCheckpoint)
        .where(LedgerCheckpoint.compound_id == compound_id, LedgerCheckpoint.full.is_(True))
        .order_by(LedgerCheckpoint.seq.desc())
        .limit(1)
    ).first()


def _head(compound_id: int) -> tuple[int, str] | None:
    row = db.session.execute(
        select(LedgerHead.seq, LedgerHead.hash).where(LedgerHead.compound_id == compound_id)
    ).first()
    return (row.seq, row.hash) if row else None


def _start(compound_id: int, checkpoints: list[LedgerCheckpoint], head_seq: int):
    """Where an incremental check starts: (from_seq, prev_hash, trusted checkpoint or
    None, (first untrusted checkpoint, its entry) or None)."""
    broken = None
    for checkpoint in checkpoints:
        entry = None if checkpoint.seq > head_seq else _entry_at(compound_id, checkpoint.seq)
        trusted = entry is not None and entry.hash == checkpoint.hash
        if trusted and recomputed_hash(entry) == entry.hash:
            return checkpoint.seq, checkpoint.hash, checkpoint, broken
        if broken is None:
            broken = (checkpoint, entry)
            log.warning(
                "ledger of compound %s: the checkpoint at entry %s no longer matches",
                compound_id,
                checkpoint.seq,
            )
    return 0, GENESIS, None, broken


def _entries_after(compound_id: int, after: int, up_to: int):
    """The entries after `after` up to `up_to`, in order, read in keyed batches."""
    while after < up_to:
        rows = db.session.execute(
            select(*COLUMNS)
            .where(
                LedgerEntry.compound_id == compound_id,
                LedgerEntry.seq > after,
                LedgerEntry.seq <= up_to,
            )
            .order_by(LedgerEntry.seq)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].seq


@dataclass
class _Plan:
    head_seq: int
    head_hash: str
    from_seq: int = 0
    prev: str = GENESIS
    checkpoint: LedgerCheckpoint | None = None  # the trusted one the check starts from
    broken: tuple | None = None  # (first untrusted checkpoint, its entry row or None)
    pinned: dict = field(default_factory=dict)  # full pass: seq -> checkpoint

    def context(self, compound_id: int, code: str) -> dict:
        if self.from_seq == 0:
            last_full = None
        elif self.checkpoint.full:  # the newest trusted checkpoint is the newest full one
            last_full = self.checkpoint
        else:
            last_full = _last_full(compound_id)
        untrusted = self.broken[0].seq if self.broken else None
        return {
            "compound": code,
            "from_seq": self.from_seq,
            "up_to": self.head_seq,
            "head_hash": self.head_hash,
            "full_seq": last_full.seq if last_full else None,
            "full_at": last_full.verified_at if last_full else None,
            "checkpoint_at": self.checkpoint.verified_at if self.checkpoint else None,
            "note": untrusted
            and f"the checkpoint at entry {untrusted} no longer matches the chain",
        }


def _plan(compound_id: int, full: bool) -> _Plan:
    """The checkpoints, then the head (it only grows, so a checkpoint past it means a
    cut chain, not a check that ran meanwhile), then where to start."""
    if full:
        checkpoints = list(
            db.session.scalars(
                select(LedgerCheckpoint).where(LedgerCheckpoint.compound_id == compound_id)
            )
        )
    else:
        checkpoints = _checkpoints(compound_id)
    head = _head(compound_id)
    plan = _Plan(*(head if head else (0, GENESIS)))
    if not full:
        plan.from_seq, plan.prev, plan.checkpoint, plan.broken = _start(
            compound_id, checkpoints, plan.head_seq
        )
        return plan
    plan.pinned = {cp.seq: cp for cp in checkpoints}
    past = [cp for cp in checkpoints if cp.seq > plan.head_seq]
    if past:
        plan.broken = (min(past, key=lambda cp: cp.seq), None)
    return plan


def check(compound_id: int, code: str, full: bool = False) -> Verification:
    """One compound's chain, from its newest trusted checkpoint (the genesis if `full`
    or none is trusted) to its head as the check begins. Writes nothing. A full pass
    also holds every entry that has a checkpoint to the hash it had when verified."""
    plan = _plan(compound_id, full)
    context = plan.context(compound_id, code)
    prev, checked, expected = plan.prev, 0, plan.from_seq + 1
    balances = _starting_balances(compound_id, plan)
    for row in _entries_after(compound_id, plan.from_seq, plan.head_seq):
        checked += 1
        problem = _problem(row, prev, expected)
        if problem is None:
            add_movement(balances, row.account, row.direction, row.amount_fen)
            if row.seq in plan.pinned:
                problem = _pinned_problem(plan.pinned[row.seq], row, balances)
        if problem:
            return Verification(
                False, checked, seq=row.seq, entry_id=row.id, problem=problem, **context
            )
        prev, expected = row.hash, expected + 1
    if plan.broken is not None:
        cp, entry = plan.broken
        problem = CHANGED_SINCE_VERIFIED if entry else "the chain's end is missing"
        return Verification(
            False, checked, seq=cp.seq, entry_id=entry and entry.id, problem=problem, **context
        )
    if expected - 1 != plan.head_seq or prev != plan.head_hash:
        problem = "the chain's end is missing"
        return Verification(False, checked, seq=plan.head_seq, problem=problem, **context)
    if plan.from_seq == 0:
        context.update(full_seq=plan.head_seq, full_at=utcnow())
    unkept = plan.checkpoint is not None and plan.checkpoint.balances is None
    return Verification(True, checked, balances=balances, unkept=unkept, **context)


def _starting_balances(compound_id: int, plan: _Plan) -> dict[str, int]:
    """The balances up to the entry the check starts after: none at the genesis, those
    kept with the checkpoint, or (a checkpoint written before balances were kept) the
    entries up to it summed, once."""
    if plan.from_seq == 0:
        return {}
    if plan.checkpoint.balances is not None:
        return {account: int(fen) for account, fen in plan.checkpoint.balances.items()}
    return summed_balances(compound_id, plan.from_seq)


def _pinned_problem(checkpoint: LedgerCheckpoint, row, balances: dict[str, int]) -> str | None:
    """A full pass at an entry that has a checkpoint: the entry still has the hash it
    had, and the balances kept with the checkpoint are those of the entries up to it."""
    if checkpoint.hash != row.hash:
        return CHANGED_SINCE_VERIFIED
    if checkpoint.balances is not None and checkpoint.balances != balances:
        return BALANCES_CHANGED
    return None


def record(compound_id: int, result: Verification) -> None:
    """A checkpoint at the verified head (no commit); a full pass marks it `full`. One
    statement that never fails on a checkpoint another check wrote meanwhile (a check
    reading an older snapshot may find a head already checkpointed)."""
    if not result.ok or result.up_to == 0:
        return
    if result.checked == 0 and not result.full and not result.unkept:
        return  # its head is its newest checkpoint already, balances kept
    table = LedgerCheckpoint.__table__
    row = {
        "compound_id": compound_id,
        "seq": result.up_to,
        "hash": result.head_hash,
        "full": result.full,
        "verified_at": utcnow(),
        "balances": result.balances,
    }
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        statement = sqlite_insert(table).values(row)
        new = statement.excluded
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.compound_id, table.c.seq],
            set_={
                "full": table.c.full | new.full,
                "verified_at": case(
                    (new.full > table.c.full, new.verified_at), else_=table.c.verified_at
                ),
                "balances": func.coalesce(table.c.balances, new.balances),
            },
            where=(new.full > table.c.full) | table.c.balances.is_(None),
        )
    else:
        statement = mysql_insert(table).values(row)
        new = statement.inserted
        upgrade = new.full > table.c.full  # MySQL assigns left to right: verified_at first
        statement = statement.on_duplicate_key_update(
            [
                ("verified_at", case((upgrade, new.verified_at), else_=table.c.verified_at)),
                ("full", case((upgrade, new.full), else_=table.c.full)),
                # A checkpoint written before balances were kept gets them now.
                ("balances", func.coalesce(table.c.balances, new.balances)),
            ]
        )
    connection.execute(statement)


@dataclass(frozen=True)
class Run:
    """Every compound checked: the first broken one (or None), entries recomputed."""

    results: list[Verification]
    checked: int

    @property
    def broken(self) -> Verification | None:
        return next((r for r in self.results if not r.ok), None)


def verify_all(compound_code: str | None = None, full: bool = False) -> Run:
    """Check every compound's chain (or one) and record a checkpoint at each verified
    head; commits. A broken chain gets no checkpoint; it is logged as an error and its
    committee and finance supervisor are told (ledger_alerts)."""
    query = select(Compound.id, Compound.code).order_by(Compound.id)
    if compound_code:
        query = query.where(Compound.code == compound_code)
    results = []
    for compound_id, code in db.session.execute(query).all():
        result = check(compound_id, code, full)
        if result.ok:
            record(compound_id, result)
        else:
            log.error("ledger of %s broken at entry %s: %s", code, result.seq, result.problem)
            ledger_alerts.tell_broken(compound_id, result.seq, result.problem)
        results.append(result)
    db.session.commit()
    return Run(results, sum(r.checked for r in results))


def verify_new_entries() -> dict:
    """The daily job: every chain from its newest checkpoint."""
    return _summary(verify_all())


def verify_from_genesis() -> dict:
    """The weekly job: every chain recomputed from the genesis."""
    return _summary(verify_all(full=True))


def _summary(run: Run) -> dict:
    broken = run.broken
    return {
        "checked": run.checked,
        "compounds": len(run.results),
        "broken": f"{broken.compound} at entry {broken.seq}: {broken.problem}" if broken else "",
    }
