"""The outbox dispatcher against the WeChat sandbox: quotas, refusals, outages, and
every message delivered exactly once."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import requests
from freezegun import freeze_time
from sqlalchemy import select, update

from server.extensions import db
from server.models import OutboxMessage, SubscriptionQuota, User
from server.services.messaging import inbox, outbox
from server.services.people.access import load_principal
from tests.factories import build_world, make_issues
from tests.helpers import dispatch, together

TEMPLATE = "sandbox-new_issue"


@pytest.fixture
def world(committed_db):
    world = build_world("aa")
    db.session.commit()
    return world


def grant(world, key, template=TEMPLATE, times=1):
    principal = load_principal(world.people[key].id)
    for _ in range(times):
        inbox.record_subscriptions(principal, [template])


def statuses():
    db.session.commit()  # see other connections' work; hold no lock afterwards
    rows = db.session.execute(select(OutboxMessage.user_id, OutboxMessage.status)).all()
    db.session.commit()
    return rows


def liaison_messages(sandbox, world):
    return sandbox.messages(touser=world.openid("liaison_1_1"))


def test_a_push_spends_one_subscription_and_the_rest_wait_in_the_inbox(app, sandbox, world):
    grant(world, "liaison_1_1")
    make_issues(2, world.reporter())
    result = dispatch(app)
    assert (result.sent, result.skipped) == (1, 5)  # 2 issues × (liaison + 2 committee)
    assert len(liaison_messages(sandbox, world)) == 1
    quota = db.session.scalar(select(SubscriptionQuota.remaining))
    assert quota == 0
    db.session.commit()


def test_43101_sets_the_quota_to_zero(app, sandbox, world):
    grant(world, "liaison_1_1", times=3)
    make_issues(1, world.reporter())
    sandbox.fault("cgi-bin/message/subscribe/send", "errcode", 43101)
    result = dispatch(app)
    assert result.sent == 0
    assert db.session.scalar(select(SubscriptionQuota.remaining)) == 0
    db.session.commit()


def test_a_message_wechat_refuses_for_good_is_shown_to_the_committee(app, sandbox, world):
    client = app.test_client()
    grant(world, "liaison_1_1")
    make_issues(1, world.reporter())
    sandbox.fault("cgi-bin/message/subscribe/send", "errcode", 47003)
    result = dispatch(app)
    assert result.failed == 1
    failed = client.get("/api/v1/compounds/aa/failed-messages", headers=world.headers("committee"))
    (item,) = failed.get_json()["items"]
    assert "47003" in item["last_error"]
    assert item["template"] == "new_issue"
    nickname = world.people["liaison_1_1"].nickname
    db.session.commit()  # end the read (SQLite: release the write lock)
    assert item["recipient"] == nickname
    resident = client.get(
        "/api/v1/compounds/aa/failed-messages", headers=world.headers("resident_1_1")
    )
    assert resident.status_code == 403


def test_an_outage_delays_every_message_and_loses_none(app, sandbox, world):
    for key in ("liaison_1_1", "committee", "committee_2"):
        grant(world, key, times=5)
    make_issues(5, world.reporter())  # 15 pushes
    sandbox.fault("cgi-bin/message/subscribe/send", "status", 502, times=None)
    for _ in range(3):  # each round probes with one message and leaves the rest queued
        round_ = dispatch(app)
        assert (round_.sent, round_.deferred) == (0, 15 - _)
    assert {s for _, s in statuses()} == {"pending"}
    requests.delete(sandbox.url + "sandbox/faults", timeout=5)

    assert dispatch(app).sent == 12  # the three probes are backing off
    assert dispatch(app).sent == 0
    with freeze_time(timedelta(minutes=2), tick=True):
        assert dispatch(app).sent == 3
        assert dispatch(app).sent == 0
    received = sandbox.messages()
    assert len(received) == 15
    assert {s for _, s in statuses()} == {"sent"}


def test_wechat_unreachable_keeps_everything_queued(app, sandbox, world, monkeypatch):
    grant(world, "liaison_1_1")
    make_issues(1, world.reporter())
    app.extensions.pop("linli.mini_program", None)
    monkeypatch.setitem(app.config, "WECHAT_API_BASE", "http://127.0.0.1:9/")
    try:
        assert dispatch(app) == "WeChat unavailable; messages stay queued"
    finally:
        app.extensions.pop("linli.mini_program", None)
    assert {s for _, s in statuses()} == {"pending"}


def test_a_refused_access_token_is_replaced_and_the_message_sent(app, sandbox, world):
    grant(world, "liaison_1_1", times=2)
    make_issues(1, world.reporter())
    dispatch(app)  # the first push goes out with the stored token
    # Someone forces a new token at WeChat: the stored one is now refused (40001).
    body = {
        "grant_type": "client_credential",
        "appid": sandbox.state.appid,
        "secret": sandbox.state.secret,
    }
    requests.post(
        sandbox.url + "cgi-bin/stable_token", json={**body, "force_refresh": True}, timeout=5
    )
    make_issues(1, world.reporter())
    deferred = dispatch(app)
    assert deferred.sent == 0
    with freeze_time(timedelta(minutes=1), tick=True):
        assert dispatch(app).sent == 1
    assert len(liaison_messages(sandbox, world)) == 2


def test_two_dispatchers_at_once_send_each_message_once(app, sandbox, world):
    for key in ("liaison_1_1", "committee", "committee_2"):
        grant(world, key, times=10)
    make_issues(10, world.reporter())  # 30 pushes

    def run():
        sent = []
        while (result := outbox.dispatch(batch=4)).sent:
            sent.append(result)
        return sent

    per_dispatcher, errors = together(app, [run, run, run])
    assert errors == []
    results = [result for sent in per_dispatcher for result in sent]
    assert sum(r.sent for r in results) == 30
    assert len(results) >= 3  # the work was shared in small batches
    received = sandbox.messages()
    assert len(received) == 30
    assert len({(m["touser"], m["data"]["thing1"], m["page"]) for m in received}) == 30


def test_a_send_wechat_never_answers_is_not_sent_again(app, sandbox, world):
    grant(world, "liaison_1_1", times=2)
    make_issues(1, world.reporter())
    sandbox.fault("cgi-bin/message/subscribe/send", "delay", 3)  # the timeout is 2 s
    result = dispatch(app)
    assert (result.sent, result.unknown) == (0, 1)
    with freeze_time(timedelta(hours=1), tick=True):
        assert dispatch(app).sent == 0
    deadline = time.monotonic() + 30  # 3 s when idle; a busy machine is slower
    while not liaison_messages(sandbox, world) and time.monotonic() < deadline:
        time.sleep(0.1)  # the slow answer's request is still being handled
    assert len(liaison_messages(sandbox, world)) == 1  # WeChat did deliver it, once
    assert {s for _, s in statuses() if s != "skipped"} == {"unknown"}


def test_volunteers_linked_to_the_official_account_get_template_messages(
    app, sandbox, world, monkeypatch
):
    monkeypatch.setitem(app.config, "WECHAT_OA_APPID", sandbox.state.oa_appid)
    monkeypatch.setitem(app.config, "WECHAT_OA_SECRET", sandbox.state.oa_secret)
    monkeypatch.setitem(app.config, "WECHAT_OA_TEMPLATES", {"new_issue": "oa-new-issue"})
    app.extensions.pop("linli.official_account", None)
    liaison_id = world.people["liaison_1_1"].id
    db.session.execute(update(User).where(User.id == liaison_id).values(oa_openid="oa-liaison"))
    db.session.commit()
    try:
        make_issues(1, world.reporter())
        result = dispatch(app)
    finally:
        app.extensions.pop("linli.official_account", None)
    assert result.sent == 1  # no subscription needed for the official account
    (message,) = sandbox.messages(touser="oa-liaison")
    assert message["kind"] == "template"
    assert message["template_id"] == "oa-new-issue"
    assert message["page"].startswith("pages/issue/index?id=")


def test_one_job_run_sends_full_rounds_back_to_back(app, sandbox, world):
    """A run does not stop at one round while the rounds come full: a notice to many
    goes out at the senders' pace, not a round every 5 s."""
    for key in ("liaison_1_1", "committee", "committee_2"):
        grant(world, key, times=4)
    make_issues(4, world.reporter())  # 12 pushes
    with app.app_context():
        result = outbox.dispatch_due(batch=5)  # rounds of 5, 5 and 2
    assert (result.sent, result.deferred, result.taken_last) == (12, 0, 2)
    assert len(sandbox.messages()) == 12
    assert {s for _, s in statuses()} == {"sent"}


def test_a_run_stops_at_the_first_round_that_finds_wechat_away(app, sandbox, world):
    for key in ("liaison_1_1", "committee", "committee_2"):
        grant(world, key, times=4)
    make_issues(4, world.reporter())  # 12 pushes
    sandbox.fault("cgi-bin/message/subscribe/send", "status", 502, times=None)
    with app.app_context():
        result = outbox.dispatch_due(batch=5)
    assert (result.sent, result.deferred) == (0, 5)  # the first round's probe, then none
    assert {s for _, s in statuses()} == {"pending"}
