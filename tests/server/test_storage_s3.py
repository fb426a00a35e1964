"""Photos in an S3-compatible store, against moto's S3 server over real HTTP: the API
stores and serves them there, a store away is a 503, and `uploads migrate` moves
existing photos from local files to S3 or to the database, checked by sha256."""

from __future__ import annotations

import hashlib
import logging

import pytest
from sqlalchemy import select

from server.config import load_config
from server.extensions import db
from server.models import StoredBlob, Upload
from server.storage import EXTENSION_KEY, DatabaseStorage, build_storage
from tests.factories import build_world
from tests.helpers import image_bytes
from tests.s3_server import S3_SECRET_ACCESS_KEY, new_bucket, s3_env, s3_server
from tests.steps import upload


@pytest.fixture(scope="module")
def endpoint():
    with s3_server() as url:
        yield url


@pytest.fixture
def s3_settings(endpoint, tmp_path) -> dict:
    """The S3_* settings of a fresh bucket, converted as the app converts them."""
    settings = load_config(s3_env(endpoint, new_bucket(endpoint)), str(tmp_path))
    return {name: value for name, value in settings.items() if name.startswith("S3_")}


@pytest.fixture
def s3(s3_settings):
    return build_storage({**s3_settings, "STORAGE_BACKEND": "s3"})


@pytest.fixture
def photos_in_s3(app, db_session, s3_settings, s3, monkeypatch):
    """The app stores its photos in the fresh bucket."""
    for name, value in {**s3_settings, "STORAGE_BACKEND": "s3"}.items():
        monkeypatch.setitem(app.config, name, value)
    monkeypatch.setitem(app.config, "UPLOAD_RATE", "1000/minute")
    monkeypatch.setitem(app.extensions, EXTENSION_KEY, s3)
    return s3


def test_put_get_delete_and_a_missing_key(s3, caplog):
    caplog.set_level(logging.DEBUG)  # botocore's own debug lines included
    s3.put("2026/01/a.jpg", b"\xff\xd8photo", "image/jpeg")
    assert s3.get("2026/01/a.jpg") == b"\xff\xd8photo"
    s3.delete("2026/01/a.jpg")
    with pytest.raises(KeyError):
        s3.get("2026/01/a.jpg")
    s3.delete("2026/01/a.jpg")  # already gone: nothing happens
    assert S3_SECRET_ACCESS_KEY not in caplog.text


def test_the_prefix_keeps_our_objects_apart_in_a_shared_bucket(s3_settings):
    ours = build_storage({**s3_settings, "STORAGE_BACKEND": "s3", "S3_PREFIX": "linli/"})
    ours.put("2026/01/b.jpg", b"ours", "image/jpeg")
    listed = ours.client.list_objects_v2(Bucket=ours.bucket)["Contents"]
    assert [item["Key"] for item in listed] == ["linli/2026/01/b.jpg"]
    head = ours.client.head_object(Bucket=ours.bucket, Key="linli/2026/01/b.jpg")
    assert head["ContentType"] == "image/jpeg"


def test_a_photo_uploaded_is_stored_in_s3_and_served_back(client, photos_in_s3):
    world = build_world("aa")
    created = upload(client, world, image_bytes(color="olive"))
    assert created.status_code == 201, created.get_json()
    row = db.session.get(Upload, created.get_json()["id"])
    assert hashlib.sha256(photos_in_s3.get(row.storage_key)).hexdigest() == row.sha256

    served = client.get(f"/api/v1/uploads/{row.id}", headers=world.headers("resident_1_1"))
    assert served.status_code == 200
    assert served.mimetype == "image/jpeg"
    assert hashlib.sha256(served.data).hexdigest() == row.sha256


