"""The compound at a glance (小区概况): flats, vacant and bound flats per unit, units
without a liaison, and the last roster import, for those who run the compound."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from server.extensions import db
from server.models import Unit
from tests.factories import HouseholdFactory, add_person, build_world
from tests.helpers import multipart


@pytest.fixture
def world(db_session):
    world = build_world("aa")
    unit = Unit(compound_id=world.compound.id, building_id=world.units[0].building_id, number=3)
    db.session.add(unit)
    db.session.flush()
    HouseholdFactory(unit_obj=unit, room="101", occupancy="vacant")
    world.household("1-2-102").occupancy = "vacant"
    add_person(world, "admin", "admin", None)
    add_person(world, "bb_committee", "committee", build_world("bb").compound)
    db.session.flush()
    return world


def overview(client, world, who="committee", code="aa"):
    return client.get(f"/api/v1/compounds/{code}/overview", headers=world.headers(who))


def test_the_committee_sees_units_without_a_liaison_and_the_counts(client, world):
    response = overview(client, world)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["totals"] == {
        "buildings": 1,
        "units": 3,
        "households": 7,
        "vacant": 2,
        "bound": 2,
    }
    (building,) = body["buildings"]
    assert (building["name"], building["units_without_liaison"]) == ("1号楼", 1)
    assert [
        (u["number"], u["households"], u["vacant"], u["bound"], u["liaisons"])
        for u in building["units"]
    ] == [(1, 3, 0, 1, 1), (2, 3, 1, 1, 1), (3, 1, 1, 0, 0)]
    assert body["last_import"] is None


def test_the_last_import_shows_when_and_by_whom_with_the_name_masked(client, world):
    world.people["committee"].nickname = "张建华"
    db.session.flush()
    book = Workbook()
    book.active.append(["楼栋", "单元", "房号", "建筑面积(m²)"])
    book.active.append([2, 1, 101, 60])
    data = io.BytesIO()
    book.save(data)
    loaded = client.post(
        "/api/v1/compounds/aa/roster",
        headers=world.headers("committee"),
        **multipart(data.getvalue(), "roster.xlsx", "application/octet-stream"),
    )
    assert loaded.status_code == 200, loaded.get_json()
    last = overview(client, world, "liaison_1_1").get_json()["last_import"]
    assert (last["by"], last["rows"], last["filename"]) == ("张**", 1, "roster.xlsx")
    assert last["counts"]["households"]["create"] == 1
    assert last["created_at"].endswith("+08:00")
    assert overview(client, world).get_json()["totals"]["buildings"] == 2


@pytest.mark.parametrize(
    ("who", "code", "status"),
    [
        ("committee", "aa", 200),
        ("supervisor", "aa", 200),
        ("lead_1", "aa", 200),
        ("liaison_1_2", "aa", 200),
        ("admin", "aa", 200),
        ("resident_1_1", "aa", 403),
        ("outsider", "aa", 404),
        ("bb_committee", "aa", 404),
    ],
)
def test_who_may_see_the_overview(client, world, who, code, status):
    response = overview(client, world, who, code)
    assert response.status_code == status, response.get_json()
    if status == 403:
        assert response.get_json()["code"] == "volunteers_only"
    if status == 404:
        assert response.get_json()["code"] == "compound_not_found"
