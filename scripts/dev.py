#!/usr/bin/env python3
"""`make run`: migrate, load the demo compound, and run the API, the WeChat sandbox
and the scheduler together until Ctrl-C.

Every WeChat base URL points at the sandbox, so the real wechatpy code path runs
with no WeChat account. Environment (or `.env`): PORT (API, default 5000),
SANDBOX_PORT (default 5100), DATABASE_URL (default SQLite under instance/).

What it runs with goes to `instance/dev.env`, which `create_app` reads in development
only: `flask --app server ...` in another terminal then uses the same database and
sandbox (never WeChat's real servers). `instance/make-run.pid` says it is running
(`make reset` will not delete a database in use).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's `server`, whatever the venv points at

from server.config import DEV_ENV_FILE, load_dotenv_if_present  # noqa: E402

PYTHON = sys.executable
INSTANCE = ROOT / "instance"
PID_FILE = INSTANCE / "make-run.pid"
# What instance/dev.env carries to `flask` commands in another terminal.
SHARED = (
    "LINLI_ENV",
    "DATABASE_URL",
    "WECHAT_API_BASE",
    "WECHAT_PAY_API_BASE",
    "PUBLIC_BASE_URL",
    "PORT",
    "SANDBOX_PORT",
)


def environment() -> dict:
    load_dotenv_if_present(ROOT)
    port = os.environ.get("PORT") or "5000"
    sandbox_port = os.environ.get("SANDBOX_PORT") or "5100"
    sandbox = f"http://127.0.0.1:{sandbox_port}/"
    env = dict(os.environ)
    env.setdefault("LINLI_ENV", "development")
    env.setdefault("PUBLIC_BASE_URL", f"http://127.0.0.1:{port}")
    env["DATABASE_URL"] = env.get("DATABASE_URL") or f"sqlite:///{INSTANCE / 'linli.sqlite3'}"
    env["WECHAT_API_BASE"] = sandbox
    env["WECHAT_PAY_API_BASE"] = sandbox
    env["PORT"] = port
    env["SANDBOX_PORT"] = sandbox_port
    env["PYTHONUNBUFFERED"] = "1"
    return env


def write_dev_env(env: dict) -> Path:
    """instance/dev.env: the settings `flask` commands in another terminal share with us
    (readable by its owner only: the database URL may hold a password)."""
    INSTANCE.mkdir(parents=True, exist_ok=True)
    path = INSTANCE / DEV_ENV_FILE
    lines = [
        "# Written by `make run` (scripts/dev.py) each time it starts: `flask --app server ...`",
        "# reads it in development only (never with LINLI_ENV=production), under the real",
        "# environment and .env. `make reset` deletes it. Shell: `. instance/dev.env` sets $PORT.",
        *(f"{name}={_quoted(env[name])}" for name in SHARED),
    ]
    path.touch(mode=0o600)
    path.chmod(0o600)  # `touch` sets the mode of a new file only: an older one may be 644
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _quoted(value: str) -> str:
    """Single quotes: the same value for python-dotenv and for a shell sourcing the file."""
    if "'" in value or "\n" in value:
        raise SystemExit(f"make run: cannot write {value!r} to instance/dev.env")
    return f"'{value}'"


def flask(*args: str) -> list[str]:
    return [PYTHON, "-m", "flask", "--app", "server", *args]


def prepare(env: dict) -> None:
    for step in (flask("db", "upgrade"), flask("demo", "--v3")):
        subprocess.run(step, cwd=ROOT, env=env, check=True)


def start(env: dict) -> list[tuple[str, subprocess.Popen]]:
    sandbox_port = env["WECHAT_API_BASE"].rsplit(":", 1)[1].strip("/")
    commands = [
        ("sandbox", [PYTHON, "-m", "server.wechat.sandbox", "--port", sandbox_port]),
        ("api", flask("run", "--host", "127.0.0.1", "--port", env["PORT"], "--no-reload")),
        ("scheduler", flask("scheduler")),
    ]
    return [
        (name, subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True))
        for name, cmd in commands
    ]


def wait_healthy(url: str, procs, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, proc in procs:
            if proc.poll() is not None:
                raise SystemExit(f"{name} exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the API did not answer {url} within {timeout:.0f} s")


def wait_scheduler(env: dict, scheduler: subprocess.Popen, timeout: float = 45) -> bool:
    """Wait for the scheduler's first outbox run (it has started, holds the lease and
    fetched its token), so that its start-up lines come before the banner. False if
    another scheduler holds this database's lease (ours stands by) past `timeout`."""
    from sqlalchemy import create_engine, select

    from server.config import normalise_database_url
    from server.models import JobRun

    engine = create_engine(normalise_database_url(env["DATABASE_URL"]))
    first_run = (
        select(JobRun.id)
        .where(
            JobRun.job_name == "dispatch_outbox",
            JobRun.holder.contains(f":{scheduler.pid}:"),
            JobRun.finished_at.is_not(None),
        )
        .limit(1)
    )
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and scheduler.poll() is None:
            with engine.connect() as conn:
                if conn.execute(first_run).first() is not None:
                    return True
            time.sleep(0.3)
    finally:
        engine.dispose()
    return False


