"""`make bench`: the real app under gunicorn on the district data, driven by wrk on
loopback, each endpoint's throughput as a ratio to floors measured in the same run
(absolute figures on a shared 2-core machine swing 3x; ratios much less).

The floors (scripts/bench/floor.py) are minimal WSGI apps under the same gunicorn
set-up (deploy/gunicorn.conf.py) that answer a sample of the endpoint's own requests
by sending the statements the real app sent for them, captured in-process
(floor_capture.py), through the raw driver, and answering the same JSON: the
same-work floor sends every call the app made (pre-ping, each ROLLBACK), the lean floor
only the statements and one ROLLBACK. Before measuring an endpoint, a probe request
is captured again and its statements compared with the floor's: a row whose floor no
longer matches the app is flagged. A bare Flask app ("hello") stays as a reference.

For each endpoint: a warm-up each, then 5 interleaved runs (real, floor, lean, real,
...), the median requests/s, the median and spread of the per-run ratios; latency
p50/p99 at a fixed rate of ~60% of the saturated rate; SQL statements per request
(counted in-process on the same database) and round trips. Then the
per-compound lines (`per_compound`: the five biggest and five smallest compounds, each
asked on its own), bill generation for every household and message dispatch against
the sandbox. `--only NAME` (repeatable) runs just the lines named.

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
import runpy
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

from scripts.bench import floor, floor_capture, per_compound

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LUA = ROOT / "scripts" / "bench" / "requests.lua"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
SECRET_KEY = "bench-secret-key-" + "x" * 32
# The app and the sandbox share this merchant key: production refuses the sandbox's own.
BENCH_PAY_KEY = "bench-pay-key-" + "y" * 18
THREADS = 2
CONNECTIONS = 16
# Residents set aside per endpoint that changes state: enough for a warm-up, 5 runs
# and a latency run at a few hundred requests per second.
ONE_SHOT_POOL = 25_000
ONE_SHOT = {"create payment", "payment notify"}
# Requests whose lines are never sent twice: the floor's sample is taken off the end.
UNIQUE = {"create payment", "payment notify", "login"}
FLOOR_SAMPLE = 200  # requests per endpoint the floors answer (cycled)
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
LINES = (*ENDPOINTS, *per_compound.NAMES)


def chosen(only: list[str] | None) -> tuple[list[str], list[str]]:
    """The wrk endpoints and the per-compound lines to run: those named, or all."""
    picked = set(only or LINES)
    return [n for n in ENDPOINTS if n in picked], [n for n in per_compound.NAMES if n in picked]


@dataclass(frozen=True)
class Target:
    """Issue 16's targets for an endpoint: ratios to the floors, statements, latency."""

    floor: float | None = None  # real ÷ same-work floor at least
    lean: float | None = None  # real ÷ lean floor at least
    sql: int | None = None  # statements per request at most
    p99_ms: float | None = None  # p99 at ~60% load at most

    def __str__(self) -> str:
        parts = []
        if self.floor is not None:
            parts.append(f"≥{self.floor}× floor")
        if self.lean is not None:
            parts.append(f"≥{self.lean}× lean")
        if self.sql is not None:
            parts.append(f"≤{self.sql} SQL")
        if self.p99_ms is not None:
            parts.append(f"p99 ≤{self.p99_ms:.0f} ms")
        return ", ".join(parts)

    def misses(self, results: dict) -> list[str]:
        """What the results fall short of (empty: every target met)."""
        out = []
        if results.get("stale"):
            out.append("floor stale")
        if self.floor is not None and results["floor_ratio"]["median"] < self.floor:
            out.append(f"×floor {results['floor_ratio']['median']:.2f}")
        if self.lean is not None and results["lean_ratio"]["median"] < self.lean:
            out.append(f"×lean {results['lean_ratio']['median']:.2f}")
        if self.sql is not None and results["sql"] > self.sql:
            out.append(f"{results['sql']} SQL")
        if self.p99_ms is not None and results["lat"]["p99_us"] / 1000 > self.p99_ms:
            out.append(f"p99 {results['lat']['p99_us'] / 1000:.0f} ms")
        return out


