"""Flask's cookie session opened only when its cookie comes (server/sessions.py): the
same answers as Flask's own interface, with and without the cookie."""

from __future__ import annotations

import pytest
from flask import Flask, session
from flask.sessions import SecureCookieSessionInterface

from server.sessions import CookieSessions


def _app(interface) -> Flask:
    app = Flask(__name__)
    app.secret_key = "s" * 32
    app.session_interface = interface

    @app.get("/remember")
    def remember():
        session["note"] = "已保存"
        return "ok"

    @app.get("/recall")
    def recall():
        return session.get("note", "-")

    @app.get("/forget")
    def forget():
        session.clear()
        return "ok"

    @app.get("/plain")
    def plain():
        return "plain"

    return app


@pytest.mark.parametrize("interface", [CookieSessions, SecureCookieSessionInterface])
def test_a_session_round_trip_and_a_request_without_one(interface):
    client = _app(interface()).test_client()
    bare = client.get("/plain")
    assert "Set-Cookie" not in bare.headers
    assert "Vary" not in bare.headers
    assert client.get("/recall").get_data(as_text=True) == "-"
    assert "Set-Cookie" in client.get("/remember").headers
    recalled = client.get("/recall")
    assert recalled.get_data(as_text=True) == "已保存"
    assert recalled.headers["Vary"] == "Cookie"
    forgotten = client.get("/forget")
    assert "session=;" in forgotten.headers["Set-Cookie"]  # deleted
    assert client.get("/recall").get_data(as_text=True) == "-"


def test_the_app_uses_it(app):
    assert isinstance(app.session_interface, CookieSessions)
