"""Reporting, reading and acting on issues through the API: who may do what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from server.extensions import db
from server.models import AccessLog, Issue, OutboxMessage
from tests.factories import build_world
from tests.helpers import statements
from tests.steps import act, report, reported_id, uploaded_id
from tests.timing import day, shanghai_date


@pytest.fixture
def world(db_session):
    return build_world("aa")


# ----- reporting -----


def test_a_resident_reports_about_their_home(client, world):
    response = report(client, world)
    assert response.status_code == 201
    issue = response.get_json()
    assert issue["status"] == "submitted"
    assert issue["status_label"] == "待受理"
    assert issue["location"] == "1-1-101"
    assert issue["category_label"] == "报修"
    assert [e["action"] for e in issue["timeline"]] == ["submit"]
    assert issue["actions"] == []  # nothing for the reporter to do yet
    assert issue["response_due_at"].endswith("+08:00")


@pytest.mark.parametrize(
    ("where", "label"),
    [("unit", "1号楼1单元"), ("building", "1号楼"), ("compound", "小区公共区域")],
)
def test_residents_report_about_common_parts(client, world, where, label):
    fields = {
        "unit": {"unit_id": world.units[0].id},
        "building": {"building_id": world.units[0].building_id},
        "compound": {"compound": "aa"},
    }[where]
    response = report(client, world, **fields)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["location"] == label


def test_nobody_reports_for_someone_elses_home_or_unit(client, world):
    response = report(client, world, household_id=world.household("1-1-102").id)
    assert response.status_code == 403
    assert response.get_json()["code"] == "not_your_household"
    response = report(client, world, unit_id=world.units[1].id)
    assert response.status_code == 403


def test_places_of_another_compound_are_not_found(client, world):
    other = build_world("bb")
    response = report(client, world, household_id=other.household("1-1-101").id)
    assert response.status_code == 404
    assert report(client, world, compound="bb").status_code == 404


def test_someone_without_a_home_cannot_report(client, world):
    response = report(client, world, who="outsider", compound=None)
    assert response.status_code == 403
    assert response.get_json()["code"] == "not_bound"


def test_a_liaison_files_for_a_neighbour_without_wechat(client, world):
    response = report(
        client,
        world,
        who="liaison_1_1",
        household_id=world.household("1-1-102").id,
        on_behalf_name="王奶奶",
        category="care",
        title="独居老人需要帮忙买菜",
    )
    assert response.status_code == 201
    issue = response.get_json()
    assert issue["on_behalf_name"] == "王奶奶"
    assert issue["reporter_name"] == "王奶奶"
    stored = db.session.get(Issue, issue["id"])
    assert stored.reporter_id is None
    assert stored.filed_by_id == world.people["liaison_1_1"].id
    # The liaison who filed it answers for the neighbour: may confirm later.
    assert "confirm" not in issue["actions"]
    act(client, world, issue["id"], "liaison_1_1", "accept")
    resolved = act(client, world, issue["id"], "liaison_1_1", "resolve", note="已帮忙采购")
    assert "confirm" in resolved.get_json()["actions"]


def test_filing_for_others_is_for_volunteers_and_needs_a_home(client, world):
    response = report(client, world, on_behalf_name="王奶奶")
    assert response.status_code == 403
    assert response.get_json()["code"] == "cannot_file_for_others"
    response = report(
        client, world, who="liaison_1_1", unit_id=world.units[0].id, on_behalf_name="王奶奶"
    )
    assert response.status_code == 400
    assert response.get_json()["code"] == "household_required"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"category": "noise"}, "category"),
        ({"title": ""}, "title"),
        ({"title": "灯" * 31}, "title"),
        ({"title": "灯\n坏了"}, "title"),
        ({"description": ""}, "description"),
        ({"description": "x" * 1001}, "description"),
        ({"photos": list(range(1, 11))}, "photos"),
        ({"household_id": "1"}, "household_id"),
    ],
)
def test_malformed_reports_get_400_naming_the_field(client, world, fields, field):
    response = report(client, world, **fields)
    assert response.status_code == 400
    assert field in response.get_json()["details"]["fields"]


def test_a_multi_line_description_is_kept(client, world):
    response = report(client, world, description="第一行\n第二行")
    assert response.get_json()["description"] == "第一行\n第二行"


# ----- photos -----


def test_photos_attach_once_and_are_seen_by_whom_may_see_the_issue(client, world, photo_storage):
    photo = uploaded_id(client, world)
    issue = report(client, world, photos=[photo]).get_json()
    assert issue["photos"] == [photo]
    assert issue["timeline"][0]["photos"] == [photo]
    # The unit's liaison now sees the photo; a neighbour of another household does not.
    assert (
        client.get(f"/api/v1/uploads/{photo}", headers=world.headers("liaison_1_1")).status_code
        == 200
    )
    assert (
        client.get(f"/api/v1/uploads/{photo}", headers=world.headers("resident_1_2")).status_code
        == 404
    )
    again = report(client, world, photos=[photo])
    assert again.status_code == 400
    assert again.get_json()["code"] == "photo_invalid"


def test_nobody_attaches_someone_elses_photo(client, world, photo_storage):
    photo = uploaded_id(client, world, who="resident_1_2")
    response = report(client, world, photos=[photo])
    assert response.status_code == 400
    assert response.get_json()["code"] == "photo_invalid"


# ----- who may see -----


def test_a_resident_cannot_read_another_households_issue(client, world):
    issue_id = reported_id(client, world)
    response = client.get(f"/api/v1/issues/{issue_id}", headers=world.headers("resident_1_2"))
    assert response.status_code == 404
    listed = client.get("/api/v1/issues", headers=world.headers("resident_1_2")).get_json()
    assert listed["items"] == []


def test_volunteers_see_across_units_but_without_the_reporters_name(client, world):
    issue_id = reported_id(client, world)
    other = client.get(
        f"/api/v1/issues/{issue_id}", headers=world.headers("liaison_1_2")
    ).get_json()
    assert other["reporter_name"] is None
    assert other["timeline"][0]["actor_name"] is None
    assert other["actions"] == []
    own = client.get(f"/api/v1/issues/{issue_id}", headers=world.headers("liaison_1_1")).get_json()
    assert own["reporter_name"] == world.people["resident_1_1"].nickname
    assert own["actions"] == ["accept", "reject", "mark_duplicate"]
    logged = db.session.scalars(
        select(AccessLog).where(AccessLog.subject_type == "issue_reporter")
    ).all()
    assert [(e.actor_id, e.subject_id) for e in logged] == [
        (world.people["liaison_1_1"].id, issue_id)
    ]


# ----- acting -----


def test_a_resident_cannot_accept_anything(client, world):
    issue_id = reported_id(client, world)
    response = act(client, world, issue_id, "resident_1_1", "accept")
    assert response.status_code == 403
    assert response.get_json()["code"] == "action_not_allowed"
    assert "联络人" in response.get_json()["message"]


def test_a_liaison_cannot_act_on_another_units_issue(client, world):
    issue_id = reported_id(client, world)
    response = act(client, world, issue_id, "liaison_1_2", "accept")
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["liaison_1_1", "lead_1", "committee"])
def test_handlers_accept(client, world, who):
    issue_id = reported_id(client, world)
    response = act(client, world, issue_id, who, "accept")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "accepted"
    assert body["track"] == "onsite"
    assert body["timeline"][-1]["actor_role"] in {"liaison", "building_lead", "committee"}


def test_an_action_from_the_wrong_state_is_a_409(client, world):
    issue_id = reported_id(client, world)
    response = act(client, world, issue_id, "liaison_1_1", "resolve", note="修好了")
    assert response.status_code == 409
    assert response.get_json()["code"] == "invalid_transition"
    assert "待受理" in response.get_json()["message"]


def test_refer_to_an_outside_body_and_resolve(client, world):
    issue_id = reported_id(client, world, category="hazard", title="电线老化")
    act(client, world, issue_id, "liaison_1_1", "accept")
    next_week = shanghai_date(7).isoformat()
    missing = act(client, world, issue_id, "liaison_1_1", "refer", follow_up_on=next_week)
    assert missing.status_code == 400
    assert missing.get_json()["code"] == "referral_body_required"
    past = act(
        client,
        world,
        issue_id,
        "liaison_1_1",
        "refer",
        referral_body="供电局",
        follow_up_on=shanghai_date(-1).isoformat(),
    )
    assert past.get_json()["code"] == "follow_up_in_past"
    referred = act(
        client,
        world,
        issue_id,
        "liaison_1_1",
        "refer",
        referral_body="供电局",
        referral_contact="95598",
        referral_ref="GD-2026-1201",
        follow_up_on=next_week,
    ).get_json()
    assert referred["status"] == "referred"
    assert referred["referral"] == {
        "body": "供电局",
        "contact": "95598",
        "reference": "GD-2026-1201",
        "follow_up_on": next_week,
    }
    resolved = act(client, world, issue_id, "liaison_1_1", "resolve", note="供电局已更换线路")
    assert resolved.get_json()["status"] == "resolved"


def test_resolve_reject_and_reopen_need_a_note(client, world):
    issue_id = reported_id(client, world)
    assert (
        act(client, world, issue_id, "committee", "reject").get_json()["code"] == "reason_required"
    )
    act(client, world, issue_id, "liaison_1_1", "accept")
    assert (
        act(client, world, issue_id, "liaison_1_1", "resolve").get_json()["code"] == "note_required"
    )


def test_only_the_reporter_confirms_and_with_a_rating(client, world):
    issue_id = reported_id(client, world)
    act(client, world, issue_id, "liaison_1_1", "accept")
    act(client, world, issue_id, "liaison_1_1", "resolve", note="已修好")
    assert act(client, world, issue_id, "liaison_1_1", "confirm", rating=5).status_code == 403
    no_rating = act(client, world, issue_id, "resident_1_1", "confirm")
    assert no_rating.get_json()["code"] == "rating_required"
    out_of_range = act(client, world, issue_id, "resident_1_1", "confirm", rating=6)
    assert out_of_range.status_code == 400
    closed = act(
        client, world, issue_id, "resident_1_1", "confirm", rating=4, note="很快"
    ).get_json()
    assert closed["status"] == "closed"
    assert (closed["rating"], closed["feedback"]) == (4, "很快")


def test_reopen_within_seven_days_only(client, world):
    issue_id = reported_id(client, world)
    act(client, world, issue_id, "liaison_1_1", "accept")
    resolved_at = day(1, "08:00")
    with freeze_time(resolved_at):
        act(client, world, issue_id, "liaison_1_1", "resolve", note="已修好")
    with freeze_time(resolved_at + timedelta(days=7, hours=1)):
        late = act(client, world, issue_id, "resident_1_1", "reopen", note="又坏了")
    assert late.status_code == 409
    assert late.get_json()["code"] == "reopen_window_passed"
    with freeze_time(resolved_at + timedelta(days=6, hours=1)):
        reopened = act(client, world, issue_id, "resident_1_1", "reopen", note="又坏了")
    assert reopened.status_code == 200
    assert reopened.get_json()["status"] == "accepted"
    assert db.session.get(Issue, issue_id).reopen_count == 1


def test_mark_duplicate_points_at_a_real_issue_of_the_compound(client, world):
    original = reported_id(client, world)
    copy = reported_id(client, world)
    other = build_world("bb")
    foreign = reported_id(client, other)
    for target in (copy, foreign, 987654):
        response = act(client, world, copy, "liaison_1_1", "mark_duplicate", duplicate_of=target)
        assert response.status_code == 400
        assert response.get_json()["code"] == "duplicate_of_invalid"
    marked = act(
        client, world, copy, "liaison_1_1", "mark_duplicate", duplicate_of=original
    ).get_json()
    assert (marked["status"], marked["duplicate_of"]) == ("duplicate", original)


def test_every_change_writes_its_timeline_entry_and_its_messages(client, world):
    issue_id = reported_id(client, world)
    act(client, world, issue_id, "liaison_1_1", "accept", note="马上到")
    issue = client.get(
        f"/api/v1/issues/{issue_id}", headers=world.headers("resident_1_1")
    ).get_json()
    assert [(e["action"], e["to_status"], e["note"]) for e in issue["timeline"]] == [
        ("submit", "submitted", None),
        ("accept", "accepted", "马上到"),
    ]
    queued = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    pushed_to = {(m.template, m.user_id) for m in queued}
    assert ("new_issue", world.people["liaison_1_1"].id) in pushed_to
    assert ("new_issue", world.people["committee"].id) in pushed_to
    assert ("issue_status", world.people["resident_1_1"].id) in pushed_to
    assert ("new_issue", world.people["liaison_1_2"].id) not in pushed_to  # not their unit
    inbox = client.get("/api/v1/me/notifications", headers=world.headers("resident_1_1")).get_json()
    assert inbox["unread"] == 1
    assert inbox["items"][0]["body"] == "马上到"


# ----- lists -----


def test_lists_filter_and_flag_overdue(client, world):
    reported_at = day(-3, "08:00")
    with freeze_time(reported_at):
        repair = reported_id(client, world)
        hazard = reported_id(client, world, category="hazard", title="煤气味")
    with freeze_time(reported_at + timedelta(hours=6)):  # past the hazard's 4 h, within 24
        headers = world.fresh_headers("liaison_1_1")
        items = client.get("/api/v1/issues?handled=true", headers=headers).get_json()["items"]
        assert {i["id"]: i["overdue"] for i in items} == {repair: False, hazard: True}
        overdue = client.get("/api/v1/issues?overdue=true", headers=headers).get_json()["items"]
        assert [i["id"] for i in overdue] == [hazard]
        hazards = client.get("/api/v1/issues?category=hazard", headers=headers).get_json()["items"]
        assert [i["id"] for i in hazards] == [hazard]
    other_unit = client.get("/api/v1/issues?handled=true", headers=world.headers("liaison_1_2"))
    assert other_unit.get_json()["items"] == []


def test_cursor_pagination_walks_every_issue_once(client, world):
    ids = {reported_id(client, world, title=f"事项{i}") for i in range(23)}
    seen, cursor = [], None
    while True:
        url = "/api/v1/issues?mine=true&limit=10" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, headers=world.headers("resident_1_1")).get_json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(ids)
    assert seen == sorted(seen, reverse=True)
    bad = client.get("/api/v1/issues?cursor=!!!", headers=world.headers("resident_1_1"))
    assert bad.status_code == 400


def test_listing_runs_a_constant_number_of_statements(app, client, world):
    for i in range(50):
        issue_id = reported_id(client, world, title=f"事项{i}")
        if i % 2:
            act(client, world, issue_id, "liaison_1_1", "accept", note="收到")
    headers = world.headers("committee")

    def page(size):
        response = client.get(f"/api/v1/issues?limit={size}", headers=headers)
        items = response.get_json()["items"]
        assert len(items) == size
        assert all(item["latest"] for item in items)
        return items

    small = len(statements(lambda: page(5)))
    large = len(statements(lambda: page(50)))
    assert small == large
    assert large <= 5  # sign-in, issues, their latest entries, photo counts


def test_the_detail_runs_at_most_five_statements_however_long_its_timeline(app, client, world):
    """A resident's detail of an issue in a room (the location joined in), with a
    timeline of several entries by different people."""
    issue_id = reported_id(client, world)
    act(client, world, issue_id, "liaison_1_1", "accept", note="收到")
    act(client, world, issue_id, "liaison_1_1", "resolve", note="修好了")
    headers = world.headers("resident_1_1")

    def read():
        body = client.get(f"/api/v1/issues/{issue_id}", headers=headers).get_json()
        assert body["location"] == "1-1-101"
        assert [e["action"] for e in body["timeline"]] == ["submit", "accept", "resolve"]
        return body

    assert len(statements(read)) <= 5
    # The liaison sees the names of everyone on the timeline, in as many statements.
    liaison = world.headers("liaison_1_1")
    body = client.get(f"/api/v1/issues/{issue_id}", headers=liaison).get_json()
    assert all(entry["actor_name"] for entry in body["timeline"])


def test_each_list_item_shows_its_latest_entry(client, world):
    issue_id = reported_id(client, world)
    act(client, world, issue_id, "liaison_1_1", "accept", note="明天上午来修")
    (item,) = client.get(
        "/api/v1/issues?mine=true", headers=world.headers("resident_1_1")
    ).get_json()["items"]
    assert item["latest"]["action"] == "accept"
    assert item["latest"]["note"] == "明天上午来修"


# ----- deadlines -----


def test_the_committee_sets_deadlines_per_category(client, world):
    headers = world.headers("committee")
    response = client.put(
        "/api/v1/compounds/aa/policies/repair",
        json={"accept_hours": 2, "resolve_days": 3},
        headers=headers,
    )
    assert response.status_code == 200
    policies = {p["category"]: p for p in response.get_json()["items"]}
    assert (policies["repair"]["accept_hours"], policies["repair"]["resolve_days"]) == (2, 3)
    forbidden = client.put(
        "/api/v1/compounds/aa/policies/repair",
        json={"accept_hours": 2, "resolve_days": 3},
        headers=world.headers("liaison_1_1"),
    )
    assert forbidden.status_code == 403


def test_new_deadlines_apply_to_new_issues(client, world):
    client.put(
        "/api/v1/compounds/aa/policies/repair",
        json={"accept_hours": 2, "resolve_days": 3},
        headers=world.headers("committee"),
    )
    issue_id = reported_id(client, world)
    stored = db.session.get(Issue, issue_id)
    assert stored.response_due_at - stored.created_at == timedelta(hours=2)


def test_handlers_list_a_units_rooms_to_file_for_a_neighbour(client, world):
    unit = world.units[0]
    rooms = client.get(f"/api/v1/units/{unit.id}/households", headers=world.headers("liaison_1_1"))
    assert rooms.status_code == 200
    assert [h["label"] for h in rooms.get_json()["items"]] == ["1-1-101", "1-1-102", "1-1-201"]
    assert "name" not in rooms.get_json()["items"][0]
    for who in ("liaison_1_2", "resident_1_1"):
        refused = client.get(f"/api/v1/units/{unit.id}/households", headers=world.headers(who))
        assert refused.status_code == 403


def test_lists_filter_by_unit_and_building_given_in_the_query_string(client, world):
    mine = reported_id(client, world)
    theirs = reported_id(
        client, world, who="resident_1_2", household_id=world.household("1-2-101").id
    )
    headers = world.headers("committee")
    unit_1 = client.get(f"/api/v1/issues?unit_id={world.units[0].id}", headers=headers)
    assert unit_1.status_code == 200
    assert [i["id"] for i in unit_1.get_json()["items"]] == [mine]
    building = client.get(
        f"/api/v1/issues?building_id={world.units[0].building_id}", headers=headers
    )
    assert sorted(i["id"] for i in building.get_json()["items"]) == sorted([mine, theirs])
    assert client.get("/api/v1/issues?unit_id=1.5", headers=headers).status_code == 400
