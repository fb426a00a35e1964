"""WeChat failing every way the sandbox can make it fail: HTTP 5xx, answers too late,
bodies that are not JSON, 40001 (access token refused) and 45009 (API quota).

- A login answers 503/429/401 with the error envelope, in bounded time, and the next
  login after the fault works.
- Pushes wait in the outbox and go out later exactly once each; a push WeChat got but
  never answered is marked unknown and never sent again.
- Three gunicorn workers and the scheduler, all dispatching, fetch at most one access
  token per token lifetime between them (slow: it watches lifetimes pass).

`worker_app` and `SCHEDULER_JOBS` below are imported by the processes the slow test
starts.
"""

from __future__ import annotations

import math
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from freezegun import freeze_time
from sqlalchemy import delete, func, select

from server import PROJECT_ROOT, create_app
from server.extensions import db
from server.jobs import Job
from server.jobs.tasks import dispatch_outbox
from server.models import JobRun, KeyValue, OutboxMessage, SubscriptionQuota, User
from server.services.messaging import inbox
from server.services.people.access import load_principal
from tests.conftest import app_env, child_pythonpath
from tests.factories import build_world, make_issues
from tests.helpers import dispatch, free_port
from tests.steps import sign_in

pytestmark = pytest.mark.faults

SUBSCRIBE_SEND = "cgi-bin/message/subscribe/send"
TEMPLATE_SEND = "cgi-bin/message/template/send"
OA_TEMPLATES = {"new_issue": "oa-new-issue"}
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _fetches(sandbox, appid: str) -> list[dict]:
    with sandbox.state.lock:
        return [f for f in sandbox.state.fetch_log if f["appid"] == appid]


@pytest.fixture
def fresh_tokens(app, sandbox):
    """No access token stored or counted from an earlier test: each test's fetches
    are its own."""

    def forget():
        with app.app_context(), db.engine.begin() as conn:
            conn.execute(delete(KeyValue).where(KeyValue.key.like("wechatpy:%")))
        with sandbox.state.lock:
            sandbox.state.stable.clear()
            sandbox.state.fetch_log.clear()

    forget()
    yield
    forget()


# ----- 1. logins -----


LOGIN_FAULTS = [
    # kind, value (None: just past WECHAT_TIMEOUT), HTTP status, error code
    pytest.param("status", 500, 503, "wechat_unavailable", id="http-500"),
    pytest.param("status", 502, 503, "wechat_unavailable", id="http-502"),
    pytest.param("status", 503, 503, "wechat_unavailable", id="http-503"),
    pytest.param("delay", None, 503, "wechat_unavailable", id="timeout"),
    pytest.param("malformed", 0, 503, "wechat_unavailable", id="not-json"),
    pytest.param("errcode", -1, 503, "wechat_unavailable", id="errcode-1-busy"),
    pytest.param("errcode", 45011, 429, "wechat_rate_limited", id="errcode-45011"),
    pytest.param("errcode", 40029, 401, "wechat_code_invalid", id="errcode-40029"),
]


@pytest.mark.parametrize(("kind", "value", "status", "code"), LOGIN_FAULTS)
def test_a_login_during_a_wechat_fault_answers_cleanly_and_the_next_one_works(
    app, client, sandbox, caplog, kind, value, status, code
):
    timeout = app.config["WECHAT_TIMEOUT"]
    if value is None:
        value = timeout + 1
    sandbox.fault("sns/jscode2session", kind, value, times=1)

    started = time.monotonic()
    response = sign_in(client, f"demo-faulty-{kind}")
    took = time.monotonic() - started

    assert response.status_code == status
    body = response.get_json()
    assert body["code"] == code
    assert CHINESE.search(body["message"]), body
    assert "Traceback" not in response.get_data(as_text=True)
    if status == 503:
        assert response.headers["Retry-After"] == "5"  # not the rate limiter's window
    elif status == 429:
        assert int(response.headers["Retry-After"]) > 0
    else:
        assert "Retry-After" not in response.headers
    assert took <= timeout + 1, f"answered after {took:.2f} s"
    print(f"login during {kind} {value}: {status} {body['code']} in {took:.2f} s")
    # A 500 would have logged a traceback: nothing was logged as an error.
    assert not [r for r in caplog.records if r.levelname in {"ERROR", "CRITICAL"}]

    after = sign_in(client, f"demo-after-{kind}")
    assert after.status_code == 200, after.get_json()
    assert after.get_json()["token"]
    assert "Retry-After" not in after.headers  # a success asks nobody to wait


# ----- 2. pushes during a fault -----