RESIDENT_READ = Target(floor=0.7, lean=0.5, sql=5)
TARGETS = {
    "resident issue list": RESIDENT_READ,
    "issue detail": RESIDENT_READ,
    "my bills": RESIDENT_READ,
    "login": Target(floor=0.7, lean=0.5),
    "submit issue": Target(floor=0.7, lean=0.5),
    "payment notify": Target(floor=0.7, p99_ms=100),
    "committee filtered list": Target(p99_ms=100),
}


@dataclass
class Endpoint:
    name: str
    lines: list[str]  # wrk request lines (see requests.lua)
    probe: list[str] = field(default_factory=list)  # kept back for the check and SQL count
    sample: list[str] = field(default_factory=list)  # the floors' requests
    results: dict = field(default_factory=dict)

    @property
    def target(self) -> Target | None:
        return TARGETS.get(self.name)


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


def gunicorn_setup(args) -> dict:
    """The deploy set-up (deploy/gunicorn.conf.py), workers and threads as given."""
    conf = runpy.run_path(str(GUNICORN_CONF))
    return {
        "worker_class": conf["worker_class"],
        "workers": args.workers or conf["workers"],
        "threads": args.threads or conf["threads"],
    }


def gunicorn(procs: Processes, name: str, app: str, port: int, setup: dict, env: dict):
    """`app` under deploy/gunicorn.conf.py, as deployed, with its worker recycling off
    (max_requests guards a slow leak; here it would restart the floors' workers, which
    serve ten times the requests, ten times as often as the app's)."""
    cmd = [str(BIN / "gunicorn"), "-c", str(GUNICORN_CONF), "-b", f"127.0.0.1:{port}"]
    cmd += ["-w", str(setup["workers"]), "--threads", str(setup["threads"])]
    cmd += ["--max-requests", "0", "--backlog", "2048", "--log-level", "warning", app]
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
    return interleaved([driver], runs, warmup)[0]


def interleaved(drivers: list[Driver], runs: int, warmup: float) -> list[dict]:
    """Each driver warmed up, then `runs` rounds of one run each in turn (real, floor,
    lean, real, ...): a load that comes and goes on the machine falls on all of them."""
    for driver in drivers:
        driver.run(warmup)
    results: list[list[dict]] = [[] for _ in drivers]
    for _ in range(runs):
        for driver, got in zip(drivers, results, strict=True):
            got.append(driver.run())
    out = []
    for got in results:
        rates = [r["rps"] for r in got]
        out.append(
            {
                "rps": statistics.median(rates),
                "min": min(rates),
                "max": max(rates),
                "rates": rates,
                "errors": sum(r["errors"] for r in got),
                "requests": sum(r["requests"] for r in got),
            }
        )
    return out


def ratios(real: dict, floor_run: dict) -> dict:
    """real ÷ floor for each interleaved pair of runs: the median and the spread."""
    pairs = [a / b for a, b in zip(real["rates"], floor_run["rates"], strict=True) if b]
    if not pairs:
        return {"median": 0.0, "min": 0.0, "max": 0.0}
    return {"median": statistics.median(pairs), "min": min(pairs), "max": max(pairs)}


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
        ),
        Endpoint("issue detail", issue_lines),
        Endpoint("committee filtered list", committee_lines),
        Endpoint("submit issue", submit_lines),
        Endpoint("my bills", [line("GET", "/api/v1/bills", token[r.user_id]) for r in readers]),
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
    for endpoint in endpoints:
        # A few lines kept back for the check and the SQL count (never sent by wrk),
        # and the floors' sample: requests never sent twice are taken off the end.
        endpoint.probe = endpoint.lines[-3:]
        endpoint.lines = endpoint.lines[:-3]
        if endpoint.name in UNIQUE:
            size = min(FLOOR_SAMPLE, len(endpoint.lines) // 4 or 1)
            endpoint.sample = endpoint.lines[-size:]
            endpoint.lines = endpoint.lines[:-size]
        else:  # reads and reports: the app is asked these too
            endpoint.sample = endpoint.lines[:FLOOR_SAMPLE]
    return endpoints


def _pending_orders(app, pool) -> list[str]:
    """Open WeChat Pay orders for the pool's bills, written directly (as creating
    them through the API would, without the sandbox round trip), and the signed
    notification WeChat would send for each, on one line."""
    from sqlalchemy import bindparam, func, insert, select, update

    from server.config import SANDBOX_APPID, SANDBOX_MCH_ID
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
    pay = PayState(SANDBOX_APPID, SANDBOX_MCH_ID, BENCH_PAY_KEY)
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
    ("scripts/bench/floor", "the floor's own code"),
    ("json/", "JSON"),
    ("logging/", "logging"),
]


