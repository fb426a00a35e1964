"""Freezing a month (月度公示): the committee, or the job on the 1st, records the month's
figures as the ledger holds them now, with the last entry's number and hash. A
disclosure is never changed afterwards: a correction is a new version saying what
changed (the old one is superseded when the new one is published)."""

from __future__ import annotations

from sqlalchemy import func, select

from server.clock import SHANGHAI, utcnow
from server.errors import Conflict, Forbidden, NotFound, ValidationFailed
from server.extensions import db
from server.models import Compound
from server.models.board import Disclosure
from server.services.disclosures import figures, notices
from server.services.money import ledger
from server.services.people import compounds
from server.services.people.access import Principal

LIVE = ("draft", "signed", "objected", "published")


def create(
    principal: Principal,
    code: str,
    month: str,
    corrects: int | None = None,
    changes: str | None = None,
) -> Disclosure:
    """Freeze `month` for the committee member's compound (version 1, or the version
    after `corrects`, which then needs `changes`). Raises NotFound, Forbidden,
    ValidationFailed (bad_month, changes_required), Conflict (disclosure_exists,
    not_latest, compound_archived)."""
    compound = compounds.writable_compound(principal, code)
    if not principal.committee_of(compound.id):
        raise Forbidden("只有业委会成员可以生成月度公示", code="committee_only")
    check_month(month)
    lock_compound(compound.id)
    latest = _latest(compound.id, month)
    if corrects is None:
        if latest is not None and latest.status in LIVE:
            raise Conflict(
                f"{month} 已有公示（第 {latest.version} 版），如需更正请说明改了什么",
                code="disclosure_exists",
            )
    else:
        if latest is None or latest.id != corrects:
            raise Conflict("只能更正这个月最新的一版公示", code="not_latest")
        if not (changes or "").strip():
            raise ValidationFailed("请写明这一版改了什么", code="changes_required")
    disclosure = freeze(compound, month, principal.id, supersedes=latest if corrects else None)
    if corrects:
        disclosure.changes = changes.strip()
    notices.tell_supervisor(disclosure)
    db.session.commit()
    return disclosure


def check_month(month: str) -> None:
    """A month that has begun in Shanghai (the current one only on demand). Raises
    ValidationFailed (bad_month)."""
    start, _ = figures.month_bounds(month)
    if start > utcnow():
        raise ValidationFailed("这个月还没开始，不能公示", code="bad_month")


def freeze(
    compound: Compound, month: str, actor_id: int | None, supersedes: Disclosure | None = None
) -> Disclosure:
    """The month's disclosure as the ledger holds it now (no commit). The chain is held
    until the caller commits, so no entry slips in between the figures and the head."""
    head = ledger.lock_chain(compound.id)
    frozen = figures.compute(compound.id, month, head.seq, locking=True)
    frozen["collection"] = figures.collection_rate(compound.id, month)
    frozen["issues"] = figures.issues(compound.id, month)
    frozen["frozen_at"] = utcnow().astimezone(SHANGHAI).isoformat(timespec="seconds")
    disclosure = Disclosure(
        compound_id=compound.id,
        month=month,
        version=(supersedes.version + 1) if supersedes else 1,
        status="draft",
        ledger_seq=head.seq,
        ledger_head=head.hash,
        figures=frozen,
        supersedes_id=supersedes.id if supersedes else None,
        created_by_id=actor_id,
        created_at=utcnow(),
    )
    db.session.add(disclosure)
    db.session.flush()
    return disclosure


def _latest(compound_id: int, month: str) -> Disclosure | None:
    newest = (
        select(func.max(Disclosure.version))
        .where(Disclosure.compound_id == compound_id, Disclosure.month == month)
        .scalar_subquery()
    )
    return db.session.scalars(
        select(Disclosure)
        .where(
            Disclosure.compound_id == compound_id,
            Disclosure.month == month,
            Disclosure.version == newest,
        )
        .with_for_update()
    ).first()


def lock_compound(compound_id: int) -> None:
    """One freeze of a compound at a time (its ledger chain, held until commit)."""
    ledger.lock_chain(compound_id)


def has_any(compound_id: int, month: str) -> bool:
    """Whether the month has a disclosure; call after `lock_compound`. A locking read:
    it sees one committed while we waited for the lock, not this transaction's older
    snapshot (MariaDB's repeatable read)."""
    return (
        db.session.scalar(
            select(Disclosure.id)
            .where(Disclosure.compound_id == compound_id, Disclosure.month == month)
            .limit(1)
            .with_for_update(read=True)
        )
        is not None
    )


def not_found() -> NotFound:
    return NotFound("找不到这份公示", code="disclosure_not_found")
