"""A roster re-import that changes a flat's floor area or vacancy: it waits for a second,
different committee member; bills already issued keep their amounts, the next bill run
uses the new area."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from server.extensions import db
from server.models import Approval, AuditEvent, FeeItem, Household, HouseholdChange
from server.services.money import fees
from tests.factories import bill_of, build_world, self_governance_fee
from tests.helpers import multipart
from tests.steps import decide
from tests.timing import month, shanghai_month_start

THIS_MONTH, NEXT_MONTH = month(0), month(1)
HEADERS = ["楼栋", "单元", "房号", "建筑面积(m²)", "楼层", "状态", "备注"]
# The compound's six flats as they are.
SAME = [
    ("1", unit, room, "72.36", None, None, None)
    for unit in ("1", "2")
    for room in ("101", "102", "201")
]


@pytest.fixture
def world(db_session):
    world = build_world("aa")
    self_governance_fee(world.compound)
    return world


def roster(*changed) -> bytes:
    """The compound's six flats, some rows replaced by `changed` (by unit and room)."""
    rows = {(row[1], row[2]): row for row in [*SAME, *changed]}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(rows.values())
    return out.getvalue().encode()


def load(client, world, data, who="committee"):
    return client.post(
        "/api/v1/compounds/aa/roster",
        headers=world.fresh_headers(who),
        **multipart(data, "名册.csv", "text/csv"),
    )


def flat(world, label) -> Household:
    return db.session.scalars(
        select(Household)
        .where(Household.id == world.household_ids[label])
        .execution_options(populate_existing=True)
    ).one()


CHANGED = (
    ("1", "1", "101", "80.00", None, None, None),  # area
    ("1", "1", "102", "72.36", None, "空置", None),  # vacancy
    ("1", "2", "201", "72.36", None, None, "一楼带小院"),  # note: applies at once
)


def test_a_changed_area_waits_for_a_second_member_then_shapes_the_next_bills(client, world):
    fees.generate_bills(THIS_MONTH, "aa")  # this month is billed already
    loaded = load(client, world, roster(*CHANGED))
    assert loaded.status_code == 200, loaded.get_json()
    body = loaded.get_json()
    assert (body["households"]["update"], body["pending"]) == (3, 2)
    assert [c["needs_confirmation"] for c in body["changes"]] == [True, True, False]
    approval = db.session.get(Approval, body["approval_id"])
    assert (approval.kind, approval.status, approval.effective_period) == (
        "roster_change",
        "pending",
        NEXT_MONTH,
    )
    year, number = NEXT_MONTH.split("-")
    assert approval.summary == (
        "房屋名册：1-1-101 面积 72.36→80.00 m²；1-1-102 有人住→空置，"
        f"自{year}年{int(number)}月账单起"
    )
    assert approval.details["import_id"] == body["import_id"]
    # Nothing that changes what residents owe has changed yet; the note has.
    assert str(flat(world, "1-1-101").area_m2) == "72.36"
    assert flat(world, "1-1-102").occupancy == "occupied"
    assert flat(world, "1-2-201").note == "一楼带小院"

    listed = client.get(
        "/api/v1/compounds/aa/pending-changes", headers=world.fresh_headers("committee_2")
    ).get_json()["items"]
    assert [(c["kind"], c["summary"]) for c in listed] == [("roster_change", approval.summary)]

    own = decide(client, world, approval.id, "committee")
    assert (own.status_code, own.get_json()["code"]) == (403, "same_person")
    assert str(flat(world, "1-1-101").area_m2) == "72.36"

    confirmed = decide(client, world, approval.id, "committee_2")
    assert confirmed.status_code == 200, confirmed.get_json()
    assert confirmed.get_json()["status"] == "confirmed"
    assert str(flat(world, "1-1-101").area_m2) == "80.00"
    assert flat(world, "1-1-102").occupancy == "vacant"
    changes = db.session.scalars(select(HouseholdChange).order_by(HouseholdChange.id)).all()
    assert [
        (
            c.household_id,
            str(c.old_area_m2),
            str(c.new_area_m2),
            c.old_occupancy,
            c.new_occupancy,
            c.proposed_by_id,
            c.confirmed_by_id,
            c.effective_period,
            c.import_id,
        )
        for c in changes
    ] == [
        (
            world.household_ids[label],
            "72.36",
            area,
            "occupied",
            occupancy,
            world.user_ids["committee"],
            world.user_ids["committee_2"],
            NEXT_MONTH,
            body["import_id"],
        )
        for label, area, occupancy in (
            ("1-1-101", "80.00", "occupied"),
            ("1-1-102", "72.36", "vacant"),
        )
    ]
    # The bill issued before keeps its amount; next month's uses the new area.
    assert bill_of(world, "1-1-101", period=THIS_MONTH).amount_fen == 2533
    fees.generate_bills(NEXT_MONTH, "aa")
    assert bill_of(world, "1-1-101", period=NEXT_MONTH).amount_fen == 2800  # 80 × 0.35
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["roster_imported", "roster_change_confirmed"]


