"""Role invites: the committee (or, for a new compound's first committee, the street
office) makes a one-time code for a role over a scope, lists the codes still
waiting and voids one. Redeeming a code is the appointment (`appointments`).

Only an HMAC of each code is stored (the door invites' helpers).
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import segno
from flask import current_app
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import aliased

from server.clock import utcnow
from server.errors import Conflict, NotFound, ValidationFailed
from server.extensions import db
from server.labels import label
from server.models import Building, Compound, Membership, RoleInvite, Unit
from server.models.governance import INVITE_ROLES
from server.models.user import scope_key_for
from server.services.governance import appointing, audit
from server.services.people import compounds, roles, users
from server.services.people.access import Principal
from server.services.people.invites import code_hash, new_code

QR_PREFIX = "linli-role:"
TERM_YEARS = 5  # an owners' committee is elected for five years
OPERATOR = "街道办（管理命令）"  # who made an invite from the command line


@dataclass(frozen=True)
class InviteView:
    """An invite as the committee sees it (never its code, which only the maker saw)."""

    id: int
    role: str
    role_label: str
    scope_label: str
    title: str
    name: str | None
    term_end: date | None
    created_at: datetime
    expires_at: datetime
    created_by: str | None


@dataclass(frozen=True)
class IssuedInvite(InviteView):
    code: str
    qr: str


def create(
    principal: Principal | None,
    code: str,
    role: str,
    *,
    unit: str | None = None,
    building: int | None = None,
    name: str | None = None,
    term_end: date | None = None,
) -> IssuedInvite:
    """A new one-time code appointing its redeemer `role` over a unit ("1-2"), a building
    or the compound. Commits. Raises NotFound, Forbidden, ValidationFailed (unknown_role,
    role_scope_mismatch, unit_not_found, building_not_found, bad_term), Conflict
    (compound_archived). `principal` None is the street office's CLI."""
    compound = appointing.appointer_compound(principal, code)
    compounds.ensure_open(compound)
    by_id = principal.id if principal is not None else None
    target = _target(compound, role, unit, building)
    term_end = _term_end(role, term_end)
    raw = new_code()
    ids = roles.path_ids(target)
    invite = RoleInvite(
        compound_id=compound.id,
        role=role,
        scope_key=scope_key_for(role, **ids),
        building_id=ids.get("building_id"),
        unit_id=ids.get("unit_id"),
        name=name or None,
        term_end=term_end,
        code_hash=code_hash(raw),
        created_by_id=by_id,
        created_at=utcnow(),
        expires_at=utcnow() + timedelta(days=current_app.config["ROLE_INVITE_TTL_DAYS"]),
    )
    db.session.add(invite)
    db.session.flush()
    shown = view(invite, compound.id)
    audit.record(
        compound.id,
        "invite_created",
        f"{shown.created_by} 发出任命邀请：{shown.title}{_for(name)}",
        actor_id=by_id,
        role=role,
        scope_key=invite.scope_key,
        details={"invite_id": invite.id, "name": name, "expires_at": invite.expires_at.isoformat()},
    )
    db.session.commit()
    return IssuedInvite(**vars(shown), code=raw, qr=qr_data_uri(raw))


def list_open(principal: Principal, code: str) -> list[InviteView]:
    """The compound's invites still waiting: not used, revoked or expired; newest first."""
    compound = appointing.appointer_compound(principal, code)
    invites = db.session.scalars(
        select(RoleInvite).where(*open_invite(compound.id)).order_by(RoleInvite.id.desc())
    ).all()
    return [view(invite, compound.id) for invite in invites]


def open_invite(compound_id: int) -> tuple:
    """The conditions of an invite still waiting to be redeemed."""
    return (
        RoleInvite.compound_id == compound_id,
        RoleInvite.used_at.is_(None),
        RoleInvite.revoked_at.is_(None),
        RoleInvite.expires_at > utcnow(),
        maker_in_office(),
    )


def maker_in_office():
    """The condition that an invite's maker may still appoint: the operator's CLI (no
    maker), the platform admin, or a member of the compound's committee. A committee
    member's role taken away takes the invites they made but nobody used with it."""
    maker = aliased(Membership)
    return or_(
        RoleInvite.created_by_id.is_(None),
        exists().where(
            maker.user_id == RoleInvite.created_by_id,
            or_(
                maker.role == "admin",
                (maker.role == "committee") & (maker.compound_id == RoleInvite.compound_id),
            ),
        ),
    )


