"""Care visits (关爱走访): a tagged household's visit is its liaison's task on the day it
falls due; recording it closes it and makes the next one a cadence later; a concern
reaches the committee at once and a need becomes a care issue; the committee sets the
cadences; a handover moves the visits; nobody else records, and every read of a care
tag or of the visits by a volunteer is in the access log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from server.clock import utcnow
from server.extensions import db
from server.models import AccessLog, CareTag, CareVisit, Compound, Household, Issue, Membership
from server.services.care.schedule import sync_household
from server.services.issues import return_visits
from tests.factories import add_person, build_world, care_tagged
from tests.helpers import inbox
from tests.steps import acted, reported_id
from tests.timing import shanghai_date

CODE = "cv"
TODAY = shanghai_date(0)


@pytest.fixture
def world(db_session):
    return build_world(CODE)


def tag(world, label: str = "1-1-101", care_tag: str = "elderly_alone") -> int:
    """Tag the household as the census does (the tag, then sync); its open visit's id."""
    _household, visit = care_tagged(world, label, care_tag)
    db.session.commit()
    return visit.id


def tasks(client, world, who: str) -> list[dict]:
    response = client.get("/api/v1/me/tasks", headers=world.headers(who))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def care_tasks(client, world, who: str) -> list[dict]:
    return [item for item in tasks(client, world, who) if item["kind"] == "care_visit"]


def record(client, world, visit_id: int, who: str = "liaison_1_1", **body):
    body.setdefault("how", "good")
    return client.post(f"/api/v1/visits/{visit_id}/record", json=body, headers=world.headers(who))