def test_a_rejected_change_changes_nothing(client, world):
    body = load(client, world, roster(CHANGED[0])).get_json()
    rejected = decide(
        client, world, body["approval_id"], "committee_2", "reject", reason="面积抄错了"
    )
    assert rejected.status_code == 200, rejected.get_json()
    assert rejected.get_json()["status"] == "rejected"
    assert str(flat(world, "1-1-101").area_m2) == "72.36"
    assert db.session.scalars(select(HouseholdChange)).all() == []
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "roster_change_rejected")
    ).one()
    assert event.actor_id == world.user_ids["committee_2"]
    assert event.summary.endswith("。理由：面积抄错了")


def test_a_flat_changed_meanwhile_makes_the_confirmation_a_conflict(client, world):
    body = load(client, world, roster(CHANGED[0])).get_json()
    flat(world, "1-1-101").area_m2 = "75.00"  # someone changed it in between
    db.session.flush()
    late = decide(client, world, body["approval_id"], "committee_2")
    assert (late.status_code, late.get_json()["code"]) == (409, "roster_changed")
    assert late.get_json()["message"] == (
        "1-1-101的面积或空置状态在提交后又被改过，请驳回后重新导入名册"
    )
    assert str(flat(world, "1-1-101").area_m2) == "75.00"


def test_a_new_flat_is_created_at_once_without_a_second_member(client, world):
    body = load(client, world, roster(("1", "1", "301", "90", None, "空置", None))).get_json()
    assert (body["households"]["create"], body["approval_id"], body["pending"]) == (1, None, 0)


@pytest.mark.parametrize("cycle", ["quarterly", "yearly"])
def test_a_period_billed_at_its_start_is_not_reshaped_by_a_change_confirmed_within_it(
    client, world, cycle
):
    item = db.session.scalars(select(FeeItem)).one()
    item.cycle = cycle
    db.session.flush()
    # The middle of a quarter's first month (not its last: the month after is billed too).
    ahead = next(k for k in range(1, 4) if int(month(k)[5:]) % 3 == 1)
    now, number = shanghai_month_start(ahead) + timedelta(days=14), int(month(ahead)[5:])
    # The first month the new area can shape: after the quarter (the year) billed.
    first_unbilled = month(ahead + 3) if cycle == "quarterly" else month(ahead + 13 - number)
    with freeze_time(now):
        fees.generate_bills(month(ahead), "aa")  # the whole quarter (year) is billed now
        issued = bill_of(world, "1-1-101").amount_fen
        loaded = load(client, world, roster(CHANGED[0]))
        assert loaded.status_code == 200, loaded.get_json()
        approval_id = loaded.get_json()["approval_id"]
        assert db.session.get(Approval, approval_id).effective_period == first_unbilled
        confirmed = decide(client, world, approval_id, "committee_2")
        assert confirmed.status_code == 200, confirmed.get_json()

    change = db.session.scalars(select(HouseholdChange)).one()
    assert change.effective_period == first_unbilled
    assert bill_of(world, "1-1-101").amount_fen == issued  # the issued bill keeps its amount
