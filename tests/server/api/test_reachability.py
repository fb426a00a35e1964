"""Who a push reaches: a handler's own subscriptions (GET/POST /me/subscriptions) and,
for the committee, every liaison of the compound unit by unit, gaps first
(GET /compounds/{code}/reachability)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from server.clock import utcnow
from server.extensions import db
from server.models import AccessLog, User
from server.services.people import roles
from tests.factories import build_world, make_issues
from tests.helpers import dispatch

NEW_ISSUE, REMINDER = "sandbox-new_issue", "sandbox-reminder"
REACH = "/api/v1/compounds/aa/reachability"


@pytest.fixture
def world(db_session):
    return build_world("aa", units_per_building=3)


def subscribe(client, world, who, *templates):
    response = client.post(
        "/api/v1/me/subscriptions", json={"accepted": list(templates)}, headers=world.headers(who)
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def my_status(client, world, who):
    response = client.get("/api/v1/me/subscriptions", headers=world.headers(who))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def reach_of(status) -> dict:
    """name → (channel, remaining) of the handlers' two messages."""
    found = {m["name"]: (m["channel"], m["remaining"]) for m in status["messages"]}
    return {name: found[name] for name in ("new_issue", "reminder")}


def compound_reach(client, world, who="committee"):
    response = client.get(REACH, headers=world.headers(who))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def units(body) -> list[tuple[str, str]]:
    return [(u["label"], u["status"]) for u in body["units"]]


def liaison_line(body, label):
    (unit,) = [u for u in body["units"] if u["label"] == label]
    return [(v["name"], v["channel"], v["new_issue_left"]) for v in unit["liaisons"]]


@pytest.fixture
def official_account(app, sandbox, monkeypatch):
    """The deployment's official account sends new issues (not reminders)."""
    monkeypatch.setitem(app.config, "WECHAT_OA_APPID", sandbox.state.oa_appid)
    monkeypatch.setitem(app.config, "WECHAT_OA_SECRET", sandbox.state.oa_secret)
    monkeypatch.setitem(app.config, "WECHAT_OA_TEMPLATES", {"new_issue": "oa-new-issue"})


def link(world, who):
    user_id = world.people[who].id
    db.session.execute(update(User).where(User.id == user_id).values(oa_openid=f"oa-{who}"))
    db.session.flush()


# ----- my own subscriptions -----


def test_a_handler_who_never_tapped_hears_only_through_the_inbox(client, world):
    status = my_status(client, world, "liaison_1_1")
    assert status["official_account_linked"] is False
    assert status["official_account_enabled"] is False
    assert reach_of(status) == {"new_issue": ("inbox", 0), "reminder": ("inbox", 0)}
    templates = {m["name"]: m["template_id"] for m in status["messages"]}
    assert templates["new_issue"] == NEW_ISSUE
    assert templates["reminder"] == REMINDER


def test_each_accept_adds_one_send_and_the_answer_shows_what_is_left(client, world):
    first = subscribe(client, world, "liaison_1_1", NEW_ISSUE, REMINDER)
    assert reach_of(first) == {"new_issue": ("subscribe", 1), "reminder": ("subscribe", 1)}
    second = subscribe(client, world, "liaison_1_1", NEW_ISSUE)
    assert reach_of(second) == {"new_issue": ("subscribe", 2), "reminder": ("subscribe", 1)}
    assert second["quotas"] == {NEW_ISSUE: 2, REMINDER: 1}
    assert reach_of(my_status(client, world, "liaison_1_1")) == reach_of(second)
    # Someone else's taps are not mine.
    assert reach_of(my_status(client, world, "liaison_1_2"))["new_issue"] == ("inbox", 0)


def test_a_template_we_do_not_use_is_refused_with_a_clear_message(client, world):
    response = client.post(
        "/api/v1/me/subscriptions", json={"accepted": ["made-up"]}, headers=world.headers("lead_1")
    )
    assert response.status_code == 400
    assert response.get_json()["message"] == "未知的订阅消息模板"


def test_a_handler_following_the_official_account_is_pushed_without_tapping(
    client, world, official_account
):
    link(world, "liaison_1_1")
    status = my_status(client, world, "liaison_1_1")
    assert status["official_account_linked"] is True
    assert status["official_account_enabled"] is True
    # The account sends new issues; reminders still need a subscription.
    assert reach_of(status) == {"new_issue": ("official_account", 0), "reminder": ("inbox", 0)}


def test_following_counts_only_when_the_service_has_an_official_account(client, world):
    link(world, "liaison_1_1")  # linked once, but no account is configured any more
    status = my_status(client, world, "liaison_1_1")
    assert status["official_account_linked"] is True
    assert reach_of(status)["new_issue"] == ("inbox", 0)


# ----- the committee's view of its compound -----


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("committee", 200, None),
        ("committee_2", 200, None),
        ("supervisor", 403, "committee_only"),
        ("lead_1", 403, "committee_only"),
        ("liaison_1_1", 403, "committee_only"),
        ("resident_1_1", 403, "committee_only"),
        ("outsider", 404, "compound_not_found"),
    ],
)
def test_only_the_committee_reads_who_can_be_reached(client, world, who, status, code):
    response = client.get(REACH, headers=world.headers(who))
    assert response.status_code == status
    if code:
        assert response.get_json()["code"] == code
    if status == 403:
        assert response.get_json()["message"] == "只有业委会成员可以查看联络人能否收到提醒"


def test_another_compounds_committee_learns_nothing(client, world):
    other = build_world("bb")
    response = client.get(REACH, headers=other.headers("committee"))
    assert response.status_code == 404
    assert (
        client.get(
            "/api/v1/compounds/zz/reachability", headers=world.headers("committee")
        ).status_code
        == 404
    )


