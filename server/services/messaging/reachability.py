"""Who a WeChat push can reach, and how: a handler's own subscriptions, and for the
committee every volunteer of its compound, unit by unit, gaps first.

It mirrors what `notify.deliver` and the outbox do: a volunteer linked to the
official account gets the handlers' messages as template messages (when the account
sends that message); anyone else gets a subscribe message only while they have a
send left for its template (one per "accept"; WeChat's 43101 sets it to 0); what
cannot be pushed waits in the in-app inbox.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from server.config import MESSAGE_TEMPLATES
from server.errors import Forbidden
from server.extensions import db
from server.models import Building, Membership, Unit, User
from server.models.messaging import SubscriptionQuota
from server.services.messaging import inbox
from server.services.messaging.notify import oa_enabled
from server.services.people import compounds, users
from server.services.people.access import Principal, record_access

# The messages handlers are pushed (as volunteers: the official account if linked).
HANDLER_MESSAGES = ("new_issue", "reminder")
LOW = 2  # sends left at or below which a handler is asked to tap again
# What each volunteer role is reached for first: a liaison and the committee hear of
# new issues; a building lead hears of escalations (reminders).
KEY_MESSAGE = {"liaison": "new_issue", "committee": "new_issue", "building_lead": "reminder"}
# A unit's state, worst first: the order units are listed in.
UNIT_STATUSES = ("no_liaison", "inbox_only", "low", "ok")


@dataclass(frozen=True)
class MessageReach:
    name: str
    template_id: str | None  # the subscribe template to ask for; None if none is configured
    channel: str  # "official_account" | "subscribe" | "inbox"
    remaining: int  # subscribe sends left


@dataclass(frozen=True)
class PushStatus:
    official_account_enabled: bool
    official_account_linked: bool
    messages: list[MessageReach]


@dataclass(frozen=True)
class Subscribed(PushStatus):
    quotas: dict[str, int]  # template id → sends left


@dataclass(frozen=True)
class Volunteer:
    user_id: int
    name: str
    role: str
    channel: str  # of the role's key message; "disabled" for a switched-off account
    new_issue_left: int
    reminder_left: int
    never_signed_in: bool
    place: str | None = None  # a building lead's building


@dataclass(frozen=True)
class UnitReach:
    unit_id: int
    label: str
    status: str
    liaisons: list[Volunteer]


@dataclass(frozen=True)
class CompoundReach:
    compound: str
    compound_name: str
    official_account_enabled: bool
    counts: dict[str, int]
    units: list[UnitReach]
    building_leads: list[Volunteer]
    committee: list[Volunteer]


def push_status(principal: Principal) -> PushStatus:
    """How each message reaches the caller now: official account, subscribe (with the
    sends left) or only the inbox."""
    user = principal.user
    return PushStatus(
        _oa_configured(),
        user.oa_openid is not None,
        _messages(user.oa_openid is not None, _quotas([user.id]).get(user.id, {})),
    )


def record_subscriptions(principal: Principal, accepted: list[str]) -> Subscribed:
    """One more send for each template accepted in wx.requestSubscribeMessage; then how
    the caller is reached now. Raises ValidationFailed for a template we do not use."""
    quotas = inbox.record_subscriptions(principal, accepted)
    return Subscribed(**vars(push_status(principal)), quotas=quotas)


def compound_reach(principal: Principal, code: str) -> CompoundReach:
    """For the compound's committee: every liaison per unit (gaps first), building lead
    and committee member, with how they can be pushed. Names are personal data: the
    read is written to the access log.

    Raises NotFound (not the caller's compound) or Forbidden (not its committee).
    """
    compound = compounds.member_compound(principal, code)
    if not principal.committee_of(compound.id):
        raise Forbidden("只有业委会成员可以查看联络人能否收到提醒", code="committee_only")
    roles = db.session.execute(
        select(Membership.user_id, Membership.role, Membership.unit_id, Building.number)
        .outerjoin(Building, Building.id == Membership.building_id)
        .where(Membership.compound_id == compound.id, Membership.role.in_(tuple(KEY_MESSAGE)))
        .order_by(Membership.id)
    ).all()
    people = _people(compound.id, {row.user_id for row in roles})

    def volunteers(role: str) -> list[tuple[int | None, Volunteer]]:
        found = []
        for row in roles:
            if row.role == role:
                place = f"{row.number}号楼" if role == "building_lead" else None
                found.append((row.unit_id, people[row.user_id].as_volunteer(role, place)))
        return found

    reach = _units(compound.id, volunteers("liaison"))
    record_access(principal, "list", "volunteer_reach", sorted(people), compound.id)
    db.session.commit()
    return CompoundReach(
        compound=compound.code,
        compound_name=compound.name,
        official_account_enabled=_oa_configured(),
        counts={s: sum(r.status == s for r in reach) for s in UNIT_STATUSES},
        units=reach,
        building_leads=[v for _, v in volunteers("building_lead")],
        committee=[v for _, v in volunteers("committee")],
    )


def _units(compound_id: int, liaisons: list[tuple[int | None, Volunteer]]) -> list[UnitReach]:
    """Every unit of the compound with its liaisons, worst status first (then by
    building and unit)."""
    by_unit: dict[int | None, list[Volunteer]] = {}
    for unit_id, liaison in liaisons:
        by_unit.setdefault(unit_id, []).append(liaison)
    units = db.session.execute(
        select(Unit.id, Unit.number, Building.number.label("building"))
        .join(Building, Building.id == Unit.building_id)
        .where(Unit.compound_id == compound_id)
        .order_by(Building.number, Unit.number)
    ).all()
    reach = []
    for unit in units:
        found = by_unit.get(unit.id, [])
        reach.append(
            UnitReach(unit.id, f"{unit.building}-{unit.number}", _unit_status(found), found)
        )
    return sorted(reach, key=lambda r: UNIT_STATUSES.index(r.status))  # stable


def _unit_status(liaisons: list[Volunteer]) -> str:
    """no_liaison; inbox_only (no liaison can be pushed a new issue); low (only by
    subscribe, LOW sends or fewer left between them); ok."""
    if not liaisons:
        return "no_liaison"
    reachable = [v for v in liaisons if v.channel in {"official_account", "subscribe"}]
    if not reachable:
        return "inbox_only"
    if any(v.channel == "official_account" for v in reachable):
        return "ok"
    return "low" if sum(v.new_issue_left for v in reachable) <= LOW else "ok"


@dataclass(frozen=True)
class _Person:
    id: int
    name: str
    active: bool
    never_signed_in: bool
    reach: dict[str, MessageReach]

    def as_volunteer(self, role: str, place: str | None) -> Volunteer:
        key = self.reach.get(KEY_MESSAGE[role])
        left = {
            name: self.reach[name].remaining if name in self.reach else 0
            for name in HANDLER_MESSAGES
        }
        return Volunteer(
            user_id=self.id,
            name=self.name,
            role=role,
            channel=(key.channel if key else "inbox") if self.active else "disabled",
            new_issue_left=left["new_issue"],
            reminder_left=left["reminder"],
            never_signed_in=self.never_signed_in,
            place=place,
        )


def _people(compound_id: int, user_ids: set[int]) -> dict[int, _Person]:
    """The volunteers with their names and reach, one read of each table."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(User.id, User.oa_openid, User.is_active, User.last_login_at).where(
            User.id.in_(user_ids)
        )
    ).all()
    quotas = _quotas(list(user_ids))
    names = users.names_in(compound_id, user_ids)
    return {
        row.id: _Person(
            id=row.id,
            name=names[row.id],
            active=row.is_active,
            never_signed_in=row.last_login_at is None,
            reach={m.name: m for m in _messages(row.oa_openid is not None, quotas.get(row.id, {}))},
        )
        for row in rows
    }


