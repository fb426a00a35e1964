"""The request loop end to end, through the WeChat sandbox over real HTTP:

a resident reports → the unit's liaison is pushed → accepts → the resident hears
→ resolved → confirmed with a rating → closed → a week later the return visit.
"""

from __future__ import annotations

from datetime import timedelta

from freezegun import freeze_time

from server.extensions import db
from server.services.issues import return_visits
from tests.factories import build_world
from tests.helpers import dispatch
from tests.steps import sign_in


def _subscribe(client, headers, *names):
    config = client.get("/api/v1/config").get_json()
    ids = [config["subscribe_templates"][name] for name in names]
    response = client.post("/api/v1/me/subscriptions", json={"accepted": ids}, headers=headers)
    assert response.status_code == 200
    return ids


def test_report_push_accept_resolve_confirm_and_return_visit(app, sandbox, committed_db):
    world = build_world("aa")
    household_id = world.household("1-1-101").id
    db.session.commit()  # and touch no model after: on SQLite a read would hold the write lock
    client = app.test_client()
    resident, liaison = world.headers("resident_1_1"), world.headers("liaison_1_1")
    resident_openid, liaison_openid = world.openid("resident_1_1"), world.openid("liaison_1_1")
    _subscribe(client, resident, "issue_status", "return_visit")
    _subscribe(client, liaison, "new_issue")

    reported = client.post(
        "/api/v1/issues",
        json={
            "category": "repair",
            "title": "二单元三楼楼道灯不亮了，晚上上下楼很危险，请尽快修理",
            "description": "楼道灯不亮\n已经三天了",
            "household_id": household_id,
        },
        headers=resident,
    )
    assert reported.status_code == 201, reported.get_json()
    issue = reported.get_json()
    assert issue["status"] == "submitted"

    assert dispatch(app).sent == 1
    (push,) = sandbox.messages(touser=liaison_openid)
    assert push["template_id"] == "sandbox-new_issue"
    assert push["data"]["thing1"].endswith("…")  # a long title is shortened, not refused
    assert len(push["data"]["thing1"]) == 20
    assert push["page"] == f"pages/issue/index?id={issue['id']}"

    accepted = client.post(
        f"/api/v1/issues/{issue['id']}/transitions", json={"action": "accept"}, headers=liaison
    )
    assert accepted.status_code == 200
    assert accepted.get_json()["status"] == "accepted"
    assert dispatch(app).sent == 1
    (status_push,) = sandbox.messages(touser=resident_openid)
    assert status_push["data"]["phrase2"] == "处理中"

    resolved = client.post(
        f"/api/v1/issues/{issue['id']}/transitions",
        json={"action": "resolve", "note": "已更换灯泡"},
        headers=liaison,
    )
    assert resolved.get_json()["actions"] == []  # the liaison has nothing left to do
    mine = client.get(f"/api/v1/issues/{issue['id']}", headers=resident).get_json()
    assert mine["actions"] == ["confirm", "reopen"]

    closed = client.post(
        f"/api/v1/issues/{issue['id']}/transitions",
        json={"action": "confirm", "rating": 5, "note": "谢谢！"},
        headers=resident,
    ).get_json()
    assert closed["status"] == "closed"
    assert closed["rating"] == 5
    assert [e["action"] for e in closed["timeline"]] == ["submit", "accept", "resolve", "confirm"]

    # The resident's one status subscription was spent on "accepted": later news
    # reaches the inbox only (no second push without a second "allow").
    dispatch(app)
    assert len(sandbox.messages(touser=resident_openid)) == 1
    inbox = client.get("/api/v1/me/notifications", headers=resident).get_json()
    assert [n["kind"] for n in inbox["items"]] == ["issue_status", "issue_status"]
    assert inbox["unread"] == 2

    with freeze_time(timedelta(days=7, minutes=1), tick=True):
        with app.app_context():
            assert return_visits.send_due() == 1
        assert dispatch(app).sent == 1
        visit_push = sandbox.messages(touser=resident_openid)[-1]
        assert visit_push["template_id"] == "sandbox-return_visit"
        # A week on, yesterday's token has expired: the client signs in again.
        login = sign_in(client, f"demo-{resident_openid}")
        resident = {"Authorization": f"Bearer {login.get_json()['token']}"}
        detail = client.get(f"/api/v1/issues/{issue['id']}", headers=resident).get_json()
        assert detail["can_answer_return_visit"] is True
        answered = client.post(
            f"/api/v1/issues/{issue['id']}/return-visit", json={"fixed": True}, headers=resident
        )
        assert answered.status_code == 200
        assert answered.get_json()["answer"] == "fixed"
