"""Headers on every answer, and an API docs page that needs nothing from a CDN."""

from __future__ import annotations

import re

import pytest

from server.extensions import db
from server.services.money import fees
from tests.factories import build_world, self_governance_fee
from tests.steps import uploaded_id
from tests.timing import month


def assert_private_json(response) -> None:
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.fixture
def world(db_session):
    return build_world("aa")


def test_json_answers_are_never_stored_nor_sniffed(client, world):
    me = client.get("/api/v1/me", headers=world.headers("resident_1_1"))
    assert me.status_code == 200
    assert_private_json(me)
    assert_private_json(client.get("/api/v1/openapi.json"))


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/v1/me", 401),  # not signed in
        ("get", "/api/v1/nothing-here", 404),
        ("post", "/api/v1/bindings", 400),  # validation
        ("get", "/api/v1/auth/login", 405),
    ],
)
def test_error_answers_carry_them_too(client, world, method, path, status):
    headers = {} if status == 401 else world.headers("outsider")
    response = getattr(client, method)(path, json={} if method == "post" else None, headers=headers)
    assert response.status_code == status
    assert_private_json(response)


def test_a_500_carries_them_too(client, world, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("server.services.people.users.describe", explode)
    response = client.get("/api/v1/me", headers=world.headers("committee"))
    assert response.status_code == 500
    assert_private_json(response)


def test_a_photo_keeps_its_own_private_cache_rule(client, world, photo_storage):
    photo = uploaded_id(client, world)
    served = client.get(f"/api/v1/uploads/{photo}", headers=world.headers("resident_1_1"))
    assert served.mimetype == "image/jpeg"
    assert served.headers["Cache-Control"] == "private, max-age=86400"
    assert served.headers["X-Content-Type-Options"] == "nosniff"


def test_the_excel_exports_are_never_stored_either(client, world):
    """The register and the fee export hold names and rooms: like JSON, no-store."""
    self_governance_fee(world.compound)
    db.session.flush()
    fees.generate_bills(month(0), "aa")
    headers = world.headers("committee")
    for path in (
        "/api/v1/issues/register.xlsx?compound=aa",
        f"/api/v1/fees/export.xlsx?compound=aa&period={month(0)}",
    ):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, path
        assert response.mimetype.endswith("spreadsheetml.sheet")
        assert response.headers["Cache-Control"] == "no-store", path
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_only_static_assets_and_photos_may_be_cached(client):
    page = client.get("/api/v1/docs")
    assert page.mimetype == "text/html"
    assert page.headers["Cache-Control"] == "no-store"
    with client.get("/api/v1/docs/assets/swagger-ui.css") as asset:
        assert asset.headers["Cache-Control"] == "public, max-age=86400"
    missing = client.get("/api/v1/docs/assets/nothing.js")
    assert missing.status_code == 404
    assert_private_json(missing)
    assert client.get("/healthz").headers["Cache-Control"] == "no-store"


def test_the_docs_page_loads_every_asset_from_this_server(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, html
    assert all(url.startswith("/api/v1/docs/assets/") for url in assets), assets
    assert "validatorUrl" in html  # no badge from validator.swagger.io either
    for url in assets:
        with client.get(url) as served:  # (closes the file sent)
            assert served.status_code == 200, url
            assert len(served.data) > 100
            assert served.headers["X-Content-Type-Options"] == "nosniff"
    with client.get("/api/v1/docs/assets/swagger-ui-bundle.js") as bundle:
        assert bundle.mimetype == "text/javascript"
    with client.get("/api/v1/docs/assets/LICENSE") as license_:  # Apache-2.0, shipped
        assert b"Apache License" in license_.data


@pytest.mark.parametrize("name", ["index.html", "..%2F__init__.py", "VERSION", "nothing.js"])
def test_only_the_listed_assets_are_served(client, name):
    response = client.get(f"/api/v1/docs/assets/{name}")
    assert response.status_code == 404
    assert response.get_json()["code"] == "not_found"


def test_the_assets_are_not_in_the_api_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert not [path for path in spec["paths"] if "docs" in path]