ISSUES = 17  # × (the unit's liaison + 2 committee members) = 51 pushes
FAULTS_PER_PATH = 3
SEND_TIMEOUT = 1.0  # seconds; a shorter WECHAT_TIMEOUT keeps the timeout case quick

SEND_FAULTS = [
    pytest.param("status", 500, id="http-500"),
    pytest.param("status", 503, id="http-503"),
    pytest.param("delay", SEND_TIMEOUT + 0.5, id="timeout"),
    pytest.param("malformed", 0, id="not-json"),
    pytest.param("errcode", 40001, id="errcode-40001-token-refused"),
    pytest.param("errcode", 45009, id="errcode-45009-api-quota"),
]


@pytest.fixture
def reporters(app, sandbox, committed_db, monkeypatch, fresh_tokens):
    """A compound whose liaisons follow the official account (template messages) and
    whose two committee members granted one subscribe message per issue to come.
    Returns who reports in each unit, as (user id, household id): plain values, since
    a failing test's report would print ORM objects, and reloading them would hold
    SQLite's write lock through the teardown."""
    monkeypatch.setitem(app.config, "WECHAT_TIMEOUT", SEND_TIMEOUT)
    monkeypatch.setitem(app.config, "WECHAT_OA_APPID", sandbox.state.oa_appid)
    monkeypatch.setitem(app.config, "WECHAT_OA_SECRET", sandbox.state.oa_secret)
    monkeypatch.setitem(app.config, "WECHAT_OA_TEMPLATES", OA_TEMPLATES)
    _drop_clients(app)
    world = build_world("wf")
    for key in ("liaison_1_1", "liaison_1_2"):
        world.people[key].oa_openid = f"oa-{world.openid(key)}"
    people = [("resident_1_1", "1-1-101"), ("resident_1_2", "1-2-101")]
    reporters = [(world.people[who].id, world.household(label).id) for who, label in people]
    committee = [world.people[key].id for key in ("committee", "committee_2")]
    db.session.commit()
    for user_id in committee:
        principal = load_principal(user_id)
        for _ in range(ISSUES):
            inbox.record_subscriptions(principal, ["sandbox-new_issue"])
    yield reporters
    _drop_clients(app)


def _drop_clients(app):
    """The clients are built once per app from its configuration: build them again."""
    app.extensions.pop("linli.mini_program", None)
    app.extensions.pop("linli.official_account", None)


def _outbox_rows():
    """(id, channel, status, recipient as WeChat knows them, page) of every push."""
    rows = db.session.execute(
        select(
            OutboxMessage.id,
            OutboxMessage.channel,
            OutboxMessage.status,
            User.openid,
            User.oa_openid,
            OutboxMessage.payload,
        ).join(User, User.id == OutboxMessage.user_id)
    ).all()
    db.session.commit()  # end the read (SQLite: hold no write lock)
    return [
        (
            r.id,
            r.channel,
            r.status,
            r.oa_openid if r.channel == "template" else r.openid,
            r.payload["page"],
        )
        for r in rows
    ]


def _waiting() -> int:
    count = db.session.scalar(
        select(func.count()).where(OutboxMessage.status.in_(("pending", "sending")))
    )
    db.session.commit()
    return count


def _drain(app, rounds=40):
    """Run the scheduler's dispatch job until nothing waits, letting a minute pass
    after each round that deferred something (the backoff is 15 s, then 30 s)."""
    offset, results = 0, []
    for _ in range(rounds):
        with freeze_time(timedelta(seconds=offset), tick=True):
            result = dispatch(app)
        results.append(result)
        if not _waiting():
            return results
        if isinstance(result, str) or result.deferred:
            offset += 61
    raise AssertionError(f"messages still waiting after {rounds} rounds: {results}")


def _wait_for_sandbox(sandbox, count, seconds=10):
    """Sends answered too late are still being recorded after the client gave up."""
    deadline = time.monotonic() + seconds
    while len(sandbox.state.messages) < count and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.mark.parametrize(("kind", "value"), SEND_FAULTS)
