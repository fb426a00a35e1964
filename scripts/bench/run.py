"""`make bench`: the real app under gunicorn on the district data, driven by wrk on
loopback, each endpoint's throughput as a ratio to a bare Flask app measured in the
same run (absolute figures on a shared 2-core machine swing 3x; ratios do not).

For each endpoint: a warm-up, 5 runs, the median requests/s and its ratio to the
baseline; latency p50/p99 at a fixed rate of ~60% of the saturated rate; SQL
statements per request (counted in-process on the same database). Then the
per-compound lines (`per_compound`: the committee's lists and figures for the five
biggest and five smallest compounds, each under load alone) and the district's
operations (`district_ops`: bill generation for every household, message dispatch
against the sandbox, the ledger's checks, the biggest register export). `--only NAME`
(repeatable) runs just the lines named.

    .venv/bin/python -m scripts.bench.run --database-url mysql+pymysql://...

The database must hold the district (`make bench-data`). Each run pays some of the
unpaid bills (creating and notifying orders) and generates the next month's bills,
so later runs find fresh unpaid bills. Results: printed, and written to
bench-results.md (not committed).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from scripts.bench import district_ops, per_compound

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LUA = ROOT / "scripts" / "bench" / "requests.lua"
SECRET_KEY = "bench-secret-key-" + "x" * 32
THREADS = 2
CONNECTIONS = 16
# Residents set aside per endpoint that changes state: enough for a warm-up, 5 runs
# and a latency run at a few hundred requests per second.
ONE_SHOT_POOL = 25_000
ONE_SHOT = {"create payment", "payment notify"}
READERS = 2_000  # residents whose reads are spread over
ENDPOINTS = (
    "resident issue list",
    "issue detail",
    "committee filtered list",
    "submit issue",
    "my bills",
    "create payment",
    "payment notify",
    "login",
)
LINES = (*ENDPOINTS, *per_compound.NAMES, *district_ops.NAMES)


def chosen(only: list[str] | None) -> tuple[list[str], list[str]]:
    """The wrk endpoints and the per-compound lines to run: those named, or all."""
    picked = set(only or LINES)
    return [n for n in ENDPOINTS if n in picked], [n for n in per_compound.NAMES if n in picked]


@dataclass
class Endpoint:
    name: str
    lines: list[str]  # wrk request lines (see requests.lua)
    target: str = ""  # the issue's target, for the table
    probe: list[str] = field(default_factory=list)  # kept back for counting SQL
    results: dict = field(default_factory=dict)


def line(method: str, path: str, token: str = "", ctype: str = "", body: str = "") -> str:
    auth = f"Bearer {token}" if token else ""
    for part in (path, auth, ctype, body):
        if "\t" in part or "\n" in part:
            raise ValueError(f"a request field may not hold a tab or newline: {part!r}")
    return "\t".join((method, path, auth, ctype, body))


# ----- processes -----


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{proc.args[:3]} exited with {proc.returncode}; see its log")
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {seconds:.0f} s")


class Processes:
    def __init__(self, logdir: Path):
        self.logdir = logdir
        self.procs: list[subprocess.Popen] = []

    def start(self, name: str, cmd: list[str], env: dict) -> subprocess.Popen:
        log = open(self.logdir / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(
            cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs.append(proc)
        return proc

    def stop(self, proc: subprocess.Popen) -> None:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def stop_all(self) -> None:
        for proc in reversed(self.procs):
            self.stop(proc)


def gunicorn(procs: Processes, name: str, app: str, port: int, workers: int, env: dict):
    cmd = [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}"]
    cmd += ["--timeout", "30", "--backlog", "2048", "--log-level", "warning", app]
    return procs.start(name, cmd, env)


# ----- wrk -----


def wrk_path() -> str:
    found = shutil.which("wrk")
    if not found:
        raise SystemExit(
            "wrk is not installed. On Debian or Ubuntu: `apt-get install -y wrk` "
            "(`make bench` does this when run as root)."
        )
    return found


def wrk(url: str, file: Path, offset: int, seconds: float, delay_ms: int = 0) -> dict:
    cmd = [
        wrk_path(),
        "-t",
        str(THREADS),
        "-c",
        str(CONNECTIONS),
        "-d",
        f"{max(1, round(seconds))}s",
    ]
    cmd += ["--timeout", "10s", "-s", str(LUA), url, "--", str(file), str(offset), str(THREADS)]
    env = {**os.environ, "BENCH_DELAY_MS": str(delay_ms)}
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    out = done.stdout
    for row in out.splitlines():
        if row.startswith("BENCH "):
            result = json.loads(row[6:])
            result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
            result["errors"] = (
                sum(
                    result[k]
                    for k in ("status_errors", "connect_errors", "read_errors", "write_errors")
                )
                + result["timeouts"]
            )
            return result
    raise SystemExit(f"wrk printed no result:\n{out}")


class Driver:
    """Runs one endpoint's requests, moving through its file so nothing repeats."""

    def __init__(self, url: str, workdir: Path, endpoint: Endpoint, seconds: float):
        self.url, self.seconds = url, seconds
        self.file = workdir / f"{endpoint.name.replace(' ', '_')}.tsv"
        self.file.write_text("\n".join(endpoint.lines) + "\n", encoding="utf-8")
        self.size, self.offset = len(endpoint.lines), 0

    def run(self, seconds: float | None = None, delay_ms: int = 0) -> dict:
        result = wrk(self.url, self.file, self.offset, seconds or self.seconds, delay_ms)
        # Each thread walks its own stride at its own speed: the next run starts past
        # the furthest line any thread reached (requests.lua reports it).
        self.offset = max(self.offset, result["furthest"])
        return result

    @property
    def wrapped(self) -> bool:
        """Some line was sent twice: a thread went past the end of the file."""
        return self.offset > self.size


