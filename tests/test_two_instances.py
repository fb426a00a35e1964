"""Past one box: two app instances — separate gunicorn processes on different ports,
sharing nothing but one database, one photo store and one Redis — behave as one
service. A photo uploaded through one is served by the other (photos in the database,
or in an S3 store: moto's server); a rate limit counts the hits on both.

Separate processes, not two apps in this one: Flask-Limiter's counter store belongs to
its one module-level Limiter, so two apps in one process would share it and the rate
limit could not fail to hold.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from contextlib import ExitStack, contextmanager

import pytest
import redis
import requests

from server import PROJECT_ROOT
from server.extensions import db
from tests.conftest import app_env, child_pythonpath
from tests.factories import build_world
from tests.helpers import free_port, image_bytes, wait_for
from tests.s3_server import new_bucket, s3_env, s3_server

pytestmark = pytest.mark.slow  # real processes

REDIS_URL = "redis://127.0.0.1:6379/7"  # a Redis database of this test's own
GUNICORN = [sys.executable, "-m", "gunicorn", "--no-control-socket", "--workers", "1"]
GUNICORN += ["--threads", "4", "--graceful-timeout", "1"]
UPLOAD_RATE = 4  # per minute and person, across both instances


def redis_reachable() -> bool:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False
    return True


@contextmanager
def instance(database_url, sandbox, tmp_path, name, **env):
    """The app under gunicorn (one worker, as in production but smaller) on a free
    port, started (wait for it with `wait_up`); (its base URL, process, log)."""
    port = free_port()
    settings = {
        **os.environ,
        **app_env(database_url, sandbox, **env),
        "UPLOAD_DIR": str(tmp_path / f"not-shared-{name}"),  # only the chosen store is
        "PYTHONPATH": child_pythonpath(),
    }
    log = tmp_path / f"{name}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [*GUNICORN, "--bind", f"127.0.0.1:{port}", "server:create_app()"],
            cwd=PROJECT_ROOT,
            env=settings,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield f"http://127.0.0.1:{port}/", process, log
    finally:
        process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_up(url: str, process: subprocess.Popen, log) -> None:
    def up() -> bool:
        assert process.poll() is None, f"the instance exited:\n{log.read_text()}"
        try:
            return requests.get(url + "healthz", timeout=2).status_code == 200
        except requests.RequestException:  # not listening yet, or its worker still loading
            return False

    # A worker imports the app first: seconds when idle, past 30 s at load 14 (seen).
    wait_for(up, 90, lambda: f"the instance did not start:\n{log.read_text()}")


@pytest.fixture(scope="module", params=["database", "s3"])
def pair(request, database_url, sandbox, tmp_path_factory):
    """Two instances sharing the database, the photo store and (when reachable) Redis."""
    tmp_path = tmp_path_factory.mktemp(f"two-{request.param}")
    shared = {"UPLOAD_RATE": f"{UPLOAD_RATE}/minute"}
    if redis_reachable():
        redis.Redis.from_url(REDIS_URL).flushdb()
        shared["REDIS_URL"] = REDIS_URL
    with ExitStack() as stack:
        if request.param == "s3":
            endpoint = stack.enter_context(s3_server())
            shared.update(s3_env(endpoint, new_bucket(endpoint)))
        else:
            shared["STORAGE_BACKEND"] = "database"
        started = [
            stack.enter_context(instance(database_url, sandbox, tmp_path, name, **shared))
            for name in ("one", "two")
        ]
        for url, process, log in started:
            wait_up(url, process, log)
        urls = [url for url, _process, _log in started]
        yield request.param, urls, "REDIS_URL" in shared
    if "REDIS_URL" in shared:
        redis.Redis.from_url(REDIS_URL).flushdb()


@pytest.fixture
def world(app, committed_db):
    world = build_world("tw")
    db.session.commit()  # end the test's own transaction: the instances write now
    return world


def send_photo(url, world, who, color="teal") -> requests.Response:
    files = {"file": ("photo.jpg", image_bytes(color=color), "image/jpeg")}
    return requests.post(
        url + "api/v1/uploads", headers=world.headers(who), files=files, timeout=10
    )


def test_a_photo_uploaded_through_one_instance_is_served_by_the_other(pair, world):
    _store, (one, two), _redis = pair
    sent = send_photo(one, world, "resident_1_1", color="maroon")
    assert sent.status_code == 201, sent.text
    photo = f"api/v1/uploads/{sent.json()['id']}"

    served = requests.get(two + photo, headers=world.headers("resident_1_1"), timeout=10)
    assert served.status_code == 200, served.text
    assert served.headers["Content-Type"] == "image/jpeg"
    again = requests.get(one + photo, headers=world.headers("resident_1_1"), timeout=10)
    assert hashlib.sha256(served.content).digest() == hashlib.sha256(again.content).digest()
    # Nobody else sees it, on either instance.
    other = requests.get(two + photo, headers=world.headers("outsider"), timeout=10)
    assert other.status_code == 404


# The limit does not depend on the photo store: checked once.
@pytest.mark.parametrize("pair", ["database"], indirect=True)
def test_the_upload_rate_limit_holds_across_both_instances(pair, world):
    _store, (one, two), with_redis = pair
    if not with_redis:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: the shared limit needs it")
    redis.Redis.from_url(REDIS_URL).flushdb()  # no hit of an earlier test counts
    answers = [send_photo(url, world, "resident_1_2").status_code for url in (one, two) * 3]
    # 4 a minute for this person in all: the 5th and 6th are refused, whichever
    # instance they reach (each alone would have allowed 3 more).
    assert answers == [201, 201, 201, 201, 429, 429]
    refused = send_photo(one, world, "resident_1_2")
    assert refused.json()["code"] == "too_many_requests"
    assert int(refused.headers["Retry-After"]) >= 1
