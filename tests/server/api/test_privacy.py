"""Personal information: the consent notices; the access log the committee and the
supervisor read (filters, pages, export; reading it is logged); a household's own view
of who read its record, its download (phones in full) and its erasure (census data
gone, money and votes kept); another household's or compound's data out of reach."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from server.clock import utcnow
from server.extensions import db
from server.models import (
    AccessLog,
    Ballot,
    Bill,
    BindingRequest,
    CareTag,
    CareVisit,
    ConsentRecord,
    HouseholdCensus,
    HouseholdMember,
)
from server.services.care.schedule import sync_household
from server.services.census import access, consent, crypto
from server.services.money import fees
from server.services.people.access import load_principal
from tests.decisions_helpers import voted, voting_proposal
from tests.factories import build_world, self_governance_fee
from tests.helpers import inbox
from tests.timing import month, shanghai_date

CODE = "pv"
PHONE = "13812345678"
LOG = f"/api/v1/compounds/{CODE}/access-log"


@pytest.fixture
def world(db_session):
    world = build_world(CODE)
    home = world.household("1-1-101")
    # The liaison as the roster knows her.
    liaison = world.people["liaison_1_1"].memberships[0]
    liaison.name = "张桂芳"
    member(world, "1-1-101", "王秀兰", PHONE, age_band="80_plus")
    member(world, "1-1-101", "王强", "13900001111", relation="family")
    db.session.add(
        HouseholdCensus(
            compound_id=home.compound_id,
            household_id=home.id,
            unit_id=home.unit_id,
            confirmed_at=utcnow() - timedelta(days=3),
            confirmed_by_id=world.user_ids["liaison_1_1"],
        )
    )
    tag(world, "1-1-101", "elderly_alone")
    consent.record(
        "census",
        home.compound_id,
        household_id=home.id,
        method="doorstep",
        recorded_by_id=world.user_ids["liaison_1_1"],
    )
    sync_household(home)  # the open care visit of an elderly person living alone
    db.session.commit()
    return world


def member(world, label, name, phone, relation="owner", age_band="60_69") -> HouseholdMember:
    home = world.household(label)
    row = HouseholdMember(
        compound_id=home.compound_id,
        household_id=home.id,
        name=name,
        relation=relation,
        age_band=age_band,
        uses_wechat=True,
        **crypto.sealed(phone),
    )
    db.session.add(row)
    db.session.flush()
    return row


def tag(world, label, code) -> None:
    home = world.household(label)
    db.session.add(
        CareTag(
            compound_id=home.compound_id,
            building_id=home.building_id,
            unit_id=home.unit_id,
            household_id=home.id,
            tag=code,
        )
    )
    db.session.flush()


def read_census(world, who, label="1-1-101", reason="上门走访前核对电话") -> None:
    """`who` reads the flat's phones and tags, as the census page does (logged)."""
    principal = load_principal(world.user_ids[who])
    home = world.household(label)
    phones = db.session.scalars(
        select(HouseholdMember.id).where(HouseholdMember.household_id == home.id)
    ).all()
    access.log_read(principal, home, "view_phone", "household_member", phones, reason)
    access.log_read(principal, home, "view_tags", "care_tag", [home.id], reason)
    db.session.commit()


def get(client, world, who, url):
    return client.get(url, headers=world.headers(who))


def logs(action: str) -> list[AccessLog]:
    return list(db.session.scalars(select(AccessLog).where(AccessLog.action == action)))


# ----- consent notices -----


def test_the_consent_notices_are_read_without_signing_in(client, db_session):
    census = client.get("/api/v1/consent/census")
    assert census.status_code == 200
    body = census.get_json()
    assert (body["kind"], body["version"], body["title"]) == ("census", 1, "住户登记个人信息告知")
    assert "电话全号只有本单元联络人和业委会能看到" in body["text"]
    assert client.get("/api/v1/consent/binding").get_json()["title"] == "绑定房屋个人信息告知"
    missing = client.get("/api/v1/consent/photos")
    assert (missing.status_code, missing.get_json()["code"]) == (404, "consent_not_found")


def test_asking_to_bind_keeps_the_consent_to_the_notice_read(client, world):
    room = {"compound": CODE, "building": 1, "unit": 2, "room": "102", "name": "赵阿姨"}
    asked = client.post(
        "/api/v1/bindings",
        json={**room, "relation": "tenant", "consent_version": 1},
        headers=world.headers("outsider"),
    )
    assert asked.status_code == 201, asked.get_json()
    (record,) = db.session.scalars(select(ConsentRecord).where(ConsentRecord.kind == "binding"))
    assert record.user_id == world.user_ids["outsider"]
    assert record.household_id == world.household_ids["1-2-102"]
    assert (record.version, record.method) == (1, "app")


