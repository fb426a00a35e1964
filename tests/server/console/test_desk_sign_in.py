"""Signing a computer into the desk (电脑端), without a browser: the QR ticket, the
phone's confirmation, the session cookie and its end, CSRF, who may and who may not."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from server.clock import utcnow
from server.extensions import db
from server.models import AuditEvent
from server.services.people import roles
from tests.factories import add_person, build_world
from tests.server.console.desk import confirm, csrf, open_qr
from tests.server.console.desk import signed_in as desk_signed_in

SCAN, CONFIRM = "/api/v1/console/scan", "/api/v1/console/confirm"


@pytest.fixture
def world(db_session):
    return build_world("desk")


def signed_in(app, client, world, who="committee"):
    return desk_signed_in(app, world, who)


def test_the_qr_page_and_the_session_cookie_are_kept_from_scripts_and_other_sites(
    app, client, world
):
    browser = app.test_client()
    page = browser.get("/console/login")
    ticket_cookie = page.headers["Set-Cookie"]
    for flag in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/console"):
        assert flag in ticket_cookie
    qr, token = open_qr(browser)
    assert qr.startswith("linli-console:")
    assert browser.get("/console/login/state").get_json() == {"state": "waiting"}

    scanned = client.post(SCAN, json={"ticket": qr}, headers=world.headers("committee"))
    assert scanned.status_code == 200
    assert scanned.get_json()["compounds"] == [
        {"id": world.compound.id, "name": "desk小区", "role": "committee"}
    ]
    assert confirm(client, world, "committee", qr).status_code == 200
    assert browser.get("/console/login/state").get_json() == {"state": "confirmed"}

    finished = browser.post("/console/login/finish", data={"login_token": token})
    cookie = next(c for c in finished.headers.getlist("Set-Cookie") if c.startswith("linli_desk="))
    for flag in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/console"):
        assert flag in cookie
    home = browser.get("/console/")
    assert home.status_code == 200
    assert "desk小区" in home.get_data(as_text=True)
    assert "default-src 'self'" in home.headers["Content-Security-Policy"]
    assert home.headers["Cache-Control"] == "no-store"
    # The audit log names the sign-in (the test client sends no User-Agent).
    logged = select(AuditEvent.summary).where(AuditEvent.action == "console_signed_in")
    assert db.session.scalars(logged).all() == ["在电脑上登录（浏览器 · 电脑）"]


def test_a_ticket_is_confirmed_once_and_claimed_only_by_the_browser_that_showed_it(
    app, client, world
):
    browser, other = app.test_client(), app.test_client()
    qr, token = open_qr(browser)
    assert confirm(client, world, "committee", qr).status_code == 200
    again = confirm(client, world, "committee_2", qr)
    assert (again.status_code, again.get_json()["code"]) == (409, "console_ticket_used")

    # Another browser with the page's token but not its cookie gets nothing.
    stolen = other.post("/console/login/finish", data={"login_token": token})
    assert stolen.headers["Location"] == "/console/login"
    assert not any(c.startswith("linli_desk=") for c in stolen.headers.getlist("Set-Cookie"))
    # A wrong token from the right browser neither.
    wrong = browser.post("/console/login/finish", data={"login_token": "0" * 64})
    assert wrong.headers["Location"] == "/console/login"

    assert browser.post("/console/login/finish", data={"login_token": token}).status_code == 302
    assert browser.get("/console/").status_code == 200
    # Claimed once: the same finish again starts nothing more.
    assert browser.get("/console/login/state").get_json() == {"state": "expired"}


def test_an_expired_code_is_refused_on_the_phone(app, client, world):
    browser = app.test_client()
    qr, _token = open_qr(browser)
    with time_machine.travel(utcnow() + timedelta(seconds=121), tick=False):
        late = confirm(client, world, "committee", qr)
        assert (late.status_code, late.get_json()["code"]) == (409, "console_ticket_expired")
        assert browser.get("/console/login/state").get_json() == {"state": "expired"}


@pytest.mark.parametrize("who", ["resident_1_1", "liaison_1_1", "lead_1", "outsider"])
def test_only_the_committee_supervisor_and_admin_may_sign_in(app, client, world, who):
    qr, _token = open_qr(app.test_client())
    for path in (SCAN, CONFIRM):
        refused = client.post(path, json={"ticket": qr}, headers=world.headers(who))
        assert refused.status_code == 403
        assert refused.get_json() == {
            "code": "console_not_allowed",
            "message": "只有业委会成员、财务监督和管理员可以登录电脑端",
        }


def test_the_supervisor_signs_in_as_supervisor(app, client, world):
    browser = signed_in(app, client, world, "supervisor")
    assert "财务监督" in browser.get("/console/").get_data(as_text=True)


def test_a_member_of_two_compounds_signs_in_for_the_one_chosen_and_never_another(
    app, client, world
):
    other = build_world("desk2")
    member = world.people["committee"]
    roles.grant(member.id, "committee", other.compound)
    qr, _token = open_qr(app.test_client())
    scanned = client.post(SCAN, json={"ticket": qr}, headers=world.headers("committee"))
    names = [c["name"] for c in scanned.get_json()["compounds"]]
    assert names == ["desk小区", "desk2小区"]
    third = build_world("desk3")
    refused = confirm(client, world, "committee", qr, compound=third.compound.id)
    assert (refused.status_code, refused.get_json()["code"]) == (403, "console_not_allowed")
    chosen = confirm(client, world, "committee", qr, compound=other.compound.id)
    assert chosen.get_json()["compound"]["name"] == "desk2小区"


def test_every_form_needs_its_csrf_token(app, client, world):
    browser = signed_in(app, client, world)
    refused = browser.post("/console/logout")
    assert refused.status_code == 400
    assert "页面已过期" in refused.get_data(as_text=True)
    cross = browser.post(
        "/console/logout",
        data={"csrf_token": csrf(browser)},
        headers={"Origin": "https://evil.example"},
    )
    assert cross.status_code == 400
    assert browser.get("/console/").status_code == 200  # still signed in
    out = browser.post("/console/logout", data={"csrf_token": csrf(browser)})
    assert out.headers["Location"] == "/console/login"
    assert browser.get("/console/").headers["Location"].startswith("/console/login")


def test_an_idle_browser_is_signed_out(app, client, world):
    browser = signed_in(app, client, world)
    with time_machine.travel(utcnow() + timedelta(minutes=29), tick=False):
        assert browser.get("/console/").status_code == 200
    with time_machine.travel(utcnow() + timedelta(minutes=29 + 31), tick=False):
        assert browser.get("/console/").status_code == 302


def test_a_member_whose_role_ends_is_signed_out_at_the_next_page(app, client, world):
    browser = signed_in(app, client, world)
    roles.revoke(world.people["committee"].id, "committee", world.compound)
    assert browser.get("/console/").headers["Location"].startswith("/console/login")


def test_signing_out_everywhere_from_the_phone(app, client, world):
    first, second = signed_in(app, client, world), signed_in(app, client, world)
    listed = client.get("/api/v1/console/sessions", headers=world.headers("committee"))
    items = listed.get_json()["items"]
    assert len(items) == 2
    # Nobody else's session can be ended by id.
    add_person(world, "committee_3", "committee", world.compound)
    foreign = client.delete(
        f"/api/v1/console/sessions/{items[0]['id']}", headers=world.headers("committee_3")
    )
    assert (foreign.status_code, foreign.get_json()["code"]) == (404, "console_session_not_found")
    one = client.delete(
        f"/api/v1/console/sessions/{items[0]['id']}", headers=world.headers("committee")
    )
    assert one.get_json() == {"signed_out": 1}
    assert second.get("/console/").status_code == 302  # the newest was items[0]
    assert first.get("/console/").status_code == 200
    everywhere = client.delete("/api/v1/console/sessions", headers=world.headers("committee"))
    assert everywhere.get_json() == {"signed_out": 1}
    assert first.get("/console/").status_code == 302


def test_the_admin_may_sign_into_any_open_compound(app, client, world):
    add_person(world, "admin", "admin")
    archived = build_world("desk-old")
    archived.compound.archived_at = utcnow()
    qr, _token = open_qr(app.test_client())
    scanned = client.post(SCAN, json={"ticket": qr}, headers=world.headers("admin"))
    names = {c["name"] for c in scanned.get_json()["compounds"]}
    assert "desk小区" in names
    assert "desk-old小区" not in names


def test_old_codes_and_long_ended_sessions_are_forgotten(app, client, world):
    from server.models import ConsoleSession, ConsoleTicket
    from server.services.console import sessions

    signed_in(app, client, world)
    open_qr(app.test_client())  # a code nobody scanned
    with time_machine.travel(utcnow() + timedelta(days=2), tick=False):
        assert sessions.prune() == 2  # the two codes; the session ended only by idling
        assert db.session.scalars(select(ConsoleTicket)).all() == []
        assert len(db.session.scalars(select(ConsoleSession)).all()) == 1
    with time_machine.travel(utcnow() + timedelta(days=181), tick=False):
        assert sessions.prune() == 1
