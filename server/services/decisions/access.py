"""Who may see and do what with an owners' decision.

- The committee drafts, revises, publishes, opens and closes; it and the finance
  supervisor see every proposal, drafts included.
- Owners of the compound (residents bound as 业主) read proposals once published,
  comment during notice, and vote for their own flats.
- Volunteers (liaisons, building leads, the committee) read published proposals to go
  door to door, record paper ballots for their units and confirm others' paper ballots.
- Tenants and family members are members of the compound but not owners: they are
  refused (403 owners_only). Another compound's proposal is not found (404).
"""

from __future__ import annotations

from sqlalchemy import and_, or_, select

from server.errors import Forbidden, NotFound
from server.extensions import db
from server.models import Compound, Membership, Proposal, User
from server.services.people import compounds
from server.services.people.access import Principal


def committee_compound(principal: Principal, code: str, *, writing: bool = True) -> Compound:
    """The caller's compound for a committee step. Raises NotFound, Forbidden
    (committee_only), Conflict (compound_archived) when writing."""
    compound = (
        compounds.writable_compound(principal, code)
        if writing
        else compounds.member_compound(principal, code)
    )
    ensure_committee(principal, compound.id)
    return compound


def ensure_committee(principal: Principal, compound_id: int) -> None:
    if not principal.committee_of(compound_id):
        raise Forbidden("只有业委会成员可以办理表决事项", code="committee_only")


def sees_drafts(principal: Principal, compound_id: int) -> bool:
    return principal.committee_of(compound_id) or principal.supervisor_of(compound_id)


def is_volunteer(principal: Principal, compound_id: int) -> bool:
    """A liaison or building lead in the compound, or its committee."""
    return principal.committee_of(compound_id) or any(
        m.compound_id == compound_id and m.role in ("liaison", "building_lead")
        for m in principal.memberships
    )


def owned_households(principal: Principal, compound_id: int) -> list[int]:
    """The flats of the compound the caller is bound to as an owner (业主)."""
    return sorted(
        m.household_id
        for m in principal.memberships
        if m.role == "resident"
        and m.relation == "owner"
        and m.compound_id == compound_id
        and m.household_id is not None
    )


def never_published(proposal: Proposal) -> bool:
    """A draft, or a draft withdrawn before publishing: the committee's own papers."""
    return proposal.status == "draft" or (
        proposal.status == "withdrawn" and proposal.published_at is None
    )


def may_read(principal: Principal, proposal: Proposal) -> bool:
    compound_id = proposal.compound_id
    if sees_drafts(principal, compound_id):
        return True
    if never_published(proposal):
        return False
    return bool(owned_households(principal, compound_id)) or is_volunteer(principal, compound_id)


def readable(principal: Principal, proposal_id: int, *, for_update: bool = False) -> Proposal:
    """A proposal the caller may read. Raises NotFound (proposal_not_found: another
    compound's, a draft for a non-committee member, or none), Forbidden (owners_only:
    a tenant or family member of the compound)."""
    query = select(Proposal).where(Proposal.id == proposal_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    proposal = db.session.scalars(query).first()
    if proposal is None or proposal.compound_id not in principal.compound_ids:
        raise _not_found()
    if never_published(proposal) and not sees_drafts(principal, proposal.compound_id):
        raise _not_found()
    if not may_read(principal, proposal):
        raise Forbidden("表决事项只对本小区业主公开", code="owners_only")
    return proposal


def for_committee(principal: Principal, proposal_id: int) -> Proposal:
    """A proposal locked for a committee step in an open compound. Raises NotFound,
    Forbidden (committee_only), Conflict (compound_archived)."""
    proposal = readable(principal, proposal_id, for_update=True)
    ensure_committee(principal, proposal.compound_id)
    compounds.ensure_open_id(proposal.compound_id)
    return proposal


def is_owner_of(principal: Principal, household_id: int) -> bool:
    """Bound to this flat as an owner, checked in the database (not a stale session)."""
    return (
        db.session.scalar(
            select(Membership.id).where(
                Membership.user_id == principal.id,
                Membership.role == "resident",
                Membership.relation == "owner",
                Membership.household_id == household_id,
            )
        )
        is not None
    )


def audience(compound_id: int, *, but: int | None = None) -> list[int]:
    """Who hears of an owners' decision (one query): the compound's owners and its
    volunteers, committee and supervisor — not tenants or family members, who may not
    read it — leaving out `but` (the one who acted)."""
    people = db.session.scalars(
        select(Membership.user_id)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.compound_id == compound_id,
            User.is_active.is_(True),
            or_(
                and_(Membership.role == "resident", Membership.relation == "owner"),
                Membership.role.in_(("liaison", "building_lead", "committee", "supervisor")),
            ),
        )
        .distinct()
        .order_by(Membership.user_id)
    )
    return [uid for uid in people if uid != but]


def _not_found() -> NotFound:
    return NotFound("没有这个表决事项", code="proposal_not_found")