def saturate(driver: Driver, runs: int, warmup: float) -> dict:
    driver.run(warmup)
    results = [driver.run() for _ in range(runs)]
    rates = [r["rps"] for r in results]
    return {
        "rps": statistics.median(rates),
        "min": min(rates),
        "max": max(rates),
        "errors": sum(r["errors"] for r in results),
        "requests": sum(r["requests"] for r in results),
    }


def at_fixed_rate(driver: Driver, saturated_rps: float, share: float, seconds: float) -> dict:
    """Latency at ~`share` of the saturated rate: each connection waits between its
    requests; the wait is calibrated once from a short run."""
    target = saturated_rps * share
    cycle_ms = CONNECTIONS * 1000 / target
    delay = max(1, round(cycle_ms))
    probe = driver.run(3, delay)
    latency_ms = max(0.0, CONNECTIONS * 1000 / probe["rps"] - delay)
    delay = max(1, round(cycle_ms - latency_ms))
    result = driver.run(seconds, delay)
    result["share"] = result["rps"] / saturated_rps
    return result


# ----- the requests, from the district data -----


def build_endpoints(app, rng: random.Random, names=ENDPOINTS) -> list[Endpoint]:
    """Request lines for the endpoints named, drawn from the database (in-process).
    Open orders for "payment notify" are written only when it is named."""
    from sqlalchemy import select

    from server.extensions import db
    from server.models import Bill, Compound, Issue, Membership, User
    from server.services.people import auth

    with app.app_context():
        unpaid = db.session.execute(
            select(
                Membership.user_id, Bill.household_id, Bill.id, Bill.amount_fen, Bill.compound_id
            )
            .join(Bill, Bill.household_id == Membership.household_id)
            .where(Membership.role == "resident", Bill.status == "unpaid", Bill.held_by.is_(None))
            .order_by(Bill.id)
        ).all()
        # One bill per household: its oldest unpaid one.
        per_household: dict[int, tuple] = {}
        for row in unpaid:
            per_household.setdefault(row.household_id, row)
        payable = list(per_household.values())
        rng.shuffle(payable)
        # Fewer households (a small data set for trying the bench out): smaller pools,
        # and wrk wraps around them (the table says so).
        readers_n = min(READERS, len(payable) // 5)
        pool = min(ONE_SHOT_POOL, (len(payable) - readers_n) // 2)
        if pool < 100:
            raise SystemExit(
                f"only {len(payable)} households have an unpaid bill left; "
                "make the district again: make bench-data BENCH_DATA_ARGS=--force"
            )
        create_pool = payable[:pool]
        notify_pool = payable[pool : 2 * pool]
        readers = payable[2 * pool : 2 * pool + readers_n]

        users = {
            u.id: u
            for u in db.session.scalars(
                select(User).where(User.id.in_([r.user_id for r in create_pool + readers]))
            )
        }
        token = {uid: auth.issue_token(user)[0] for uid, user in users.items()}

        reader_ids = [r.user_id for r in readers]
        issues = db.session.execute(
            select(Issue.id, Issue.reporter_id).where(Issue.reporter_id.in_(reader_ids))
        ).all()
        committees = db.session.execute(
            select(Membership.user_id, Compound.code)
            .join(Compound, Compound.id == Membership.compound_id)
            .where(Membership.role == "committee")
            .order_by(Membership.id)
        ).all()
        seen_compounds: dict[str, int] = {}
        for user_id, code in committees:
            seen_compounds.setdefault(code, user_id)
        committee_users = {
            u.id: u
            for u in db.session.scalars(select(User).where(User.id.in_(seen_compounds.values())))
        }
        committee_token = {uid: auth.issue_token(u)[0] for uid, u in committee_users.items()}
        logins = db.session.scalars(
            select(User.openid).where(User.openid.like("bench-r-%")).order_by(User.id)
        ).all()
        notify_bodies = _pending_orders(app, notify_pool) if "payment notify" in names else []

    issue_lines = [line("GET", f"/api/v1/issues/{i}", token[r]) for i, r in issues]
    rng.shuffle(issue_lines)
    filters = ["status=submitted", "overdue=true", "status=accepted&category=repair"]
    committee_lines = [
        line("GET", f"/api/v1/issues?{f}", committee_token[uid])
        for uid in seen_compounds.values()
        for f in filters
    ]
    rng.shuffle(committee_lines)
    titles = ["楼道灯不亮", "水管漏水", "单元门坏了", "垃圾没人清", "电动车楼道充电"]
    submit_lines = [
        line(
            "POST",
            "/api/v1/issues",
            token[r.user_id],
            "application/json",
            json.dumps(
                {
                    "category": "repair",
                    "title": rng.choice(titles),
                    "description": "压力测试：请忽略",
                    "household_id": r.household_id,
                },
                ensure_ascii=False,
            ),
        )
        for r in readers
    ]
    rng.shuffle(logins)
    endpoints = [
        Endpoint(
            "resident issue list",
            [line("GET", "/api/v1/issues", token[r.user_id]) for r in readers],
            "≥0.5× baseline, ≤5 SQL",
        ),
        Endpoint("issue detail", issue_lines, "≥0.5× baseline, ≤5 SQL"),
        Endpoint("committee filtered list", committee_lines, "p99 ≤100 ms at 60%"),
        Endpoint("submit issue", submit_lines),
        Endpoint(
            "my bills",
            [line("GET", "/api/v1/bills", token[r.user_id]) for r in readers],
            "≥0.5× baseline, ≤5 SQL",
        ),
        Endpoint(
            "create payment",
            [
                line(
                    "POST",
                    "/api/v1/payments",
                    token[r.user_id],
                    "application/json",
                    json.dumps({"bill_ids": [r.id]}),
                )
                for r in create_pool
            ],
        ),
        Endpoint(
            "payment notify",
            [
                line("POST", "/api/v1/payments/wechat/notify", "", "text/xml", b)
                for b in notify_bodies
            ],
            "≥300/s, p99 ≤100 ms",
        ),
        Endpoint(
            "login",
            [
                line(
                    "POST",
                    "/api/v1/auth/login",
                    "",
                    "application/json",
                    json.dumps({"code": f"demo-{o}"}),
                )
                for o in logins
            ],
        ),
    ]
    endpoints = [e for e in endpoints if e.name in names]
    for endpoint in endpoints:  # keep a few lines back for the in-process SQL count
        endpoint.probe = endpoint.lines[-3:]
        endpoint.lines = endpoint.lines[:-3]
    return endpoints


def _pending_orders(app, pool) -> list[str]:
    """Open WeChat Pay orders for the pool's bills, written directly (as creating
    them through the API would, without the sandbox round trip), and the signed
    notification WeChat would send for each, on one line."""
    from sqlalchemy import bindparam, func, insert, select, update

    from server.config import SANDBOX_APPID, SANDBOX_MCH_ID, SANDBOX_PAY_KEY
    from server.extensions import db
    from server.models import Bill, Payment, PaymentBill
    from server.wechat.sandbox.pay import Order, PayState

    now = datetime.now(UTC)
    first_id = (db.session.scalar(select(func.max(Payment.id))) or 0) + 1
    stamp = now.strftime("%Y%m%d%H%M%S")
    payments, links = [], []
    for n, row in enumerate(pool):
        pid = first_id + n
        payments.append(
            {
                "id": pid,
                "compound_id": row.compound_id,
                "household_id": row.household_id,
                "payer_id": row.user_id,
                "out_trade_no": f"B{stamp}{pid:012d}",
                "total_fen": row.amount_fen,
                "status": "pending",
                "prepay_id": f"wx-bench-{pid}",
                "created_at": now,
                "expires_at": now + timedelta(days=1),
            }
        )
        links.append({"payment_id": pid, "bill_id": row.id, "amount_fen": row.amount_fen})
    for start in range(0, len(payments), 2000):
        db.session.execute(insert(Payment), payments[start : start + 2000])
        db.session.execute(insert(PaymentBill), links[start : start + 2000])
    # Hold each bill for its order, as creating one does (an executemany).
    db.session.connection().execute(
        update(Bill.__table__)
        .where(Bill.__table__.c.id == bindparam("bill"))
        .values(status="pending", held_by=bindparam("holder")),
        [{"bill": link["bill_id"], "holder": f"payment:{link['payment_id']}"} for link in links],
    )
    db.session.commit()
    pay = PayState(SANDBOX_APPID, SANDBOX_MCH_ID, SANDBOX_PAY_KEY)
    bodies = []
    for payment in payments:
        order = Order(payment["out_trade_no"], payment["total_fen"], "", None, "")
        order.transaction_id = f"42{payment['id']:030d}"[:32]
        order.openid = f"bench-openid-{payment['payer_id']}"
        bodies.append(pay.notification(order).decode().replace("\n", ""))
    return bodies


# ----- where the time goes: py-spy on the workers -----

# Where a sample's innermost frame lives, by the first matching path fragment.
BUCKETS = [
    ("readinto (socket.py", "waiting for an answer (database, sandbox)"),
    ("_write_bytes (pymysql", "sending to the database (loopback TCP: the kernel's work)"),
    ("pymysql/", "database driver (PyMySQL)"),
    ("MySQLdb/", "database driver (mysqlclient)"),
    ("sqlalchemy/", "SQLAlchemy"),
    ("marshmallow/", "serialisation (marshmallow/APIFlask)"),
    ("apiflask/", "serialisation (marshmallow/APIFlask)"),
    ("webargs/", "serialisation (marshmallow/APIFlask)"),
    ("flask_limiter/", "Flask/Werkzeug/gunicorn"),
    ("werkzeug/", "Flask/Werkzeug/gunicorn"),
    ("flask/", "Flask/Werkzeug/gunicorn"),
    ("gunicorn/", "Flask/Werkzeug/gunicorn"),
    ("itsdangerous/", "token check (itsdangerous)"),
    ("wechatpy/", "wechatpy"),
    ("requests/", "HTTP client (requests/urllib3)"),
    ("urllib3/", "HTTP client (requests/urllib3)"),
    ("/server/", "Linli code"),
    ("json/", "JSON"),
    ("logging/", "logging"),
]


def profile(driver: Driver, pid: int, seconds: float, out: Path) -> list[tuple[str, float]]:
    """Sample gunicorn's workers with py-spy during a saturated run; the share of
    samples by where their innermost frame is."""
    spy = shutil.which("py-spy") or str(BIN / "py-spy")
    if not Path(spy).exists():
        return [("py-spy not installed (pip install py-spy)", 1.0)]
    cmd = [spy, "record", "--pid", str(pid), "--subprocesses", "--idle", "--nonblocking"]
    cmd += ["--duration", str(round(seconds)), "--format", "raw", "--output", str(out)]
    sampler = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1)
    driver.run(seconds)
    sampler.wait(timeout=seconds + 30)
    return buckets(out)


def buckets(raw: Path) -> list[tuple[str, float]]:
    counts: dict[str, int] = {}
    total = 0
    for row in raw.read_text(errors="replace").splitlines():
        stack, _, n = row.rpartition(" ")
        if not n.isdigit():
            continue
        frames = stack.split(";")
        leaf = frames[-1] if frames else ""
        if "spawn_worker" not in stack or "gunicorn/workers/sync.py" in leaf:
            continue  # the master, or a worker waiting for a request
        where = next((name for frag, name in BUCKETS if frag in leaf), "other (Python, C)")
        counts[where] = counts.get(where, 0) + int(n)
        total += int(n)
    if not total:
        return []
    return sorted(((k, v / total) for k, v in counts.items()), key=lambda kv: -kv[1])


# ----- SQL statements per request, in-process -----


def count_statements(app, endpoint: Endpoint) -> int:
    """Statements one request runs (the median over the lines kept back), counted on
    the engine in-process, on the same database."""
    from sqlalchemy import event

    from server.extensions import db

    counts = []
    with app.app_context():
        engine = db.engine
    seen = []

    def count(*_args, **_kwargs):
        seen.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        client = app.test_client()
        for row in endpoint.probe:
            method, path, auth, ctype, body = row.split("\t", 4)
            headers = {"Authorization": auth} if auth else {}
            if ctype:
                headers["Content-Type"] = ctype
            seen.clear()
            reply = client.open(path, method=method, headers=headers, data=body.encode() or None)
            if reply.status_code >= 400:
                raise SystemExit(
                    f"{endpoint.name}: {reply.status_code} {reply.get_data(as_text=True)[:300]}"
                )
            counts.append(len(seen))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return int(statistics.median(counts))


# ----- the run -----


def app_environment(database_url: str, sandbox_url: str, app_url: str) -> dict:
    from server.config import (
        SANDBOX_APPID,
        SANDBOX_MCH_ID,
        SANDBOX_PAY_KEY,
        SANDBOX_SECRET,
    )

    return {
        **os.environ,
        "LINLI_ENV": "production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET_KEY,
        "WECHAT_APPID": SANDBOX_APPID,
        "WECHAT_SECRET": SANDBOX_SECRET,
        "WECHAT_API_BASE": sandbox_url,
        "WECHAT_PAY_API_BASE": sandbox_url,
        "WECHAT_PAY_MCH_ID": SANDBOX_MCH_ID,
        "WECHAT_PAY_API_KEY": SANDBOX_PAY_KEY,
        "PUBLIC_BASE_URL": app_url.rstrip("/"),
        # One client address drives everything here: the per-address limits are off.
        "RATELIMIT_ENABLED": "0",
        "PYTHONUNBUFFERED": "1",
    }


def machine() -> str:
    cpus = os.cpu_count()
    try:
        model = next(
            row.split(":", 1)[1].strip()
            for row in Path("/proc/cpuinfo").read_text().splitlines()
            if row.startswith("model name")
        )
    except (OSError, StopIteration):
        model = "unknown CPU"
    return f"{cpus} cores ({model})"


def restore_buffer_pool(database_url: str, size: int | None) -> None:
    """Give the server back the buffer pool it had before the run."""
    if size is None:
        return
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as conn:
        if conn.execute(text("SELECT @@innodb_buffer_pool_size")).scalar() != size:
            conn.execute(text(f"SET GLOBAL innodb_buffer_pool_size = {size}"))
    engine.dispose()


def database_kind(database_url: str, buffer_pool_mb: int = 0) -> tuple[str, int | None]:
    """The server's version and buffer pool, and the pool's size before the run (None
    on SQLite). Grows the pool to `buffer_pool_mb` first (MariaDB resizes it online):
    the district is ~3 GB, and a server holding it would be sized for it, where the
    default 128 MB makes every figure a disk figure."""
    if database_url.startswith("sqlite"):
        return "SQLite", None
    from sqlalchemy import create_engine, text

    wanted = buffer_pool_mb * 2**20
    engine = create_engine(database_url)
    with engine.connect() as conn:
        pool = original = conn.execute(text("SELECT @@innodb_buffer_pool_size")).scalar()
        if pool < wanted:
            conn.execute(text(f"SET GLOBAL innodb_buffer_pool_size = {wanted}"))
            for _ in range(120):  # the resize runs in the background
                time.sleep(1)
                pool = conn.execute(text("SELECT @@innodb_buffer_pool_size")).scalar()
                status = conn.execute(
                    text("SHOW STATUS LIKE 'Innodb_buffer_pool_resize_status'")
                ).first()
                resizing = status and status[1] and "Completed" not in status[1]
                if pool >= wanted and not resizing:
                    break
        version = conn.execute(text("SELECT VERSION()")).scalar()
    engine.dispose()
    return f"MariaDB/MySQL {version}, InnoDB buffer pool {pool // 2**20} MB", original


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=5, help="length of each run")
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--latency-seconds", type=float, default=10)
    parser.add_argument("--share", type=float, default=0.6, help="load for the latency run")
    parser.add_argument(
        "--only", action="append", choices=LINES, metavar="NAME", help="a line to run (repeatable)"
    )
    parser.add_argument("--skip-batch", action="store_true", help="no bill generation/dispatch")
    parser.add_argument(
        "--profile", action="append", default=[], help="endpoint names to sample with py-spy"
    )
    parser.add_argument("--out", default=str(ROOT / "bench-results.md"))
    parser.add_argument(
        "--buffer-pool-mb",
        type=int,
        default=0,
        help="grow MariaDB's InnoDB buffer pool to this size first (SET GLOBAL)",
    )
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("--database-url or DATABASE_URL is required")
    wrk_path()

    from server import create_app
    from server.config import normalise_database_url

    database_url = normalise_database_url(args.database_url)
    workdir = Path(tempfile.mkdtemp(prefix="linli-bench-"))
    procs = Processes(workdir)
    sandbox_port, app_port, base_port = free_port(), free_port(), free_port()
    sandbox_url = f"http://127.0.0.1:{sandbox_port}/"
    app_url = f"http://127.0.0.1:{app_port}"
    base_url = f"http://127.0.0.1:{base_port}"
    env = app_environment(database_url, sandbox_url, app_url)
    started_at = datetime.now(UTC)
    original_pool = None  # the buffer pool to give back, once known
    try:
        sandbox = procs.start(
            "sandbox",
            [str(BIN / "python"), "-m", "server.wechat.sandbox", "--port", str(sandbox_port)],
            env,
        )
        wait_http(sandbox_url, sandbox)
        logging_off = {**env, "LOG_LEVEL": "WARNING"}
        base = gunicorn(
            procs, "baseline", "scripts.bench.baseline:app", base_port, args.workers, env
        )
        api = gunicorn(procs, "api", "server:create_app()", app_port, args.workers, logging_off)
        wait_http(base_url + "/", base)
        wait_http(app_url + "/healthz", api)

        app = create_app(env)
        kind, original_pool = database_kind(database_url, args.buffer_pool_mb)
        print(f"preparing requests from the district data ({kind})")
        endpoint_names, sweep_names = chosen(args.only)
        rng = random.Random(20261130)  # noqa: S311 - repeatable
        endpoints = build_endpoints(app, rng, endpoint_names) if endpoint_names else []
        sweeps = per_compound.build_sweeps(app, sweep_names) if sweep_names else []

        baseline = Endpoint("baseline", [line("GET", "/")] * 100)
        base_driver = Driver(base_url, workdir, baseline, args.seconds)
        base_first = base_last = None
        if endpoints:
            print("baseline (bare Flask, same gunicorn set-up)")
            base_first = saturate(base_driver, args.runs, args.warmup)
        for endpoint in endpoints:
            print(f"{endpoint.name}: SQL count, warm-up, {args.runs} runs, latency")
            driver = Driver(app_url, workdir, endpoint, args.seconds)
            sql = count_statements(app, endpoint)
            sat = saturate(driver, args.runs, args.warmup)
            lat = at_fixed_rate(driver, sat["rps"], args.share, args.latency_seconds)
            endpoint.results = {"sql": sql, "sat": sat, "lat": lat, "wrapped": driver.wrapped}
            if endpoint.name in args.profile or "all" in args.profile:
                raw = workdir / f"profile-{endpoint.name.replace(' ', '_')}.txt"
                endpoint.results["profile"] = profile(driver, api.pid, args.seconds * 2, raw)
            print(f"  {sat['rps']:.0f} req/s, p99 {lat['p99_us'] / 1000:.1f} ms, {sql} SQL")
        if endpoints:
            base_last = saturate(base_driver, args.runs, args.warmup)
        for sweep in sweeps:
            print(f"{sweep.name}: each of the biggest and smallest compounds, under load")
            per_compound.run_loaded(app, sweep, app_url, workdir, args.share)
            print("\n".join(per_compound.details(sweep)[1:]))
        district = district_ops.chosen(args.only, args.skip_batch)
        if district:
            procs.stop(api)
        batch = district_ops.run(district, app, env, database_url, sandbox_url)
        report = render(endpoints, sweeps, (base_first, base_last), batch, args, kind, started_at)
        print()
        print(report)
        Path(args.out).write_text(report, encoding="utf-8")
        print(f"\nwritten to {args.out}; logs in {workdir}")
    finally:
        procs.stop_all()
        restore_buffer_pool(database_url, original_pool)
    return 0


