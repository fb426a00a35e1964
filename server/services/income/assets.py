"""The assets register: what the compound has that earns (ad spaces, parking spaces,
rooms let to businesses), with where it is and its photos. The committee keeps it;
everyone of the compound may read it (the photos are public)."""

from __future__ import annotations

from sqlalchemy import select

from server.errors import NotFound, ValidationFailed
from server.extensions import db
from server.models.income import Asset
from server.services.income.access import committee_compound, ensure_committee
from server.services.people import compounds
from server.services.people.access import Principal
from server.services.photos import attachments

EDITABLE = ("name", "location", "note", "active")


def create(principal: Principal, code: str, fields: dict, photos: list[int] | None) -> Asset:
    """A committee member registers an asset. Raises NotFound, Forbidden, Conflict
    (archived), ValidationFailed (photos)."""
    compound = committee_compound(principal, code)
    asset = Asset(
        compound_id=compound.id,
        kind=fields["kind"],
        name=fields["name"],
        location=fields.get("location"),
        note=fields.get("note"),
        created_by_id=principal.id,
    )
    with db.session.begin_nested():  # a refused photo leaves no asset behind
        db.session.add(asset)
        db.session.flush()
        attachments.attach(principal, compound.id, "asset_photo", asset.id, photos)
    db.session.commit()
    return asset


def list_of(principal: Principal, code: str) -> list[Asset]:
    """The compound's assets for anyone of it; those no longer let out (inactive) only
    for the committee and the supervisor. Raises NotFound."""
    compound = compounds.member_compound(principal, code)
    query = select(Asset).where(Asset.compound_id == compound.id)
    if not (principal.committee_of(compound.id) or principal.supervisor_of(compound.id)):
        query = query.where(Asset.active.is_(True))
    return list(db.session.scalars(query.order_by(Asset.kind, Asset.name, Asset.id)))


def update(principal: Principal, asset_id: int, changes: dict) -> Asset:
    """A committee member renames, moves, annotates or retires an asset. Raises NotFound,
    Forbidden, Conflict (archived), ValidationFailed (no_change)."""
    asset = get(principal, asset_id)
    ensure_committee(principal, asset.compound_id)
    compounds.ensure_open_id(asset.compound_id)
    changed = {k: v for k, v in changes.items() if k in EDITABLE and getattr(asset, k) != v}
    if not changed:
        raise ValidationFailed("没有要修改的内容", code="no_change")
    for key, value in changed.items():
        setattr(asset, key, value)
    db.session.commit()
    return asset


def get(principal: Principal, asset_id: int) -> Asset:
    """An asset of the caller's compound. Raises NotFound."""
    asset = db.session.get(Asset, asset_id)
    if asset is None or asset.compound_id not in principal.compound_ids:
        raise NotFound("找不到该资产", code="asset_not_found")
    return asset


def photos_of(assets: list[Asset]) -> dict[int, list[int]]:
    return attachments.of("asset_photo", [a.id for a in assets])