def test_an_unknown_notice_version_is_refused_and_nothing_is_asked(client, world):
    room = {"compound": CODE, "building": 1, "unit": 2, "room": "102", "name": "赵阿姨"}
    refused = client.post(
        "/api/v1/bindings",
        json={**room, "relation": "tenant", "consent_version": 7},
        headers=world.headers("outsider"),
    )
    assert (refused.status_code, refused.get_json()["code"]) == (400, "bad_consent_version")
    assert db.session.scalars(select(BindingRequest)).all() == []
    # Without a version, the current notice is the one agreed to.
    asked = client.post(
        "/api/v1/bindings", json={**room, "relation": "tenant"}, headers=world.headers("outsider")
    )
    assert asked.status_code == 201
    assert db.session.scalars(
        select(ConsentRecord.version).where(ConsentRecord.kind == "binding")
    ).all() == [1]


# ----- the access log -----


def test_the_committee_and_the_supervisor_read_the_log(client, world):
    read_census(world, "liaison_1_1")
    for who in ("committee", "supervisor"):
        page = get(client, world, who, LOG)
        assert page.status_code == 200, page.get_json()
        phones = [i for i in page.get_json()["items"] if i["action"] == "view_phone"]
        assert len(phones) == 2  # one line per phone read
        line = phones[0]
        assert line["actor"] == {
            "id": world.user_ids["liaison_1_1"],
            "name": "张桂芳",
            "role": "liaison",
            "role_label": "单元联络人",
        }
        assert line["action_label"] == "查看电话"
        assert (line["household"], line["reason"]) == ("1-1-101", "上门走访前核对电话")
        assert line["subject_type"] == "household_member"


@pytest.mark.parametrize("who", ["resident_1_1", "liaison_1_1", "lead_1", "outsider"])
def test_nobody_else_reads_the_log(client, world, who):
    refused = get(client, world, who, LOG)
    expected = (
        (404, "compound_not_found") if who == "outsider" else (403, "supervisor_or_committee")
    )
    assert (refused.status_code, refused.get_json()["code"]) == expected
    assert get(client, world, who, f"{LOG}/export").status_code == expected[0]


def test_another_compounds_committee_gets_404(client, world):
    other = build_world("pv2")
    for url in (LOG, f"{LOG}/export"):
        response = client.get(url, headers=other.headers("committee"))
        assert (response.status_code, response.get_json()["code"]) == (404, "compound_not_found")
    # Its own log does not show this compound's entries.
    read_census(world, "liaison_1_1")
    own = client.get("/api/v1/compounds/pv2/access-log", headers=other.headers("committee"))
    assert own.get_json()["items"] == []


def test_reading_the_log_is_itself_logged(client, world):
    read_census(world, "liaison_1_1")
    assert get(client, world, "supervisor", LOG).status_code == 200
    (entry,) = logs("list")
    assert (entry.actor_id, entry.subject_type) == (world.user_ids["supervisor"], "access_log")
    assert entry.household_id is None  # not a reading of a household's record
    newest = get(client, world, "committee", LOG).get_json()["items"][0]
    assert newest["actor"]["role"] == "supervisor"
    assert (newest["action"], newest["reason"]) == ("list", "全部记录")


def test_filters_by_flat_and_by_days(client, world):
    read_census(world, "liaison_1_1", "1-1-101")
    read_census(world, "liaison_1_2", "1-2-101")
    home = world.household_ids["1-1-101"]
    flat = get(client, world, "committee", f"{LOG}?household_id={home}").get_json()["items"]
    assert {i["household"] for i in flat} == {"1-1-101"}
    assert len(flat) == 3
    # The 1-2-101 entries were read ten days ago.
    for row in db.session.scalars(
        select(AccessLog).where(AccessLog.household_id == world.household_ids["1-2-101"])
    ):
        row.created_at = utcnow() - timedelta(days=10)
    db.session.commit()
    start, end = shanghai_date(-11).isoformat(), shanghai_date(-9).isoformat()
    old = get(client, world, "committee", f"{LOG}?from={start}&to={end}").get_json()["items"]
    assert {i["household"] for i in old} == {"1-2-101"}
    today = shanghai_date(0).isoformat()
    recent = get(client, world, "committee", f"{LOG}?from={today}").get_json()["items"]
    assert "1-2-101" not in {i["household"] for i in recent}
    backwards = get(client, world, "committee", f"{LOG}?from={end}&to={start}")
    assert (backwards.status_code, backwards.get_json()["code"]) == (400, "bad_range")


