"""The committee's desk (电脑端): server-rendered pages for committee members, the finance
supervisor and the platform admin at a computer. A browser signs in by showing a QR code
the mini-program confirms; every page then calls the same services as the API with the
same `Principal`, filtered to the compound the member signed in for.

Layout: `auth.py` (sign-in, the session cookie, CSRF), `pages.py` (rendering, actions,
downloads), `nav.py` (the menu as data), `views/` (one module per area), `templates/console/`,
`static/` (the desk's CSS and JS; ECharts vendored under static/vendor, no CDN)."""

from __future__ import annotations

from flask import Flask


def register_console(app: Flask) -> None:
    from server.console import auth, views  # noqa: F401  (routes register on import)
    from server.console.blueprint import bp

    app.config.update(
        # Flask's own session holds only the desk's one-time messages ("已确认").
        SESSION_COOKIE_NAME="linli_desk_flash",
        SESSION_COOKIE_PATH="/console",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=app.config["CONSOLE_COOKIE_SECURE"],
    )
    app.register_blueprint(bp)
