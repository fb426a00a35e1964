"""`make reset` (scripts/reset.py): the development database, photos and dev.env go;
.venv, node_modules and other files stay; it asks before dropping a MySQL database and
refuses in production or while `make run` runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from tests.scripts.conftest import terminal_env


def reset(project: Path, stdin: str = "", **settings: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(project / "scripts" / "reset.py")],
        cwd=project,
        env=terminal_env(**settings),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x")
    return path


@pytest.fixture
def used(project):
    """A development checkout after some use: a database, photos, make run's dev.env."""
    instance = project / "instance"
    return {
        "gone": [
            touch(instance / "linli.sqlite3"),
            touch(instance / "linli.sqlite3-wal"),
            touch(instance / "uploads" / "ab" / "photo.jpg"),
            touch(instance / "dev.env"),
        ],
        "kept": [
            touch(project / ".venv" / "bin" / "python"),
            touch(project / "tests" / "miniprogram" / "node_modules" / "jest" / "package.json"),
            touch(instance / "notes.txt"),
        ],
    }


def test_reset_deletes_the_database_photos_and_dev_env_and_keeps_the_rest(project, used):
    result = reset(project)
    assert result.returncode == 0, result.stderr
    assert [path for path in used["gone"] if path.exists()] == []
    assert all(path.exists() for path in used["kept"])
    assert "deleted the database" in result.stdout
    assert "`make run` migrates a new database and loads the demo compound" in result.stdout


def test_reset_refuses_in_production(project, used):
    result = reset(project, LINLI_ENV="production")
    assert result.returncode == 1
    assert "LINLI_ENV is production" in result.stderr
    assert "Nothing was deleted" in result.stderr
    assert all(path.exists() for path in used["gone"] + used["kept"])


def test_a_make_run_that_died_does_not_block_reset(project, used):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    ).stdout.strip()
    touch(project / "instance" / "make-run.pid").write_text(dead)
    assert reset(project).returncode == 0
    assert not (project / "instance" / "linli.sqlite3").exists()


def test_a_database_outside_instance_is_left_alone(project, used, tmp_path):
    elsewhere = touch(tmp_path / "mine.sqlite3")
    result = reset(project, DATABASE_URL=f"sqlite:///{elsewhere}")
    assert result.returncode == 1
    assert "outside instance/" in result.stderr
    assert elsewhere.exists()


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("mysql"),
    reason="needs a MySQL/MariaDB server (TEST_DATABASE_URL)",
)
def test_a_mysql_database_is_dropped_only_after_its_name_is_typed(project, used):
    server = make_url(os.environ["TEST_DATABASE_URL"])
    name = f"{server.database}_reset"
    engine = create_engine(server.set(database=None))
    with engine.begin() as conn:
        conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
        conn.execute(text(f"CREATE TABLE `{name}`.issues (id INT PRIMARY KEY)"))
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        refused = reset(project, stdin="yes\n", DATABASE_URL=url)
        assert refused.returncode == 1
        assert f"the database {name} was kept" in refused.stderr
        assert (project / "instance" / "dev.env").exists()  # nothing deleted
        with engine.connect() as conn:
            assert "issues" in inspect(conn).get_table_names(schema=name)

        done = reset(project, stdin=f"{name}\n", DATABASE_URL=url)
        assert done.returncode == 0, done.stderr
        assert f"Type {name} to confirm" in done.stdout
        with engine.connect() as conn:
            assert name in inspect(conn).get_schema_names()
            assert inspect(conn).get_table_names(schema=name) == []
        assert not (project / "instance" / "uploads").exists()
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        engine.dispose()


def test_photos_kept_in_instance_itself_go_but_nothing_else_there(project, used):
    photo = touch(project / "instance" / "2026" / "11" / "0123abcd.jpg")
    result = reset(project, UPLOAD_DIR=str(project / "instance"))
    assert result.returncode == 0, result.stderr
    assert (project / "instance" / "notes.txt").exists()
    assert (project / "instance" / "uploads" / "ab" / "photo.jpg").exists()  # not its photos
    assert not photo.exists()
    assert not (project / "instance" / "2026").exists()
    assert "its yyyy/ folders only" in result.stdout


def test_photos_kept_beside_the_database_go_but_nothing_else_there(project, used):
    data = project / "instance" / "data"
    database = touch(data / "linli.sqlite3")
    note = touch(data / "README.txt")
    photo = touch(data / "2026" / "11" / "0123abcd.jpg")
    result = reset(project, UPLOAD_DIR=str(data), DATABASE_URL=f"sqlite:///{database}")
    assert result.returncode == 0, result.stderr
    assert note.exists()
    assert not photo.exists()
    assert not database.exists()


def test_a_relative_uploads_folder_of_its_own_goes_whole(project, used):
    photo = touch(project / "instance" / "photos" / "2026" / "11" / "0123abcd.jpg")
    result = reset(project, UPLOAD_DIR="instance/photos")
    assert result.returncode == 0, result.stderr
    assert not photo.parent.parent.parent.exists()
    assert (project / "instance" / "notes.txt").exists()