def test_pages_follow_the_cursor_without_gaps(client, world):
    for who in ("liaison_1_1", "lead_1", "committee_2"):
        read_census(world, who)
    seen, url = [], f"{LOG}?limit=2"
    while True:
        page = get(client, world, "committee", url).get_json()
        seen += [i["id"] for i in page["items"] if i["action"] != "list"]
        if page["next_cursor"] is None:
            break
        url = f"{LOG}?limit=2&cursor={page['next_cursor']}"
    expected = db.session.scalars(
        select(AccessLog.id).where(AccessLog.action != "list").order_by(AccessLog.id.desc())
    ).all()
    assert seen == list(expected)
    assert len(seen) == 9
    bad = get(client, world, "committee", f"{LOG}?cursor=nonsense")
    assert (bad.status_code, bad.get_json()["code"]) == (400, "bad_cursor")


def test_the_export_is_a_workbook_and_is_logged(client, world):
    read_census(world, "liaison_1_1")
    response = get(client, world, "supervisor", f"{LOG}/export")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("时间", "查看人", "身份", "做了什么", "房号", "原因")
    assert ("单元联络人", "查看电话", "1-1-101", "上门走访前核对电话") in [r[2:6] for r in rows]
    (entry,) = logs("export_access_log")
    assert entry.actor_id == world.user_ids["supervisor"]


# ----- what a household sees -----


def test_a_resident_sees_who_viewed_their_household(client, world):
    read_census(world, "liaison_1_1")
    read_census(world, "liaison_1_2", "1-2-101")  # a neighbour's flat: not shown here
    home = world.household_ids["1-1-101"]
    views = get(client, world, "resident_1_1", f"/api/v1/me/household-views?household_id={home}")
    assert views.status_code == 200
    items = views.get_json()["items"]
    # Two phones read at once are one reading; then the tags.
    assert [i["action_label"] for i in items] == ["查看关爱标记", "查看电话"]
    assert {i["who"] for i in items} == {"单元联络人 张*"}
    assert items[0]["reason"] == "上门走访前核对电话"


@pytest.mark.parametrize("who", ["resident_1_2", "liaison_1_1", "committee"])
def test_only_the_household_itself_sees_its_views_and_data(client, world, who):
    home = world.household_ids["1-1-101"]
    for url in (
        f"/api/v1/me/household-views?household_id={home}",
        f"/api/v1/me/household-data?household_id={home}",
    ):
        refused = get(client, world, who, url)
        assert (refused.status_code, refused.get_json()["code"]) == (403, "own_household_only")
    erase = client.post(
        "/api/v1/me/household-data/erasure",
        json={"household_id": home, "confirm": True},
        headers=world.headers(who),
    )
    assert (erase.status_code, erase.get_json()["code"]) == (403, "own_household_only")
    assert logs("download") == []
    assert logs("erase") == []


def test_another_compound_is_not_found(client, world):
    other = build_world("pv3")
    home = world.household_ids["1-1-101"]
    for url in (
        f"/api/v1/me/household-views?household_id={home}",
        f"/api/v1/me/household-data?household_id={home}",
    ):
        response = client.get(url, headers=other.headers("resident_1_1"))
        assert (response.status_code, response.get_json()["code"]) == (404, "household_not_found")


def test_the_download_holds_everything_with_phones_in_full_and_is_logged(client, world):
    self_governance_fee(world.compound)
    fees.generate_bills(month(0), CODE)
    home = world.household_ids["1-1-101"]
    read_census(world, "liaison_1_1")
    response = get(client, world, "resident_1_1", f"/api/v1/me/household-data?household_id={home}")
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert data["household"]["label"] == "1-1-101"
    assert data["household"]["area_m2"] == "72.36"
    assert [(m["name"], m["phone"]) for m in data["members"]] == [
        ("王秀兰", PHONE),
        ("王强", "13900001111"),
    ]
    assert data["members"][0]["phone_masked"] == "138****5678"
    assert data["tags"] == ["elderly_alone"]
    assert data["census"]["occupancy"] == "lives_here"
    assert data["census"]["confirmed_by"]
    assert [(v["tag"], v["status"]) for v in data["visits"]] == [("elderly_alone", "due")]
    ((kind, method, title),) = [(c["kind"], c["method"], c["title"]) for c in data["consents"]]
    assert (kind, method, title) == ("census", "doorstep", "住户登记个人信息告知")
    assert [b["name"] for b in data["bindings"]] == ["王秀兰"]
    assert [b["item"] for b in data["bills"]] == ["自治管理费"]
    assert {v["action_label"] for v in data["viewed_by"]} == {"查看电话", "查看关爱标记"}
    (entry,) = logs("download")
    assert (entry.actor_id, entry.household_id) == (world.user_ids["resident_1_1"], home)
    # The household sees its own download among the views of its record.
    views = get(client, world, "resident_1_1", f"/api/v1/me/household-views?household_id={home}")
    assert views.get_json()["items"][0]["action_label"] == "下载本户信息"