def test_pushes_wait_out_a_wechat_fault_and_go_out_exactly_once(
    app, sandbox, reporters, kind, value
):
    make_issues(ISSUES, *reporters)
    rows = _outbox_rows()
    assert len(rows) == 3 * ISSUES
    per_channel = Counter(channel for _, channel, *_ in rows)
    assert per_channel == {"template": ISSUES, "subscribe": 2 * ISSUES}
    for path in (SUBSCRIBE_SEND, TEMPLATE_SEND):
        sandbox.fault(path, kind, value, times=FAULTS_PER_PATH)

    results = _drain(app)

    uncertain = kind == "delay"  # the request went out; the answer never came back
    first = results[0]
    if uncertain:
        assert (first.sent, first.unknown) == (len(rows) - 6, 2 * FAULTS_PER_PATH)
    else:  # the first send failed: the whole batch waits for the next round
        assert (first.sent, first.deferred) == (0, len(rows))
    _wait_for_sandbox(sandbox, len(rows))

    final = _outbox_rows()
    statuses = Counter(status for _, _, status, _, _ in final)
    expected_unknown = 2 * FAULTS_PER_PATH if uncertain else 0
    assert statuses == +Counter(sent=len(rows) - expected_unknown, unknown=expected_unknown)
    # The sandbox's record: every push exactly once, the ones marked unknown included
    # (WeChat had them) — none lost, none sent twice.
    received = Counter((m["touser"], m["page"]) for m in sandbox.state.messages)
    assert len(sandbox.state.messages) == len(rows)
    assert received == Counter((recipient, page) for _, _, _, recipient, page in final)
    # No send was tried more often than its failures required.
    calls = sandbox.state.calls
    failed_calls = 0 if uncertain else FAULTS_PER_PATH
    assert calls.get(SUBSCRIBE_SEND) == 2 * ISSUES + failed_calls
    assert calls.get(TEMPLATE_SEND) == ISSUES + failed_calls
    # Each subscribe push, sent or possibly sent, spent one subscription.
    remaining = db.session.scalars(select(SubscriptionQuota.remaining)).all()
    db.session.commit()
    assert remaining == [0, 0]
    # A refused token is fetched again, at most once per refusal (two sends refused
    # at once share the refetch): no retry loop.
    fetches = [len(_fetches(sandbox, a)) for a in (sandbox.state.appid, sandbox.state.oa_appid)]
    for count in fetches:
        assert 2 <= count <= 1 + FAULTS_PER_PATH if value == 40001 else count == 1
    print(
        f"{kind} {value}: {len(rows)} pushes in {len(results)} rounds, {dict(statuses)}, "
        f"sandbox received {len(sandbox.state.messages)}, token fetches {fetches}"
    )


# ----- 3. one access token per lifetime across processes -----

TOKEN_TTL = 20  # seconds (WeChat: 7200)
TRAFFIC_SECONDS = 2.5 * TOKEN_TTL

# The scheduler process of the slow test dispatches every second.
SCHEDULER_JOBS = [
    Job("dispatch_outbox", "server.jobs.tasks:dispatch_outbox", "interval", {"seconds": 1}, 5)
]


def worker_app():
    """What the slow test's gunicorn serves: the application, plus a route that runs
    the outbox dispatcher in this worker, so every worker sends and needs the token."""
    app = create_app()

    @app.post("/_faults/dispatch")
    def _dispatch():
        result = dispatch_outbox()
        sent = result if isinstance(result, str) else result.sent
        return {"pid": os.getpid(), "sent": sent}

    return app


def _start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )


