"""Bad input and races: clear 4xx answers, never a 500; secrets never in logs."""

from __future__ import annotations

import io
import logging

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from server.extensions import db
from server.logs import RedactingFormatter
from server.models import BindingRequest, User
from tests.factories import build_world
from tests.helpers import together
from tests.steps import sign_in


@pytest.mark.parametrize(
    "raw",
    [
        "[" * 200_000,  # RecursionError inside the JSON parser
        '{"code": 1' + "0" * 5000 + "}",  # an integer too long to convert (ValueError)
        '{"code": NaN',
    ],
)
def test_pathological_json_is_a_400(client, raw):
    response = client.post("/api/v1/auth/login", data=raw, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["code"] in {"bad_request", "validation_error"}


@pytest.mark.parametrize(
    "raw",
    ['"abc\\n"', '"\\ud800x"', '"空格 code"', '"' + "a" * 129 + '"'],
)
def test_login_codes_must_be_printable_ascii(client, raw):
    body = '{"code": ' + raw + "}"
    response = client.post(
        "/api/v1/auth/login", data=body.encode(), content_type="application/json"
    )
    assert response.status_code == 400


def test_database_errors_never_quote_their_parameters(app, db_session):
    with pytest.raises(DBAPIError) as caught:
        db.session.execute(text("SELECT * FROM no_such_table WHERE x = :p"), {"p": "SECRET-KEY-42"})
    assert "SECRET-KEY-42" not in str(caught.value)


def test_tracebacks_in_logs_are_redacted_too():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter("%(message)s"))
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    try:
        try:
            raise RuntimeError("UPDATE users SET session_key='c2VjcmV0LWtleQ==' WHERE id=1")
        except RuntimeError:
            logger.exception("login failed")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "Traceback" in output
    assert "c2VjcmV0LWtleQ==" not in output


def test_a_new_users_simultaneous_first_logins_both_succeed(app, committed_db):
    def login():
        return sign_in(app.test_client(), "demo-twin")

    responses, errors = together(app, [login, login, login])
    assert errors == []
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert len({r.get_json()["user"]["id"] for r in responses}) == 1
    assert len(db.session.scalars(select(User).where(User.openid == "twin")).all()) == 1


def test_approve_racing_reject_decides_once(app, committed_db):
    world = build_world("aa")
    db.session.commit()
    body = {
        "compound": "aa",
        "building": 1,
        "unit": 1,
        "room": "102",
        "name": "钱师傅",
        "relation": "owner",
    }
    asked = app.test_client().post("/api/v1/bindings", json=body, headers=world.headers("outsider"))
    request_id = asked.get_json()["id"]
    liaison, committee = world.headers("liaison_1_1"), world.headers("committee")

    responses, errors = together(
        app,
        [
            lambda: app.test_client().post(
                f"/api/v1/bindings/{request_id}/approve", headers=liaison
            ),
            lambda: app.test_client().post(
                f"/api/v1/bindings/{request_id}/reject",
                json={"reason": "查无此人"},
                headers=committee,
            ),
        ],
    )
    assert errors == []
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 409]
    loser = next(r for r in responses if r.status_code == 409).get_json()
    final = db.session.scalars(select(BindingRequest).where(BindingRequest.id == request_id)).one()
    assert final.status in {"approved", "rejected"}
    assert ("已通过" if final.status == "approved" else "已拒绝") in loser["message"]


def test_two_people_redeeming_one_code_bind_one(app, committed_db):
    world = build_world("aa")
    db.session.commit()
    issued = app.test_client().post(
        "/api/v1/invites",
        json={"compound": "aa", "unit": "1-1"},
        headers=world.headers("committee"),
    )
    code = issued.get_json()["items"][1]["code"]

    def redeem(who):
        headers = world.headers(who)
        return lambda: app.test_client().post(
            "/api/v1/invites/redeem",
            json={"code": code, "name": "抢先", "relation": "owner"},
            headers=headers,
        )

    responses, errors = together(app, [redeem("outsider"), redeem("resident_1_2")])
    assert errors == []
    assert sorted(r.status_code for r in responses) == [200, 409]
