"""Who may see a disclosure, and its steps: the finance supervisor signs it off or
objects, the committee publishes a signed one to every household.

Residents of the compound see a disclosure once it is published; the committee and
the supervisor also before. Anyone else gets 404, as if it did not exist.
"""

from __future__ import annotations

from sqlalchemy import select

from server.clock import utcnow
from server.errors import Conflict, Forbidden
from server.extensions import db
from server.models import Compound
from server.models.board import Disclosure
from server.services.disclosures import notices
from server.services.disclosures.freeze import not_found
from server.services.people import compounds
from server.services.people.access import Principal, same_person

PUBLIC = ("published", "superseded")


def is_public(disclosure: Disclosure) -> bool:
    """Published, or since corrected: a version superseded before it was ever
    published (objected to, or a draft) stays with the committee and the supervisor."""
    if disclosure.status == "superseded":
        return disclosure.published_at is not None
    return disclosure.status in PUBLIC


def readable(principal: Principal, disclosure_id: int) -> Disclosure:
    """The disclosure if the caller may read it. Raises NotFound."""
    disclosure = db.session.get(Disclosure, disclosure_id)
    if disclosure is None or disclosure.compound_id not in principal.compound_ids:
        raise not_found()
    if not is_public(disclosure) and not _officer(principal, disclosure.compound_id):
        raise not_found()
    return disclosure


def public(disclosure_id: int) -> Disclosure:
    """A published (or since corrected) disclosure, for anyone. Raises NotFound."""
    disclosure = db.session.get(Disclosure, disclosure_id)
    if disclosure is None or not is_public(disclosure):
        raise not_found()
    return disclosure


def sign_off(principal: Principal, disclosure_id: int) -> Disclosure:
    """The supervisor checked it: draft → signed. Raises NotFound, Forbidden
    (supervisor_only, same_person), Conflict (bad_status, compound_archived)."""
    disclosure = _supervised(principal, disclosure_id)
    _ensure_latest(disclosure)
    if disclosure.status != "draft":
        raise _bad_status(disclosure, "只有待审核的公示可以审核通过")
    if same_person(principal, disclosure.created_by_id):
        raise Forbidden("公示须由生成人以外的财务监督审核", code="same_person")
    disclosure.status = "signed"
    disclosure.signed_by_id, disclosure.signed_at = principal.id, utcnow()
    notices.tell_committee(disclosure, "公示已审核通过", "财务监督已审核通过，可以发布了。")
    db.session.commit()
    return disclosure


def object_to(principal: Principal, disclosure_id: int, reason: str) -> Disclosure:
    """The supervisor disagrees: draft or signed → objected, with the reason; the
    committee then makes a corrected version. Raises like `sign_off`."""
    disclosure = _supervised(principal, disclosure_id)
    _ensure_latest(disclosure)
    if disclosure.status not in ("draft", "signed"):
        raise _bad_status(disclosure, "已发布或已有异议的公示不能再提异议")
    disclosure.status = "objected"
    disclosure.objection = reason.strip()
    disclosure.signed_by_id, disclosure.signed_at = principal.id, utcnow()
    notices.tell_committee(
        disclosure, "公示有异议", f"财务监督提出异议：{disclosure.objection}。请核对后生成更正版。"
    )
    db.session.commit()
    return disclosure


def publish(principal: Principal, disclosure_id: int) -> Disclosure:
    """The committee publishes a signed disclosure: it replaces the version it corrects
    and every household of the compound hears of it. Raises NotFound, Forbidden
    (committee_only), Conflict (bad_status, compound_archived)."""
    disclosure = _locked(principal, disclosure_id)
    if not principal.committee_of(disclosure.compound_id):
        raise Forbidden("只有业委会成员可以发布公示", code="committee_only")
    if disclosure.status != "signed":
        raise _bad_status(disclosure, "公示须经财务监督审核通过后才能发布")
    _ensure_latest(disclosure)
    now = utcnow()
    disclosure.status = "published"
    disclosure.published_by_id, disclosure.published_at = principal.id, now
    if disclosure.supersedes_id is not None:
        older = db.session.scalars(
            select(Disclosure)
            .where(
                Disclosure.compound_id == disclosure.compound_id,
                Disclosure.month == disclosure.month,
                Disclosure.version < disclosure.version,
                Disclosure.status != "superseded",
            )
            .with_for_update()
        )
        for old in older:
            old.status = "superseded"
    notices.tell_households(disclosure)
    db.session.commit()
    return disclosure


def _officer(principal: Principal, compound_id: int) -> bool:
    return principal.committee_of(compound_id) or principal.supervisor_of(compound_id)


def _locked(principal: Principal, disclosure_id: int) -> Disclosure:
    """The disclosure locked for a step, if the caller may see it; its compound open."""
    readable(principal, disclosure_id)
    disclosure = db.session.scalars(
        select(Disclosure)
        .where(Disclosure.id == disclosure_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    compounds.ensure_open(db.session.get(Compound, disclosure.compound_id))
    return disclosure


def _supervised(principal: Principal, disclosure_id: int) -> Disclosure:
    disclosure = _locked(principal, disclosure_id)
    if not principal.supervisor_of(disclosure.compound_id):
        raise Forbidden("只有财务监督可以审核公示", code="supervisor_only")
    return disclosure


def _ensure_latest(disclosure: Disclosure) -> None:
    """A version with a newer one after it is neither signed off nor published."""
    newer = db.session.scalar(
        select(Disclosure.id).where(
            Disclosure.compound_id == disclosure.compound_id,
            Disclosure.month == disclosure.month,
            Disclosure.version > disclosure.version,
        )
    )
    if newer is not None:
        raise Conflict("这个月已有更新的一版公示，请看最新的一版", code="not_latest")


def _bad_status(disclosure: Disclosure, message: str) -> Conflict:
    return Conflict(message, code="bad_status")