def _stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _wait_healthy(base: str, procs, logs: list[Path], seconds=60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            break
        try:
            if requests.get(base + "healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError("gunicorn did not start:\n" + logs[0].read_text()[-3000:])


@pytest.fixture
def short_lived_tokens(sandbox):
    requests.post(sandbox.url + "sandbox/settings", json={"token_ttl": TOKEN_TTL}, timeout=5)
    yield TOKEN_TTL
    requests.post(sandbox.url + "sandbox/settings", json={"token_ttl": 7200}, timeout=5)


@pytest.mark.slow
def test_workers_and_the_scheduler_fetch_one_token_per_lifetime(
    app, sandbox, database_url, committed_db, fresh_tokens, short_lived_tokens, tmp_path
):
    world = build_world("tk")
    for key in ("liaison_1_1", "liaison_1_2"):
        world.people[key].oa_openid = f"oa-{world.openid(key)}"
    for key in ("committee", "committee_2"):
        db.session.add(
            SubscriptionQuota(
                user_id=world.people[key].id, template_id="sandbox-new_issue", remaining=10_000
            )
        )
    reporters = [
        (world.headers("resident_1_1"), world.household("1-1-101").id),
        (world.headers("resident_1_2"), world.household("1-2-101").id),
    ]
    db.session.commit()  # and read nothing more: on SQLite a read would hold the write lock

    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    env = {
        **os.environ,
        **app_env(database_url, sandbox),
        "WECHAT_OA_APPID": sandbox.state.oa_appid,
        "WECHAT_OA_SECRET": sandbox.state.oa_secret,
        "WECHAT_OA_TOKEN": "fault-test-oa-token",
        "WECHAT_OA_TEMPLATES": '{"new_issue": "oa-new-issue"}',
        "SCHEDULER_JOBS": "tests.faults.test_wechat_faults:SCHEDULER_JOBS",
        "SCHEDULER_LEASE_SECONDS": "3",
        "PYTHONPATH": child_pythonpath(),
    }
    gunicorn = [
        str(Path(sys.executable).parent / "gunicorn"),
        "-w", "3",
        "-b", f"127.0.0.1:{port}",
        "--timeout", "60",
        "tests.faults.test_wechat_faults:worker_app()",
    ]  # fmt: skip
    scheduler = [sys.executable, "-m", "flask", "--app", "server", "scheduler"]
    logs = [tmp_path / "gunicorn.log", tmp_path / "scheduler.log"]
    procs = [_start(gunicorn, env, logs[0])]
    try:
        _wait_healthy(base, procs, logs)
        procs.append(_start(scheduler, env, logs[1]))
        started = time.monotonic()
        load = _Load(base, reporters)
        load.run(TRAFFIC_SECONDS)
        elapsed = time.monotonic() - started
        load.drain(lambda: _waiting() == 0, seconds=60)
    finally:
        _stop(procs)

    assert load.errors == [], load.errors[:5]
    assert load.issues >= 20
    assert len(load.worker_pids) == 3, load.worker_pids  # every worker dispatched
    runs = dict(
        db.session.execute(
            select(JobRun.status, func.count())
            .where(JobRun.job_name == "dispatch_outbox")
            .group_by(JobRun.status)
        ).all()
    )
    db.session.commit()
    assert runs.get("done", 0) >= TRAFFIC_SECONDS / 2, logs[1].read_text()[-3000:]
    assert "failed" not in runs, logs[1].read_text()[-3000:]  # e.g. a deadlock

    lifetimes = elapsed / TOKEN_TTL
    for appid in (sandbox.state.appid, sandbox.state.oa_appid):
        fetches = _fetches(sandbox, appid)
        print(
            f"{appid}: {len(fetches)} token fetches in {elapsed:.1f} s ({lifetimes:.2f} lifetimes)"
        )
        assert 2 <= len(fetches) <= math.ceil(lifetimes) + 1, fetches
        # Nobody fetched while the shared token was still good: each fetch renewed it.
        assert all(f["new"] for f in fetches), fetches

    rows = _outbox_rows()
    assert {status for _, _, status, _, _ in rows} == {"sent"}
    received = Counter((m["touser"], m["page"]) for m in sandbox.state.messages)
    assert received == Counter((recipient, page) for _, _, _, recipient, page in rows)
    assert max(received.values()) == 1
    print(f"{len(rows)} pushes from {load.issues} issues, each delivered once")


class _Load:
    """Residents report issues through the API while three threads ask the workers to
    dispatch; the scheduler dispatches on its own every second."""

    def __init__(self, base: str, reporters: list[tuple[dict, int]]):
        self.base = base
        self.reporters = reporters  # (headers, household id) of each reporting resident
        self.issues = 0
        self.worker_pids: set[int] = set()
        self.errors: list[str] = []
        self.stop = threading.Event()

    def run(self, seconds: float) -> None:
        threads = [threading.Thread(target=self._report)] + [
            threading.Thread(target=self._dispatch) for _ in range(3)
        ]
        for thread in threads:
            thread.start()
        time.sleep(seconds)
        self.stop.set()
        for thread in threads:
            thread.join(timeout=60)

    def drain(self, done, seconds: float) -> None:
        """Keep the workers dispatching until `done()`."""
        self.stop.clear()
        deadline = time.monotonic() + seconds
        while not done() and time.monotonic() < deadline:
            self._dispatch_once(requests)
            time.sleep(0.2)

    def _report(self) -> None:
        with requests.Session() as http:
            while not self.stop.is_set():
                headers, household_id = self.reporters[self.issues % 2]
                body = {
                    "category": "repair",
                    "title": f"楼道灯坏了{self.issues}",
                    "description": "晚上看不见台阶",
                    "household_id": household_id,
                }
                response = http.post(
                    self.base + "api/v1/issues", json=body, headers=headers, timeout=30
                )
                if response.status_code != 201:
                    self.errors.append(f"report: {response.status_code} {response.text[:200]}")
                else:
                    self.issues += 1
                time.sleep(0.25)

    def _dispatch(self) -> None:
        with requests.Session() as http:
            while not self.stop.is_set():
                self._dispatch_once(http)
                time.sleep(0.05)

    def _dispatch_once(self, http) -> None:
        response = http.post(self.base + "_faults/dispatch", timeout=60)
        if response.status_code != 200:
            self.errors.append(f"dispatch: {response.status_code} {response.text[:200]}")
            return
        self.worker_pids.add(response.json()["pid"])
