"""District-scale operations of the bench, one line each with its cost and the rows the
database read (MariaDB's Handler_read_* counters; n/a on SQLite):

- "bill generation": `flask bills generate` for every household, the month after the
  district's latest monthly bills (each run bills a new month, so runs keep working on
  the same database), timed as a process, with its CPU and the CPU of the app's
  start-up alone (`flask bills generate --help`); then the same run again in-process,
  which must create nothing (its statements and rows read). The package's bytecode is
  compiled first, as `pip install` does in production: a development checkout run with
  PYTHONDONTWRITEBYTECODE would compile every module from source in each process.
- "message dispatch": scripts/bench/dispatch.py against the sandbox, as a ratio to the
  sandbox's own ceiling measured in the same run.
- "ledger verify": scripts/bench/ledger_checks.py (full, incremental, ledger page).
- "register export": the issues register (.xlsx) of the biggest compound, in-process:
  seconds, peak traced memory, rows read.

The month's figures and the committee's lists are the per-compound lines
(scripts/bench/per_compound.py). `python -m scripts.bench.district_ops --database-url
URL [--only NAME]` runs these lines without `make bench` (dispatch starts a sandbox).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path

from scripts.bench.per_compound import Reads

BILLS, DISPATCH, LEDGER, REGISTER = (
    "bill generation",
    "message dispatch",
    "ledger verify",
    "register export",
)
NAMES = (BILLS, DISPATCH, LEDGER, REGISTER)
BATCH = (BILLS, DISPATCH)  # left out by --skip-batch
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TARGETS = {
    BILLS: "≤ 5 s for 100,000 households",
    DISPATCH: "≥ 500/s, or the sandbox's ceiling",
    REGISTER: "flat memory at any size",
}


@dataclass
class Result:
    name: str
    seconds: float
    statements: int | None = None
    rows_read: int | None = None
    note: str = ""
    rows: list[str] = field(default_factory=list)  # a table of its own (ledger checks)


def chosen(only: list[str] | None, skip_batch: bool = False) -> list[str]:
    """The district lines to run: those named, or all (less bills and dispatch with
    --skip-batch)."""
    if only:
        return [n for n in NAMES if n in only]
    return [n for n in NAMES if not (skip_batch and n in BATCH)]


def run(names: list[str], app, env: dict, database_url: str, sandbox_url: str) -> list[Result]:
    """Each line named, in order. `env`: the app's environment for the CLI process."""
    out = []
    for name in names:
        print(f"{name} (district)")
        if name == BILLS:
            out.append(bill_generation(app, env))
        elif name == DISPATCH:
            out.append(dispatch(database_url, sandbox_url))
        elif name == LEDGER:
            out.append(ledger_verify(app))
        elif name == REGISTER:
            out.append(register_export(app))
        print(f"  {render_one(out[-1])}")
    return out


# ----- the lines -----


def next_month(app) -> str:
    """The month after the latest monthly bills' (quarterly "2026Q4" and yearly "2026"
    periods are not months)."""
    from sqlalchemy import func, select

    from server.extensions import db
    from server.models import Bill
    from server.services.money.periods import month_after

    with app.app_context():
        latest = db.session.scalar(select(func.max(Bill.period)).where(Bill.period.like("____-__")))
    if latest is None:
        raise SystemExit("the district has no monthly bills: make bench-data")
    return month_after(latest)


def bill_generation(app, env: dict) -> Result:
    from server.extensions import db
    from server.services.money import fees

    period = next_month(app)
    compile_bytecode()
    flask = [str(BIN / "flask"), "--app", "server", "bills", "generate"]
    _, startup_cpu = _child_run([*flask, "--help"], env)
    started = time.monotonic()
    done, cpu = _child_run([*flask, "--period", period], env)
    seconds = time.monotonic() - started
    if done.returncode:
        raise SystemExit(f"bill generation failed:\n{done.stderr[-2000:]}")
    summary = ([row for row in done.stdout.splitlines() if row.strip()] or [""])[-1]
    with app.app_context(), Reads(db.engine) as reads:
        again_started = time.perf_counter()
        again = fees.generate_bills(period)
        again_seconds = time.perf_counter() - again_started
    note = (
        f"{period}: {summary} (the process, start-up included; its CPU {cpu:.1f} s, the "
        f"start-up's alone {startup_cpu:.1f} s); again in-process: {again.created} new in "
        f"{again_seconds:.1f} s"
    )
    return Result(BILLS, seconds, len(reads.statements), reads.rows_read, note)