def test_a_store_away_is_a_503_in_chinese_that_names_no_secret(
    app, client, photos_in_s3, s3_settings, monkeypatch, caplog
):
    world = build_world("aa")
    created = upload(client, world)
    away = {**s3_settings, "STORAGE_BACKEND": "s3", "S3_ENDPOINT_URL": "http://127.0.0.1:9"}
    away.update(S3_CONNECT_TIMEOUT=0.5, S3_MAX_ATTEMPTS=1)
    monkeypatch.setitem(app.extensions, EXTENSION_KEY, build_storage(away))

    served = client.get(
        f"/api/v1/uploads/{created.get_json()['id']}", headers=world.headers("resident_1_1")
    )
    assert served.status_code == 503
    assert served.get_json()["code"] == "storage_unavailable"
    assert served.get_json()["message"] == "照片存储暂时无法访问，请稍后再试"
    refused = upload(client, world)
    assert refused.status_code == 503
    assert "photo store: get" in caplog.text
    assert S3_SECRET_ACCESS_KEY not in caplog.text


# ----- uploads migrate -----


@pytest.fixture
def local_photos(client, photo_storage):
    """Three photos uploaded to local files (the app's default store); their rows."""
    world = build_world("aa")
    ids = [
        upload(client, world, image_bytes(color=color)).get_json()["id"]
        for color in ("red", "green", "blue")
    ]
    return [db.session.get(Upload, upload_id) for upload_id in ids]


def migrate(app, *args):
    return app.test_cli_runner().invoke(args=["uploads", "migrate", *args])


def test_migrate_copies_every_photo_from_local_to_s3_and_resumes(
    app, local_photos, s3_settings, s3, monkeypatch
):
    for name, value in s3_settings.items():
        monkeypatch.setitem(app.config, name, value)
    dry = migrate(app, "--from", "local", "--to", "s3", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "3 photos, would copy 3, already there 0" in dry.output
    with pytest.raises(KeyError):
        s3.get(local_photos[0].storage_key)

    s3.put(local_photos[0].storage_key, b"half-written", "image/jpeg")  # an earlier run
    first = migrate(app, "--from", "local", "--to", "s3")
    assert first.exit_code == 0, first.output
    assert "local → s3: 3 photos, copied 3, already there 0, missing 0" in first.output
    for row in local_photos:
        assert hashlib.sha256(s3.get(row.storage_key)).hexdigest() == row.sha256

    again = migrate(app, "--from", "local", "--to", "s3")
    assert again.exit_code == 0, again.output
    assert "3 photos, copied 0, already there 3" in again.output


def test_migrate_to_the_database_reports_missing_and_damaged_photos(
    app, local_photos, photo_storage
):
    missing, damaged, fine = local_photos
    photo_storage.delete(missing.storage_key)
    photo_storage.put(damaged.storage_key, b"not the photo", "image/jpeg")

    result = migrate(app, "--from", "local", "--to", "database")
    assert result.exit_code == 1, result.output
    assert "copied 1, already there 0, missing 1, damaged 1, failed 0" in result.output
    assert f"missing: {missing.storage_key}" in result.output
    assert f"damaged: {damaged.storage_key}" in result.output
    stored = db.session.scalars(select(StoredBlob.key)).all()
    assert stored == [fine.storage_key]
    assert hashlib.sha256(DatabaseStorage().get(fine.storage_key)).hexdigest() == fine.sha256


def test_migrate_names_the_setting_a_target_lacks(app, local_photos):
    result = migrate(app, "--from", "local", "--to", "s3")
    assert result.exit_code == 1
    assert "S3_BUCKET is not set" in result.output


def test_migrate_stops_with_a_clear_line_when_the_target_is_away(
    app, local_photos, s3_settings, monkeypatch
):
    away = {**s3_settings, "S3_ENDPOINT_URL": "http://127.0.0.1:9", "S3_MAX_ATTEMPTS": 1}
    for name, value in away.items():
        monkeypatch.setitem(app.config, name, value)
    result = migrate(app, "--from", "local", "--to", "s3")
    assert result.exit_code == 1
    assert (
        "stopped: a store could not be reached (storage_unavailable); run it again" in result.output
    )
    assert S3_SECRET_ACCESS_KEY not in result.output