def render(endpoints, sweeps, baselines, batch, args, kind, started_at):
    when = started_at.astimezone().strftime("%Y-%m-%d %H:%M %Z")
    out = [
        f"# Linli benchmark, {when}",
        "",
        f"Machine: {machine()}; database: {kind}; gunicorn {args.workers} sync workers.",
    ]
    if endpoints:
        out += _endpoint_table(endpoints, *baselines, args)
    if sweeps:
        out += [
            "",
            f"Per compound, the {per_compound.GROUP} biggest and {per_compound.GROUP} smallest "
            "by issues, each driven alone by wrk (saturated, then held at ~60% of that "
            "rate); each group's worst compound by p99, and the most rows the database "
            "read for one request (Handler_read_*):",
            "",
            *per_compound.render(sweeps),
        ]
    return "\n".join([*out, *district_ops.render(batch)]) + "\n"


def _endpoint_table(endpoints, base_first, base_last, args) -> list[str]:
    baseline_rps = (base_first["rps"] + base_last["rps"]) / 2
    out = [
        "",
        f"wrk {THREADS} threads, {CONNECTIONS} connections, loopback. Each figure: median "
        f"of {args.runs} runs of {args.seconds:.0f} s after a {args.warmup:.0f} s warm-up. "
        f"Latency at ~{args.share:.0%} of each endpoint's saturated rate, paced in a closed "
        "loop (each connection pauses after each answer: a slow answer delays the next "
        "request instead of queueing it, so p99 errs low).",
        "",
        f"Baseline (bare Flask): {base_first['rps']:.0f} req/s before, "
        f"{base_last['rps']:.0f} req/s after; ratios use {baseline_rps:.0f}.",
        "",
        "| endpoint | req/s (median) | runs min–max | × baseline | SQL/request "
        "| p50 ms | p99 ms | at req/s (share) | errors | target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for e in endpoints:
        r = e.results
        sat, lat = r["sat"], r["lat"]
        errors = sat["errors"] + lat["errors"]
        # Reads and reports may repeat; a second payment or notification of the same
        # order takes another path (an open order reused, an order already paid).
        one_shot = e.name in ONE_SHOT
        note = " (pool used up: some repeated)" if r["wrapped"] and one_shot else ""
        out.append(
            f"| {e.name} | {sat['rps']:.0f} | {sat['min']:.0f}–{sat['max']:.0f} "
            f"| {sat['rps'] / baseline_rps:.2f} | {r['sql']} | {lat['p50_us'] / 1000:.1f} "
            f"| {lat['p99_us'] / 1000:.1f} | {lat['rps']:.0f} ({lat['share']:.0%}) "
            f"| {errors} | {e.target}{note} |"
        )
    profiled = [e for e in endpoints if e.results.get("profile")]
    if profiled:
        out += ["", "Where the time goes (py-spy samples of the workers, by innermost frame):", ""]
        for e in profiled:
            shares = ", ".join(f"{name} {share:.0%}" for name, share in e.results["profile"])
            out.append(f"- {e.name}: {shares}")
    return out


if __name__ == "__main__":
    sys.exit(main())
