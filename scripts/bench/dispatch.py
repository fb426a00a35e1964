"""Message dispatch throughput: enqueue n pushes, time the real dispatcher draining them.

    .venv/bin/python -m scripts.bench.dispatch [--n 2000] [--database-url URL]
        [--sandbox-url URL] [--profile]

Without --database-url, a fresh SQLite file is migrated; without --sandbox-url, the
WeChat sandbox is started in a process of its own. `measure()` expects a migrated
database (`make bench` hands it the district's) and leaves it as it found it, but
the dispatcher sends whatever else is due there too: use a scratch database.
The target is 500 messages a second, or the sandbox's own ceiling if that is lower:
`ceiling()` posts the same sends straight to the sandbox, as many at once as the
dispatcher has in flight (outbox.SENDERS), with a raw client, and `measure()` times
it before and after the dispatcher in the same run; the dispatcher's rate is reported
as a ratio to it.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
TARGET = 500  # messages per second, or the sandbox's ceiling if lower
USERS = 20  # recipients the n pushes are spread over
TEMPLATE = "reminder"
PROFILE_ORDER = "tottime"


def measure(database_url: str, sandbox_url: str, n: int = 2000, profile: bool = False) -> dict:
    """Enqueue `n` subscribe pushes and time `dispatch_outbox` (the scheduler's job)
    sending them all. Returns the figures; `profile` adds cProfile's top functions."""
    from server import create_app
    from server.extensions import db
    from server.jobs.tasks import dispatch_outbox

    app = create_app(
        {
            "LINLI_ENV": "development",
            "DATABASE_URL": database_url,
            "WECHAT_API_BASE": sandbox_url,
            "LOG_LEVEL": "WARNING",
        }
    )
    from server.services.messaging.outbox import SENDERS

    ceilings = [ceiling(sandbox_url, n // 2, SENDERS)]
    with app.app_context():
        _forget_token()
        _drain(dispatch_outbox)  # what was due before is not ours to time
        tag = secrets.token_hex(4)
        users, ids = _enqueue(tag, n)
        profiler = cProfile.Profile() if profile else None
        started, cpu_started = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        rounds = _drain(dispatch_outbox, ids)
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        statuses = _statuses(ids)
        received = _received(sandbox_url, users)
        _clean_up(tag, users, ids)
        dialect = db.engine.dialect.name
    ceilings.append(ceiling(sandbox_url, n // 2, SENDERS))
    sandbox_rate = sum(ceilings) / len(ceilings)
    rate = n / seconds
    result = {
        "database": dialect,
        "messages": n,
        "sent": statuses.get("sent", 0),
        "other": {k: v for k, v in statuses.items() if k != "sent"},
        "received_by_sandbox": received,
        "rounds": rounds,  # the job's runs (each sends full rounds back to back)
        "seconds": round(seconds, 2),
        "per_second": round(rate, 1),
        # The same sends posted straight to the sandbox, before and after.
        "sandbox_ceiling_per_second": [round(c, 1) for c in ceilings],
        "ratio_to_ceiling": round(rate / sandbox_rate, 2),
        # This process's CPU per message: steadier than the rate on a shared machine.
        "cpu_ms_per_message": round(1000 * cpu / n, 2),
        "target_per_second": min(TARGET, round(sandbox_rate)),
    }
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(PROFILE_ORDER).print_stats(25)
        result["profile"] = out.getvalue()
    return result


def ceiling(sandbox_url: str, n: int, concurrency: int) -> float:
    """Sends a second the sandbox answers: `n` subscribe sends like the dispatcher's,
    posted by `concurrency` threads each with its own keep-alive connection and one
    access token, and no database. The dispatcher cannot beat it."""
    from concurrent.futures import ThreadPoolExecutor

    from server.config import SANDBOX_APPID, SANDBOX_SECRET

    body = {"grant_type": "client_credential", "appid": SANDBOX_APPID, "secret": SANDBOX_SECRET}
    token = requests.post(sandbox_url + "cgi-bin/stable_token", json=body, timeout=30).json()
    url = f"{sandbox_url}cgi-bin/message/subscribe/send?access_token={token['access_token']}"
    tag = secrets.token_hex(4)

    def post(lane: int) -> int:
        session, ok = requests.Session(), 0
        for i in range(lane, n, concurrency):
            message = {
                "touser": f"ceiling-{tag}-{i % USERS}",
                "template_id": "bench-template",
                "page": f"pages/inbox/index?bench={i}",
                "miniprogram_state": "formal",
                "lang": "zh_CN",
                "data": {
                    "thing1": {"value": f"压测消息{i}"},
                    "thing2": {"value": "请勿回复"},
                    "time3": {"value": "2026-12-06 12:00"},
                },
            }
            data = json.dumps(message, ensure_ascii=False).encode()
            ok += session.post(url, data=data, timeout=30).json().get("errcode") == 0
        return ok

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        sent = sum(pool.map(post, range(concurrency)))
    seconds = time.perf_counter() - started
    if sent != n:
        raise SystemExit(f"the sandbox refused {n - sent} of {n} plain sends")
    return n / seconds


def _forget_token() -> None:
    """A token stored against another sandbox process would be refused (40001), and
    the round that finds out backs off 15 s: start from none."""
    from server.wechat import mini_program

    client = mini_program().client
    client.session.delete(client.access_token_key)


def _enqueue(tag: str, n: int) -> tuple[list[int], list[int]]:
    """n pushes through the real enqueue path (inbox line + outbox row), spread over
    USERS recipients, each with the subscriptions their share needs."""
    from flask import current_app
    from sqlalchemy import select

    from server.clock import utcnow
    from server.extensions import db
    from server.models import Compound, OutboxMessage, SubscriptionQuota, User
    from server.services.messaging import notify
    from server.services.messaging.messages import Message, wx_time

    compound = Compound(code=f"bench-{tag}", name="压测小区")
    users = [User(openid=f"bench-{tag}-{i}", nickname=f"压测{i}") for i in range(USERS)]
    db.session.add_all([compound, *users])
    db.session.flush()
    template_id = current_app.config["WECHAT_SUBSCRIBE_TEMPLATES"][TEMPLATE]
    share = -(-n // USERS)
    for user in users:
        db.session.add(SubscriptionQuota(user_id=user.id, template_id=template_id, remaining=share))
    moment = wx_time(utcnow())
    for i in range(n):
        message = Message(
            kind="reminder",
            template=TEMPLATE,
            title=f"压测消息{i}",
            body="压测",
            data={"thing1": f"压测消息{i}", "thing2": "请勿回复", "time3": moment},
            page=f"pages/inbox/index?bench={i}",
        )
        occasion = notify.Occasion(f"bench-{tag}-{i}", compound.id)
        notify.deliver(message, [users[i % USERS].id], occasion)
    user_ids = [user.id for user in users]
    db.session.commit()
    ids = db.session.scalars(
        select(OutboxMessage.id).where(OutboxMessage.user_id.in_(user_ids))
    ).all()
    db.session.commit()
    return user_ids, list(ids)


def _drain(dispatch_outbox, ids: list[int] | None = None, limit: int = 10_000) -> int:
    """Run the dispatcher back to back until nothing (of `ids`) is due. Returns rounds."""
    for rounds in range(1, limit + 1):
        result = dispatch_outbox()
        if isinstance(result, str):
            raise SystemExit(f"dispatch: {result}")
        done = result.sent + result.skipped + result.failed + result.unknown + result.expired
        if ids is None and not done:
            return rounds
        if ids is not None and not _due(ids):
            return rounds
    raise SystemExit("the dispatcher did not drain the queue")


def _due(ids: list[int]) -> int:
    from sqlalchemy import func, select

    from server.extensions import db
    from server.models import OutboxMessage

    count = db.session.scalar(
        select(func.count()).where(
            OutboxMessage.id.in_(ids), OutboxMessage.status.in_(("pending", "sending"))
        )
    )
    db.session.commit()
    return count


def _statuses(ids: list[int]) -> dict[str, int]:
    from sqlalchemy import func, select

    from server.extensions import db
    from server.models import OutboxMessage

    rows = db.session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.id.in_(ids))
        .group_by(OutboxMessage.status)
    ).all()
    db.session.commit()
    return dict(rows)


def _received(sandbox_url: str, user_ids: list[int]) -> int:
    from sqlalchemy import select

    from server.extensions import db
    from server.models import User

    openids = db.session.scalars(select(User.openid).where(User.id.in_(user_ids))).all()
    db.session.commit()
    total = 0
    for openid in openids:
        url = sandbox_url + "sandbox/messages"
        total += requests.get(url, params={"touser": openid}, timeout=30).json()["count"]
    return total


def _clean_up(tag: str, user_ids: list[int], ids: list[int]) -> None:
    from sqlalchemy import delete

    from server.extensions import db
    from server.models import Compound, Notification, OutboxMessage, SubscriptionQuota, User

    for model, column in (
        (OutboxMessage, OutboxMessage.user_id),
        (Notification, Notification.user_id),
        (SubscriptionQuota, SubscriptionQuota.user_id),
        (User, User.id),
    ):
        db.session.execute(delete(model).where(column.in_(user_ids)))
    db.session.execute(delete(Compound).where(Compound.code == f"bench-{tag}"))
    db.session.commit()


# ----- running it by hand -----


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_sandbox() -> tuple[str, subprocess.Popen]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "server.wechat.sandbox", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return url, proc
        except requests.RequestException:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the sandbox did not start")


def _migrated_sqlite(directory: str) -> str:
    import flask_migrate

    from server import create_app

    url = "sqlite:///" + str(Path(directory) / "dispatch-bench.sqlite3")
    app = create_app({"LINLI_ENV": "development", "DATABASE_URL": url, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        flask_migrate.upgrade()
    return url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="messages to send")
    parser.add_argument("--database-url", help="a migrated scratch database (default: SQLite)")
    parser.add_argument("--sandbox-url", help="a running sandbox (default: start one)")
    parser.add_argument("--profile", action="store_true", help="cProfile the dispatcher")
    args = parser.parse_args()
    sandbox = None
    with tempfile.TemporaryDirectory() as directory:
        database_url = args.database_url or _migrated_sqlite(directory)
        sandbox_url = args.sandbox_url
        if not sandbox_url:
            sandbox_url, sandbox = _start_sandbox()
        try:
            result = measure(database_url, sandbox_url, args.n, profile=args.profile)
        finally:
            if sandbox:
                sandbox.terminate()
                sandbox.wait(timeout=10)
    profile = result.pop("profile", None)
    for key, value in result.items():
        print(f"{key}: {value}")
    target = result["target_per_second"]
    verdict = "meets" if result["per_second"] >= target else "is below"
    print(f"{result['per_second']} messages/s {verdict} the target of {target}/s")
    if profile:
        print(profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
