"""The street office (platform admin) opens, lists, renames and archives compounds,
and chooses the WeChat Pay merchant each one's fees go to.

A compound opened here has no developer behind it: the admin types its code and name,
and the committee, liaisons and residents are added afterwards. Archiving makes it
read-only; nothing is deleted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from server.clock import utcnow
from server.errors import Conflict, Forbidden, ValidationFailed
from server.extensions import db
from server.models import Building, Compound, Household
from server.services.governance import audit
from server.services.money import ledger, merchants
from server.services.people.compounds import ensure_open, get_compound
from server.services.platform import pay_merchants

CODE = re.compile(r"^[a-z0-9-]{2,32}$")
# Field → (longest, what a person calls it).
TEXT_FIELDS = {
    "name": (100, "小区名称"),
    "address": (200, "地址"),
    "district": (50, "所在区"),
    "street": (50, "所在街道"),
    "contact_name": (50, "联系人"),
    "contact_phone": (20, "联系电话"),
}
PHONE = re.compile(r"^[0-9+\- ]{5,20}$")


@dataclass
class CompoundRow:
    """A compound as the street office lists it."""

    compound: Compound
    buildings: int
    households: int


def require_admin(principal) -> None:
    """Raises Forbidden unless the caller is the platform admin (street office).
    `principal` None means the operator's CLI."""
    if principal is not None and not principal.is_admin:
        raise Forbidden("只有平台管理员（街道办）可以管理小区", code="not_admin")


def create(principal, code: str, *, pay_merchant: str | None = None, **fields) -> Compound:
    """Open a compound (its fees go to `pay_merchant`; None: the default merchant).
    Raises Forbidden, ValidationFailed (also unknown_merchant), Conflict (code taken)."""
    require_admin(principal)
    code = (code or "").strip()
    if not CODE.match(code):
        raise ValidationFailed(
            "小区编号须为 2–32 位小写字母、数字或连字符（-）", code="bad_compound_code"
        )
    values = _clean(fields, creating=True)
    chosen = merchants.check_name(pay_merchant)
    if db.session.scalar(select(Compound.id).where(Compound.code == code)) is not None:
        raise _exists(code)
    compound = Compound(code=code, pay_merchant=chosen, **values)
    db.session.add(compound)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:  # the same code opened at the same moment
        raise _exists(code) from error
    ledger.open_chain(compound.id)
    where = " ".join(part for part in (values.get("district"), values.get("street")) if part)
    paid_to = f"，微信支付收款商户 {chosen}" if chosen else ""
    audit.record(
        compound.id,
        "compound_opened",
        f"开通小区：{compound.name}（{code}）" + (f"，{where}" if where else "") + paid_to,
        actor_id=principal.id if principal is not None else None,
    )
    db.session.commit()
    return compound


def list_all(principal) -> list[CompoundRow]:
    """Every compound, archived ones too, with its building and household counts."""
    require_admin(principal)
    buildings = dict(
        db.session.execute(
            select(Building.compound_id, func.count()).group_by(Building.compound_id)
        ).all()
    )
    households = dict(
        db.session.execute(
            select(Household.compound_id, func.count()).group_by(Household.compound_id)
        ).all()
    )
    compounds = db.session.scalars(select(Compound).order_by(Compound.code)).all()
    return [CompoundRow(c, buildings.get(c.id, 0), households.get(c.id, 0)) for c in compounds]


def counts(compound: Compound) -> tuple[int, int]:
    """(buildings, households) of one compound."""
    buildings = db.session.scalar(
        select(func.count()).select_from(Building).where(Building.compound_id == compound.id)
    )
    households = db.session.scalar(
        select(func.count()).select_from(Household).where(Household.compound_id == compound.id)
    )
    return buildings, households


# PATCH without the field leaves the merchant as it is; null or "" is the default.
UNCHANGED = object()


def update(principal, code: str, *, pay_merchant=UNCHANGED, **fields) -> Compound:
    """Rename a compound or change its address, district, street, contact or WeChat Pay
    merchant (new orders only; audit-logged). Raises Forbidden, NotFound, Conflict
    (archived), ValidationFailed (also unknown_merchant)."""
    require_admin(principal)
    compound = get_compound(code)
    ensure_open(compound)
    values = _clean(fields, creating=False)
    if pay_merchant is not UNCHANGED:
        merchants.check_name(pay_merchant)  # refused before anything changes
    for key, value in values.items():
        setattr(compound, key, value)
    if pay_merchant is not UNCHANGED:
        actor_id = principal.id if principal is not None else None
        pay_merchants.choose(compound, pay_merchant, actor_id=actor_id)
    db.session.commit()
    return compound


def archive(principal, code: str) -> Compound:
    """Make a compound read-only; archiving it again changes nothing."""
    require_admin(principal)
    compound = get_compound(code)
    if compound.archived_at is None:
        compound.archived_at = utcnow()
        compound.archived_by_id = principal.id if principal is not None else None
        db.session.commit()
    return compound


def _clean(fields: dict, *, creating: bool) -> dict:
    values = {}
    for key, value in fields.items():
        if key not in TEXT_FIELDS:
            raise ValidationFailed(f"未知字段 {key}", code="unknown_field")
        if value is None and not creating:
            continue
        value = (value or "").strip()
        longest, label = TEXT_FIELDS[key]
        if len(value) > longest:
            raise ValidationFailed(f"{label}最多 {longest} 个字", code="too_long")
        if key == "contact_phone" and value and not PHONE.match(value):
            raise ValidationFailed("联系电话只能包含数字", code="bad_phone")
        values[key] = value or None
    if (creating or "name" in fields) and not values.get("name"):
        raise ValidationFailed("请填写小区名称", code="name_required")
    return values


def _exists(code: str) -> Conflict:
    return Conflict(f"小区编号 {code} 已被使用", code="compound_exists")


def masked_phone(phone: str | None) -> str | None:
    """138****5678: enough to recognise, not to call."""
    if not phone:
        return None
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"
