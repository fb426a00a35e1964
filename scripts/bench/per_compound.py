"""Per-compound lines of the bench: the committee's desk at district size — page 1 of
the issue list filtered by compound, a month's figures, the month's unpaid fees, the
ledger page and the people list — for the five biggest and the five smallest
compounds (by issues).

A throughput figure hides a slow compound among fast ones, so each compound is driven
on its own: under `make bench`, wrk saturates the request alone, then holds it at ~60%
of that rate and takes p50/p99 (`run_loaded`); each group reports its worst compound
(the highest p99) and the most rows the database read for one request (MariaDB's
Handler_read_* counters around each statement, on the statement's own connection,
counted in-process). Target: p99 ≤ 100 ms for every compound.

    .venv/bin/python -m scripts.bench.per_compound --database-url URL [--explain]

prints every compound of both groups without servers (times in-process), and with
--explain MariaDB's ANALYZE of each request's heaviest statement.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

GROUP = 5
LIST, STATS = "committee list by compound", "monthly stats"
UNPAID, LEDGER, PEOPLE = "unpaid fees by compound", "ledger page by compound", "people list"
NAMES = (LIST, STATS, UNPAID, LEDGER, PEOPLE)
TARGETS = dict.fromkeys(NAMES, "p99 ≤ 100 ms at 60%")


@dataclass
class Case:
    code: str
    issues: int
    path: str
    auth: str  # "Bearer <token>"


@dataclass
class Measured:
    case: Case
    ms: list[float]
    rows_read: int | None  # None where the database keeps no such counters (SQLite)
    sql: int
    heaviest: tuple[str, object] | None = None  # (statement, parameters) that read most
    load: dict | None = None  # under wrk: rps (saturated), at_rps, p50, p99 (ms), errors

    @property
    def p50(self) -> float:
        return self.load["p50"] if self.load else statistics.median(self.ms)

    @property
    def p99(self) -> float:
        return self.load["p99"] if self.load else max(self.ms)


@dataclass
class Sweep:
    name: str
    groups: dict[str, list[Case]]
    target: str = ""
    results: dict[str, list[Measured]] = field(default_factory=dict)


# ----- the compounds and their requests -----


def compound_sizes() -> list[tuple[str, int]]:
    """(code, issues) of every compound with issues, fewest first (ties by code)."""
    from sqlalchemy import func, select

    from server.extensions import db
    from server.models import Compound, Issue

    counts = (
        select(Issue.compound_id, func.count().label("n")).group_by(Issue.compound_id).subquery()
    )
    rows = db.session.execute(
        select(Compound.code, counts.c.n).join(counts, counts.c.compound_id == Compound.id)
    ).all()
    return sorted(((code, n) for code, n in rows), key=lambda row: (row[1], row[0]))


def pick_groups(sizes: list[tuple[str, int]], size: int = GROUP) -> dict[str, list]:
    """The `size` biggest and `size` smallest of `sizes` (fewest first)."""
    return {
        f"{size} biggest": list(reversed(sizes[-size:])),
        f"{size} smallest": sizes[:size],
    }


def committee_tokens(codes: list[str]) -> dict[str, str]:
    """A bearer token of the first committee member of each compound."""
    from sqlalchemy import select

    from server.extensions import db
    from server.models import Compound, Membership, User
    from server.services.people import auth

    rows = db.session.execute(
        select(Compound.code, User)
        .join(Membership, Membership.compound_id == Compound.id)
        .join(User, User.id == Membership.user_id)
        .where(Compound.code.in_(codes), Membership.role == "committee")
        .order_by(Membership.id)
    ).all()
    tokens: dict[str, str] = {}
    for code, user in rows:
        if code not in tokens:
            tokens[code] = "Bearer " + auth.issue_token(user)[0]
    return tokens


def district_month() -> str:
    """The district's latest month (Asia/Shanghai): the month of its "now", whatever
    issues earlier bench runs reported since."""
    from scripts.bench.data import ANCHOR
    from server.clock import SHANGHAI

    return ANCHOR.astimezone(SHANGHAI).strftime("%Y-%m")


def build_sweeps(app, names=NAMES, month: str | None = None, size: int = GROUP) -> list[Sweep]:
    """The per-compound lines named in `names`, from the data (in-process); the figures
    are of `month` (default: the district's latest)."""
    month = month or district_month()
    with app.app_context():
        groups = pick_groups(compound_sizes(), size)
        tokens = committee_tokens(sorted({code for g in groups.values() for code, _ in g}))
    paths = {
        LIST: "/api/v1/issues?compound={code}",
        STATS: "/api/v1/issues/stats?compound={code}&month=" + month,
        UNPAID: "/api/v1/fees/unpaid?compound={code}&period=" + month,
        LEDGER: "/api/v1/ledger?compound={code}",
        PEOPLE: "/api/v1/compounds/{code}/people",
    }
    return [
        Sweep(
            name,
            {
                group: [Case(code, n, paths[name].format(code=code), tokens[code]) for code, n in g]
                for group, g in groups.items()
            },
            TARGETS[name],
        )
        for name in NAMES
        if name in names
    ]


# ----- measuring -----


def _handler_reads(dbapi_connection) -> int:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SHOW SESSION STATUS LIKE 'Handler_read%'")
        return sum(int(value) for _, value in cursor.fetchall())
    finally:
        cursor.close()


class Reads:
    """While open: statements run on the engine, each with the rows the database read
    for it (None on SQLite)."""

    def __init__(self, engine):
        self.engine, self.mysql = engine, engine.dialect.name in ("mysql", "mariadb")
        self.statements: list[tuple[str, object, int | None]] = []
        self._before: dict[int, int] = {}
        self._streamed: list[tuple[int, object, int]] = []

    def __enter__(self) -> Reads:
        from sqlalchemy import event

        event.listen(self.engine, "before_cursor_execute", self._start)
        event.listen(self.engine, "after_cursor_execute", self._end)
        return self

    def __exit__(self, *_exc) -> None:
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._start)
        event.remove(self.engine, "after_cursor_execute", self._end)
        if self.mysql:
            self._settle_streamed()

    def _start(self, _conn, cursor, *_args) -> None:
        if self.mysql:
            self._settle_streamed()
            self._before[id(cursor)] = _handler_reads(cursor.connection)

    def _end(self, _conn, cursor, statement, parameters, context, *_args) -> None:
        read = None
        if self.mysql:
            before = self._before.pop(id(cursor))
            if context is not None and context.execution_options.get("stream_results"):
                # An unbuffered result (yield_per: the register's rows): the connection
                # takes no other command until it is read, so its rows are counted at
                # the next statement or at the end.
                self._streamed.append((len(self.statements), cursor.connection, before))
            else:
                read = _handler_reads(cursor.connection) - before
        self.statements.append((statement, parameters, read))

    def _settle_streamed(self) -> None:
        while self._streamed:
            at, connection, before = self._streamed.pop()
            statement, parameters, _ = self.statements[at]
            self.statements[at] = (statement, parameters, _handler_reads(connection) - before)

    @property
    def rows_read(self) -> int | None:
        return sum(r for *_, r in self.statements) if self.mysql else None


