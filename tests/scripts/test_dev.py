"""`make run` (scripts/dev.py): flask commands in another terminal use its sandbox and
database (instance/dev.env); it is quiet when idle, its banner the last thing shown."""

from __future__ import annotations

import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from scripts import dev
from server.extensions import db
from server.models import Bill
from server.services.money import fees
from tests.factories import build_world, self_governance_fee
from tests.helpers import free_port
from tests.scripts.conftest import flask_command, terminal_env
from tests.steps import pay_at_wechat

BANNER_END = "Ctrl-C stops all three."


def write_dev_env(project: Path, **settings: str) -> None:
    (project / "instance").mkdir(exist_ok=True)
    lines = [f"{name}='{value}'" for name, value in settings.items()]
    (project / "instance" / "dev.env").write_text("\n".join(lines) + "\n")


def test_a_flask_command_in_another_terminal_asks_make_runs_sandbox(
    app, sandbox, database_url, committed_db, project
):
    world = build_world("devenv")
    self_governance_fee(world.compound)
    db.session.flush()
    fees.generate_bills("2026-11", "devenv")
    db.session.commit()
    household = world.household("1-1-101").id
    bill_ids = db.session.scalars(select(Bill.id).where(Bill.household_id == household)).all()
    db.session.commit()  # SQLite: a transaction left open would lock the API out
    created = app.test_client().post(
        "/api/v1/payments", json={"bill_ids": bill_ids}, headers=world.headers("resident_1_1")
    )
    assert created.status_code == 201, created.get_json()
    out_trade_no = created.get_json()["out_trade_no"]
    # Paid at (the sandbox's) WeChat Pay, but its notification never came.
    pay_at_wechat(sandbox, out_trade_no)
    db.session.commit()
    write_dev_env(
        project,
        LINLI_ENV="development",
        DATABASE_URL=database_url,
        WECHAT_API_BASE=sandbox.url,
        WECHAT_PAY_API_BASE=sandbox.url,
    )

    result = subprocess.run(
        flask_command("payments", "reconcile", "--min-age", "0"),
        cwd=project,
        env=terminal_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert "checked 1, credited 1, closed 0" in result.stdout, result.stderr[-2000:]
    db.session.expire_all()
    assert [
        bill.status for bill in db.session.scalars(select(Bill).where(Bill.id.in_(bill_ids)))
    ] == ["paid"]


PRINT_CONFIG = (
    "import server; app = server.create_app(); "
    "print(server.__file__); "
    "print(app.config['WECHAT_PAY_API_BASE']); print(app.config['WECHAT_API_BASE']); "
    "print(app.config['SQLALCHEMY_DATABASE_URI'])"
)


def test_production_never_reads_make_runs_settings(project):
    write_dev_env(
        project,
        LINLI_ENV="development",
        DATABASE_URL="sqlite:////tmp/make-run.sqlite3",
        WECHAT_API_BASE="http://127.0.0.1:5100/",
        WECHAT_PAY_API_BASE="http://127.0.0.1:5100/",
    )
    production = terminal_env(
        LINLI_ENV="production",
        SECRET_KEY="s" * 40,
        DATABASE_URL="mysql+pymysql://linli:pw@db/linli",
        WECHAT_APPID="wx123",
        WECHAT_SECRET="real-secret",
        PUBLIC_BASE_URL="https://linli.example.cn",
    )
    result = subprocess.run(
        [sys.executable, "-c", PRINT_CONFIG],
        cwd=project,
        env=production,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    module, pay_base, api_base, database = result.stdout.split()
    assert module == str(project / "server" / "__init__.py")  # the copy, with its dev.env
    assert pay_base == "https://api.mch.weixin.qq.com/"
    assert api_base == "https://api.weixin.qq.com/"
    assert database == "mysql+pymysql://linli:pw@db/linli?charset=utf8mb4"


def _wait_for(log: Path, text: str, proc: subprocess.Popen, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        output = log.read_text(errors="replace")
        if text in output:
            return output
        assert proc.poll() is None, f"make run exited:\n{output[-3000:]}"
        time.sleep(0.5)
    raise AssertionError(f"no {text!r} within {timeout} s:\n{log.read_text()[-3000:]}")


@pytest.mark.slow
def test_make_run_is_quiet_when_idle_and_make_reset_waits_for_it(project, tmp_path):
    port, sandbox_port = free_port(), free_port()
    log = tmp_path / "make-run.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, str(project / "scripts" / "dev.py")],
            cwd=project,
            env=terminal_env(PORT=str(port), SANDBOX_PORT=str(sandbox_port)),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        shown = _wait_for(log, BANNER_END, proc, timeout=180)
        assert "Adding job" not in shown
        assert "Added job" not in shown
        dev_env = (project / "instance" / "dev.env").read_text()
        assert f"WECHAT_PAY_API_BASE='http://127.0.0.1:{sandbox_port}/'" in dev_env
        assert f"PORT='{port}'" in dev_env
        # Three outbox runs with nothing to send: nothing more on screen.
        time.sleep(16)
        assert log.read_text(errors="replace") == shown
        assert shown.rstrip().endswith(BANNER_END)

        reset = subprocess.run(
            [sys.executable, str(project / "scripts" / "reset.py")],
            cwd=project,
            env=terminal_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert reset.returncode == 1
        assert f"make run is running in this checkout (process {proc.pid})" in reset.stderr
        assert (project / "instance" / "linli.sqlite3").exists()
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    assert not (project / "instance" / "make-run.pid").exists()


def test_dev_env_is_readable_by_its_owner_only_even_when_it_was_not(tmp_path, monkeypatch):
    """The database URL in it may hold a password; an older dev.env (an earlier version,
    a copy) may have been world-readable."""
    monkeypatch.setattr(dev, "INSTANCE", tmp_path / "instance")
    old = tmp_path / "instance" / "dev.env"
    old.parent.mkdir()
    old.write_text("PORT='5000'\n")
    old.chmod(0o644)
    env = {name: "x" for name in dev.SHARED}
    env["DATABASE_URL"] = "mysql+pymysql://linli:secret@db/linli"

    path = dev.write_dev_env(env)

    assert path == old
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "DATABASE_URL='mysql+pymysql://linli:secret@db/linli'" in path.read_text()