def test_the_download_as_a_workbook(client, world):
    home = world.household_ids["1-1-101"]
    url = f"/api/v1/me/household-data?household_id={home}&format=xlsx"
    response = get(client, world, "resident_1_1", url)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert "家庭成员" in book.sheetnames
    assert "谁看过本户信息" in book.sheetnames
    members = list(book["家庭成员"].iter_rows(values_only=True))
    assert members[1][:4] == ("王秀兰", "业主", "80岁及以上", PHONE)
    assert len(logs("download")) == 1


# ----- erasure -----


def erase(client, world, who="resident_1_1", confirm=True):
    return client.post(
        "/api/v1/me/household-data/erasure",
        json={"household_id": world.household_ids["1-1-101"], "confirm": confirm},
        headers=world.headers(who),
    )


def test_erasure_anonymises_the_members_and_removes_the_tags(client, world):
    home = world.household_ids["1-1-101"]
    neighbour = member(world, "1-2-101", "李建国", "13700002222")
    db.session.commit()
    erased = erase(client, world)
    assert erased.status_code == 200, erased.get_json()
    assert erased.get_json() == {
        "household_id": home,
        "members_erased": 2,
        "tags_removed": 1,
        "visit_cancelled": True,
        "consents_withdrawn": 1,
    }
    db.session.expire_all()
    rows = db.session.scalars(
        select(HouseholdMember).where(HouseholdMember.household_id == home)
    ).all()
    assert [(m.name, m.phone_cipher, m.phone_masked, m.age_band) for m in rows] == [
        (None, None, None, None)
    ] * 2
    assert all(m.anonymised_at and m.moved_out_at for m in rows)
    assert db.session.get(HouseholdMember, neighbour.id).name == "李建国"
    assert db.session.scalars(select(CareTag).where(CareTag.household_id == home)).all() == []
    (visit,) = db.session.scalars(select(CareVisit).where(CareVisit.household_id == home))
    assert (visit.status, visit.open_key) == ("cancelled", None)
    (record,) = db.session.scalars(select(ConsentRecord).where(ConsentRecord.household_id == home))
    assert record.withdrawn_at is not None
    (entry,) = logs("erase")
    assert (entry.actor_id, entry.household_id) == (world.user_ids["resident_1_1"], home)
    (told,) = [n for n in inbox(world.user_ids["liaison_1_1"]) if n.kind == "census_erased"]
    assert "1-1-101" in told.title
    assert [n for n in inbox(world.user_ids["liaison_1_2"]) if n.kind == "census_erased"] == []
    # What the resident downloads now holds no census data.
    data = get(client, world, "resident_1_1", f"/api/v1/me/household-data?household_id={home}")
    assert (data.get_json()["members"], data.get_json()["tags"]) == ([], [])


def test_erasure_keeps_bills_and_ballots(client, world):
    self_governance_fee(world.compound)
    fees.generate_bills(month(0), CODE)
    proposal = voting_proposal(world)
    voted(client, world, proposal, "1-1-101", "yes")
    home = world.household_ids["1-1-101"]
    bills = db.session.scalars(select(Bill.id).where(Bill.household_id == home)).all()
    read_census(world, "liaison_1_1")
    assert erase(client, world).status_code == 200
    db.session.expire_all()
    assert db.session.scalars(select(Bill.id).where(Bill.household_id == home)).all() == bills
    (ballot,) = db.session.scalars(select(Ballot).where(Ballot.household_id == home))
    assert ballot.choice == "yes"
    # The access log stays: who read the record before is still known.
    assert len(logs("view_phone")) == 2


def test_erasure_must_be_confirmed(client, world):
    refused = erase(client, world, confirm=False)
    assert (refused.status_code, refused.get_json()["code"]) == (400, "confirm_required")
    db.session.expire_all()
    assert db.session.scalars(
        select(HouseholdMember.name).where(HouseholdMember.name.is_not(None))
    ).all()


def test_erasure_is_refused_in_an_archived_compound(client, world):
    world.compound.archived_at = utcnow()
    db.session.commit()
    refused = erase(client, world)
    assert (refused.status_code, refused.get_json()["code"]) == (409, "compound_archived")
    db.session.expire_all()
    names = db.session.scalars(select(HouseholdMember.name).order_by(HouseholdMember.id)).all()
    assert names == ["王秀兰", "王强"]
    # Reading stays open.
    home = world.household_ids["1-1-101"]
    url = f"/api/v1/me/household-data?household_id={home}"
    assert get(client, world, "resident_1_1", url).status_code == 200