def banner(env: dict, scheduler_ready: bool = True) -> None:
    api = f"http://127.0.0.1:{env['PORT']}"
    sandbox = env["WECHAT_API_BASE"]
    scheduler = (
        "running (one process; a second copy would only stand by)"
        if scheduler_ready
        else "standing by: another scheduler holds this database's lease (until it lapses)"
    )
    print(
        f"""
  Linli is running.
    API            {api}/api/v1   (health: {api}/healthz, docs: {api}/api/v1/docs)
    Desk (电脑端)   {api}/console/   (no phone here: the QR page prints a `flask --app
                   server desk confirm …` line that signs it in as committee-1)
    WeChat sandbox {sandbox}   (sent messages: {sandbox}sandbox/messages)
    Scheduler      {scheduler}

  Sign in as the resident of 1-1-101 through the sandbox:
    curl -s -X POST {api}/api/v1/auth/login -H 'Content-Type: application/json' \\
         -d '{{"code": "demo-resident-1-1-101"}}'

  Other demo users: demo-liaison-1-1, demo-committee-1, demo-supervisor-1 (README lists all).
  新苑小区 (demo-v3) pays through the sandbox's WeChat Pay API v3 merchant:
  demo-v3-resident-1-1-101, demo-v3-committee-1; the street office is demo-admin.
  In another terminal, `flask` commands use this database and sandbox (instance/dev.env):
    . .venv/bin/activate; flask --app server payments reconcile
  README "API by example" has the main flows; `make reset` starts over with a fresh demo.
  Ctrl-C stops all three.
""",
        flush=True,
    )


def stop(procs) -> None:
    for _, proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for _, proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def running_pid() -> int | None:
    """The process id of a `make run` of this checkout that is running, if any."""
    try:
        pid = int(PID_FILE.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None  # it died without cleaning up (kill -9)
    except PermissionError:
        return pid  # alive, another user's
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists() and b"dev.py" not in cmdline.read_bytes():
        return None  # the id was given to another process since
    return pid


def main() -> int:
    other = running_pid()
    if other is not None:
        print(f"make run is already running in this checkout (process {other}).", file=sys.stderr)
        return 1
    env = environment()
    write_dev_env(env)
    PID_FILE.write_text(f"{os.getpid()}\n", encoding="utf-8")
    try:
        return run(env)
    finally:
        PID_FILE.unlink(missing_ok=True)


def run(env: dict) -> int:
    prepare(env)
    procs = start(env)
    # Explicit handlers: a shell may start us with SIGINT ignored.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        wait_healthy(f"http://127.0.0.1:{env['PORT']}/healthz", procs)
        banner(env, wait_scheduler(env, dict(procs)["scheduler"]))
        while all(proc.poll() is None for _, proc in procs):
            time.sleep(0.5)
        dead = [name for name, proc in procs if proc.poll() is not None]
        print(f"stopping: {', '.join(dead)} exited", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopping...", flush=True)
        return 0
    finally:
        stop(procs)


if __name__ == "__main__":
    sys.exit(main())
