"""Erasing a household's census data at its residents' request (删除本户信息).

Its members are anonymised (name, phone, age band cleared; they leave the record),
its care tags removed (so its open care visit is cancelled), the free-text notes that
may name them cleared (of its past visits and sweep results; the name an issue was
filed for becomes "1-1-101住户"), and its census consents marked withdrawn. What others
rely on stays: bills and payments, ballots, issues, sweep results (✓/✗) and the access
log. The erasure is
logged ("erase") and the unit's liaison told, so nobody re-enters the data unasked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update

from server.clock import utcnow
from server.errors import ValidationFailed
from server.extensions import db
from server.models import (
    CampaignResult,
    CareTag,
    CareVisit,
    ConsentRecord,
    Household,
    HouseholdMember,
    Issue,
    Membership,
)
from server.services.care.schedule import sync_household
from server.services.messaging import fanout
from server.services.people.access import Principal, record_access
from server.services.people.compounds import ensure_open_id
from server.services.privacy.household_data import own_household

REASON = "住户申请删除本户登记信息"


@dataclass(frozen=True)
class Erased:
    household_id: int
    members_erased: int
    tags_removed: int
    visit_cancelled: bool
    consents_withdrawn: int


def erase(principal: Principal, household_id: int, confirm: bool) -> Erased:
    """Erase my household's census data now; commits. Raises NotFound, Forbidden
    (own_household_only), Conflict (compound_archived), ValidationFailed
    (confirm_required)."""
    household = own_household(principal, household_id)
    ensure_open_id(household.compound_id)
    if confirm is not True:
        raise ValidationFailed("请确认要删除本户登记信息", code="confirm_required")
    now = utcnow()
    members = anonymise_members(HouseholdMember.household_id == household.id, now)
    tags, cancelled = remove_tags(household)
    clear_notes(household)
    withdrawn = db.session.execute(
        update(ConsentRecord)
        .where(
            ConsentRecord.household_id == household.id,
            ConsentRecord.kind == "census",
            ConsentRecord.withdrawn_at.is_(None),
        )
        .values(withdrawn_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    record_access(
        principal,
        "erase",
        "household",
        [household.id],
        household.compound_id,
        household_id=household.id,
        reason=REASON,
    )
    _tell_liaison(household, now)
    db.session.commit()
    return Erased(household.id, members, tags, cancelled, withdrawn)


def anonymise_members(condition, now: datetime) -> int:
    """Clear the name, phone and age band of the members matching `condition` not yet
    anonymised; they leave the record (moved_out_at, if not set). Does not commit."""
    values = {
        "name": None,
        "age_band": None,
        "phone_cipher": None,
        "phone_masked": None,
        "phone_hash": None,
        "uses_wechat": False,
        "user_id": None,
        "anonymised_at": now,
    }
    base = update(HouseholdMember).execution_options(synchronize_session=False)
    pending = (condition, HouseholdMember.anonymised_at.is_(None))
    db.session.execute(
        base.where(*pending, HouseholdMember.moved_out_at.is_(None)).values(moved_out_at=now)
    )
    return db.session.execute(base.where(*pending).values(**values)).rowcount


def clear_notes(household: Household) -> None:
    """Clear what volunteers wrote in free text about the household (visit notes, sweep
    notes, the name an issue was filed for), where a person may be named. Does not
    commit."""
    quiet = {"synchronize_session": False}
    db.session.execute(
        update(CareVisit)
        .where(CareVisit.household_id == household.id, CareVisit.note.is_not(None))
        .values(note=None)
        .execution_options(**quiet)
    )
    db.session.execute(
        update(Issue)
        .where(Issue.household_id == household.id, Issue.on_behalf_name.is_not(None))
        .values(on_behalf_name=f"{household.label}住户")
        .execution_options(**quiet)
    )
    results = db.session.scalars(
        select(CampaignResult).where(CampaignResult.household_id == household.id)
    )
    for result in results:
        result.note = None
        result.items = [{**item, "note": None} for item in result.items]


def remove_tags(household: Household) -> tuple[int, bool]:
    """Delete the household's care tags and cancel its open visit: (tags removed,
    whether a visit was cancelled). Does not commit."""
    removed = db.session.execute(
        delete(CareTag)
        .where(CareTag.household_id == household.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    had_visit = db.session.scalar(select(CareVisit.id).where(CareVisit.open_key == household.id))
    sync_household(household)
    return removed, had_visit is not None


def _tell_liaison(household: Household, now: datetime) -> None:
    liaisons = list(
        db.session.scalars(
            select(Membership.user_id).where(
                Membership.role == "liaison", Membership.unit_id == household.unit_id
            )
        )
    )
    fanout.tell(
        liaisons,
        compound_id=household.compound_id,
        key=f"erase:h{household.id}:{int(now.timestamp())}",
        kind="census_erased",
        title=f"{household.label} 删除了本户登记信息",
        body=f"{household.label} 的住户删除了本户的住户登记信息（家庭成员、电话、关爱标记），"
        "相关走访已取消。如需重新登记，请先当面征得住户同意。",
        page=f"pages/household/index?id={household.id}",
        push=False,
    )