def _messages(linked: bool, quotas: dict[str, int]) -> list[MessageReach]:
    """Each message this service sends, with how it reaches someone linked or not to
    the official account and holding `quotas` (template id → sends left)."""
    templates = current_app.config["WECHAT_SUBSCRIBE_TEMPLATES"]
    found = []
    for name in MESSAGE_TEMPLATES:
        template_id = templates.get(name)
        remaining = quotas.get(template_id, 0) if template_id else 0
        if linked and name in HANDLER_MESSAGES and oa_enabled(name):
            channel = "official_account"
        elif remaining > 0:
            channel = "subscribe"
        else:
            channel = "inbox"
        if template_id or channel == "official_account":
            found.append(MessageReach(name, template_id, channel, remaining))
    return found


def _quotas(user_ids: list[int]) -> dict[int, dict[str, int]]:
    rows = db.session.execute(
        select(
            SubscriptionQuota.user_id, SubscriptionQuota.template_id, SubscriptionQuota.remaining
        ).where(SubscriptionQuota.user_id.in_(user_ids))
    )
    found: dict[int, dict[str, int]] = {}
    for user_id, template_id, remaining in rows:
        found.setdefault(user_id, {})[template_id] = remaining
    return found


def _oa_configured() -> bool:
    """Does the official account send any handlers' message (so following it helps)?"""
    return any(oa_enabled(name) for name in HANDLER_MESSAGES)


def role_channels(compound_id: int, holders: list[tuple[int, str]]) -> dict[tuple[int, str], str]:
    """How each (user, role) of a compound is pushed its role's key message now:
    "official_account", "subscribe", "inbox" or "disabled" (a switched-off account). A
    finance supervisor is reached for reminders (approvals to check)."""
    people = _people(compound_id, {user_id for user_id, _ in holders})
    found = {}
    for user_id, role in holders:
        person = people.get(user_id)
        if person is None or not person.active:
            found[(user_id, role)] = "disabled"
            continue
        key = person.reach.get(KEY_MESSAGE.get(role, "reminder"))
        found[(user_id, role)] = key.channel if key else "inbox"
    return found
