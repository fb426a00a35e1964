"""`flask --app server uploads migrate` moves every stored file, not only photos: the
desk's roster files waiting for 确认导入 and any file no photo row names, each copy read
back and checked; a desk that checked a file before the switch loads it after. Across
local files, S3 (moto's server over real HTTP) and the database."""

from __future__ import annotations

import hashlib
import io
import re

import pytest

from server.config import load_config
from server.extensions import db
from server.models import Upload
from server.storage import EXTENSION_KEY, DatabaseStorage, LocalStorage, build_storage
from server.storage.keys import roster_draft_key
from server.storage.s3 import StorageUnavailable
from tests.factories import build_world
from tests.helpers import image_bytes
from tests.s3_server import new_bucket, s3_env, s3_server
from tests.server.console.desk import signed_in, submit
from tests.steps import upload

ROSTER = "楼栋,单元,房号,建筑面积(m²),楼层,状态,备注\n2,1,101,88.5,,,\n".encode()


@pytest.fixture(scope="module")
def endpoint():
    with s3_server() as url:
        yield url


@pytest.fixture
def s3(app, endpoint, tmp_path, monkeypatch):
    """A fresh bucket, its S3_* settings in the app's config; the store."""
    settings = load_config(s3_env(endpoint, new_bucket(endpoint)), str(tmp_path))
    for name, value in settings.items():
        if name.startswith("S3_"):
            monkeypatch.setitem(app.config, name, value)
    return build_storage(app.config, "s3")


@pytest.fixture
def world(client, photo_storage):
    """Compound aa with two photos uploaded to local files (the default store)."""
    world = build_world("aa")
    world.photos = [
        db.session.get(Upload, upload(client, world, image_bytes(color=c)).get_json()["id"])
        for c in ("red", "blue")
    ]
    return world


def migrate(app, *args):
    return app.test_cli_runner().invoke(args=["uploads", "migrate", *args])


