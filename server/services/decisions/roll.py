"""The vote roll: frozen when voting opens, it is who may vote and what each weighs.

Every flat (exclusive part) of the compound is on it with its registered floor area,
vacant or let alike: the flat's owner votes, never a tenant or a family member. Heads
follow the judicial interpretation on building ownership: one head per flat, but one
owner of several flats is one head — flats with the same 产权人编号 (`owner_key`) from
the roster, or bound in the app to the same owner, form one owner group. Co-owners of
one flat share its one vote.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, insert, select

from server.extensions import db
from server.models import Household, Membership, Proposal, RollEntry
from server.services.decisions.tally import RollFlat


def freeze(proposal: Proposal) -> tuple[Decimal, int]:
    """Write the proposal's roll (no commit). Returns the eligible area and heads."""
    flats = db.session.execute(
        select(Household.id, Household.unit_id, Household.area_m2, Household.owner_key).where(
            Household.compound_id == proposal.compound_id, Household.area_m2 > 0
        )
    ).all()
    owners = db.session.execute(
        select(Membership.user_id, Membership.household_id).where(
            Membership.compound_id == proposal.compound_id,
            Membership.role == "resident",
            Membership.relation == "owner",
            Membership.household_id.is_not(None),
        )
    ).all()
    groups = owner_groups(
        [f.id for f in flats],
        [(f.id, ("key", f.owner_key)) for f in flats if f.owner_key],
        [(household_id, ("user", user_id)) for user_id, household_id in owners],
    )
    rows = [
        {
            "proposal_id": proposal.id,
            "household_id": f.id,
            "unit_id": f.unit_id,
            "area_m2": f.area_m2,
            "owner_group": groups[f.id],
        }
        for f in flats
    ]
    if rows:
        db.session.execute(insert(RollEntry), rows)
    area = sum((f.area_m2 for f in flats), Decimal("0.00"))
    return area, len(set(groups.values()))


def owner_groups(
    household_ids: list[int], *links: list[tuple[int, tuple[str, object]]]
) -> dict[int, int]:
    """Household id → its owner group (the smallest household id of the group): flats
    sharing any owner (a key, a user) are one group, transitively (union-find)."""
    parent = {h: h for h in household_ids}

    def root(h: int) -> int:
        while parent[h] != h:
            parent[h] = parent[parent[h]]
            h = parent[h]
        return h

    first_of: dict[tuple[str, object], int] = {}
    for pairs in links:
        for household_id, owner in pairs:
            if household_id not in parent:
                continue
            if owner not in first_of:
                first_of[owner] = household_id
                continue
            a, b = root(household_id), root(first_of[owner])
            if a != b:
                parent[max(a, b)] = min(a, b)
    return {h: root(h) for h in household_ids}


def flats_of(proposal_id: int) -> list[RollFlat]:
    """The frozen roll as the tally reads it."""
    return [
        RollFlat(household_id, area, group)
        for household_id, area, group in db.session.execute(
            select(RollEntry.household_id, RollEntry.area_m2, RollEntry.owner_group).where(
                RollEntry.proposal_id == proposal_id
            )
        )
    ]


def entry(proposal_id: int, household_id: int) -> RollEntry | None:
    return db.session.scalars(
        select(RollEntry).where(
            RollEntry.proposal_id == proposal_id, RollEntry.household_id == household_id
        )
    ).first()


def size(proposal_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(RollEntry).where(RollEntry.proposal_id == proposal_id)
    )