def recorded(client, world, visit_id: int, who: str = "liaison_1_1", **body) -> dict:
    response = record(client, world, visit_id, who, **body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def error(response) -> tuple[int, str]:
    return response.status_code, response.get_json()["code"]


def history(client, world, who: str, label: str = "1-1-101"):
    return client.get(
        f"/api/v1/households/{world.household_ids[label]}/visits", headers=world.headers(who)
    )


def logged(world, who: str, action: str) -> list[AccessLog]:
    return list(
        db.session.scalars(
            select(AccessLog).where(
                AccessLog.actor_id == world.user_ids[who], AccessLog.action == action
            )
        )
    )


def cadences(client, world, who="committee", **body):
    if body:
        return client.put(
            f"/api/v1/compounds/{CODE}/care/cadences", json=body, headers=world.headers(who)
        )
    return client.get(f"/api/v1/compounds/{CODE}/care/cadences", headers=world.headers(who))


# ----- the task list -----


def test_a_weekly_visit_due_today_is_the_units_liaisons_task(client, world):
    visit_id = tag(world)

    (task,) = care_tasks(client, world, "liaison_1_1")
    assert task == {
        "kind": "care_visit",
        "visit_id": visit_id,
        "household_id": world.household_ids["1-1-101"],
        "label": "1-1-101",
        "tag": "elderly_alone",
        "tag_label": "独居老人",
        "due_on": TODAY.isoformat(),
        "overdue": False,
        "escalation_level": 0,
    }
    # Another unit's liaison, and (not yet missed) the lead and the committee: not theirs.
    for who in ("liaison_1_2", "lead_1", "committee", "supervisor", "resident_1_1"):
        assert care_tasks(client, world, who) == [], who
    # Reading the care tag is logged, with the household and why.
    (line,) = logged(world, "liaison_1_1", "view_tags")
    assert (line.household_id, line.subject_type, line.reason) == (
        world.household_ids["1-1-101"],
        "care_tag",
        "关爱走访任务",
    )


def test_overdue_care_visits_come_first_then_return_visits_then_todays(client, world):
    today_id = tag(world, "1-1-101")
    late_id = tag(world, "1-1-102", "hardship")
    db.session.get(CareVisit, late_id).due_on = TODAY - timedelta(days=3)
    issue_id = reported_id(client, world, category="care", title="独居老人需要送餐")
    acted(client, world, issue_id, "liaison_1_1", "accept")
    acted(client, world, issue_id, "liaison_1_1", "resolve", note="已联系社区送餐")
    acted(client, world, issue_id, "resident_1_1", "confirm", rating=5)
    assert return_visits.send_due(utcnow() + timedelta(days=8)) == 1
    db.session.commit()

    items = tasks(client, world, "liaison_1_1")

    assert [(i["kind"], i["visit_id"] if i["kind"] == "care_visit" else None) for i in items] == [
        ("care_visit", late_id),
        ("return_visit", None),
        ("care_visit", today_id),
    ]
    assert items[0]["overdue"] is True
    visit = items[1]
    assert (visit["issue_id"], visit["title"], visit["category"]) == (
        issue_id,
        "独居老人需要送餐",
        "care",
    )
    assert {"visit_id", "due_at", "on_behalf_name"} <= set(visit)


def test_a_visit_not_yet_due_is_no_task(client, world):
    visit_id = tag(world)
    db.session.get(CareVisit, visit_id).due_on = TODAY + timedelta(days=1)
    db.session.commit()
    assert care_tasks(client, world, "liaison_1_1") == []


# ----- recording -----


def test_recording_closes_the_visit_and_makes_the_next_a_week_on(client, world):
    visit_id = tag(world)

    done = recorded(client, world, visit_id, how="good", method="phone", note="身体不错")

    assert (done["status"], done["status_label"]) == ("done", "已走访")
    assert (done["how_label"], done["method_label"]) == ("挺好", "电话")
    assert done["visited_on"] == TODAY.isoformat()
    assert done["recorded_by"]
    assert done["next_due_on"] == (TODAY + timedelta(days=7)).isoformat()
    assert care_tasks(client, world, "liaison_1_1") == []
    shown = history(client, world, "liaison_1_1").get_json()
    assert shown["household"]["label"] == "1-1-101"
    assert [(v["status"], v["due_on"]) for v in shown["items"]] == [
        ("due", (TODAY + timedelta(days=7)).isoformat()),
        ("done", TODAY.isoformat()),
    ]
    assert shown["items"][1]["note"] == "身体不错"
    assert shown["may_record"] is True


def test_a_visit_made_days_ago_counts_from_that_day(client, world):
    visit_id = tag(world)
    done = recorded(client, world, visit_id, visited_on=(TODAY - timedelta(days=3)).isoformat())
    assert done["next_due_on"] == (TODAY + timedelta(days=4)).isoformat()


def test_a_visit_cannot_be_recorded_for_tomorrow_or_twice(client, world):
    visit_id = tag(world)
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    refused = record(client, world, visit_id, visited_on=tomorrow)
    assert refused.status_code == 400
    assert "visited_on" in refused.get_json()["details"]["fields"]
    recorded(client, world, visit_id)
    again = record(client, world, visit_id, who="lead_1")
    assert error(again) == (409, "visit_closed")
    assert again.get_json()["message"] == "这次走访已经有人记录过了，请刷新后再看"


@pytest.mark.parametrize("body", [{"how": "great"}, {"how": "good", "method": "letter"}, {}])
def test_what_the_visit_found_is_checked(client, world, body):
    visit_id = tag(world)
    response = client.post(
        f"/api/v1/visits/{visit_id}/record", json=body, headers=world.headers("liaison_1_1")
    )
    assert response.status_code == 400
    assert db.session.get(CareVisit, visit_id).status == "due"


def test_the_lead_and_the_committee_may_record_too(client, world):
    first = tag(world)
    assert recorded(client, world, first, who="lead_1")["status"] == "done"
    second = tag(world, "1-2-101")
    assert recorded(client, world, second, who="committee")["status"] == "done"


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("supervisor", 403, "visit_forbidden"),
        ("resident_1_1", 403, "visit_forbidden"),  # the household itself
        ("liaison_1_2", 403, "visit_forbidden"),  # another unit's liaison
        ("outsider", 404, "visit_not_found"),
    ],
)
def test_nobody_else_records(client, world, who, status, code):
    visit_id = tag(world)
    assert error(record(client, world, visit_id, who=who)) == (status, code)
    assert db.session.get(CareVisit, visit_id).status == "due"


def test_another_compounds_visit_is_not_found(client, world):
    other = build_world("cw")
    visit_id = tag(other)
    assert error(record(client, world, visit_id, who="committee")) == (404, "visit_not_found")


def test_a_concern_is_pushed_to_the_committee_at_once(client, world):
    visit_id = tag(world)

    recorded(client, world, visit_id, how="poor", concern=True, note="腿摔伤了，行动不便")

    for who in ("committee", "committee_2"):
        (news,) = [n for n in inbox(world.user_ids[who]) if n.kind == "care_concern"]
        assert news.title == "关爱走访有情况：1-1-101"
        assert "腿摔伤了" in news.body
        assert "独居" not in news.body
    assert [n for n in inbox(world.user_ids["lead_1"]) if n.kind == "care_concern"] == []


