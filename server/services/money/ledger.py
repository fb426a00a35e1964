"""The ledger: every money movement as an append-only, hash-chained entry.

Entries are written in the transaction of the change they record, never updated
or deleted (a correction is a new entry). Each compound's entries are numbered
1, 2, 3...; each entry's hash covers its fields and the previous entry's hash, so
`verify` finds the first entry changed behind the ledger's back (from the newest
verified checkpoint, or from the genesis: `ledger_checks`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from server.clock import utcnow
from server.database.engine import insert_or_lock
from server.errors import Forbidden
from server.extensions import db
from server.models import Compound, LedgerEntry, LedgerHead
from server.services.people import compounds

GENESIS = "0" * 64
# Money received that settled no bill (paid twice, a wrong amount): owed back until
# the committee records the refund, a debit of this account.
REFUND_DUE = "suspense:refund_due"
# WeChat Pay's service fee on each payment (its daily statement says how much): money
# out, a debit of this account; the fee it gives back with a refund is a credit.
PAY_FEES = "expense:wechat_pay_fee"


@dataclass(frozen=True)
class Movement:
    account: str  # e.g. "fee:self_governance", "fund:co_construction"
    direction: str  # "credit" (money in) or "debit" (money out)
    amount_fen: int
    source_type: str  # "payment", "offline_payment", "refund", "correction"
    source_id: int
    memo: str | None = None


def entry_hash(
    prev_hash: str, compound_id: int, seq: int, m: Movement, actor_id, at: datetime
) -> str:
    canonical = "|".join(
        str(part)
        for part in (
            prev_hash,
            compound_id,
            seq,
            m.account,
            m.direction,
            m.amount_fen,
            m.source_type,
            m.source_id,
            actor_id if actor_id is not None else "",
            m.memo or "",
            at.isoformat(timespec="microseconds"),
        )
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def recomputed_hash(entry, prev_hash: str | None = None) -> str:
    """The hash an entry (a LedgerEntry or a row with its columns) should carry, from its
    own fields and `prev_hash` (default: the previous hash it names)."""
    movement = Movement(
        entry.account,
        entry.direction,
        entry.amount_fen,
        entry.source_type,
        entry.source_id,
        entry.memo,
    )
    return entry_hash(
        entry.prev_hash if prev_hash is None else prev_hash,
        entry.compound_id,
        entry.seq,
        movement,
        entry.actor_id,
        entry.created_at,
    )


def append(compound_id: int, movements: list[Movement], actor_id: int | None) -> list[LedgerEntry]:
    """Write movements at the end of the compound's chain (no commit: the caller's
    transaction holds the chain's head locked until it commits)."""
    head = _locked_head(compound_id)
    entries = []
    for movement in movements:
        if movement.amount_fen <= 0 or movement.direction not in ("credit", "debit"):
            raise ValueError(f"not a money movement: {movement}")
        at = utcnow()
        seq = head.seq + 1
        digest = entry_hash(head.hash, compound_id, seq, movement, actor_id, at)
        entry = LedgerEntry(
            compound_id=compound_id,
            seq=seq,
            account=movement.account,
            direction=movement.direction,
            amount_fen=movement.amount_fen,
            source_type=movement.source_type,
            source_id=movement.source_id,
            actor_id=actor_id,
            memo=movement.memo,
            created_at=at,
            prev_hash=head.hash,
            hash=digest,
        )
        db.session.add(entry)
        head.seq, head.hash = seq, digest
        entries.append(entry)
    db.session.flush()
    return entries


def lock_chain(compound_id: int) -> LedgerHead:
    """Hold the compound's chain until the caller commits: a balance read after it
    cannot change before this transaction's own entries are written (no overdraw)."""
    return _locked_head(compound_id)


def _locked_head(compound_id: int) -> LedgerHead:
    """The compound's chain head, locked until the caller commits. A compound's first
    movement starts its chain (compounds made by `open_chain` have one already).

    The head is looked for without a lock first: on MariaDB a locking read of a row
    that is not there locks the gap, and two first movements holding that gap then
    deadlock on their inserts. Several first inserts at once: the first inserts, the
    others wait for it to commit and then lock the winner's head (insert_or_lock).
    Heads are never deleted, so each process looks only once per compound.
    """
    known = current_app.extensions.setdefault("ledger_heads_seen", set())
    if compound_id not in known:
        exists = db.session.scalar(
            select(LedgerHead.compound_id).where(LedgerHead.compound_id == compound_id)
        )
        if exists is None:
            _start_chain(compound_id)
    head = _lock(compound_id)
    if head is None:  # gone behind this process's back (a test emptied the tables)
        _start_chain(compound_id)
        head = _lock(compound_id)
    known.add(compound_id)
    return head


