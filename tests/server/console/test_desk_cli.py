"""`flask desk confirm`: the phone's confirmation from a terminal, never in production."""

from __future__ import annotations

import pytest

from tests.factories import build_world
from tests.server.console.desk import open_qr


@pytest.fixture
def world(db_session):
    return build_world("cli-desk")


def test_a_terminal_confirms_the_code_as_a_committee_member(app, world):
    browser = app.test_client()
    qr, token = open_qr(browser)
    runner = app.test_cli_runner()
    done = runner.invoke(args=["desk", "confirm", qr, "--openid", world.openid("committee")])
    assert done.exit_code == 0, done.output
    assert "confirmed: cli-desk小区" in done.output
    assert browser.post("/console/login/finish", data={"login_token": token}).status_code == 302
    assert browser.get("/console/").status_code == 200


def test_a_resident_cannot_and_production_refuses(app, world, monkeypatch):
    qr, _token = open_qr(app.test_client())
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["desk", "confirm", qr, "--openid", world.openid("resident_1_1")])
    assert refused.exit_code == 1
    assert "只有业委会成员、财务监督和管理员可以登录电脑端" in refused.output
    monkeypatch.setitem(app.config, "LINLI_ENV", "production")
    closed = runner.invoke(args=["desk", "confirm", qr, "--openid", world.openid("committee")])
    assert closed.exit_code == 1
    assert "only the phone" in closed.output
