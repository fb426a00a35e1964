"""Linli (邻里): the service behind the mini-program. `create_app()` builds it."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from apiflask import APIFlask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from server.config import (
    ConfigError,
    development_environment,
    load_config,
    load_dotenv_if_present,
)
from server.sessions import CookieSessions

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = PROJECT_ROOT / "migrations"
APP_LOAD_ERROR = 4


def at_most(limit: int) -> str:
    """A regex of the decimal numbers from 0 to `limit` (leading zeros allowed)."""
    digits = str(limit)
    alternatives = [rf"\d{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    for i, digit in enumerate(digits):
        if digit != "0":
            rest = len(digits) - i - 1
            alternatives.append(rf"{digits[:i]}[0-{int(digit) - 1}]\d{{{rest}}}")
    alternatives.append(digits)
    return "(?:" + "|".join(alternatives) + ")"


class BoundedIntConverter(IntegerConverter):
    """`<int:id>` that 404s beyond a signed 64-bit id instead of overflowing the driver.

    The bound is in the regex too: a number too big matches no rule at all, so it is a
    404 — not a 405 borrowed from another method's rule of the same path, which is what
    werkzeug answers when only the conversion (after the method check) fails."""

    regex = at_most(2**63 - 1)

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


class LinliApp(APIFlask):
    def dispatch_request(self):
        """The view, run again once if its database connection died under it before
        anything was committed (server/database/replay.py)."""
        from server.database.replay import dispatch_retrying_lost_connection

        return dispatch_retrying_lost_connection(super().dispatch_request)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._synced: dict = {}

    def ensure_sync(self, func):
        """Flask's, remembered per function: Flask asks it of every hook and view on
        every request, and each answer costs an `inspect` of the function's code (a
        race between threads only computes the same answer twice)."""
        known = self._synced.get(func)
        if known is None:
            known = self._synced[func] = super().ensure_sync(func)
        return known


def create_app(env: Mapping[str, str] | None = None) -> APIFlask:
    """Build the application from the environment (`env` entries override it)."""
    load_dotenv_if_present(PROJECT_ROOT)
    settings = {**os.environ, **(env or {})}
    instance_path = str(PROJECT_ROOT / "instance")
    # In development, what `make run` runs with (its sandbox and database), under ours.
    settings = {**development_environment(settings, instance_path), **settings}
    app = LinliApp(
        __name__,
        title="Linli 邻里 API",
        version="v1",
        spec_path="/api/v1/openapi.json",
        docs_path="/api/v1/docs",
        instance_path=instance_path,
        static_folder=None,
    )
    try:
        app.config.from_mapping(load_config(settings, app.instance_path))
    except ConfigError as error:
        # One clear line and no traceback, whatever started us. Exit status 4 is
        # gunicorn's "application failed to load": it stops instead of respawning.
        print(f"linli: configuration error: {error}", file=sys.stderr)
        raise SystemExit(APP_LOAD_ERROR) from None
    app.config.update(
        VALIDATION_ERROR_STATUS_CODE=400,
        AUTO_404_RESPONSE=False,
        SPEC_FORMAT="json",
        SYNC_LOCAL_SPEC=False,
    )
    app.json.ensure_ascii = False  # Chinese stays readable in responses
    app.session_interface = CookieSessions()  # opened only when its cookie comes
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.url_map.converters["int"] = BoundedIntConverter
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    _init_extensions(app)
    return app


def _init_extensions(app: APIFlask) -> None:
    from server.api import register_api
    from server.cli import register_cli
    from server.console import register_console
    from server.database.engine import configure_engine
    from server.database.read import init_read_replica
    from server.database.replay import end_session
    from server.errors import register_error_handlers
    from server.extensions import db, limiter, migrate
    from server.headers import register_headers
    from server.logs import configure_logging
    from server.metrics import register_metrics
    from server.openapi import configure_spec, serve_docs_assets
    from server.services.messaging.outbox import log_queued_messages

    configure_logging(app)
    db.init_app(app)
    app.teardown_appcontext(end_session)  # runs before Flask-SQLAlchemy's (reverse order)
    with app.app_context():
        configure_engine(db.engine)
    init_read_replica(app)  # DATABASE_READ_URL: the committee's lists and figures
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    limiter.init_app(app)
    register_error_handlers(app)
    register_headers(app)
    register_metrics(app)
    log_queued_messages()
    register_api(app)
    register_console(app)
    configure_spec(app)
    serve_docs_assets(app)
    register_cli(app)
