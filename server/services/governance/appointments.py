"""Taking up a role invite: whoever redeems a code holds its role from that moment
(the appointment), and the inviter is told. A code works once, even when two people
redeem it at the same moment (a conditional UPDATE).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select, update

from server.clock import utcnow
from server.errors import Conflict, Forbidden, NotFound
from server.extensions import db
from server.models import Building, Compound, Membership, RoleInvite, Unit
from server.ratelimit import throttle
from server.services.governance import appointing, audit, role_invites
from server.services.messaging import notify
from server.services.messaging.messages import Message, shorten, wx_time
from server.services.people import compounds, roles, users
from server.services.people.access import Principal, same_person
from server.services.people.invites import code_hash

PEOPLE_PAGE = "pages/people/index"


@dataclass(frozen=True)
class Appointed:
    role: str
    role_label: str
    scope_label: str
    title: str
    compound: Compound


def redeem(principal: Principal, code: str) -> Appointed:
    """Take up the role of an invite code, using the code up; the inviter is told.
    Commits. Raises TooManyRequests (guessing), NotFound (invite_not_found), Forbidden
    (own_invite), Conflict (invite_used, invite_revoked, invite_expired, role_held,
    compound_archived)."""
    throttle("role-invite-redeem", current_app.config["INVITE_RATE"], f"user:{principal.id}")
    invite = db.session.scalars(
        select(RoleInvite).where(RoleInvite.code_hash == code_hash(code))
    ).first()
    if invite is None:
        raise NotFound("邀请码不正确，请核对后重新输入", code="invite_not_found")
    _check_usable(invite, principal)
    compound = db.session.get(Compound, invite.compound_id)
    compounds.ensure_open(compound)
    target = _invite_target(invite, compound)
    used = db.session.execute(
        update(RoleInvite)
        .where(RoleInvite.id == invite.id, RoleInvite.used_at.is_(None))
        .values(used_at=utcnow(), used_by_id=principal.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not used:
        raise _used()
    membership, created = roles.grant(
        principal.id, invite.role, target, name=invite.name, granted_by_id=invite.created_by_id
    )
    if not created:
        raise Conflict("您已经担任这个职务了", code="role_held")
    if invite.role == "committee":
        membership.term_start = appointing.today()
        membership.term_end = invite.term_end
    view = role_invites.view(invite, compound.id)
    who = users.names_in(compound.id, [principal.id])[principal.id]
    audit.record(
        compound.id,
        "appointed",
        f"{who} 凭邀请码就任{view.title}（邀请人：{view.created_by or '管理员'}）",
        actor_id=invite.created_by_id,
        subject_user_id=principal.id,
        role=invite.role,
        scope_key=invite.scope_key,
        details={"invite_id": invite.id, "membership_id": membership.id},
    )
    _tell_inviter(invite, who, view.title)
    db.session.commit()
    return Appointed(invite.role, view.role_label, view.scope_label, view.title, compound)


def _check_usable(invite: RoleInvite, principal: Principal) -> None:
    if invite.used_at is not None:
        raise _used()
    if invite.revoked_at is not None:
        raise Conflict("这份任命邀请已被作废，请向业委会索取新的邀请码", code="invite_revoked")
    if invite.expires_at <= utcnow():
        raise Conflict("这份任命邀请已过期，请向业委会索取新的邀请码", code="invite_expired")
    if not _maker_in_office(invite):
        raise Conflict(
            "发出这份任命邀请的委员已不再担任业委会委员，邀请已失效，请向业委会索取新的邀请码",
            code="invite_revoked",
        )
    if same_person(principal, invite.created_by_id):
        raise Forbidden("不能领取自己发出的任命邀请，请交给被任命的人使用", code="own_invite")
    held = db.session.scalar(
        select(Membership.id).where(
            Membership.user_id == principal.id,
            Membership.role == invite.role,
            Membership.scope_key == invite.scope_key,
        )
    )
    if held is not None:
        raise Conflict("您已经担任这个职务了", code="role_held")


def _maker_in_office(invite: RoleInvite) -> bool:
    return (
        db.session.scalar(
            select(RoleInvite.id).where(RoleInvite.id == invite.id, role_invites.maker_in_office())
        )
        is not None
    )


def _used() -> Conflict:
    return Conflict("这份任命邀请已被领取，如有疑问请联系业委会", code="invite_used")


def _tell_inviter(invite: RoleInvite, who: str, title: str) -> None:
    if invite.created_by_id is None:  # made from the command line: nobody to push
        return
    what = f"已接受任命：{title}"
    message = Message(
        kind="role_appointed",
        template="reminder",
        title=f"{who} {what}",
        body=f"{who} 已凭您发出的邀请码就任{title}。",
        data={"thing1": shorten(who), "thing2": shorten(what), "time3": wx_time(utcnow())},
        page=PEOPLE_PAGE,
    )
    notify.deliver(
        message,
        [invite.created_by_id],
        notify.Occasion(f"role-inv{invite.id}", invite.compound_id),
        volunteers=True,
    )


def _invite_target(invite: RoleInvite, compound: Compound):
    if invite.unit_id is not None:
        return db.session.get(Unit, invite.unit_id)
    if invite.building_id is not None:
        return db.session.get(Building, invite.building_id)
    return compound
