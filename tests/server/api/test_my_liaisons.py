"""我的联络人: a resident sees who serves their unit, and can call them only when the
volunteer chose to share a number; a volunteer shares or stops sharing it."""

from __future__ import annotations

import pytest

from server.extensions import db
from server.services.people import roles
from tests.factories import add_person, build_world


@pytest.fixture
def world(db_session):
    return build_world("ml")


def my_liaisons(client, world, who="resident_1_1") -> list[dict]:
    response = client.get("/api/v1/me/liaisons", headers=world.fresh_headers(who))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def share(client, world, who, phone):
    return client.put(
        "/api/v1/me/shared-phone", json={"phone": phone}, headers=world.fresh_headers(who)
    )


def test_a_resident_sees_the_units_liaison_without_a_number_until_shared(client, world):
    (home,) = my_liaisons(client, world)
    assert home["household"] == "1-1-101"
    assert home["unit_label"] == "1号楼1单元"
    assert home["liaisons"] == [
        {"role": "liaison", "name": "联络人", "phone": None, "phone_masked": None}
    ]
    assert home["note"] is None

    shared = share(client, world, "liaison_1_1", "138 1234 5678")
    assert shared.status_code == 200
    assert shared.get_json() == {"phone": "13812345678", "phone_masked": "138****5678"}
    me = client.get("/api/v1/me", headers=world.fresh_headers("liaison_1_1")).get_json()
    assert me["shared_phone"] == "13812345678"

    (home,) = my_liaisons(client, world)
    assert home["liaisons"][0]["phone"] == "13812345678"
    assert home["liaisons"][0]["phone_masked"] == "138****5678"
    # A resident of another unit never sees that number.
    other = client.get("/api/v1/me/liaisons", headers=world.fresh_headers("resident_1_2"))
    assert "5678" not in other.get_data(as_text=True)
    assert (
        client.get("/api/v1/me", headers=world.fresh_headers("resident_1_1")).get_json()[
            "shared_phone"
        ]
        is None
    )

    stopped = share(client, world, "liaison_1_1", None)
    assert stopped.get_json() == {"phone": None, "phone_masked": None}
    (home,) = my_liaisons(client, world)
    assert home["liaisons"][0]["phone"] is None


def test_the_liaisons_own_name_is_shown(client, world):
    add_person(world, "liaison_named", "liaison", world.units[0], name="周阿姨")
    (home,) = my_liaisons(client, world)
    assert [c["name"] for c in home["liaisons"]] == ["联络人", "周阿姨"]


def test_no_liaison_then_the_building_lead_then_the_committee(client, world):
    roles.revoke(world.user_ids["liaison_1_2"], "liaison", world.units[1])
    world.people["lead_1"].shared_phone = "13900001111"
    db.session.flush()
    (home,) = my_liaisons(client, world, "resident_1_2")
    assert home["liaisons"] == []
    assert home["building_leads"] == [
        {
            "role": "building_lead",
            "name": "楼栋长",
            "phone": "13900001111",
            "phone_masked": "139****1111",
        }
    ]
    roles.revoke(world.user_ids["lead_1"], "building_lead", world.units[1].building)
    (home,) = my_liaisons(client, world, "resident_1_2")
    assert (home["liaisons"], home["building_leads"]) == ([], [])
    assert "业委会" in home["note"]


def test_one_card_per_household(client, world):
    roles.grant(
        world.user_ids["resident_1_1"], "resident", world.household("1-2-102"), relation="owner"
    )
    homes = my_liaisons(client, world)
    assert [h["household"] for h in homes] == ["1-1-101", "1-2-102"]
    assert [h["unit"] for h in homes] == ["1-1", "1-2"]


def test_someone_with_no_home_has_no_cards(client, world):
    assert my_liaisons(client, world, "outsider") == []


@pytest.mark.parametrize("who", ["liaison_1_1", "lead_1", "committee"])
def test_volunteers_may_share(client, world, who):
    assert share(client, world, who, "15912345678").status_code == 200


@pytest.mark.parametrize("who", ["resident_1_1", "supervisor", "outsider"])
def test_only_volunteers_share_a_number(client, world, who):
    response = share(client, world, who, "13812345678")
    assert (response.status_code, response.get_json()["code"]) == (403, "volunteers_only")


@pytest.mark.parametrize(
    "phone", ["12345", "23812345678", "1381234567a", "138123456789", "", "+8613812345678"]
)
def test_only_a_mainland_mobile(client, world, phone):
    response = share(client, world, "liaison_1_1", phone)
    assert (response.status_code, response.get_json()["code"]) == (400, "bad_phone")
    assert response.get_json()["message"]


def test_the_phone_field_is_required(client, world):
    response = client.put(
        "/api/v1/me/shared-phone", json={}, headers=world.fresh_headers("liaison_1_1")
    )
    assert response.status_code == 400
