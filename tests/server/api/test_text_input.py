"""Text as people type it and as attackers send it: lone surrogates are a 400 (never a
500), invisible characters cannot make two names that look alike, lengths are told
in the right words."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from server.extensions import db
from server.models import BindingRequest, Issue
from tests.factories import build_world

UNREADABLE = "包含无法识别的字符，请删除后重新输入"
INVISIBLE = "不能包含看不见的字符（如零宽空格），请删除后重新输入"
BINDING = '{"compound": "aa", "building": 1, "unit": 1, "room": "102", "relation": "owner", '


@pytest.fixture
def world(db_session):
    return build_world("aa")


def post_raw(client, world, path, raw: str, who="outsider"):
    """A JSON body as sent on the wire (escapes such as \\ud800 kept as written)."""
    return client.post(
        path, data=raw.encode(), content_type="application/json", headers=world.headers(who)
    )


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (BINDING + '"name": "a\\ud800b"}', "name"),  # a text field
        (BINDING + '"name": "王秀兰", "\\udfff": 1}', "\\udfff"),  # a key
        (BINDING + '"name": "王秀兰", "extra": {"x": ["\\ud83d"]}}', "extra"),  # deep inside
        ('{"compound": "a\\ud800", "building": 1}', "compound"),
    ],
    ids=["value", "key", "nested", "code"],
)
def test_a_lone_surrogate_anywhere_in_a_body_is_a_400(client, world, raw, field):
    response = post_raw(client, world, "/api/v1/bindings", raw)
    assert response.status_code == 400
    body = response.get_json()
    assert body["code"] == "validation_error"
    assert body["message"] == UNREADABLE
    assert body["details"]["fields"] == {field: [UNREADABLE]}
    assert db.session.scalars(select(BindingRequest)).all() == []


def test_a_surrogate_pair_is_an_emoji_not_an_error(client, world):
    response = post_raw(
        client, world, "/api/v1/bindings", BINDING + '"name": "王阿姨\\ud83d\\ude00"}'
    )
    assert response.status_code == 201
    assert response.get_json()["name"] == "王阿姨😀"


@pytest.mark.parametrize(
    ("path", "raw"),
    [
        ("/api/v1/invites/redeem", '{"code": "ABCD\\ud800", "name": "周", "relation": "tenant"}'),
        ("/api/v1/auth/login", '{"code": "\\ud800"}'),
        (
            "/api/v1/issues",
            '{"category": "repair", "title": "灯\\udc00", "description": "坏了", '
            '"household_id": 1}',
        ),
    ],
)
def test_every_endpoint_refuses_them_before_any_work(client, world, path, raw):
    response = post_raw(client, world, path, raw, who="resident_1_1")
    assert response.status_code == 400
    assert response.get_json()["message"] == UNREADABLE


def test_a_text_field_checks_them_itself_too():
    """Where no JSON guard stands (a form, a query string), the field refuses them."""
    from marshmallow import ValidationError

    from server.api.schemas.fields import Name, Text

    for field in (Text(30), Name()):
        with pytest.raises(ValidationError) as caught:
            field.deserialize("a\ud800")
        assert caught.value.messages == [UNREADABLE]


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/bindings", "status=\xff"),
        ("/api/v1/bindings", "cursor=\xed\xa0\x80"),  # a surrogate, UTF-8 encoded
        ("/api/v1/issues", "\xff=1"),  # in a name
        ("/api/v1/fees/export.xlsx", "compound=aa&period=2026-1\xc3"),  # cut in half
    ],
    ids=["value", "surrogate", "name", "truncated"],
)
def test_raw_bytes_that_are_not_utf8_in_a_query_string_are_a_400(client, world, path, query):
    """Sent as raw bytes, not %-escaped (the WSGI environ carries them as latin-1)."""
    response = client.get(
        path, environ_overrides={"QUERY_STRING": query}, headers=world.headers("committee")
    )
    assert response.status_code == 400
    body = response.get_json()
    assert body["code"] == "validation_error"
    assert body["message"] == UNREADABLE
    assert body["details"] == {"location": "query"}


@pytest.mark.parametrize(
    "invisible",
    [
        *["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u061c", "\ufeff", "\u2060"],
        *["\u00ad", "\u3164", "\u2800"],  # the last two show as nothing, WeChat's blanks
    ],
)
def test_invisible_characters_are_refused_in_names(client, world, invisible):
    response = client.post(
        "/api/v1/bindings",
        json={**_binding(), "name": f"王{invisible}秀兰"},
        headers=world.headers("outsider"),
    )
    assert response.status_code == 400
    assert response.get_json()["details"]["fields"] == {"name": [INVISIBLE]}


@pytest.mark.parametrize(
    "ignorable",
    [
        *["\ufe0f", "\ufe00", "\u034f", "\u180b", "\u180f", "\u17b4", "\u17b5", "\u115f"],
        *["\u2065", "\u206f", "\ufff0", "\U0001bca0", "\U0001d173", "\U000e0001"],
        "\U000e0100",  # a variation selector of the supplement
    ],
)
def test_every_default_ignorable_character_is_refused_in_names(client, world, ignorable):
    response = client.post(
        "/api/v1/bindings",
        json={**_binding(), "name": f"王秀兰{ignorable}"},
        headers=world.headers("outsider"),
    )
    assert response.status_code == 400
    assert response.get_json()["details"]["fields"] == {"name": [INVISIBLE]}


def test_the_documented_name_pattern_refuses_them_too(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    pattern = spec["components"]["schemas"]["BindingIn"]["properties"]["name"]["pattern"]
    assert re.fullmatch(pattern, "王秀兰")
    for ignorable in ("\ufe0f", "\u034f", "\u180b", "\u17b4", "\U000e0100"):
        assert not re.fullmatch(pattern, f"王秀兰{ignorable}")


@pytest.mark.parametrize("marks", ["\u0301", "\u0301\u0308", " \u20dd ", "\u0300 \u0301"])
def test_a_name_of_combining_marks_alone_is_refused(client, world, marks):
    response = client.post(
        "/api/v1/bindings", json={**_binding(), "name": marks}, headers=world.headers("outsider")
    )
    assert response.status_code == 400
    assert response.get_json()["details"]["fields"] == {
        "name": ["称呼里要有文字，不能只有附加符号"]
    }


def test_a_name_with_accents_on_letters_is_fine(client, world):
    response = client.post(
        "/api/v1/bindings",
        json={**_binding(), "name": "Zoe\u0308 王"},
        headers=world.headers("outsider"),
    )
    assert response.status_code == 201
    assert response.get_json()["name"] == "Zoe\u0308 王"


def test_titles_drop_variation_selectors_and_other_ignorables(client, world):
    response = client.post(
        "/api/v1/issues",
        json={
            "category": "repair",
            "title": "楼道\ufe0f灯\u034f不亮\U000e0100",
            "description": "三楼\u180b",
            "household_id": world.household("1-1-101").id,
        },
        headers=world.headers("resident_1_1"),
    )
    assert response.status_code == 201, response.get_json()
    issue = db.session.get(Issue, response.get_json()["id"])
    assert (issue.title, issue.description) == ("楼道灯不亮", "三楼")


def test_a_name_made_only_of_blanks_is_refused(client, world):
    response = client.post(
        "/api/v1/bindings", json={**_binding(), "name": "\u3164"}, headers=world.headers("outsider")
    )
    assert response.status_code == 400


def test_spaces_in_a_name_are_one_plain_space(client, world):
    response = client.post(
        "/api/v1/bindings",
        json={**_binding(), "name": "王\u00a0\u3000 秀兰"},  # no-break, ideographic, plain
        headers=world.headers("outsider"),
    )
    assert response.status_code == 201
    assert response.get_json()["name"] == "王 秀兰"


def test_a_neighbour_filed_for_is_a_name_too(client, world):
    response = client.post(
        "/api/v1/issues",
        json={
            "category": "repair",
            "title": "楼道灯不亮",
            "description": "三楼",
            "household_id": world.household("1-1-102").id,
            "on_behalf_name": "王\u200b奶奶",
        },
        headers=world.headers("liaison_1_1"),
    )
    assert response.status_code == 400
    assert response.get_json()["details"]["fields"] == {"on_behalf_name": [INVISIBLE]}


def test_titles_and_descriptions_lose_invisible_characters(client, world):
    response = client.post(
        "/api/v1/issues",
        json={
            "category": "repair",
            "title": "\ufeff楼道\u200b灯不亮\u2060",
            "description": "三楼\u200d楼道\n灯坏了",
            "household_id": world.household("1-1-101").id,
        },
        headers=world.headers("resident_1_1"),
    )
    assert response.status_code == 201, response.get_json()
    issue = db.session.get(Issue, response.get_json()["id"])
    assert (issue.title, issue.description) == ("楼道灯不亮", "三楼楼道\n灯坏了")


def test_a_title_of_nothing_but_invisible_characters_is_empty(client, world):
    response = client.post(
        "/api/v1/issues",
        json={
            "category": "repair",
            "title": "\u200b\u200b",
            "description": "三楼",
            "household_id": world.household("1-1-101").id,
        },
        headers=world.headers("resident_1_1"),
    )
    assert response.status_code == 400
    assert response.get_json()["details"]["fields"] == {"title": ["不能为空"]}


def test_too_many_photos_are_counted_not_measured_in_characters(client, world):
    response = client.post(
        "/api/v1/issues",
        json={
            "category": "repair",
            "title": "灯",
            "description": "坏了",
            "household_id": world.household("1-1-101").id,
            "photos": list(range(1, 11)),
        },
        headers=world.headers("resident_1_1"),
    )
    assert response.status_code == 400
    assert response.get_json()["details"]["fields"] == {"photos": ["最多 9 个"]}


def test_a_too_long_text_is_counted_in_characters(client, world):
    response = client.post(
        "/api/v1/bindings",
        json={**_binding(), "name": "王" * 33},
        headers=world.headers("outsider"),
    )
    assert response.get_json()["details"]["fields"] == {"name": ["最多 32 个字"]}


def test_an_empty_list_of_bills_says_so(client, world):
    response = client.post(
        "/api/v1/payments", json={"bill_ids": []}, headers=world.headers("resident_1_1")
    )
    assert response.status_code == 400
    assert response.get_json()["details"]["fields"] == {"bill_ids": ["不能为空"]}


def _binding() -> dict:
    return {"compound": "aa", "building": 1, "unit": 1, "room": "102", "relation": "owner"}
