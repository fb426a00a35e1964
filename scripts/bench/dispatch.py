"""Message dispatch throughput: enqueue n pushes, time the real dispatcher draining them.

    .venv/bin/python -m scripts.bench.dispatch [--n 2000] [--database-url URL]
        [--sandbox-url URL] [--profile]

Without --database-url, a fresh SQLite file is migrated; without --sandbox-url, the
WeChat sandbox is started in a process of its own. `measure()` expects a migrated
database (`make bench` hands it the district's) and leaves it as it found it, but
the dispatcher sends whatever else is due there too: use a scratch database.
The issue's target is 200 messages a second.
"""

from __future__ import annotations

import argparse
import cProfile
import io
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
TARGET = 200  # messages per second
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
    result = {
        "database": dialect,
        "messages": n,
        "sent": statuses.get("sent", 0),
        "other": {k: v for k, v in statuses.items() if k != "sent"},
        "received_by_sandbox": received,
        "rounds": rounds,
        "seconds": round(seconds, 2),
        "per_second": round(n / seconds, 1),
        # This process's CPU per message: steadier than the rate on a shared machine.
        "cpu_ms_per_message": round(1000 * cpu / n, 2),
        "target_per_second": TARGET,
    }
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(PROFILE_ORDER).print_stats(25)
        result["profile"] = out.getvalue()
    return result


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
    verdict = "meets" if result["per_second"] >= TARGET else "is below"
    print(f"{result['per_second']} messages/s {verdict} the target of {TARGET}/s")
    if profile:
        print(profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