SPY_RATE = 100  # py-spy samples per second


def profile(driver: Driver, pid: int, seconds: float, out: Path) -> dict:
    """Sample gunicorn's workers with py-spy (--gil: the thread holding each worker's
    GIL, i.e. Python's own CPU) during a saturated run: the share of samples by where
    their innermost frame is, and the GIL time per request (samples ÷ rate ÷ requests
    answered while sampling)."""
    spy = shutil.which("py-spy") or str(BIN / "py-spy")
    if not Path(spy).exists():
        return {"shares": [("py-spy not installed (pip install py-spy)", 1.0)], "ms": None}
    cmd = [spy, "record", "--pid", str(pid), "--subprocesses", "--gil", "--nonblocking"]
    cmd += ["--rate", str(SPY_RATE), "--duration", str(round(seconds) + 3)]
    cmd += ["--format", "raw", "--output", str(out)]
    sampler = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1)  # py-spy attached; it samples on after wrk ends (idle: no GIL held)
    result = driver.run(seconds)
    sampler.wait(timeout=seconds + 30)
    shares, samples = buckets(out)
    ms = samples / SPY_RATE * 1000 / result["requests"] if result["requests"] else None
    return {"shares": shares, "ms": ms}


def buckets(raw: Path) -> tuple[list[tuple[str, float]], int]:
    """The workers' samples by bucket (shares, largest first) and how many there were."""
    counts: dict[str, int] = {}
    total = 0
    for row in raw.read_text(errors="replace").splitlines():
        stack, _, n = row.rpartition(" ")
        if not n.isdigit():
            continue
        frames = stack.split(";")
        leaf = frames[-1] if frames else ""
        if "gunicorn/workers/" not in stack:
            continue  # the master
        where = next((name for frag, name in BUCKETS if frag in leaf), "other (Python, C)")
        counts[where] = counts.get(where, 0) + int(n)
        total += int(n)
    if not total:
        return [], 0
    shares = sorted(((k, v / total) for k, v in counts.items()), key=lambda kv: -kv[1])
    return shares, total


# ----- the floors: capture, check, SQL per request -----


def capture_floor_samples(app, endpoints: list[Endpoint], path: Path, database_url: str):
    """The statements of each endpoint's sample requests, captured from the app
    in-process (rolled back), saved for the floors to replay."""
    samples = []
    for endpoint in endpoints:
        samples += floor_capture.capture(app, endpoint.name, endpoint.sample)
    floor.save(path, samples, database_url)
    return samples


def check_floor(app, endpoint: Endpoint, samples: list) -> dict:
    """The probe lines captured (rolled back): the statements one request runs (the
    median), its round trips, and any probe whose statements the floor does not
    replay (the app changed since the capture)."""
    mine = [s for s in samples if s.endpoint == endpoint.name]
    probed, problems = floor_capture.check(app, endpoint.name, mine, endpoint.probe)
    for problem in problems:
        print(f"  FLOOR STALE: {problem}", file=sys.stderr)
    return {
        "sql": int(statistics.median(s.statements for s in probed)),
        "round_trips": int(statistics.median(s.round_trips for s in probed)),
        "lean_round_trips": int(statistics.median(len(s.lean_ops()) for s in probed)),
        "stale": problems,
    }


# ----- batch work -----


def next_period(app) -> str:
    from sqlalchemy import func, select

    from server.extensions import db
    from server.models import Bill

    with app.app_context():
        latest = db.session.scalar(select(func.max(Bill.period)))
    year, month = (int(x) for x in latest[:7].split("-"))
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return f"{year}-{month:02d}"


def time_bill_generation(env: dict, period: str, logdir: Path) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "server", "bills", "generate", "--period", period],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    elapsed = time.monotonic() - started
    (logdir / "bills-generate.log").write_text(done.stdout + done.stderr)
    if done.returncode:
        raise SystemExit(f"bill generation failed:\n{done.stderr[-2000:]}")
    summary = [row for row in done.stdout.splitlines() if row.strip()][-1:]
    return elapsed, summary[0] if summary else ""


