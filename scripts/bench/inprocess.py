"""CPU per request of a resident's hot reads, in-process: the app on the district
database, driven through Flask's test client, timed with `time.process_time`.

    .venv/bin/python -m scripts.bench.inprocess --database-url mysql://root@127.0.0.1:3306/linli_bench

Reads only (GETs): my bills, the resident's issue list, one of their issues. A few
residents of the district (chosen by `--seed`) are signed in with tokens made as the
bench makes them (scripts/bench/run.py); each round runs `-n` requests of each read in
turn (interleaved: a box shared with other work slows every read alike), and the
figures are the min, median and max of the rounds' CPU ms per request. The app runs
as in production (PRINCIPAL_CACHE_SECONDS 5: the callers are cached, as under load).
`--profile` runs one more round of each read under cProfile and prints the top
functions by cumulative time and the time by component (SQLAlchemy, Flask, ...).
`--json PATH` writes the figures, for comparing two checkouts run in turn.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import statistics
import sys
import time
from dataclasses import dataclass

SECRET_KEY = "bench-secret-key-" + "x" * 32  # as scripts/bench/run.py


@dataclass
class Read:
    name: str
    urls: list[tuple[str, dict]]  # (path, headers), cycled through


def app_environment(database_url: str) -> dict:
    """Production settings (as the bench runs the app), with no outside service called:
    a GET of these reads never reaches WeChat."""
    from server.config import SANDBOX_APPID, SANDBOX_MCH_ID, SANDBOX_SECRET

    return {
        "LINLI_ENV": "production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET_KEY,
        "WECHAT_APPID": SANDBOX_APPID,
        "WECHAT_SECRET": SANDBOX_SECRET,
        "WECHAT_API_BASE": "http://127.0.0.1:9",
        "WECHAT_PAY_API_BASE": "http://127.0.0.1:9",
        "WECHAT_PAY_MCH_ID": SANDBOX_MCH_ID,
        "WECHAT_PAY_API_KEY": "b" * 32,
        "PUBLIC_BASE_URL": "https://bench.invalid",
        "RATELIMIT_ENABLED": "0",
        "METRICS_PORT": "",
    }


def build_reads(app, residents: int, seed: int) -> list[Read]:
    """The three reads, for `residents` residents who reported issues (their tokens as
    the bench signs them)."""
    from sqlalchemy import func, select

    from server.extensions import db
    from server.models import Issue, Membership, User
    from server.services.people import auth

    rng = random.Random(seed)  # noqa: S311 (a reproducible sample, not a secret)
    with app.app_context():
        reporters = db.session.execute(
            select(Issue.reporter_id, func.min(Issue.id))
            .join(Membership, Membership.user_id == Issue.reporter_id)
            .where(Membership.role == "resident", Issue.id % 97 == seed % 97)
            .group_by(Issue.reporter_id)
            .limit(residents * 20)
        ).all()
        if not reporters:
            raise SystemExit("no resident has reported an issue: is this the district?")
        chosen = rng.sample(reporters, min(residents, len(reporters)))
        users = {
            u.id: u
            for u in db.session.scalars(
                select(User).where(User.id.in_([user_id for user_id, _ in chosen]))
            )
        }
        headers = {
            uid: {"Authorization": f"Bearer {auth.issue_token(u)[0]}"} for uid, u in users.items()
        }
        issues = {
            uid: db.session.scalars(
                select(Issue.id).where(Issue.reporter_id == uid).order_by(Issue.id).limit(3)
            ).all()
            for uid in users
        }
        db.session.remove()
    people = sorted(users)
    return [
        Read("my bills", [("/api/v1/bills", headers[uid]) for uid in people]),
        Read("issue list", [("/api/v1/issues", headers[uid]) for uid in people]),
        Read(
            "issue detail",
            [(f"/api/v1/issues/{iid}", headers[uid]) for uid in people for iid in issues[uid]],
        ),
    ]


def drive(client, read: Read, n: int) -> float:
    """CPU ms per request over `n` requests of `read`."""
    urls = read.urls
    get = client.get
    started = time.process_time()
    for i in range(n):
        path, headers = urls[i % len(urls)]
        response = get(path, headers=headers)
        if response.status_code != 200:
            raise SystemExit(
                f"{read.name}: {path} answered {response.status_code}: "
                f"{response.get_data(as_text=True)[:300]}"
            )
    return (time.process_time() - started) * 1000 / n


# Where a function lives, by the first matching path fragment (as run.py's BUCKETS).
COMPONENTS = [
    ("werkzeug/test.py", "the test client (not in production)"),
    ("flask/testing.py", "the test client (not in production)"),
    ("MySQLdb/", "driver (mysqlclient)"),
    ("pymysql/", "driver (PyMySQL)"),
    ("sqlalchemy/", "SQLAlchemy"),
    ("flask_sqlalchemy/", "SQLAlchemy"),
    ("marshmallow/", "APIFlask/marshmallow/webargs"),
    ("apiflask/", "APIFlask/marshmallow/webargs"),
    ("webargs/", "APIFlask/marshmallow/webargs"),
    ("flask_httpauth", "APIFlask/marshmallow/webargs"),
    ("flask_limiter/", "Flask/Werkzeug"),
    ("werkzeug/", "Flask/Werkzeug"),
    ("flask/", "Flask/Werkzeug"),
    ("itsdangerous/", "token check (itsdangerous)"),
    ("/server/", "Linli code"),
    ("json/", "JSON"),
    ("scripts/bench/", "this tool"),
]


def component(filename: str) -> str:
    return next((name for frag, name in COMPONENTS if frag in filename), "other (stdlib, C)")


def profile_read(client, read: Read, n: int, top: int) -> str:
    profiler = cProfile.Profile(time.process_time)  # CPU, not waiting on the database
    profiler.enable()
    drive(client, read, n)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    shares: dict[str, float] = {}
    total = 0.0
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        where = component(filename)
        shares[where] = shares.get(where, 0.0) + tottime
        total += tottime
    split = "\n".join(
        f"  {name:32} {share / total:6.1%}  {share * 1000 / n:6.3f} ms/request"
        for name, share in sorted(shares.items(), key=lambda kv: -kv[1])
    )
    return f"{out.getvalue()}\nby component (tottime, profiler overhead included):\n{split}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("-n", type=int, default=1000, help="requests per read per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--residents", type=int, default=20)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--only", action="append", help="a read's name (repeatable)")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("--database-url (or DATABASE_URL) is required")

    from server import create_app

    app = create_app(app_environment(args.database_url))
    reads = build_reads(app, args.residents, args.seed)
    if args.only:
        reads = [r for r in reads if r.name in args.only]
    client = app.test_client()
    for read in reads:  # warm: compiled statement caches, the callers cached
        drive(client, read, max(200, len(read.urls)))
    rounds: dict[str, list[float]] = {r.name: [] for r in reads}
    for _ in range(args.rounds):
        for read in reads:
            rounds[read.name].append(drive(client, read, args.n))
    figures = {}
    print(f"CPU ms per request, {args.rounds} rounds x {args.n} requests (min / median / max)")
    for name, values in rounds.items():
        figures[name] = {
            "min": min(values),
            "median": statistics.median(values),
            "max": max(values),
            "rounds": values,
        }
        f = figures[name]
        print(f"  {name:14} {f['min']:.3f} / {f['median']:.3f} / {f['max']:.3f}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(figures, out, indent=1)
    if args.profile:
        for read in reads:
            print(f"\n===== {read.name} (cProfile, {args.n} requests) =====")
            print(profile_read(client, read, args.n, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