def count_reads(app, case: Case) -> Measured:
    """One request in-process: its statements and the rows the database read."""
    from server.extensions import db

    with app.app_context():
        engine = db.engine
    client = app.test_client()
    with Reads(engine) as reads:
        reply = client.get(case.path, headers={"Authorization": case.auth})
    if reply.status_code != 200:
        raise SystemExit(f"{case.path}: {reply.status_code} {reply.get_data(as_text=True)[:300]}")
    heaviest = max(reads.statements, key=lambda s: s[2] or 0, default=None)
    return Measured(case, [], reads.rows_read, len(reads.statements), heaviest and heaviest[:2])


def in_process(app) -> Callable[[Case], None]:
    """A sender through the app in this process (the Flask test client)."""
    client = app.test_client()

    def send(case: Case) -> None:
        reply = client.get(case.path, headers={"Authorization": case.auth})
        if reply.status_code != 200:
            raise SystemExit(f"{case.path}: {reply.status_code}")

    return send


def over_http(base_url: str) -> Callable[[Case], None]:
    """A sender to a running server, one connection kept alive."""
    import requests

    session = requests.Session()

    def send(case: Case) -> None:
        reply = session.get(base_url + case.path, headers={"Authorization": case.auth}, timeout=30)
        if reply.status_code != 200:
            raise SystemExit(f"{case.path}: {reply.status_code} {reply.text[:300]}")

    return send


def timed(send: Callable[[Case], None], case: Case, warmup: int, runs: int) -> list[float]:
    """Milliseconds of `runs` requests, one at a time, after `warmup` unmeasured ones."""
    for _ in range(warmup):
        send(case)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        send(case)
        times.append((time.perf_counter() - started) * 1000)
    return times


def run_sweep(app, sweep: Sweep, send, warmup: int = 2, runs: int = 10) -> Sweep:
    """Every compound of every group: rows read (in-process), then timed by `send`."""
    for group, cases in sweep.groups.items():
        sweep.results[group] = []
        for case in cases:
            measured = count_reads(app, case)
            measured.ms = timed(send, case, warmup, runs)
            sweep.results[group].append(measured)
    return sweep


