"""Races on the census, sweeps and care visits: the same door recorded twice at once,
a household's tags or record saved twice at once, a visit recorded twice at once.
Whatever the order, nobody gets a 500 and nothing is made twice.

(Meaningful on MariaDB, where row locks decide; on SQLite the write lock serialises
the transactions, which still shows a commit made in the middle of a use case.)
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.extensions import db
from server.models import CareTag, CareVisit, HouseholdCensus, Issue
from server.models.campaigns import CampaignResult
from tests.factories import build_world
from tests.helpers import together
from tests.timing import shanghai_date

CODE = "cc"


@pytest.fixture
def world(committed_db):
    world = build_world(CODE)
    db.session.commit()
    return world


def _post(app, path, body, headers):
    return lambda: app.test_client().post(path, json=body, headers=headers).status_code


def _put(app, path, body, headers):
    return lambda: app.test_client().put(path, json=body, headers=headers).status_code


def _count(model, *where) -> int:
    n = db.session.scalar(select(func.count()).select_from(model).where(*where))
    db.session.commit()
    return n


def test_two_needs_action_findings_at_one_door_open_one_issue(app, world):
    body = {
        "type": "safety",
        "title": "消防排查",
        "scope": "compound",
        "due_on": shanghai_date(7).isoformat(),
    }
    response = app.test_client().post(
        f"/api/v1/compounds/{CODE}/campaigns", json=body, headers=world.headers("committee")
    )
    assert response.status_code == 201, response.get_json()
    campaign_id = response.get_json()["id"]
    household_id = world.household_ids["1-1-102"]
    finding = {
        "household_id": household_id,
        "items": [{"item": "燃气异味", "ok": False, "note": "厨房有味"}],
        "needs_action": True,
    }
    path = f"/api/v1/campaigns/{campaign_id}/results"
    calls = [_post(app, path, finding, world.headers(who)) for who in ("liaison_1_1", "lead_1")]

    results, errors = together(app, calls)

    assert errors == []
    assert sorted(results) == [201, 201]
    assert _count(CampaignResult, CampaignResult.household_id == household_id) == 1
    assert _count(Issue, Issue.household_id == household_id) == 1
    linked = db.session.scalar(
        select(CampaignResult.issue_id).where(CampaignResult.household_id == household_id)
    )
    db.session.commit()
    assert linked is not None


def test_tags_set_twice_at_once_make_one_tag_and_one_visit(app, world):
    household_id = world.household_ids["1-1-102"]
    path = f"/api/v1/households/{household_id}/tags"
    body = {"tags": ["elderly_alone"]}
    calls = [_put(app, path, body, world.headers(who)) for who in ("liaison_1_1", "committee")]

    results, errors = together(app, calls)

    assert errors == []
    assert results == [200, 200]
    assert _count(CareTag, CareTag.household_id == household_id) == 1
    assert _count(CareVisit, CareVisit.household_id == household_id) == 1


def test_a_record_confirmed_twice_at_once_is_confirmed(app, world):
    household_id = world.household_ids["1-1-102"]
    path = f"/api/v1/households/{household_id}/confirm"
    calls = [_post(app, path, {}, world.headers(who)) for who in ("liaison_1_1", "committee")]

    results, errors = together(app, calls)

    assert errors == []
    assert results == [200, 200]
    assert _count(HouseholdCensus, HouseholdCensus.household_id == household_id) == 1


def test_a_visit_recorded_twice_at_once_is_recorded_once(app, world):
    household_id = world.household_ids["1-1-102"]
    response = app.test_client().put(
        f"/api/v1/households/{household_id}/tags",
        json={"tags": ["elderly_alone"]},
        headers=world.headers("liaison_1_1"),
    )
    assert response.status_code == 200, response.get_json()
    visit_id = db.session.scalar(select(CareVisit.id).where(CareVisit.open_key == household_id))
    db.session.commit()
    path = f"/api/v1/visits/{visit_id}/record"
    calls = [
        _post(app, path, {"how": "good"}, world.headers(who)) for who in ("liaison_1_1", "lead_1")
    ]

    results, errors = together(app, calls)

    assert errors == []
    assert sorted(results) == [200, 409]
    assert _count(CareVisit, CareVisit.household_id == household_id) == 2  # done + the next
    assert _count(CareVisit, CareVisit.open_key == household_id) == 1


def test_cadences_saved_twice_at_once_are_both_saved(app, world):
    for label in ("1-1-101", "1-1-102", "1-2-101"):
        response = app.test_client().put(
            f"/api/v1/households/{world.household_ids[label]}/tags",
            json={"tags": ["elderly_alone"]},
            headers=world.headers("committee"),
        )
        assert response.status_code == 200, response.get_json()
    path = f"/api/v1/compounds/{CODE}/care/cadences"
    calls = [
        _put(app, path, {"items": [{"tag": "elderly_alone", "every_days": days}]}, headers)
        for days, headers in ((3, world.headers("committee")), (5, world.headers("committee_2")))
    ]

    results, errors = together(app, calls)

    assert errors == []
    assert results == [200, 200]
    assert _count(CareVisit, CareVisit.open_key.is_not(None)) == 3
