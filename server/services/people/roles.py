"""Granting and revoking roles (memberships), for the CLI and the other use cases."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from server.errors import ValidationFailed
from server.extensions import db
from server.labels import label
from server.models import Building, Compound, Household, Membership, Unit, User
from server.models.user import ROLE_SCOPES, scope_key_for
from server.services.governance import appointing, audit, duties
from server.services.people import compounds, household_joins

Target = Compound | Building | Unit | Household | None

_TARGET_SCOPE = {Compound: "compound", Building: "building", Unit: "unit", Household: "household"}


def grant(
    user_id: int,
    role: str,
    target: Target,
    *,
    relation: str | None = None,
    name: str | None = None,
    granted_by_id: int | None = None,
) -> tuple[Membership, bool]:
    """Give a user a role over a target; returns (membership, created). No commit.

    Raises ValidationFailed when the target's level does not fit the role.
    """
    if role not in ROLE_SCOPES:
        raise ValidationFailed(f"未知角色 {role!r}", code="unknown_role")
    scope = _TARGET_SCOPE.get(type(target), "platform")
    if scope != ROLE_SCOPES[role]:
        wanted = label("scope", ROLE_SCOPES[role])
        raise ValidationFailed(f"角色 {role} 须指定到{wanted}", code="role_scope_mismatch")
    ids = path_ids(target)
    key = scope_key_for(role, **ids)
    existing = db.session.scalars(
        select(Membership).where(
            Membership.user_id == user_id, Membership.role == role, Membership.scope_key == key
        )
    ).first()
    if existing:
        return existing, False
    membership = Membership(
        user_id=user_id,
        role=role,
        scope_key=key,
        relation=relation,
        name=name,
        granted_by_id=granted_by_id,
        **ids,
    )
    try:
        with db.session.begin_nested():
            db.session.add(membership)
    except IntegrityError:
        # Granted at the same moment by someone else (an approval racing a redemption).
        existing = db.session.scalars(
            select(Membership)
            .where(
                Membership.user_id == user_id, Membership.role == role, Membership.scope_key == key
            )
            .with_for_update(read=True)  # shared: see above in services/people/auth.py
        ).one()
        return existing, False
    return membership, True


def grant_by_openid(
    openid: str,
    role: str,
    scope: dict,
    relation: str | None = None,
) -> bool:
    """The operator's grant (CLI): `scope` holds compound_code and at most one of
    building, unit, household. A new resident is announced to the household like any
    other newcomer. Commits; returns whether the role is new."""
    target = resolve_target(role, **scope)
    user = user_for_openid(openid)
    resident = role == "resident"
    membership, created = grant(user.id, role, target, relation=relation if resident else None)
    if created:
        _audit_cli("appointed", user.id, membership, target, "由管理员命令行任命")
    if created and resident:
        household_joins.announce(
            household_joins.Join(
                household=target,
                user_id=user.id,
                name=household_joins.person_name(user.id, target.compound_id) or None,
                relation=membership.relation,
                how="由管理员登记",
                key=f"join-m{membership.id}",
            )
        )
    db.session.commit()
    return created


def revoke_by_openid(openid: str, role: str, scope: dict) -> bool:
    """The operator's revoke (CLI), also in an archived compound: taking access to its
    people's data away is always allowed. Commits; returns whether there was such a role."""
    target = resolve_target(role, **scope, granting=False)
    user = user_for_openid(openid)
    key = scope_key_for(role, **path_ids(target))
    membership = db.session.scalars(
        select(Membership).where(
            Membership.user_id == user.id, Membership.role == role, Membership.scope_key == key
        )
    ).first()
    if membership is not None:
        _audit_cli("revoked", user.id, membership, target, "由管理员命令行免去")
    removed = revoke(user.id, role, target)
    compound_id = membership.compound_id if membership is not None else None
    compound = db.session.get(Compound, compound_id) if compound_id is not None else None
    if removed and compound is not None and compound.archived_at is None:  # else frozen
        duties.release(user.id, compound.id)  # no task left pointing at them
    db.session.commit()
    return removed


def revoke(user_id: int, role: str, target: Target) -> bool:
    """Take a role away; returns whether there was one. No commit."""
    key = scope_key_for(role, **path_ids(target))
    deleted = db.session.execute(
        delete(Membership).where(
            Membership.user_id == user_id, Membership.role == role, Membership.scope_key == key
        )
    ).rowcount
    return bool(deleted)


def _audit_cli(action: str, user_id: int, membership: Membership, target: Target, how: str):
    """The audit line of an operator's grant or revoke (no actor: the command line)."""
    if membership.compound_id is None:
        return  # the platform admin role belongs to no compound's log
    audit.record(
        membership.compound_id,
        action,
        f"{how}：{_title(membership.role, target)}",
        actor_id=None,
        subject_user_id=user_id,
        role=membership.role,
        scope_key=membership.scope_key,
        details={"membership_id": membership.id, "via": "cli"},
    )


def _title(role: str, target: Target) -> str:
    if isinstance(target, Household):
        return f"{target.label} {label('role', role)}"
    if isinstance(target, Unit):
        return appointing.post_title(role, target.building.number, target.number)
    if isinstance(target, Building):
        return appointing.post_title(role, target.number, None)
    return label("role", role)


def resolve_target(
    role: str,
    compound_code: str | None,
    building: str | None = None,
    unit: str | None = None,
    household: str | None = None,
    *,
    granting: bool = True,
) -> Target:
    """The target named on the command line: --compound CODE with at most one of
    --building B, --unit B-U, --household B-U-ROOM, for a grant or a revoke. Raises
    ValidationFailed/NotFound, Conflict (nobody is granted a role in an archived
    compound; a revoke is allowed)."""
    given = [opt for opt in (building, unit, household) if opt]
    if len(given) > 1:
        raise ValidationFailed("--building、--unit、--household 只能给一个", code="too_many_scopes")
    if ROLE_SCOPES.get(role) == "platform":
        return None
    if not compound_code:
        raise ValidationFailed("需要 --compound 小区编号", code="compound_required")
    compound = compounds.get_compound(compound_code)
    if granting:
        compounds.ensure_open(compound)
    if household:
        return compounds.find_household(compound, *compounds.parse_household_path(household))
    if unit:
        return compounds.get_unit(compound, *compounds.parse_unit_path(unit))
    if building:
        if not building.strip().isdigit():
            raise ValidationFailed(f"楼栋应为数字，收到 {building!r}", code="bad_building")
        return compounds.get_building(compound, int(building))
    return compound


def user_for_openid(openid: str) -> User:
    """The user with this openid, created if they have not signed in yet (bootstrap)."""
    user = db.session.scalars(select(User).where(User.openid == openid)).first()
    if user is None:
        user = User(openid=openid)
        db.session.add(user)
        db.session.flush()
    return user


def path_ids(target: Target) -> dict:
    """compound/building/unit/household ids from the most specific object down the tree."""
    if target is None:
        return {}
    if isinstance(target, Compound):
        return {"compound_id": target.id}
    if isinstance(target, Building):
        return {"compound_id": target.compound_id, "building_id": target.id}
    if isinstance(target, Unit):
        return {
            "compound_id": target.compound_id,
            "building_id": target.building_id,
            "unit_id": target.id,
        }
    return {
        "compound_id": target.compound_id,
        "building_id": target.building_id,
        "unit_id": target.unit_id,
        "household_id": target.id,
    }
