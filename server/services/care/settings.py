"""A compound's care cadences (how many days between visits of each care tag): read by
its volunteers, set by its committee, after which every open visit follows them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update

from server.clock import utcnow
from server.database.engine import insert_ignore
from server.errors import Forbidden, ValidationFailed
from server.extensions import db
from server.labels import label
from server.models import CareCadence, Compound
from server.services.care.cadence import DEFAULT_CADENCE_DAYS, configured
from server.services.care.schedule import sync_compound
from server.services.people import compounds
from server.services.people.access import Principal

# The tags visited on a cadence (党员中心户 is a helper, not visited).
VISITING_TAGS = tuple(DEFAULT_CADENCE_DAYS)
VOLUNTEER_ROLES = ("liaison", "building_lead", "committee")


@dataclass(frozen=True)
class Cadence:
    tag: str
    every_days: int  # 0: not visited
    default: int

    @property
    def tag_label(self) -> str:
        return label("care_tag", self.tag)


def _volunteer_compound(principal: Principal, code: str) -> Compound:
    compound = compounds.member_compound(principal, code)
    if not any(
        m.role in VOLUNTEER_ROLES and m.compound_id == compound.id for m in principal.memberships
    ):
        raise Forbidden(
            "只有单元联络人、楼栋长和业委会可以查看关爱走访设置", code="volunteers_only"
        )
    return compound


def _listing(compound_id: int) -> list[Cadence]:
    days = configured(compound_id)
    return [Cadence(tag, days[tag], DEFAULT_CADENCE_DAYS[tag]) for tag in VISITING_TAGS]


def cadences_for(principal: Principal, code: str) -> list[Cadence]:
    """Each visited tag's days between visits in the compound, with the default.
    Raises NotFound (compound_not_found), Forbidden (volunteers_only)."""
    return _listing(_volunteer_compound(principal, code).id)


def set_cadences(principal: Principal, code: str, items: list[dict]) -> list[Cadence]:
    """Set the days between visits of the tags named (0: no visits; 1–365), then bring
    every open visit of the compound in line (made, moved or cancelled). Commits.

    Raises NotFound, Forbidden (committee_only), ValidationFailed (duplicate_tag),
    Conflict (compound_archived).
    """
    compound = compounds.member_compound(principal, code)
    if not principal.committee_of(compound.id):
        raise Forbidden("只有业委会可以修改关爱走访的频次", code="committee_only")
    compounds.ensure_open(compound)
    tags = [item["tag"] for item in items]
    if len(set(tags)) != len(tags):
        raise ValidationFailed("同一类关爱对象只能设置一次", code="duplicate_tag")
    now = utcnow()
    for item in items:
        _store(compound.id, item["tag"], item["every_days"], principal.id, now)
    sync_compound(compound.id, cadence_changed=True)
    db.session.commit()
    return _listing(compound.id)


def _store(compound_id: int, tag: str, every: int, user_id: int, now) -> None:
    """Insert the compound's row for the tag, or change it (two committee members saving
    at once: both land, the later wins)."""
    values = {"every_days": every, "updated_by_id": user_id, "updated_at": now}
    row = {"compound_id": compound_id, "tag": tag, **values}
    if insert_ignore(db.session.connection(), CareCadence.__table__, [row]) == 0:
        db.session.execute(
            update(CareCadence)
            .where(CareCadence.compound_id == compound_id, CareCadence.tag == tag)
            .values(**values)
        )