def run_loaded(
    app, sweep: Sweep, base_url: str, workdir, share: float = 0.6, seconds: float = 5
) -> Sweep:
    """Every compound of every group under load: rows read (in-process), then wrk on its
    request alone — a warm-up, the saturated rate (one run), and p50/p99 at ~`share` of
    it (scripts.bench.run's drivers)."""
    from scripts.bench import run as bench

    for group, cases in sweep.groups.items():
        sweep.results[group] = []
        for case in cases:
            measured = count_reads(app, case)
            endpoint = bench.Endpoint(
                f"{sweep.name} {case.code}",
                [bench.line("GET", case.path, case.auth.removeprefix("Bearer "))] * 50,
            )
            driver = bench.Driver(base_url, workdir, endpoint, seconds)
            sat = bench.saturate(driver, 1, 1)
            if not sat["rps"]:
                raise SystemExit(f"{endpoint.name}: no answer within {seconds:.0f} s under load")
            try:
                lat = bench.at_fixed_rate(driver, sat["rps"], share, seconds)
            except ZeroDivisionError:  # not one answer while pacing: slower than the run
                lat = {"rps": 0, "p50_us": float("inf"), "p99_us": float("inf"), "errors": 0}
            measured.load = {
                "rps": sat["rps"],
                "at_rps": lat["rps"],
                "p50": lat["p50_us"] / 1000,
                "p99": lat["p99_us"] / 1000,
                "errors": sat["errors"] + lat["errors"],
            }
            sweep.results[group].append(measured)
    return sweep


def worst(results: list[Measured]) -> tuple[Measured, Measured | None]:
    """The slowest compound (by p99 under load, else by median), and the one whose
    request read the most rows."""
    slowest = max(results, key=lambda m: m.p99 if m.load else m.p50)
    counted = [m for m in results if m.rows_read is not None]
    return slowest, max(counted, key=lambda m: m.rows_read) if counted else None


# ----- output -----

HEADER = [
    "| per compound | group | slowest: compound (issues) | p50 ms | max ms "
    "| most rows read: compound | SQL | target |",
    "|---|---|---|---:|---:|---:|---:|---|",
]
LOADED_HEADER = [
    "| per compound, under load | group | worst: compound (issues) | p99 ms at ~60% "
    "| p50 ms | req/s saturated (at) | most rows read: compound | SQL | errors | target |",
    "|---|---|---|---:|---:|---:|---:|---:|---:|---|",
]


def render_rows(sweeps: list[Sweep]) -> list[str]:
    """The table's rows: one per line and group, its worst compounds."""
    rows = []
    for sweep in sweeps:
        for group, results in sweep.results.items():
            slowest, most = worst(results)
            read = f"{most.rows_read:,}: {most.case.code}" if most else "n/a"
            if slowest.load:
                load = slowest.load
                errors = sum(m.load["errors"] for m in results)
                rows.append(
                    f"| {sweep.name} | {group} | {slowest.case.code} ({slowest.case.issues:,}) "
                    f"| {load['p99']:.1f} | {load['p50']:.1f} "
                    f"| {load['rps']:.0f} ({load['at_rps']:.0f}) | {read} | {slowest.sql} "
                    f"| {errors} | {sweep.target} |"
                )
                continue
            rows.append(
                f"| {sweep.name} | {group} | {slowest.case.code} ({slowest.case.issues:,}) "
                f"| {slowest.p50:.1f} | {max(slowest.ms):.1f} | {read} | {slowest.sql} "
                f"| {sweep.target} |"
            )
    return rows


def render(sweeps: list[Sweep]) -> list[str]:
    if not sweeps:
        return []
    loaded = any(m.load for s in sweeps for r in s.results.values() for m in r)
    return [*(LOADED_HEADER if loaded else HEADER), *render_rows(sweeps)]


def details(sweep: Sweep) -> list[str]:
    """Every compound of the sweep, one line each."""
    out = [f"{sweep.name}:"]
    for group, results in sweep.results.items():
        for m in results:
            read = "n/a" if m.rows_read is None else f"{m.rows_read:,}"
            out.append(
                f"  {group:<10} {m.case.code:<8} {m.case.issues:>7,} issues"
                f"  p50 {m.p50:7.1f} ms  {'p99' if m.load else 'max'} {m.p99:7.1f} ms"
                + (f"  {m.load['rps']:6.0f} req/s" if m.load else "")
                + f"  rows read {read:>9}  SQL {m.sql}"
            )
    return out


def analyze(app, statement: str, parameters) -> list[str]:
    """MariaDB's ANALYZE of one statement: the plan and the rows it really read."""
    from server.extensions import db

    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("ANALYZE " + statement, parameters)
            names = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
        finally:
            raw.close()
    keep = ("table", "type", "key", "rows", "r_rows", "Extra")
    return [
        "    " + "  ".join(f"{n}={row[names.index(n)]}" for n in keep if n in names) for row in rows
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench.per_compound")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--month", help="YYYY-MM (default: the district's latest, 2026-11)")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--explain", action="store_true", help="ANALYZE the heaviest statement")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("give --database-url or set DATABASE_URL")

    from server import create_app

    app = create_app({"DATABASE_URL": args.database_url, "LOG_LEVEL": "WARNING"})
    send = in_process(app)
    sweeps = build_sweeps(app, month=args.month)
    for sweep in sweeps:
        run_sweep(app, sweep, send, runs=args.runs)
        print("\n".join(details(sweep)))
        if args.explain:
            for results in sweep.results.values():
                for m in results:
                    if m.heaviest and m.rows_read is not None:
                        print(f"  {m.case.code}: {' '.join(m.heaviest[0].split())[:160]}...")
                        print("\n".join(analyze(app, *m.heaviest)))
    print()
    print("\n".join(render(sweeps)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