def time_dispatch(database_url: str, sandbox_url: str) -> dict | None:
    from scripts.bench import dispatch

    return dispatch.measure(database_url, sandbox_url)


# ----- the run -----


def app_environment(database_url: str, sandbox_url: str, app_url: str) -> dict:
    from server.config import (
        SANDBOX_APPID,
        SANDBOX_MCH_ID,
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
        "WECHAT_PAY_API_KEY": BENCH_PAY_KEY,
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
    parser.add_argument(
        "--workers", type=int, default=0, help="gunicorn workers (default: deploy's)"
    )
    parser.add_argument(
        "--threads", type=int, default=0, help="threads per worker (default: deploy's)"
    )
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
        "--profile",
        action="append",
        default=[],
        help="endpoint names to sample with py-spy, the real app and its floor ('all')",
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
    setup = gunicorn_setup(args)
    args.gunicorn = setup
    workdir = Path(tempfile.mkdtemp(prefix="linli-bench-"))
    procs = Processes(workdir)
    ports = {name: free_port() for name in ("sandbox", "api", "hello", "floor", "lean")}
    url = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    sandbox_url = url["sandbox"] + "/"
    env = app_environment(database_url, sandbox_url, url["api"])
    started_at = datetime.now(UTC)
    original_pool = None  # the buffer pool to give back, once known
    try:
        sandbox = procs.start(
            "sandbox",
            [str(BIN / "python"), "-m", "server.wechat.sandbox", "--port", str(ports["sandbox"])],
            env,
        )
        wait_http(sandbox_url, sandbox)
        logging_off = {**env, "LOG_LEVEL": "WARNING"}
        base = gunicorn(procs, "baseline", "scripts.bench.baseline:app", ports["hello"], setup, env)
        api = gunicorn(procs, "api", "server:create_app()", ports["api"], setup, logging_off)
        wait_http(url["hello"] + "/", base)
        wait_http(url["api"] + "/healthz", api)

        app = create_app(env)
        kind, original_pool = database_kind(database_url, args.buffer_pool_mb)
        print(f"preparing requests from the district data ({kind})")
        endpoint_names, sweep_names = chosen(args.only)
        rng = random.Random(20261130)  # noqa: S311 - repeatable
        endpoints = build_endpoints(app, rng, endpoint_names) if endpoint_names else []
        sweeps = per_compound.build_sweeps(app, sweep_names) if sweep_names else []

        floors = {}
        samples = []
        if endpoints:
            print("capturing the app's statements for the floors (in-process, rolled back)")
            path = workdir / "floor-samples.pickle"
            samples = capture_floor_samples(app, endpoints, path, database_url)
            for mode in ("floor", "lean"):
                floor_env = {
                    **env,
                    "FLOOR_SAMPLES": str(path),
                    "FLOOR_MODE": "same" if mode == "floor" else "lean",
                }
                floors[mode] = gunicorn(
                    procs, mode, "scripts.bench.floor:app", ports[mode], setup, floor_env
                )
            for mode, proc in floors.items():
                wait_http(url[mode] + "/", proc)

        baseline = Endpoint("baseline", [line("GET", "/")] * 100)
        base_driver = Driver(url["hello"], workdir, baseline, args.seconds)
        base_first = base_last = None
        if endpoints:
            print("hello (bare Flask, same gunicorn set-up)")
            base_first = saturate(base_driver, args.runs, args.warmup)
        for endpoint in endpoints:
            measure_endpoint(endpoint, app, samples, url, workdir, args, api, floors["floor"])
        if endpoints:
            base_last = saturate(base_driver, args.runs, args.warmup)
        for sweep in sweeps:
            print(f"{sweep.name}: each of the biggest and smallest compounds, one at a time")
            per_compound.run_sweep(app, sweep, per_compound.over_http(url["api"]))
            print("\n".join(per_compound.details(sweep)[1:]))
        batch = {}
        if not args.skip_batch:
            procs.stop(api)
            batch = run_batch_lines(args, app, env, database_url, sandbox_url, workdir)
        report = render(endpoints, sweeps, (base_first, base_last), batch, args, kind, started_at)
        print()
        print(report)
        Path(args.out).write_text(report, encoding="utf-8")
        print(f"\nwritten to {args.out}; logs in {workdir}")
    finally:
        procs.stop_all()
        restore_buffer_pool(database_url, original_pool)
    stale = [e.name for e in endpoints if e.results.get("stale")]
    if stale:
        print(f"the floor no longer matches the app for: {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


def measure_endpoint(endpoint, app, samples, url, workdir, args, api, floor_proc) -> None:
    """The check, then the app and its two floors in interleaved runs, then the app's
    latency at ~60% load (and py-spy on the app and the same-work floor if asked)."""
    print(f"{endpoint.name}: check, warm-up, {args.runs} interleaved runs, latency")
    results = check_floor(app, endpoint, samples)
    driver = Driver(url["api"], workdir, endpoint, args.seconds)
    floor_drivers = [
        Driver(
            url[mode], workdir, Endpoint(f"{mode} {endpoint.name}", endpoint.sample), args.seconds
        )
        for mode in ("floor", "lean")
    ]
    sat, same, lean = interleaved([driver, *floor_drivers], args.runs, args.warmup)
    lat = at_fixed_rate(driver, sat["rps"], args.share, args.latency_seconds)
    results.update(
        sat=sat,
        floor=same,
        lean=lean,
        floor_ratio=ratios(sat, same),
        lean_ratio=ratios(sat, lean),
        lat=lat,
        wrapped=driver.wrapped,
    )
    endpoint.results = results
    if endpoint.name in args.profile or "all" in args.profile:
        slug = endpoint.name.replace(" ", "_")
        results["profile"] = profile(
            driver, api.pid, args.seconds * 2, workdir / f"profile-{slug}.txt"
        )
        results["floor_profile"] = profile(
            floor_drivers[0],
            floor_proc.pid,
            args.seconds * 2,
            workdir / f"profile-floor-{slug}.txt",
        )
    print(
        f"  {sat['rps']:.0f} req/s, {results['floor_ratio']['median']:.2f}× floor "
        f"({same['rps']:.0f}), {results['lean_ratio']['median']:.2f}× lean ({lean['rps']:.0f}), "
        f"p99 {lat['p99_us'] / 1000:.1f} ms, {results['sql']} SQL"
    )


def run_batch_lines(args, app, env, database_url, sandbox_url, workdir) -> dict:
    """The batch lines (after the app's gunicorn is stopped): bill generation for every
    household and message dispatch against the sandbox. Each adds its entry to the
    dict `_batch_lines` renders."""
    batch = {}
    period = next_period(app)
    print(f"bill generation for {period}")
    batch["bills"] = time_bill_generation(env, period, workdir)
    print("message dispatch against the sandbox")
    batch["dispatch"] = time_dispatch(database_url, sandbox_url)
    return batch


def render(endpoints, sweeps, baselines, batch, args, kind, started_at):
    when = started_at.astimezone().strftime("%Y-%m-%d %H:%M %Z")
    setup = getattr(args, "gunicorn", None) or {
        "worker_class": "gthread",
        "workers": args.workers,
        "threads": args.threads,
    }
    out = [
        f"# Linli benchmark, {when}",
        "",
        f"Machine: {machine()}; database: {kind}; gunicorn deploy/gunicorn.conf.py: "
        f"{setup['worker_class']}, {setup['workers']} workers × {setup['threads']} threads "
        "(the app, the floors and hello alike; worker recycling off).",
    ]
    if endpoints:
        out += _endpoint_table(endpoints, *baselines, args)
    if sweeps:
        out += [
            "",
            f"Per compound, the {per_compound.GROUP} biggest and {per_compound.GROUP} smallest "
            "by issues, each asked alone (2 unmeasured requests, then 10 one at a time); "
            "each group's slowest compound, and the most rows the database read for one "
            "request (Handler_read_*):",
            "",
            *per_compound.render(sweeps),
        ]
    return "\n".join(_batch_lines(out, batch)) + "\n"


def _endpoint_table(endpoints, base_first, base_last, args) -> list[str]:
    baseline_rps = (base_first["rps"] + base_last["rps"]) / 2
    out = [
        "",
        f"wrk {THREADS} threads, {CONNECTIONS} connections, loopback. Each figure: median "
        f"of {args.runs} runs of {args.seconds:.0f} s after a {args.warmup:.0f} s warm-up, "
        "the app and its two floors interleaved (app, floor, lean, app, ...); a ratio is "
        "the median of the per-round ratios, with their min–max. Same-work floor: a "
        "minimal app sending, through the raw driver, every call the app sent for the "
        "same request (captured in-process: pre-ping, statements, each ROLLBACK; a COMMIT "
        "sent as a ROLLBACK), answering the same JSON; lean floor: the statements and one "
        f"ROLLBACK, no ping. Latency at ~{args.share:.0%} of each endpoint's saturated "
        "rate, paced in a closed loop (each connection pauses after each answer: a slow "
        "answer delays the next request instead of queueing it, so p99 errs low).",
        "",
        f"Hello (bare Flask): {base_first['rps']:.0f} req/s before, "
        f"{base_last['rps']:.0f} req/s after; × hello uses {baseline_rps:.0f}.",
        "",
        "| endpoint | req/s | × floor (runs) | × lean (runs) | × hello | floor / lean req/s "
        "| SQL (round trips app / lean) | p50 ms | p99 ms | at req/s (share) | errors "
        "| target | met |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for e in endpoints:
        r = e.results
        sat, lat = r["sat"], r["lat"]
        errors = sat["errors"] + lat["errors"]
        floor_errors = r["floor"]["errors"] + r["lean"]["errors"]
        if floor_errors:
            errors = f"{errors} (floors {floor_errors})"
        # Reads and reports may repeat; a second payment or notification of the same
        # order takes another path (an open order reused, an order already paid).
        one_shot = e.name in ONE_SHOT
        note = " (pool used up: some repeated)" if r["wrapped"] and one_shot else ""
        fr, lr = r["floor_ratio"], r["lean_ratio"]
        target = e.target
        if target is None:
            met = ""
        else:
            misses = target.misses(r)
            met = "met" if not misses else "missed: " + ", ".join(misses)
        out.append(
            f"| {e.name} | {sat['rps']:.0f} "
            f"| {fr['median']:.2f} ({fr['min']:.2f}–{fr['max']:.2f}) "
            f"| {lr['median']:.2f} ({lr['min']:.2f}–{lr['max']:.2f}) "
            f"| {sat['rps'] / baseline_rps:.2f} | {r['floor']['rps']:.0f} / {r['lean']['rps']:.0f} "
            f"| {r['sql']} ({r['round_trips']} / {r['lean_round_trips']}) "
            f"| {lat['p50_us'] / 1000:.1f} | {lat['p99_us'] / 1000:.1f} "
            f"| {lat['rps']:.0f} ({lat['share']:.0%}) | {errors} | {target or ''}{note} | {met} |"
        )
    stale = [p for e in endpoints for p in e.results.get("stale", [])]
    if stale:
        out += ["", "**The floor no longer matches the app** (recapture: run the bench again):"]
        out += [f"- {p}" for p in stale]
    profiled = [e for e in endpoints if e.results.get("profile")]
    if profiled:
        out += [
            "",
            "Where the CPU goes (py-spy --gil on the workers during a saturated run: the "
            "thread holding each worker's GIL, by innermost frame; ms of GIL per request "
            "answered):",
            "",
        ]
        for e in profiled:
            for key, who in (("profile", "app"), ("floor_profile", "same-work floor")):
                found = e.results[key]
                shares = ", ".join(f"{name} {share:.0%}" for name, share in found["shares"])
                ms = f"{found['ms']:.2f} ms/request: " if found.get("ms") is not None else ""
                out.append(f"- {e.name}, {who}: {ms}{shares}")
    return out


def _batch_lines(out: list[str], batch: dict) -> list[str]:
    if batch.get("bills"):
        seconds, summary = batch["bills"]
        out += [
            "",
            f"Bill generation (`bills generate`, every household): {seconds:.1f} s — {summary}",
        ]
    dispatch = batch.get("dispatch")
    if dispatch:
        out += [
            "",
            "Message dispatch against the sandbox: "
            + ", ".join(f"{k} {v}" for k, v in dispatch.items()),
        ]
    return out


if __name__ == "__main__":
    sys.exit(main())