def _start_chain(compound_id: int) -> None:
    insert_or_lock(
        db.session.connection(),
        LedgerHead.__table__,
        {"compound_id": compound_id, "seq": 0, "hash": GENESIS},
    )


def _lock(compound_id: int) -> LedgerHead | None:
    return db.session.scalars(
        select(LedgerHead)
        .where(LedgerHead.compound_id == compound_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def open_chain(compound_id: int) -> None:
    """Give a new compound its ledger chain (no commit; with the compound's creation)."""
    db.session.add(LedgerHead(compound_id=compound_id, seq=0, hash=GENESIS))


def verify(compound_code: str | None = None, full: bool = False):
    """Check every chain (or one compound's) from its newest verified checkpoint, or
    from the genesis if `full`, and record a checkpoint at each verified head
    (commits). Returns the first broken chain's verdict, else one compound's verdict,
    else the count of entries recomputed (see `ledger_checks`)."""
    from server.services.money import ledger_checks

    run = ledger_checks.verify_all(compound_code, full)
    if run.broken is not None:
        return run.broken
    if len(run.results) == 1:
        return run.results[0]
    return ledger_checks.Verification(True, run.checked)


@dataclass(frozen=True)
class LedgerPage:
    items: list[LedgerEntry]
    balance_fen: dict[str, int]
    verified: bool
    verification: object = None  # ledger_checks.Verification: from which entry, and when


def _readable(principal, code: str) -> Compound:
    compound = compounds.member_compound(principal, code)
    if not (principal.committee_of(compound.id) or principal.supervisor_of(compound.id)):
        raise Forbidden("只有业委会和财务监督可以查看账本", code="committee_only")
    return compound


def verify_for(principal, code: str, full: bool = False):
    """A compound's chain checked now, for its committee and finance supervisor: the
    entries since its newest verified checkpoint (all of them if `full`), and where it
    breaks, if it does. Writes nothing (checkpoints come from `verify`). Raises
    NotFound, Forbidden."""
    from server.services.money import ledger_checks

    compound = _readable(principal, code)
    return ledger_checks.check(compound.id, compound.code, full)


def page(
    principal, code: str, before_seq: int | None, limit: int, account: str | None = None
) -> LedgerPage:
    """A compound's ledger, newest first (of one `account` if given), with each
    account's balance and whether the chain verifies (checked from its newest verified
    checkpoint: a view costs the entries since, its balances too: those kept with the
    checkpoint plus the entries after it). Every line is open to the committee and the
    finance supervisor."""
    from server.services.money import ledger_checks

    compound = _readable(principal, code)
    query = select(LedgerEntry).where(LedgerEntry.compound_id == compound.id)
    if account:
        query = query.where(LedgerEntry.account == account)
    if before_seq is not None:
        query = query.where(LedgerEntry.seq < before_seq)
    items = list(db.session.scalars(query.order_by(LedgerEntry.seq.desc()).limit(limit)))
    verification = ledger_checks.check(compound.id, compound.code)
    balances = verification.balances
    if balances is None:  # a broken chain: what its entries add up to, all of them
        balances = summed_balances(compound.id)
    return LedgerPage(items, balances, verification.ok, verification)


def summed_balances(compound_id: int, up_to_seq: int | None = None) -> dict[str, int]:
    """Each account's balance in fen, summed over the compound's entries (those up to
    entry `up_to_seq` if given): one grouped query over the whole chain. The ledger's
    view takes its balances from the check instead, which adds the entries after the
    newest verified checkpoint to the balances kept with it (`ledger_checks`)."""
    query = (
        select(LedgerEntry.account, LedgerEntry.direction, func.sum(LedgerEntry.amount_fen))
        .where(LedgerEntry.compound_id == compound_id)
        .group_by(LedgerEntry.account, LedgerEntry.direction)
    )
    if up_to_seq is not None:
        query = query.where(LedgerEntry.seq <= up_to_seq)
    balances: dict[str, int] = {}
    for account, direction, total in db.session.execute(query):
        add_movement(balances, account, direction, int(total))
    return balances


def add_movement(balances: dict[str, int], account: str, direction: str, amount: int) -> None:
    """Count a credit (money in) or a debit (money out) of `amount` fen in `balances`."""
    sign = 1 if direction == "credit" else -1
    balances[account] = balances.get(account, 0) + sign * amount