def check_on_the_desk(app, world):
    """A committee member checks a roster file on the desk; the browser and its draft."""
    browser = signed_in(app, world)
    checked = submit(
        browser,
        "/console/roster/check",
        {"file": (io.BytesIO(ROSTER), "名册.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    page = checked.get_data(as_text=True)
    assert "没有发现问题，可以导入" in page
    return browser, re.search(r'name="draft" value="([^"]+)"', page).group(1)


def test_a_roster_file_checked_before_the_switch_is_loaded_after_it(
    app, world, photo_storage, s3, monkeypatch
):
    browser, draft = check_on_the_desk(app, world)
    (waiting,) = photo_storage.keys("desk-roster/")

    dry = migrate(app, "--from", "local", "--to", "s3", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "local → s3: 2 photos, would copy 2, already there 0" in dry.output
    assert "local → s3: 1 roster files, would copy 1, already there 0" in dry.output
    assert list(s3.keys()) == []  # a dry run copies nothing

    done = migrate(app, "--from", "local", "--to", "s3")
    assert done.exit_code == 0, done.output
    assert "1 roster files, copied 1, already there 0, gone meanwhile 0, failed 0" in done.output
    assert s3.get(waiting) == ROSTER
    assert photo_storage.get(waiting) == ROSTER  # the source is left as it was

    monkeypatch.setitem(app.config, "STORAGE_BACKEND", "s3")  # the switch and a restart
    monkeypatch.setitem(app.extensions, EXTENSION_KEY, s3)
    loaded = submit(browser, "/console/roster/import", {"draft": draft}, follow_redirects=True)
    assert "已导入名册：新建 1 栋楼、1 个单元、1 户" in loaded.get_data(as_text=True)
    assert list(s3.keys("desk-roster/")) == []  # loaded, then forgotten


def test_a_second_run_copies_nothing_and_a_half_written_file_is_copied_again(
    app, world, photo_storage, s3
):
    roster_key = roster_draft_key("csv")
    photo_storage.put(roster_key, ROSTER, "application/octet-stream")
    photo_storage.put("2025/01/left-behind.jpg", b"a photo whose row is gone", "image/jpeg")
    s3.put(roster_key, ROSTER[:10], "application/octet-stream")  # an interrupted run

    first = migrate(app, "--from", "local", "--to", "s3")
    assert first.exit_code == 0, first.output
    assert "2 photos, copied 2, already there 0, missing 0, damaged 0, failed 0" in first.output
    assert "1 roster files, copied 1, already there 0" in first.output
    assert "1 other files, copied 1, already there 0" in first.output
    assert s3.get(roster_key) == ROSTER
    assert s3.get("2025/01/left-behind.jpg") == b"a photo whose row is gone"

    again = migrate(app, "--from", "local", "--to", "s3")
    assert again.exit_code == 0, again.output
    assert "2 photos, copied 0, already there 2" in again.output
    assert "1 roster files, copied 0, already there 1" in again.output
    assert "1 other files, copied 0, already there 1" in again.output


def test_every_file_travels_from_s3_to_the_database_and_on_to_local_files(
    app, world, photo_storage, s3, tmp_path, monkeypatch
):
    roster_key = roster_draft_key("xlsx")
    photo_storage.put(roster_key, ROSTER, "application/octet-stream")
    assert migrate(app, "--from", "local", "--to", "s3").exit_code == 0
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "elsewhere"))  # empty

    to_database = migrate(app, "--from", "s3", "--to", "database")
    assert to_database.exit_code == 0, to_database.output
    assert "s3 → database: 2 photos, copied 2" in to_database.output
    assert "s3 → database: 1 roster files, copied 1" in to_database.output
    to_local = migrate(app, "--from", "database", "--to", "local")
    assert to_local.exit_code == 0, to_local.output
    assert "database → local: 1 roster files, copied 1" in to_local.output

    moved = LocalStorage(tmp_path / "elsewhere")
    assert moved.get(roster_key) == ROSTER
    for photo in world.photos:
        assert hashlib.sha256(moved.get(photo.storage_key)).hexdigest() == photo.sha256
    assert sorted(moved.keys()) == sorted(DatabaseStorage().keys()) == sorted(s3.keys())


class Garbling(LocalStorage):
    """A store that keeps all but the last byte of what it is given."""

    def put(self, key: str, data: bytes, content_type: str) -> None:
        super().put(key, data[:-1], content_type)


def test_a_copy_not_read_back_intact_is_named_and_the_run_fails(
    app, world, photo_storage, tmp_path, monkeypatch
):
    roster_key = roster_draft_key("csv")
    photo_storage.put(roster_key, ROSTER, "application/octet-stream")
    garbling = Garbling(tmp_path / "target")
    real_build = build_storage

    def build(config, backend=None):
        return garbling if backend == "database" else real_build(config, backend)

    monkeypatch.setattr("server.cli_uploads.build_storage", build)
    result = migrate(app, "--from", "local", "--to", "database")
    assert result.exit_code == 1, result.output
    assert "2 photos, copied 0, already there 0, missing 0, damaged 0, failed 2" in result.output
    assert "1 roster files, copied 0, already there 0, gone meanwhile 0, failed 1" in result.output
    assert f"failed: {roster_key}" in result.output


def test_an_object_put_in_the_bucket_by_hand_under_no_key_we_make_is_named(app, db_session, s3):
    s3.client.put_object(Bucket=s3.bucket, Key=s3.prefix + "by-hand//x.txt", Body=b"x")
    result = migrate(app, "--from", "s3", "--to", "database")
    assert result.exit_code == 1, result.output
    assert "s3 → database: 0 photos, copied 0" in result.output
    assert "1 other files, copied 0, already there 0, gone meanwhile 0, failed 1" in result.output
    assert "failed: by-hand//x.txt" in result.output


def test_a_roster_file_loaded_while_the_run_lists_it_is_gone_not_a_problem(
    app, world, photo_storage, monkeypatch
):
    roster_key = roster_draft_key("csv")
    photo_storage.put(roster_key, ROSTER, "application/octet-stream")
    listed = photo_storage.keys

    def keys_then_loaded(prefix=""):
        found = list(listed(prefix))
        photo_storage.delete(roster_key)  # 确认导入 on the desk, meanwhile
        return iter(found)

    monkeypatch.setattr(photo_storage, "keys", keys_then_loaded)
    monkeypatch.setattr(
        "server.cli_uploads.build_storage",
        lambda config, backend=None: photo_storage if backend == "local" else DatabaseStorage(),
    )
    result = migrate(app, "--from", "local", "--to", "database")
    assert result.exit_code == 0, result.output
    assert "1 roster files, copied 0, already there 0, gone meanwhile 1, failed 0" in result.output


@pytest.mark.parametrize("backend", ["local", "s3", "database"])
def test_each_store_lists_its_keys_under_a_prefix(backend, app, db_session, s3, tmp_path):
    store = {"local": LocalStorage(tmp_path / "keys"), "s3": s3, "database": DatabaseStorage()}
    store = store[backend]
    for key in ("desk-roster/2026/12/01/a.csv", "desk-roster/2026/12/02/b.xlsx", "2026/12/c.jpg"):
        store.put(key, b"x", "application/octet-stream")
    assert list(store.keys("desk-roster/")) == [
        "desk-roster/2026/12/01/a.csv",
        "desk-roster/2026/12/02/b.xlsx",
    ]
    assert sorted(store.keys()) == [
        "2026/12/c.jpg",
        "desk-roster/2026/12/01/a.csv",
        "desk-roster/2026/12/02/b.xlsx",
    ]
    assert list(store.keys("desk-roster/2026/12/03/")) == []


def test_a_bucket_that_cannot_be_listed_is_a_clear_outage(app, s3, monkeypatch, caplog):
    monkeypatch.setattr(s3, "bucket", "no-such-bucket")
    with pytest.raises(StorageUnavailable):
        list(s3.keys("desk-roster/"))
    assert "list no-such-bucket/desk-roster/ failed (NoSuchBucket)" in caplog.text


def test_a_file_being_written_is_not_listed(tmp_path):
    store = LocalStorage(tmp_path)
    store.put("2026/12/a.jpg", b"x", "image/jpeg")
    (tmp_path / "2026" / "12" / ".tmpab12.part").write_bytes(b"half")
    assert list(store.keys()) == ["2026/12/a.jpg"]


def test_the_help_says_every_stored_file_is_moved(app):
    result = app.test_cli_runner().invoke(args=["uploads", "migrate", "--help"])
    assert result.exit_code == 0
    said = " ".join(result.output.split())
    assert "every other file in the source is copied too" in said
    assert "the desk's roster files waiting for 确认导入" in said
    assert "files already copied are skipped" in said