def test_a_committee_member_recording_a_concern_tells_the_others(client, world):
    visit_id = tag(world)
    recorded(client, world, visit_id, who="committee", how="poor", concern=True)
    assert [n.kind for n in inbox(world.user_ids["committee"])] == []
    assert "care_concern" in [n.kind for n in inbox(world.user_ids["committee_2"])]


def test_open_issue_files_a_care_issue_for_the_household(client, world):
    visit_id = tag(world)

    done = recorded(client, world, visit_id, how="fair", open_issue=True, note="需要有人送午饭")

    issue = db.session.get(Issue, done["issue_id"])
    assert (issue.category, issue.household_id) == ("care", world.household_ids["1-1-101"])
    assert issue.title == "1-1-101需要帮助"
    assert "需要有人送午饭" in issue.description
    assert "独居" not in issue.description + issue.title  # every volunteer may read an issue
    assert (issue.filed_by_id, issue.on_behalf_name) == (
        world.user_ids["liaison_1_1"],
        "1-1-101住户",
    )
    # The visit links it, and the request loop pushed it like any new issue.
    assert history(client, world, "committee").get_json()["items"][1]["issue_id"] == issue.id
    assert "new_issue" in [n.kind for n in inbox(world.user_ids["committee"])]
    assert care_tasks(client, world, "liaison_1_1") == []


def test_an_untagged_households_visit_is_cancelled_and_cannot_be_recorded(client, world):
    visit_id = tag(world)
    db.session.execute(CareTag.__table__.delete())
    sync_household(db.session.get(Household, world.household_ids["1-1-101"]))
    db.session.commit()
    refused = record(client, world, visit_id)
    assert error(refused) == (409, "visit_closed")
    assert refused.get_json()["message"] == "这户已不需要关爱走访，请刷新后再看"


def test_an_archived_compound_refuses_and_lists_no_tasks(client, world):
    visit_id = tag(world)
    db.session.get(Compound, world.compound.id).archived_at = utcnow()
    db.session.commit()
    assert error(record(client, world, visit_id)) == (409, "compound_archived")
    assert care_tasks(client, world, "liaison_1_1") == []
    assert db.session.get(CareVisit, visit_id).status == "due"


# ----- a household's visits -----


def test_the_household_sees_its_own_visits_unlogged_volunteers_logged(client, world):
    visit_id = tag(world)
    recorded(client, world, visit_id)

    own = history(client, world, "resident_1_1")
    assert own.status_code == 200
    assert own.get_json()["may_record"] is False
    assert len(own.get_json()["items"]) == 2
    assert logged(world, "resident_1_1", "view_visits") == []
    assert history(client, world, "lead_1").status_code == 200
    lines = logged(world, "lead_1", "view_visits")
    assert {line.subject_id for line in lines} == {v["id"] for v in own.get_json()["items"]}
    assert {line.reason for line in lines} == {"查看走访记录"}


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("liaison_1_2", 403, "census_forbidden"),
        ("supervisor", 403, "census_forbidden"),
        ("resident_1_2", 403, "census_forbidden"),
        ("outsider", 404, "household_not_found"),
    ],
)
def test_nobody_else_reads_a_households_visits(client, world, who, status, code):
    tag(world)
    assert error(history(client, world, who)) == (status, code)


# ----- cadences -----


def test_volunteers_read_the_cadences_with_the_defaults(client, world):
    for who in ("liaison_1_1", "lead_1", "committee"):
        response = cadences(client, world, who)
        assert response.status_code == 200, who
    items = response.get_json()["items"]
    assert [(i["tag"], i["every_days"], i["default"]) for i in items] == [
        ("elderly_alone", 7, 7),
        ("disability", 14, 14),
        ("needs_visits", 14, 14),
        ("hardship", 30, 30),
    ]
    assert items[0]["tag_label"] == "独居老人"
    for who in ("resident_1_1", "supervisor"):
        assert error(cadences(client, world, who)) == (403, "volunteers_only")
    assert error(cadences(client, world, "outsider")) == (404, "compound_not_found")


