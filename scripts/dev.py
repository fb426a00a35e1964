#!/usr/bin/env python3
"""`make run`: migrate, load the demo compound, and run the API, the WeChat sandbox
and the scheduler together until Ctrl-C.

Every WeChat base URL points at the sandbox, so the real wechatpy code path runs
with no WeChat account. Environment: PORT (API, default 5000), SANDBOX_PORT
(default 5100), DATABASE_URL (default SQLite under instance/).
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
PYTHON = sys.executable


def environment() -> dict:
    port = os.environ.get("PORT", "5000")
    sandbox = f"http://127.0.0.1:{os.environ.get('SANDBOX_PORT', '5100')}/"
    env = dict(os.environ)
    env.setdefault("LINLI_ENV", "development")
    env.setdefault("PUBLIC_BASE_URL", f"http://127.0.0.1:{port}")
    env["WECHAT_API_BASE"] = sandbox
    env["WECHAT_PAY_API_BASE"] = sandbox
    env["PORT"] = port
    env["PYTHONUNBUFFERED"] = "1"
    return env


def flask(*args: str) -> list[str]:
    return [PYTHON, "-m", "flask", "--app", "server", *args]


def prepare(env: dict) -> None:
    for step in (flask("db", "upgrade"), flask("demo")):
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


def banner(env: dict) -> None:
    api = f"http://127.0.0.1:{env['PORT']}"
    sandbox = env["WECHAT_API_BASE"]
    print(
        f"""
  Linli is running.
    API            {api}/api/v1   (health: {api}/healthz, docs: {api}/api/v1/docs)
    WeChat sandbox {sandbox}   (sent messages: {sandbox}sandbox/messages)
    Scheduler      running (one process; a second copy would only stand by)

  Sign in as the resident of 1-1-101 through the sandbox:
    curl -s -X POST {api}/api/v1/auth/login -H 'Content-Type: application/json' \\
         -d '{{"code": "demo-resident-1-1-101"}}'

  Other demo users: demo-liaison-1-1, demo-committee-1, demo-supervisor-1 (README lists all).
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


def main() -> int:
    env = environment()
    prepare(env)
    procs = start(env)
    # Explicit handlers: a shell may start us with SIGINT ignored.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        wait_healthy(f"http://127.0.0.1:{env['PORT']}/healthz", procs)
        banner(env)
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
