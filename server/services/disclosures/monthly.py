"""The job on the 1st: last month's disclosure drafted for every open compound that has
none, and its finance supervisor asked to check it."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from server.clock import SHANGHAI, utcnow
from server.extensions import db
from server.models import Compound
from server.services.disclosures import freeze, notices


@dataclass
class Drafted:
    month: str
    drafted: list[int] = field(default_factory=list)  # disclosure ids


def last_month() -> str:
    local = utcnow().astimezone(SHANGHAI)
    year, index = divmod(local.year * 12 + local.month - 2, 12)
    return f"{year}-{index + 1:02d}"


def draft_last_month() -> Drafted:
    """One draft per open compound without a disclosure of last month (running twice
    drafts nothing new); each compound commits on its own."""
    month = last_month()
    result = Drafted(month)
    ids = list(
        db.session.scalars(
            select(Compound.id).where(Compound.archived_at.is_(None)).order_by(Compound.id)
        )
    )
    db.session.commit()
    for compound_id in ids:
        compound = db.session.get(Compound, compound_id)
        freeze.lock_compound(compound_id)
        if compound.archived_at is not None or freeze.has_any(compound_id, month):
            db.session.rollback()
            continue
        disclosure = freeze.freeze(compound, month, None)
        notices.tell_supervisor(disclosure)
        db.session.commit()
        result.drafted.append(disclosure.id)
    return result