def test_a_longer_cadence_puts_the_next_visit_back_and_zero_stops_them(client, world):
    recorded(client, world, tag(world))  # next one in 7 days

    response = cadences(client, world, items=[{"tag": "elderly_alone", "every_days": 14}])

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["items"][0] == {
        "tag": "elderly_alone",
        "tag_label": "独居老人",
        "every_days": 14,
        "default": 7,
    }
    items = history(client, world, "committee").get_json()["items"]
    assert items[0]["due_on"] == (TODAY + timedelta(days=14)).isoformat()
    # Off: the open visit is cancelled; on again (shorter): due 3 days after the last.
    cadences(client, world, items=[{"tag": "elderly_alone", "every_days": 0}])
    assert [v["status"] for v in history(client, world, "committee").get_json()["items"]] == [
        "done"
    ]
    cadences(client, world, items=[{"tag": "elderly_alone", "every_days": 3}])
    items = history(client, world, "committee").get_json()["items"]
    assert (items[0]["status"], items[0]["due_on"]) == (
        "due",
        (TODAY + timedelta(days=3)).isoformat(),
    )


def test_a_missed_first_visit_stays_owed_whatever_the_cadence(client, world):
    visit_id = tag(world)
    db.session.get(CareVisit, visit_id).due_on = TODAY - timedelta(days=5)
    db.session.commit()
    cadences(client, world, items=[{"tag": "elderly_alone", "every_days": 30}])
    assert db.session.get(CareVisit, visit_id).due_on == TODAY - timedelta(days=5)


@pytest.mark.parametrize(
    "items",
    [
        [{"tag": "elderly_alone", "every_days": 366}],
        [{"tag": "elderly_alone", "every_days": -1}],
        [{"tag": "party_centre", "every_days": 7}],
        [{"tag": "elderly_alone", "every_days": "7"}],
        [],
    ],
)
def test_cadences_are_checked(client, world, items):
    assert cadences(client, world, items=items).status_code == 400


def test_a_tag_is_set_once_per_request_by_the_committee_only(client, world):
    twice = [{"tag": "hardship", "every_days": 7}, {"tag": "hardship", "every_days": 9}]
    assert error(cadences(client, world, items=twice)) == (400, "duplicate_tag")
    one = [{"tag": "hardship", "every_days": 7}]
    for who in ("liaison_1_1", "lead_1", "supervisor", "resident_1_1"):
        assert error(cadences(client, world, who, items=one)) == (403, "committee_only")
    assert error(cadences(client, world, "outsider", items=one)) == (404, "compound_not_found")
    db.session.get(Compound, world.compound.id).archived_at = utcnow()
    db.session.commit()
    assert error(cadences(client, world, items=one)) == (409, "compound_archived")


# ----- handover -----


def test_a_handover_moves_the_open_care_visits_to_the_successor(client, world):
    visit_id = tag(world)
    successor = world.user_ids["resident_1_1"]

    response = client.post(
        f"/api/v1/compounds/{CODE}/handovers",
        json={"unit": "1-1", "to_user_id": successor},
        headers=world.headers("committee"),
    )

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["care_visits"] == [visit_id]
    assert "待关爱走访 1 次" in body["summary"]
    assert db.session.get(CareVisit, visit_id).assignee_id == successor
    (news,) = [n for n in inbox(successor) if n.kind == "handover"]
    assert "待关爱走访 1 次" in news.body
    (task,) = care_tasks(client, world, "resident_1_1")
    assert task["visit_id"] == visit_id
    assert care_tasks(client, world, "liaison_1_1") == []


def test_a_liaison_revoked_without_successor_leaves_the_visits_to_the_units_other(client, world):
    visit_id = tag(world)
    add_person(world, "liaison_1_1b", "liaison", world.units[0])
    membership = db.session.scalars(
        select(Membership).where(
            Membership.user_id == world.user_ids["liaison_1_1"], Membership.role == "liaison"
        )
    ).one()
    db.session.commit()

    revoked = client.post(
        f"/api/v1/compounds/{CODE}/memberships/{membership.id}/revoke",
        json={"reason": "搬走了"},
        headers=world.headers("committee"),
    )

    assert revoked.status_code == 200, revoked.get_json()
    assert db.session.get(CareVisit, visit_id).assignee_id == world.user_ids["liaison_1_1b"]
    assert [t["visit_id"] for t in care_tasks(client, world, "liaison_1_1b")] == [visit_id]
