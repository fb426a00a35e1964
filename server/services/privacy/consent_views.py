"""The consent notices people read before they give their data, and the consents a
household gave (shown to it in its download)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from server.errors import NotFound, ValidationFailed
from server.extensions import db
from server.labels import label
from server.models import ConsentRecord
from server.models.census import CONSENT_KINDS
from server.services.census import consent
from server.services.census.consent import NOTICES, Notice


@dataclass(frozen=True)
class ConsentView:
    id: int
    kind: str
    kind_label: str
    version: int
    title: str
    method: str  # app: given in the app; doorstep: given aloud, recorded by a volunteer
    given_at: datetime
    withdrawn_at: datetime | None


def notice(kind: str) -> Notice:
    """The newest notice of `kind` (binding, census). Raises NotFound (consent_not_found)."""
    if kind not in CONSENT_KINDS:
        raise NotFound("找不到这份告知", code="consent_not_found")
    return consent.current(kind)


def known_version(kind: str, version: int | None) -> int | None:
    """`version` if a notice of `kind` has it (None: the current one will be recorded).
    Raises ValidationFailed (bad_consent_version): a client cannot have shown a text
    this server does not know."""
    if version is not None and (kind, version) not in NOTICES:
        raise ValidationFailed(
            "您同意的告知版本不存在，请重新打开页面后再提交", code="bad_consent_version"
        )
    return version


def household_consents(household_id: int, since=None) -> list[ConsentView]:
    """Every consent given for a household (since `since`, if given), oldest first
    (withdrawn ones too)."""
    query = select(ConsentRecord).where(ConsentRecord.household_id == household_id)
    if since is not None:
        query = query.where(ConsentRecord.created_at >= since)
    rows = db.session.scalars(query.order_by(ConsentRecord.id))
    return [
        ConsentView(
            id=row.id,
            kind=row.kind,
            kind_label=label("consent_kind", row.kind),
            version=row.version,
            title=_title(row.kind, row.version),
            method=row.method,
            given_at=row.created_at,
            withdrawn_at=row.withdrawn_at,
        )
        for row in rows
    ]


def _title(kind: str, version: int) -> str:
    found = NOTICES.get((kind, version))
    return found.title if found else label("consent_kind", kind)
