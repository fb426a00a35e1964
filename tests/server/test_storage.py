"""Where photos live: the backend is chosen by STORAGE_BACKEND, a missing setting stops
start-up naming it, and the database backend keeps photos every host can read."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from sqlalchemy import func, select

from server.config import ConfigError, load_config
from server.extensions import db
from server.models import StoredBlob, Upload
from server.storage import (
    EXTENSION_KEY,
    DatabaseStorage,
    LocalStorage,
    S3Storage,
    build_storage,
)
from tests.factories import build_world
from tests.helpers import image_bytes
from tests.server.console.desk import signed_in, submit
from tests.steps import upload

S3 = {"STORAGE_BACKEND": "s3", "S3_BUCKET": "photos", "S3_REGION": "ap-guangzhou"}


def config(tmp_path, **env) -> dict:
    return load_config(env, str(tmp_path))


# ----- choosing a backend -----


def test_local_files_stay_the_default(tmp_path):
    storage = build_storage(config(tmp_path, UPLOAD_DIR=str(tmp_path / "up")))
    assert isinstance(storage, LocalStorage)
    assert storage.root == (tmp_path / "up").resolve()


def test_s3_and_database_are_chosen_by_name(tmp_path):
    assert isinstance(build_storage(config(tmp_path, **S3)), S3Storage)
    assert isinstance(build_storage(config(tmp_path, STORAGE_BACKEND="database")), DatabaseStorage)


@pytest.mark.parametrize("missing", ["S3_BUCKET", "S3_REGION"])
def test_an_s3_store_without_its_bucket_or_region_does_not_start(tmp_path, missing):
    env = {**S3, missing: ""}
    with pytest.raises(ConfigError, match=f"^{missing} is not set"):
        config(tmp_path, **env)


@pytest.mark.parametrize(
    ("given", "missing"),
    [("S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"), ("S3_SECRET_ACCESS_KEY", "S3_ACCESS_KEY_ID")],
)
def test_half_a_key_pair_names_the_other_half_and_never_the_secret(tmp_path, given, missing):
    with pytest.raises(ConfigError) as raised:
        config(tmp_path, **S3, **{given: "sekrit-value-123"})
    assert str(raised.value).startswith(f"{missing} is not set")
    assert "sekrit-value-123" not in str(raised.value)


def test_an_unknown_backend_or_addressing_style_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="STORAGE_BACKEND must be one of local, s3, database"):
        config(tmp_path, STORAGE_BACKEND="ftp")
    with pytest.raises(ConfigError, match="S3_ADDRESSING_STYLE must be one of"):
        config(tmp_path, **S3, S3_ADDRESSING_STYLE="dns")


def test_s3_settings_are_not_needed_until_a_command_names_s3(tmp_path):
    settings = config(tmp_path)
    with pytest.raises(ConfigError, match=r"^S3_BUCKET is not set"):
        build_storage(settings, "s3")


def test_the_repr_of_an_s3_store_names_no_key(tmp_path):
    storage = build_storage(
        config(tmp_path, **S3, S3_ACCESS_KEY_ID="AKIDvisible", S3_SECRET_ACCESS_KEY="hidden-xyz")
    )
    assert "hidden-xyz" not in repr(storage)
    assert "AKIDvisible" not in repr(storage)


# ----- the same contract, every backend -----


@pytest.fixture(params=["local", "database"])
def storage(request, app, db_session, tmp_path):
    if request.param == "local":
        return LocalStorage(tmp_path / "uploads")
    return DatabaseStorage()


def test_a_photo_put_is_got_back_then_deleted(storage):
    storage.put("2026/01/a.jpg", b"first", "image/jpeg")
    storage.put("2026/01/a.jpg", b"second", "image/jpeg")  # replaces
    assert storage.get("2026/01/a.jpg") == b"second"
    storage.delete("2026/01/a.jpg")
    with pytest.raises(KeyError):
        storage.get("2026/01/a.jpg")
    storage.delete("2026/01/a.jpg")  # already gone: nothing happens


@pytest.mark.parametrize("key", ["", "../x.jpg", "a//b.jpg", "a/./b.jpg", "a\\b.jpg", "a\x00.jpg"])
def test_every_backend_refuses_the_same_unsafe_keys(storage, key):
    with pytest.raises(ValueError, match="unsafe storage key"):
        storage.put(key, b"x", "image/jpeg")
    with pytest.raises(ValueError, match="unsafe storage key"):
        storage.get(key)


# ----- photos in the database, through the API -----


@pytest.fixture
def in_database(app, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "STORAGE_BACKEND", "database")
    monkeypatch.setitem(app.config, "UPLOAD_RATE", "1000/minute")
    monkeypatch.setitem(app.extensions, EXTENSION_KEY, DatabaseStorage())


@pytest.mark.usefixtures("in_database")
def test_a_photo_uploaded_is_kept_in_the_database_and_served_back(client, db_session):
    world = build_world("aa")
    photo = image_bytes(color="navy")
    created = upload(client, world, photo)
    assert created.status_code == 201, created.get_json()

    served = client.get(
        f"/api/v1/uploads/{created.get_json()['id']}", headers=world.headers("resident_1_1")
    )
    assert served.status_code == 200
    assert served.mimetype == "image/jpeg"
    row = db.session.get(Upload, created.get_json()["id"])
    assert hashlib.sha256(served.data).hexdigest() == row.sha256
    blob = db.session.scalar(select(StoredBlob).where(StoredBlob.key == row.storage_key))
    assert blob.data == served.data
    assert blob.content_type == "image/jpeg"


@pytest.mark.usefixtures("in_database")
def test_a_photo_whose_bytes_are_gone_is_a_404_not_a_500(client, db_session):
    world = build_world("aa")
    created = upload(client, world)
    row = db.session.get(Upload, created.get_json()["id"])
    DatabaseStorage().delete(row.storage_key)

    served = client.get(f"/api/v1/uploads/{row.id}", headers=world.headers("resident_1_1"))
    assert served.status_code == 404
    assert served.get_json()["code"] == "upload_not_found"
    assert db.session.scalar(select(func.count()).select_from(StoredBlob)) == 0


@pytest.mark.usefixtures("in_database")
def test_the_desks_roster_file_waits_in_the_database_between_check_and_import(app, db_session):
    world = build_world("aa")
    browser = signed_in(app, world)
    roster = "楼栋,单元,房号,建筑面积(m²),楼层,状态,备注\n2,1,101,88.5,,,\n".encode()
    checked = submit(
        browser,
        "/console/roster/check",
        {"file": (io.BytesIO(roster), "名册.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    page = checked.get_data(as_text=True)
    assert "没有发现问题，可以导入" in page
    waiting = db.session.scalars(select(StoredBlob.key)).all()
    assert len(waiting) == 1
    assert waiting[0].startswith("desk-roster/")

    draft = re.search(r'name="draft" value="([^"]+)"', page).group(1)
    loaded = submit(browser, "/console/roster/import", {"draft": draft}, follow_redirects=True)
    assert "已导入名册：新建 1 栋楼、1 个单元、1 户" in loaded.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(StoredBlob)) == 0