def revoke(principal: Principal, code: str, invite_id: int) -> InviteView:
    """Void an unused invite; voiding it again changes nothing. Commits. Raises NotFound
    (invite_not_found), Forbidden, Conflict (invite_used, compound_archived)."""
    compound = appointing.appointer_compound(principal, code)
    compounds.ensure_open(compound)
    invite = db.session.scalars(
        select(RoleInvite).where(RoleInvite.id == invite_id, RoleInvite.compound_id == compound.id)
    ).first()
    if invite is None:
        raise NotFound("找不到这份任命邀请", code="invite_not_found")
    if invite.used_at is not None:
        raise Conflict(
            "这份任命邀请已被领取，不能作废；如需免去请在人员列表操作", code="invite_used"
        )
    shown = view(invite, compound.id)
    if invite.revoked_at is None:
        invite.revoked_at = utcnow()
        actor = users.names_in(compound.id, [principal.id])[principal.id]
        audit.record(
            compound.id,
            "invite_revoked",
            f"{actor} 作废任命邀请：{shown.title}"
            + (f"（给 {invite.name}）" if invite.name else ""),
            actor_id=principal.id,
            role=invite.role,
            scope_key=invite.scope_key,
            details={"invite_id": invite.id},
        )
        db.session.commit()
    return shown


def _for(name: str | None) -> str:
    return f"（给 {name}）" if name else ""


def qr_data_uri(raw: str) -> str:
    """A PNG QR code of "linli-role:<CODE>" as a data: URI (the page shows it as is)."""
    out = io.BytesIO()
    segno.make(QR_PREFIX + raw, error="m").save(out, kind="png", scale=8, border=2)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


# ----- scopes -----


def _target(compound: Compound, role: str, unit: str | None, building: int | None):
    """The unit, building or compound a new invite's role is over. Raises
    ValidationFailed: a unit or building that is not there is a mistake in the form."""
    if role not in INVITE_ROLES:
        raise ValidationFailed("没有这个职务，请从列表中选择", code="unknown_role")
    wants = {"liaison": "unit", "building_lead": "building"}.get(role)
    if (wants == "unit") != bool(unit) or (wants == "building") != (building is not None):
        raise ValidationFailed(_scope_hint(role), code="role_scope_mismatch")
    try:
        if wants == "unit":
            return compounds.get_unit(compound, *compounds.parse_unit_path(unit))
        if wants == "building":
            return compounds.get_building(compound, building)
    except NotFound as missing:
        raise ValidationFailed(missing.message, code=missing.code) from None
    return compound


def _scope_hint(role: str) -> str:
    return {
        "liaison": "单元联络人须选择一个单元",
        "building_lead": "楼栋长须选择一栋楼",
    }.get(role, f"{label('role', role)}管全小区，不用选择楼栋或单元")


def _term_end(role: str, term_end: date | None) -> date | None:
    if role != "committee":
        if term_end is not None:
            raise ValidationFailed("只有业委会委员有任期", code="no_term")
        return None
    today = appointing.today()
    if term_end is None:
        return _years_later(today, TERM_YEARS)
    if term_end <= today:
        raise ValidationFailed("任期结束日期应在今天之后", code="bad_term")
    return term_end


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def view(invite: RoleInvite, compound_id: int) -> InviteView:
    building_no = unit_no = None
    if invite.unit_id is not None:
        building_no, unit_no = db.session.execute(
            select(Building.number, Unit.number)
            .join(Unit, Unit.building_id == Building.id)
            .where(Unit.id == invite.unit_id)
        ).one()
    elif invite.building_id is not None:
        building_no = db.session.scalar(
            select(Building.number).where(Building.id == invite.building_id)
        )
    maker = users.names_in(compound_id, [invite.created_by_id]).get(invite.created_by_id, OPERATOR)
    return InviteView(
        id=invite.id,
        role=invite.role,
        role_label=label("role", invite.role),
        scope_label=appointing.scope_label(invite.role, building_no, unit_no),
        title=appointing.post_title(invite.role, building_no, unit_no),
        name=invite.name,
        term_end=invite.term_end,
        created_at=invite.created_at,
        expires_at=invite.expires_at,
        created_by=maker,
    )