def compile_bytecode() -> None:
    """The package's .pyc files, as `pip install` leaves them in production."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", "server"], cwd=ROOT, check=True)


def _child_run(command: list[str], env: dict) -> tuple[subprocess.CompletedProcess, float]:
    """Run a command to its end: what it did, and the CPU seconds (user + system) it took."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return done, cpu


def dispatch(database_url: str, sandbox_url: str) -> Result:
    from scripts.bench import dispatch as bench_dispatch

    figures = bench_dispatch.measure(database_url, sandbox_url)
    ceilings = figures["sandbox_ceiling_per_second"]
    note = (
        f"{figures['per_second']:.0f} messages/s ({figures['sent']} of {figures['messages']} "
        f"sent), sandbox ceiling {' / '.join(f'{c:.0f}' for c in ceilings)}/s before / after: "
        f"{figures['ratio_to_ceiling']:.2f}× it; {figures['cpu_ms_per_message']} ms CPU a "
        f"message; target {figures['target_per_second']}/s"
    )
    return Result(DISPATCH, figures["seconds"], note=note)


def ledger_verify(app) -> Result:
    from scripts.bench import ledger_checks

    started = time.perf_counter()
    lines = ledger_checks.run(app, 11)
    rows = [*ledger_checks.HEADER, *(line.render() for line in lines)]
    full = next((line for line in lines if line.name == "verify --full"), None)
    note = "full pass and the daily check from checkpoints (table below)"
    return Result(
        LEDGER,
        time.perf_counter() - started,
        full.statements if full else None,
        full.rows_read if full else None,
        note,
        rows,
    )


def register_export(app) -> Result:
    from scripts.bench import per_compound
    from server.extensions import db

    with app.app_context():
        code, issues = per_compound.compound_sizes()[-1]
        auth = per_compound.committee_tokens([code])[code]
        engine = db.engine
    client = app.test_client()
    path, headers = f"/api/v1/issues/register.xlsx?compound={code}", {"Authorization": auth}
    client.get(path, headers=headers)  # warm: imports and first-use caches are not its cost
    with Reads(engine) as reads:
        started = time.perf_counter()
        reply = client.get(path, headers=headers)
        seconds = time.perf_counter() - started
    tracemalloc.start()  # a third time, traced (tracing slows it down several times)
    try:
        client.get(path, headers=headers)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    if reply.status_code != 200:
        raise SystemExit(f"register export: {reply.status_code} {reply.get_data(as_text=True)}")
    note = (
        f"{code} ({issues:,} issues): {len(reply.data) / 2**20:.1f} MB of .xlsx, "
        f"peak traced memory {peak / 2**20:.1f} MB"
    )
    return Result(REGISTER, seconds, len(reads.statements), reads.rows_read, note)


# ----- output -----

HEADER = [
    "| district operation | seconds | statements | rows read | what | target |",
    "|---|---:|---:|---:|---|---|",
]


def render_one(result: Result) -> str:
    statements = "" if result.statements is None else f"{result.statements:,}"
    read = "n/a" if result.rows_read is None else f"{result.rows_read:,}"
    return (
        f"| {result.name} | {result.seconds:.1f} | {statements} | {read} | {result.note} "
        f"| {TARGETS.get(result.name, '')} |"
    )


def render(results: list[Result]) -> list[str]:
    if not results:
        return []
    out = ["", *HEADER, *(render_one(r) for r in results)]
    for result in results:
        if result.rows:
            out += ["", f"{result.name}:", "", *result.rows]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench.district_ops")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--only", action="append", choices=NAMES, metavar="NAME")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("give --database-url or set DATABASE_URL")

    from scripts.bench import dispatch as bench_dispatch
    from server import create_app

    app = create_app({"DATABASE_URL": args.database_url, "LOG_LEVEL": "WARNING"})
    env = {**os.environ, "DATABASE_URL": args.database_url, "LOG_LEVEL": "WARNING"}
    env.setdefault("LINLI_ENV", "development")
    names = chosen(args.only)
    sandbox = None
    sandbox_url = ""
    if DISPATCH in names:
        sandbox_url, sandbox = bench_dispatch._start_sandbox()
    try:
        results = run(names, app, env, args.database_url, sandbox_url)
    finally:
        if sandbox:
            sandbox.terminate()
            sandbox.wait(timeout=10)
    print("\n".join(render(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