def test_units_whose_liaisons_cannot_be_pushed_come_first(client, world):
    roles.revoke(world.people["liaison_1_3"].id, "liaison", world.units[2])
    signed_in = world.people["liaison_1_1"].id
    db.session.execute(update(User).where(User.id == signed_in).values(last_login_at=utcnow()))
    db.session.flush()
    for _ in range(3):
        subscribe(client, world, "liaison_1_1", NEW_ISSUE)
    body = compound_reach(client, world)
    assert units(body) == [("1-3", "no_liaison"), ("1-2", "inbox_only"), ("1-1", "ok")]
    assert body["counts"] == {"no_liaison": 1, "inbox_only": 1, "low": 0, "ok": 1}
    assert liaison_line(body, "1-3") == []
    assert liaison_line(body, "1-1")[0][1:] == ("subscribe", 3)
    assert [u["liaisons"][0]["never_signed_in"] for u in body["units"][1:]] == [True, False]
    assert liaison_line(body, "1-2")[0][1:] == ("inbox", 0)


def test_two_sends_left_between_a_units_liaisons_is_low(client, world):
    subscribe(client, world, "liaison_1_2", NEW_ISSUE)
    subscribe(client, world, "liaison_1_2", NEW_ISSUE)
    assert ("1-2", "low") in units(compound_reach(client, world))
    subscribe(client, world, "liaison_1_2", NEW_ISSUE)
    assert ("1-2", "ok") in units(compound_reach(client, world))


def test_a_liaison_following_the_official_account_covers_the_unit(client, world, official_account):
    link(world, "liaison_1_2")
    body = compound_reach(client, world)
    assert ("1-2", "ok") in units(body)
    assert liaison_line(body, "1-2")[0][1] == "official_account"
    assert body["official_account_enabled"] is True


def test_a_switched_off_account_does_not_cover_its_unit(client, world):
    subscribe(client, world, "liaison_1_1", NEW_ISSUE)
    subscribe(client, world, "liaison_1_1", NEW_ISSUE)
    subscribe(client, world, "liaison_1_1", NEW_ISSUE)
    user_id = world.people["liaison_1_1"].id
    db.session.execute(update(User).where(User.id == user_id).values(is_active=False))
    db.session.flush()
    body = compound_reach(client, world)
    assert ("1-1", "inbox_only") in units(body)
    assert liaison_line(body, "1-1")[0][1] == "disabled"


def test_the_name_shown_is_the_one_given_at_binding_and_the_read_is_logged(client, world):
    liaison = world.people["liaison_1_1"]
    roles.grant(liaison.id, "resident", world.household("1-1-102"), relation="owner", name="赵德明")
    db.session.flush()
    body = compound_reach(client, world)
    assert liaison_line(body, "1-1")[0][0] == "赵德明"
    assert liaison_line(body, "1-2")[0][0] == world.people["liaison_1_2"].nickname
    leads = [(v["name"], v["place"], v["channel"]) for v in body["building_leads"]]
    assert leads == [(world.people["lead_1"].nickname, "1号楼", "inbox")]
    assert {v["user_id"] for v in body["committee"]} == {
        world.people["committee"].id,
        world.people["committee_2"].id,
    }
    logged = db.session.execute(
        select(AccessLog.actor_id, AccessLog.action, AccessLog.subject_type, AccessLog.subject_id)
    ).all()
    shown = {v["user_id"] for u in body["units"] for v in u["liaisons"]}
    shown |= {v["user_id"] for v in body["building_leads"] + body["committee"]}
    committee_id = world.people["committee"].id
    assert sorted(logged, key=lambda r: r[3]) == [
        (committee_id, "list", "volunteer_reach", user_id) for user_id in sorted(shown)
    ]


def test_a_building_lead_is_reached_for_escalations_by_reminders(client, world):
    subscribe(client, world, "lead_1", REMINDER)
    (lead,) = compound_reach(client, world)["building_leads"]
    assert (lead["channel"], lead["reminder_left"], lead["new_issue_left"]) == ("subscribe", 1, 0)


# ----- after real sends (the dispatcher against the sandbox) -----


@pytest.fixture
def sent_world(committed_db):
    world = build_world("aa")
    db.session.commit()
    return world


def report_and_dispatch(app, world):
    make_issues(1, world.reporter())
    result = dispatch(app)
    db.session.commit()  # see the dispatcher's work; hold no lock afterwards
    return result


def test_a_send_spends_one_and_43101_leaves_the_inbox_only(app, sandbox, sent_world):
    client = app.test_client()
    world = sent_world
    subscribe(client, world, "liaison_1_1", NEW_ISSUE)
    subscribe(client, world, "liaison_1_1", NEW_ISSUE)
    assert reach_of(my_status(client, world, "liaison_1_1"))["new_issue"] == ("subscribe", 2)

    assert report_and_dispatch(app, world).sent == 1
    assert len(sandbox.messages(touser=world.openid("liaison_1_1"))) == 1
    assert reach_of(my_status(client, world, "liaison_1_1"))["new_issue"] == ("subscribe", 1)
    body = compound_reach(client, world)
    assert units(body) == [("1-2", "inbox_only"), ("1-1", "low")]
    assert liaison_line(body, "1-1")[0][1:] == ("subscribe", 1)

    # WeChat says the user has no subscription left (revoked in settings): 0, inbox only.
    sandbox.fault("cgi-bin/message/subscribe/send", "errcode", 43101)
    assert report_and_dispatch(app, world).sent == 0
    assert reach_of(my_status(client, world, "liaison_1_1"))["new_issue"] == ("inbox", 0)
    assert units(compound_reach(client, world)) == [("1-1", "inbox_only"), ("1-2", "inbox_only")]
