"""Configuration: production refuses to start without its secrets."""

from __future__ import annotations

import subprocess
import sys

import pytest

import server
from server import PROJECT_ROOT, create_app
from server.config import (
    ConfigError,
    development_environment,
    load_config,
    normalise_database_url,
)

PRODUCTION = {
    "LINLI_ENV": "production",
    "SECRET_KEY": "s" * 40,
    "DATABASE_URL": "mysql://linli:pw@db/linli",
    "WECHAT_APPID": "wx123",
    "WECHAT_SECRET": "real-secret",
    "PUBLIC_BASE_URL": "https://linli.example.cn",
}


@pytest.mark.parametrize("missing", ["SECRET_KEY", "WECHAT_SECRET", "WECHAT_APPID", "DATABASE_URL"])
def test_production_names_the_missing_secret(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    with pytest.raises(ConfigError, match=missing):
        load_config(env, "instance")


def test_production_start_up_stops_with_one_line(tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k != "WECHAT_SECRET"}
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "server", "routes"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT_ROOT), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [
        "linli: configuration error: WECHAT_SECRET is not set; "
        "production mode needs it (README: Configuration)"
    ]


@pytest.mark.parametrize("installed", [True, False])
def test_mysql_urls_use_mysqlclient_if_installed_else_pymysql_and_utf8mb4(installed, monkeypatch):
    if not installed:
        monkeypatch.setitem(sys.modules, "MySQLdb", None)  # import fails
    elif server.config.mysql_driver() != "mysqldb":
        pytest.skip("mysqlclient is not installed here")
    driver = "mysqldb" if installed else "pymysql"
    for scheme in ("mysql", "mariadb"):
        assert (
            normalise_database_url(f"{scheme}://u@h/db")
            == f"mysql+{driver}://u@h/db?charset=utf8mb4"
        )
    for named in ("pymysql", "mysqldb"):  # a driver named is kept
        assert (
            normalise_database_url(f"mysql+{named}://u@h/db?x=1")
            == f"mysql+{named}://u@h/db?x=1&charset=utf8mb4"
        )


def test_mysql_engine_options():
    config = load_config(PRODUCTION, "instance")
    options = config["SQLALCHEMY_ENGINE_OPTIONS"]
    # No ping per checkout: a request that finds its connection dead runs again
    # (tests/faults/test_idle_connections.py).
    assert "pool_pre_ping" not in options
    assert options["pool_recycle"] < 28800  # MariaDB's default wait_timeout


def test_development_defaults_point_at_sqlite_under_instance():
    app = create_app({"LINLI_ENV": "development", "DATABASE_URL": ""})
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("/instance/linli.sqlite3")


MAKE_RUN = "WECHAT_PAY_API_BASE='http://127.0.0.1:5311/'\nDATABASE_URL='sqlite:////tmp/x.db'\n"


def test_make_runs_settings_are_read_in_development_only(tmp_path):
    (tmp_path / "dev.env").write_text(MAKE_RUN)
    written = {
        "WECHAT_PAY_API_BASE": "http://127.0.0.1:5311/",
        "DATABASE_URL": "sqlite:////tmp/x.db",
    }
    assert development_environment({}, str(tmp_path)) == written
    assert development_environment({"LINLI_ENV": "development"}, str(tmp_path)) == written
    assert development_environment({"LINLI_ENV": "production"}, str(tmp_path)) == {}
    assert development_environment({"LINLI_ENV": "testing"}, str(tmp_path)) == {}
    assert development_environment({}, str(tmp_path / "elsewhere")) == {}


def test_the_real_environment_wins_over_make_runs_settings(tmp_path, monkeypatch):
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "dev.env").write_text(MAKE_RUN)
    monkeypatch.setattr(server, "PROJECT_ROOT", tmp_path)
    app = create_app({"LINLI_ENV": "development", "DATABASE_URL": "sqlite:////tmp/mine.db"})
    assert app.config["WECHAT_PAY_API_BASE"] == "http://127.0.0.1:5311/"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:////tmp/mine.db"


def test_meter_reading_checks_are_configured_and_bad_values_named():
    defaults = load_config({}, "instance")
    assert (defaults["METER_READING_FLAG_MULTIPLE"], defaults["METER_READING_MAX_FEN"]) == (
        3.0,
        200_000,
    )
    chosen = load_config(
        {"METER_READING_FLAG_MULTIPLE": "2.5", "METER_READING_MAX_FEN": "50000"}, "instance"
    )
    assert (chosen["METER_READING_FLAG_MULTIPLE"], chosen["METER_READING_MAX_FEN"]) == (2.5, 50000)
    for name, value in (
        ("METER_READING_FLAG_MULTIPLE", "1"),  # every reading above average would be flagged
        ("METER_READING_FLAG_MULTIPLE", "three"),
        ("METER_READING_MAX_FEN", "0"),
    ):
        with pytest.raises(ConfigError, match=name):
            load_config({name: value}, "instance")
