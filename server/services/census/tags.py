"""A household's care tags (独居老人, 残疾, 困难, 需定期走访, 党员中心户), set by its
volunteers; the household's care visit follows them at once."""

from __future__ import annotations

from sqlalchemy import delete

from server.clock import utcnow
from server.errors import ValidationFailed
from server.extensions import db
from server.models import CareTag
from server.models.census import CARE_TAGS
from server.services.care.schedule import lock_household, sync_household
from server.services.census import access
from server.services.census.listing import tags_of
from server.services.people.access import Principal
from server.services.people.compounds import ensure_open_id


def set_tags(principal: Principal, household_id: int, tags: list[str]) -> dict:
    """The household's tags become `tags` (the unit's liaison, the building lead or the
    committee): rows added and removed, its care visit made or cancelled in the same
    transaction. Returns {"tags": [...]}.

    Raises NotFound, Forbidden (census_forbidden, tags_forbidden), Conflict
    (compound_archived), ValidationFailed (bad_tag).
    """
    household = access.edit_household(principal, household_id, tags=True)
    ensure_open_id(household.compound_id)
    wanted = list(dict.fromkeys(tags))
    unknown = [tag for tag in wanted if tag not in CARE_TAGS]
    if unknown:
        raise ValidationFailed("关爱标记不对，请从列表里选", code="bad_tag", details=unknown)
    lock_household(household.id)  # the same tags saved twice at once: one after the other
    current = {row.tag: row for row in tags_of(household.id, lock=True)}
    gone = [row.id for tag, row in current.items() if tag not in wanted]
    if gone:
        db.session.execute(delete(CareTag).where(CareTag.id.in_(gone)))
    for tag in wanted:
        if tag not in current:
            db.session.add(
                CareTag(
                    compound_id=household.compound_id,
                    building_id=household.building_id,
                    unit_id=household.unit_id,
                    household_id=household.id,
                    tag=tag,
                    created_by_id=principal.id,
                    created_at=utcnow(),
                )
            )
    db.session.flush()
    sync_household(household)
    db.session.commit()
    return {"tags": [row.tag for row in tags_of(household.id)]}
