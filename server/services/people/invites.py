"""One-time household invite codes for a door-to-door census day.

The committee prints one code per door; whoever enters it is bound to that
household. Only an HMAC of each code is stored, so a database dump reveals none.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from server.clock import utcnow
from server.errors import Conflict, Forbidden, NotFound, ValidationFailed
from server.extensions import db
from server.models import Household, HouseholdInvite, Unit
from server.ratelimit import throttle
from server.services.census import consent
from server.services.people import compounds, household_joins, roles, users
from server.services.people.access import Principal, same_person
from server.services.people.users import UserView
from server.services.privacy import consent_views

# No 0/O, 1/I/L: codes are read off paper by elderly eyes.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


@dataclass(frozen=True)
class IssuedInvite:
    household: Household
    code: str
    expires_at: datetime


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalise(code: str) -> str:
    """As typed off paper: any case, with spaces or dashes, full-width from a Chinese IME."""
    folded = unicodedata.normalize("NFKC", code).upper()
    return "".join(ch for ch in folded if ch in ALPHABET or ch in "01IOL")


def code_hash(code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, normalise(code).encode(), hashlib.sha256).hexdigest()


def issue(
    principal: Principal | None,
    compound_code: str,
    *,
    building: int | None = None,
    unit: str | None = None,
) -> list[IssuedInvite]:
    """New codes for every household of a compound, building or unit ("1-2").

    Older unused codes of those households are revoked, so only the newest slip
    works. `principal` None means the operator CLI. Raises Forbidden unless the
    caller is on the compound's committee, ValidationFailed for two scopes at once.
    """
    if building is not None and unit:
        raise ValidationFailed("building 和 unit 只能给一个", code="too_many_scopes")
    compound = compounds.get_compound(compound_code)
    compounds.ensure_open(compound)
    _check_committee(principal, compound.id)
    households = _households(compound, building, unit)
    now = utcnow()
    _revoke_unused([h.id for h in households], now)
    expires_at = now + timedelta(days=current_app.config["INVITE_TTL_DAYS"])
    issued = []
    for household in households:
        code = new_code()
        db.session.add(
            HouseholdInvite(
                compound_id=compound.id,
                household_id=household.id,
                code_hash=code_hash(code),
                created_by_id=principal.id if principal else None,
                expires_at=expires_at,
            )
        )
        issued.append(IssuedInvite(household, code, expires_at))
    db.session.commit()
    return issued


def _check_committee(principal: Principal | None, compound_id: int) -> None:
    if principal is None or principal.committee_of(compound_id):
        return
    if compound_id in principal.compound_ids:
        raise Forbidden("只有业委会成员可以生成邀请码", code="committee_only")
    raise NotFound("找不到该小区，请核对小区编号", code="compound_not_found")


def _households(compound, building: int | None, unit: str | None) -> list[Household]:
    query = (
        select(Household)
        .options(joinedload(Household.unit).joinedload(Unit.building))
        .where(Household.compound_id == compound.id)
        .order_by(Household.building_id, Household.unit_id, Household.floor, Household.room)
    )
    if unit:
        target = compounds.get_unit(compound, *compounds.parse_unit_path(unit))
        query = query.where(Household.unit_id == target.id)
    elif building is not None:
        query = query.where(Household.building_id == compounds.get_building(compound, building).id)
    return list(db.session.scalars(query))


def _revoke_unused(household_ids: list[int], now) -> None:
    db.session.execute(
        update(HouseholdInvite)
        .where(
            HouseholdInvite.household_id.in_(household_ids),
            HouseholdInvite.used_at.is_(None),
            HouseholdInvite.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )


@dataclass(frozen=True)
class Redeemed:
    household: Household
    user: UserView


def redeem(
    principal: Principal,
    code: str,
    *,
    name: str,
    relation: str,
    consent_version: int | None = None,
) -> Redeemed:
    """Bind the caller to the household of an invite code, using the code up, consenting
    to the binding notice (the version the app showed; none named: the current one).

    The household's members (or its volunteers) hear who joined. Raises
    TooManyRequests (guessing), NotFound (unknown code), Forbidden (one's own code:
    a committee member cannot bind themself to any door), Conflict (its compound is
    archived; used, revoked or expired; or already bound), ValidationFailed
    (bad_consent_version).
    """
    consent_views.known_version("binding", consent_version)
    throttle("invite-redeem", current_app.config["INVITE_RATE"], f"user:{principal.id}")
    invite = db.session.scalars(
        select(HouseholdInvite)
        .options(joinedload(HouseholdInvite.household))
        .where(HouseholdInvite.code_hash == code_hash(code))
    ).first()
    if invite is None:
        raise NotFound("邀请码不正确，请核对后重新输入", code="invite_invalid")
    compounds.ensure_open_id(invite.compound_id)
    if invite.used_at is not None:
        raise Conflict("该邀请码已被使用，如有疑问请联系单元联络人", code="invite_used")
    if invite.revoked_at is not None or invite.expires_at <= utcnow():
        raise Conflict("该邀请码已失效，请向单元联络人索取新的邀请码", code="invite_expired")
    if _issued_by(invite, principal):
        raise Forbidden(
            "不能使用自己生成的邀请码。请由其他业委会成员登记，或在小程序里提交绑定申请",
            code="own_invite",
        )
    if principal.resident_of(invite.household_id):
        raise Conflict("您已经绑定了这一户", code="already_bound")
    used = db.session.execute(
        update(HouseholdInvite)
        .where(HouseholdInvite.id == invite.id, HouseholdInvite.used_at.is_(None))
        .values(used_at=utcnow(), used_by_id=principal.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not used:
        raise Conflict("该邀请码已被使用，如有疑问请联系单元联络人", code="invite_used")
    _membership, created = roles.grant(
        principal.id, "resident", invite.household, relation=relation, name=name.strip()
    )
    if created:
        household_joins.announce(
            household_joins.Join(
                household=invite.household,
                user_id=principal.id,
                name=name.strip(),
                relation=relation,
                how="凭业委会发放的邀请码加入",
                key=f"join-inv{invite.id}",
                actor_id=invite.created_by_id,  # the issuer: not the one to notice
            )
        )
    consent.record(
        "binding",
        invite.compound_id,
        version=consent_version,
        household_id=invite.household_id,
        user_id=principal.id,
        method="app",
    )
    db.session.commit()
    return Redeemed(invite.household, users.describe(principal))


def _issued_by(invite: HouseholdInvite, principal: Principal) -> bool:
    """The caller made this code (or the same WeChat user did, on another account); a
    code printed by the operator's CLI has no maker."""
    return same_person(principal, invite.created_by_id)
