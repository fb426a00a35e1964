#!/usr/bin/env python3
"""`make reset`: start over in development. `make run` then migrates an empty
database and loads the demo compound again.

Deletes the development database (SQLite under instance/; a MariaDB/MySQL one only
after you type its name), the uploaded photos under instance/ (a folder of their own
entirely; where they share a folder with other files, only their yyyy/mm/ folders)
and instance/dev.env.
Keeps .venv, node_modules and anything else. Refuses while `make run` runs in this
checkout, and whenever LINLI_ENV says production or testing.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.dev import INSTANCE, running_pid  # noqa: E402
from server.config import (  # noqa: E402
    DEV_ENV_FILE,
    development_environment,
    load_dotenv_if_present,
    normalise_database_url,
)

SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")
# Uploads are filed as yyyy/mm/<hex>.<ext> (server/storage.new_key).
UPLOAD_YEAR = re.compile(r"\d{4}")


class Refused(Exception):
    """Nothing was deleted; the message says why."""


def settings() -> dict[str, str]:
    """What `make run` and the flask commands would use: the environment, `.env`, and
    what the last `make run` wrote to instance/dev.env."""
    load_dotenv_if_present(ROOT)
    env = dict(os.environ)
    return {**development_environment(env, str(INSTANCE)), **env}


def reset(env: dict[str, str], ask=input, say=print) -> None:
    """Delete the development database, uploads and dev.env. Raises Refused."""
    pid = running_pid()
    if pid is not None:
        raise Refused(f"make run is running in this checkout (process {pid}): stop it first.")
    mode = env.get("LINLI_ENV", "development").strip().lower()
    if mode != "development":
        raise Refused(f"LINLI_ENV is {mode}: make reset only deletes a development database.")
    url = normalise_database_url(env.get("DATABASE_URL") or "")
    database = None
    if url.startswith("mysql"):
        _recreate_mysql(url, ask, say)
    else:
        database = _delete_sqlite(url, say)
    _delete_uploads(env.get("UPLOAD_DIR") or str(INSTANCE / "uploads"), database, say)
    (INSTANCE / DEV_ENV_FILE).unlink(missing_ok=True)
    say("Done. `make run` migrates a new database and loads the demo compound.")


def _inside_instance(path: Path) -> bool:
    return path.resolve().is_relative_to(INSTANCE.resolve())


def _delete_sqlite(url: str, say) -> Path:
    """Delete the SQLite database and its companions; returns where it was."""
    if url and not url.startswith("sqlite:///"):
        raise Refused(f"DATABASE_URL is {url.split(':', 1)[0]}: make reset knows SQLite and MySQL.")
    path = Path(url[len("sqlite:///") :]) if url else INSTANCE / "linli.sqlite3"
    if not _inside_instance(path):
        raise Refused(f"{path} is outside instance/: delete it yourself if you mean it.")
    for suffix in SQLITE_COMPANIONS:
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    say(f"deleted the database {_shown(path)}")
    return path


def _delete_uploads(directory: str, database: Path | None, say) -> None:
    """The whole uploads folder when it is one of their own: strictly below instance/
    and not holding the database. Otherwise (instance/ itself, the database's folder)
    only the photos' yyyy/ folders, so that nothing else there is lost."""
    path = Path(directory).resolve()
    if not path.exists():
        return
    if not _inside_instance(path):
        say(f"left the photos in {path} alone (outside instance/)")
        return
    holds_database = database is not None and database.resolve().is_relative_to(path)
    if path != INSTANCE.resolve() and not holds_database:
        shutil.rmtree(path)
        say(f"deleted the uploaded photos in {_shown(path)}")
        return
    years = [p for p in path.iterdir() if p.is_dir() and UPLOAD_YEAR.fullmatch(p.name)]
    for year in years:
        shutil.rmtree(year)
    if years:
        say(f"deleted the uploaded photos in {_shown(path)} (its yyyy/ folders only)")


def _shown(path: Path) -> Path:
    path = path.resolve()
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def _recreate_mysql(url: str, ask, say) -> None:
    """Drop and create the database again, empty, after its name is typed back."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    name = parsed.database
    if not name:
        raise Refused("DATABASE_URL names no database.")
    where = f"{parsed.host or 'localhost'}:{parsed.port or 3306}"
    say(f"DATABASE_URL is the MySQL/MariaDB database {name} on {where}.")
    try:
        answer = ask(f"Drop it and create it again, empty? Type {name} to confirm: ")
    except EOFError:
        answer = ""
    if answer.strip() != name:
        raise Refused(f"the database {name} was kept (you did not type its name).")
    engine = create_engine(parsed.set(database=None))
    quoted = "`" + name.replace("`", "``") + "`"
    try:
        with engine.begin() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {quoted}"))
            conn.execute(
                text(f"CREATE DATABASE {quoted} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
            )
    finally:
        engine.dispose()
    say(f"dropped and created the database {name} again, empty")


def main() -> int:
    try:
        reset(settings())
    except Refused as refusal:
        print(f"make reset: {refusal} Nothing was deleted.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
