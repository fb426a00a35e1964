"""The assets register: the committee keeps it, everyone of the compound reads it."""

from __future__ import annotations

import pytest

from tests.factories import build_world
from tests.steps import uploaded_id


@pytest.fixture
def world(db_session, photo_storage):
    return build_world("aa")


def add_asset(client, world, who="committee", **fields):
    body = {"kind": "ad_space", "name": "1号楼东侧广告牌", "location": "1号楼东墙", **fields}
    return client.post("/api/v1/compounds/aa/assets", json=body, headers=world.fresh_headers(who))


def listed(client, world, who) -> list[dict]:
    response = client.get("/api/v1/compounds/aa/assets", headers=world.fresh_headers(who))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def test_the_committee_registers_an_asset_residents_see_it_and_its_photo(client, world):
    photo = uploaded_id(client, world, "committee")
    created = add_asset(client, world, photos=[photo])
    assert created.status_code == 201, created.get_json()
    asset = created.get_json()
    assert (asset["kind"], asset["name"], asset["location"]) == (
        "ad_space",
        "1号楼东侧广告牌",
        "1号楼东墙",
    )
    assert asset["active"] is True
    assert asset["photos"] == [photo]
    (seen,) = listed(client, world, "resident_1_1")
    assert (seen["id"], seen["photos"]) == (asset["id"], [photo])
    shown = client.get(f"/api/v1/uploads/{photo}", headers=world.headers("resident_1_1"))
    assert shown.status_code == 200


@pytest.mark.parametrize("who", ["resident_1_1", "liaison_1_1", "supervisor"])
def test_only_the_committee_registers(client, world, who):
    refused = add_asset(client, world, who)
    assert refused.status_code == 403
    assert refused.get_json()["code"] == "committee_only"
    assert listed(client, world, "committee") == []


def test_a_wrong_kind_or_someone_elses_photo_is_refused(client, world):
    assert add_asset(client, world, kind="castle").status_code == 400
    photo = uploaded_id(client, world, "resident_1_1")
    refused = add_asset(client, world, photos=[photo])
    assert (refused.status_code, refused.get_json()["code"]) == (400, "photo_invalid")
    assert listed(client, world, "committee") == []


def test_renamed_and_retired_residents_no_longer_see_it(client, world):
    asset = add_asset(client, world).get_json()
    url = f"/api/v1/assets/{asset['id']}"
    renamed = client.patch(
        url, json={"name": "东门停车位 3 号", "note": None}, headers=world.headers("committee_2")
    )
    assert renamed.status_code == 200, renamed.get_json()
    assert renamed.get_json()["name"] == "东门停车位 3 号"
    same = client.patch(url, json={"name": "东门停车位 3 号"}, headers=world.headers("committee"))
    assert (same.status_code, same.get_json()["code"]) == (400, "no_change")
    by_resident = client.patch(url, json={"active": False}, headers=world.headers("resident_1_1"))
    assert by_resident.status_code == 403
    retired = client.patch(url, json={"active": False}, headers=world.headers("committee"))
    assert retired.get_json()["active"] is False
    assert listed(client, world, "resident_1_1") == []
    assert [a["id"] for a in listed(client, world, "supervisor")] == [asset["id"]]


def test_another_compound_sees_and_changes_nothing(client, world):
    other = build_world("bb")
    asset = add_asset(client, world).get_json()
    for who in ("committee", "resident_1_1"):
        patched = client.patch(
            f"/api/v1/assets/{asset['id']}", json={"name": "改名"}, headers=other.headers(who)
        )
        assert (patched.status_code, patched.get_json()["code"]) == (404, "asset_not_found")
        listing = client.get("/api/v1/compounds/aa/assets", headers=other.headers(who))
        assert (listing.status_code, listing.get_json()["code"]) == (404, "compound_not_found")
    assert listed(client, world, "committee")[0]["name"] == "1号楼东侧广告牌"
