"""A disclosure as its readers see it: the frozen figures, what the caller may do with
it, where its paper and its check are; a compound's list of them; the check itself."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import aliased

from server.extensions import db
from server.models import Compound
from server.models.board import Disclosure
from server.services.disclosures import decisions, pdf, verify
from server.services.disclosures.notices import title_of
from server.services.people import compounds
from server.services.people.access import Principal, own_accounts


def detail(principal: Principal, disclosure_id: int) -> dict:
    """The disclosure with its funds and lines. Raises NotFound."""
    disclosure = decisions.readable(principal, disclosure_id)
    return present(disclosure, _actions(principal, disclosure))


def present(disclosure: Disclosure, actions: list[str] | None = None) -> dict:
    compound = db.session.get(Compound, disclosure.compound_id)
    frozen = disclosure.figures
    base = current_app.config["PUBLIC_BASE_URL"]
    return {
        "id": disclosure.id,
        "month": disclosure.month,
        "version": disclosure.version,
        "status": disclosure.status,
        "title": title_of(disclosure),
        "compound": compound.code,
        "compound_name": compound.name,
        "ledger_seq": disclosure.ledger_seq,
        "ledger_head": disclosure.ledger_head,
        "supersedes_id": disclosure.supersedes_id,
        "changes": disclosure.changes,
        "objection": disclosure.objection,
        "created_at": disclosure.created_at,
        "signed_at": disclosure.signed_at,
        "published_at": disclosure.published_at,
        "funds": frozen["funds"],
        "collection": frozen.get("collection") or {},
        "issues": frozen.get("issues") or [],
        "actions": actions or [],
        "pdf_url": f"{base}/api/v1/disclosures/{disclosure.id}.pdf",
        "verify_url": pdf.verify_url(disclosure),
    }


def _actions(principal: Principal, disclosure: Disclosure) -> list[str]:
    compound = db.session.get(Compound, disclosure.compound_id)
    if compound.archived_at is not None or not _is_latest(disclosure):
        return []
    actions = []
    if principal.supervisor_of(compound.id):
        if disclosure.status == "draft":
            actions.append("sign_off")
        if disclosure.status in ("draft", "signed"):
            actions.append("object")
    if principal.committee_of(compound.id):
        if disclosure.status == "signed":
            actions.append("publish")
        actions.append("correct")
    return actions


def _is_latest(disclosure: Disclosure) -> bool:
    newer = db.session.scalar(
        select(Disclosure.id).where(
            Disclosure.compound_id == disclosure.compound_id,
            Disclosure.month == disclosure.month,
            Disclosure.version > disclosure.version,
        )
    )
    return newer is None


def listing(principal: Principal, code: str) -> list[Disclosure]:
    """The compound's disclosures, newest month first: published ones for its residents,
    every version for the committee and the supervisor. Raises NotFound."""
    compound = compounds.member_compound(principal, code)
    query = select(Disclosure).where(Disclosure.compound_id == compound.id)
    if not (principal.committee_of(compound.id) or principal.supervisor_of(compound.id)):
        query = query.where(
            (Disclosure.status == "published")
            | ((Disclosure.status == "superseded") & Disclosure.published_at.is_not(None))
        )
    rows = db.session.scalars(
        query.order_by(Disclosure.month.desc(), Disclosure.version.desc()).limit(60)
    )
    return [_summary(d) for d in rows]


def _summary(disclosure: Disclosure) -> dict:
    return {
        "id": disclosure.id,
        "month": disclosure.month,
        "version": disclosure.version,
        "status": disclosure.status,
        "title": title_of(disclosure),
        "created_at": disclosure.created_at,
        "published_at": disclosure.published_at,
    }


def verification(principal: Principal | None, disclosure_id: int) -> dict:
    """The check of a disclosure against the ledger: a published one for anyone (no
    sign-in), one not yet published for the compound's committee and supervisor.
    Raises NotFound."""
    if principal is not None and _officer_of(principal, disclosure_id):
        disclosure = decisions.readable(principal, disclosure_id)
    else:
        disclosure = decisions.public(disclosure_id)
    result = verify.check(disclosure)
    compound = db.session.get(Compound, disclosure.compound_id)
    return {
        "id": disclosure.id,
        "title": title_of(disclosure),
        "compound_name": compound.name,
        "ledger_seq": disclosure.ledger_seq,
        "ledger_head": disclosure.ledger_head,
        "verified": result.verified,
        "summary": result.summary,
        "differences": result.differences,
    }


def _officer_of(principal: Principal, disclosure_id: int) -> bool:
    compound_id = db.session.scalar(
        select(Disclosure.compound_id).where(Disclosure.id == disclosure_id)
    )
    return compound_id is not None and (
        principal.committee_of(compound_id) or principal.supervisor_of(compound_id)
    )


def paper(principal: Principal, disclosure_id: int) -> tuple[bytes, str]:
    """The printable PDF and its file name. Raises NotFound."""
    disclosure = decisions.readable(principal, disclosure_id)
    compound = db.session.get(Compound, disclosure.compound_id)
    name = f"disclosure-{compound.code}-{disclosure.month}-v{disclosure.version}.pdf"
    return pdf.render(disclosure, compound), name


def waiting(principal: Principal, code: str) -> dict[str, int]:
    """The compound's disclosures waiting for the caller's step, by step: "sign_off"
    (the supervisor, a draft someone else prepared), "publish" (the committee, a signed
    one) and "correct" (the committee, one objected to). Only the latest version of a
    month counts (an older one takes no step); nothing once archived. Raises NotFound."""
    compound = compounds.member_compound(principal, code)
    if compound.archived_at is not None:
        return {}
    steps = {}
    if principal.supervisor_of(compound.id):
        steps["sign_off"] = (Disclosure.status == "draft") & Disclosure.created_by_id.not_in(
            own_accounts(principal)
        )
    if principal.committee_of(compound.id):
        steps["publish"] = Disclosure.status == "signed"
        steps["correct"] = Disclosure.status == "objected"
    if not steps:
        return {}
    newer = aliased(Disclosure)
    latest = ~exists().where(
        newer.compound_id == Disclosure.compound_id,
        newer.month == Disclosure.month,
        newer.version > Disclosure.version,
    )
    counts = db.session.execute(
        select(*(func.count(case((rule, 1))) for rule in steps.values())).where(
            Disclosure.compound_id == compound.id,
            Disclosure.status.in_(("draft", "signed", "objected")),
            latest,
        )
    ).one()
    return {step: int(n) for step, n in zip(steps, counts, strict=True) if n}
