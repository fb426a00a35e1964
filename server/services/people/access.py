"""Who is asking, and what their memberships let them see and do.

Every service that returns compound data takes a `Principal` and filters by it.
Outside a caller's compounds an object is "not found" (404), so nobody learns what
another compound holds; inside, a role that does not reach it is "forbidden" (403).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import insert, select
from sqlalchemy.orm import joinedload

from server.clock import utcnow
from server.extensions import db
from server.models import AccessLog, Household, Membership, User
from server.services.people import principal_cache


class Principal:
    """The signed-in user and the roles they hold.

    From the principal cache (`load_principal(cached=True)`) it is made of the cached
    copies alone: `id` and `memberships` are plain values (the memberships' columns,
    read only), and `user` is attached to the request's session only when first asked
    for (a resident's reads never ask: no `session.merge`, no session at all)."""

    __slots__ = ("_entry", "_user", "id", "memberships")

    def __init__(self, user: User | None, memberships: Iterable[Membership] = (), *, entry=None):
        self._user = user
        self._entry = entry  # principal_cache.Entry, when made from the cache
        self.id: int = user.id if user is not None else entry.user.id
        self.memberships: list[Membership] = list(memberships)

    @property
    def user(self) -> User:
        if self._user is None:
            self._user = principal_cache.attach(db.session, self._entry)
        return self._user

    def _with_role(self, *roles: str) -> Iterable[Membership]:
        return (m for m in self.memberships if m.role in roles)

    @property
    def is_admin(self) -> bool:
        return any(self._with_role("admin"))

    @property
    def compound_ids(self) -> set[int]:
        """Compounds where the user holds any role."""
        return {m.compound_id for m in self.memberships if m.compound_id is not None}

    @property
    def household_ids(self) -> set[int]:
        return {m.household_id for m in self._with_role("resident")}

    def committee_of(self, compound_id: int) -> bool:
        return any(m.compound_id == compound_id for m in self._with_role("committee"))

    def supervisor_of(self, compound_id: int) -> bool:
        return any(m.compound_id == compound_id for m in self._with_role("supervisor"))

    def liaison_of(self, unit_id: int) -> bool:
        return any(m.unit_id == unit_id for m in self._with_role("liaison"))

    def lead_of(self, building_id: int) -> bool:
        return any(m.building_id == building_id for m in self._with_role("building_lead"))

    def resident_of(self, household_id: int) -> bool:
        return household_id in self.household_ids

    def handles_unit(self, compound_id: int, building_id: int, unit_id: int) -> bool:
        """May handle what happens in a unit: its liaison, building lead, or the committee."""
        return (
            self.liaison_of(unit_id) or self.lead_of(building_id) or self.committee_of(compound_id)
        )

    def reviews_household(self, household: Household) -> bool:
        """May approve people into a household: the unit's liaison or the committee."""
        return self.liaison_of(household.unit_id) or self.committee_of(household.compound_id)

    def review_scope(self) -> tuple[set[int], set[int]]:
        """(compound ids reviewed as committee, unit ids reviewed as liaison)."""
        compounds = {m.compound_id for m in self._with_role("committee")}
        units = {m.unit_id for m in self._with_role("liaison")}
        return compounds, units


def same_person(principal: Principal, user_id: int | None) -> bool:
    """Whether `user_id` is the caller: the same account, or another account of the same
    WeChat user (the same unionid, where WeChat gave one). Whoever must be a second
    person (a confirmer, a reviewer, an invite's redeemer) is checked with this. A second
    WeChat account cannot be told apart: the rules that matter also tell others."""
    if user_id is None:
        return False
    if user_id == principal.id:
        return True
    unionid = principal.user.unionid
    if not unionid:
        return False
    return db.session.scalar(select(User.unionid).where(User.id == user_id)) == unionid


def own_accounts(principal: Principal) -> list[int]:
    """The caller's account ids: this one and any other of the same WeChat user (the
    `same_person` rule as a list, for a query counting what someone else recorded)."""
    unionid = principal.user.unionid
    if not unionid:
        return [principal.id]
    others = db.session.scalars(select(User.id).where(User.unionid == unionid))
    return sorted({principal.id, *others})


def load_principal(user_id: int, *, cached: bool = False) -> Principal | None:
    """The active user with their memberships, in one statement; None if gone or disabled.

    `cached`: from this worker's principal cache when it has them, without SQL, else
    loaded and kept there (principal_cache: seconds-old at most, dropped in this process
    on any change to the user or their roles; other workers see a change within
    PRINCIPAL_CACHE_SECONDS). For a request's caller; decisions use fresh roles."""
    found = principal_cache.cache() if cached else None
    entry = found.get(user_id) if found is not None else None
    if entry is not None:
        return Principal(None, entry.memberships, entry=entry)
    user = (
        db.session.scalars(
            select(User).options(joinedload(User.memberships)).where(User.id == user_id)
        )
        .unique()
        .first()
    )
    if user is None or not user.is_active:
        return None
    if found is not None:
        found.put(db.session(), user)
    return Principal(user, list(user.memberships))


def record_access(
    principal: Principal,
    action: str,
    subject_type: str,
    subject_ids: Iterable[int],
    compound_id,
    *,
    household_id: int | None = None,
    reason: str | None = None,
) -> None:
    """Append to the access log (in the caller's transaction): who saw whose personal
    data; `household_id` names the flat whose record it was (its residents see the
    entry), `reason` why."""
    rows = [
        {
            "compound_id": compound_id,
            "actor_id": principal.id,
            "action": action,
            "subject_type": subject_type,
            "subject_id": subject_id,
            "created_at": utcnow(),
            "household_id": household_id,
            "reason": reason,
        }
        for subject_id in subject_ids
    ]
    if rows:
        db.session.execute(insert(AccessLog), rows)
