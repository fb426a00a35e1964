"""What every desk page uses: who is at the desk, rendering with the menu, actions that
end in a message, Excel downloads, and the filters templates format with."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from server import labels
from server.api.downloads import xlsx_download
from server.clock import SHANGHAI
from server.errors import AppError
from server.services.console.sessions import Desk
from server.services.excel import Sheet, xlsx


def desk() -> Desk:
    """The person at the desk (set by auth.py before every page)."""
    return g.desk


def compound_code() -> str:
    """The code of the compound the desk is signed in for (the services' `code`)."""
    return desk().compound.code


def choices(group_name: str, codes) -> list[tuple[str, str]]:
    """A <select>'s (code, Chinese label) pairs of a label group, in the given order."""
    names = labels.group(group_name)
    return [(c, names.get(c, c)) for c in codes]


def render(template: str, *, title: str, nav: str | None = None, http_status: int = 200, **context):
    """A desk page: `title` in the tab and the heading, `nav` the menu entry to mark,
    `http_status` its status (a template may have a `status` of its own)."""
    from server.console.nav import menu

    body = render_template(
        f"console/{template}", title=title, menu=menu(nav), desk=desk(), **context
    )
    return body, http_status


def back(default: str = "desk.dashboard", **values) -> Response:
    """Back to the page the form was on (same site only), else `default`."""
    target = request.form.get("next") or request.referrer or ""
    parts = urlsplit(target)
    ours = ("", request.host, urlsplit(current_app.config["PUBLIC_BASE_URL"]).netloc)
    if target and parts.path.startswith("/console") and parts.netloc in ours:
        return redirect(parts.path + (f"?{parts.query}" if parts.query else ""))
    return redirect(url_for(default, **values))


def act(work: Callable[[], object], done: str, *, then: Callable[[object], Response] | None = None):
    """Run an action of a form: its message on success ("已确认"), the service's
    own message on refusal ("不能确认自己记录的款项"); then back to the page."""
    try:
        result = work()
    except AppError as error:
        flash(error.message, "error")
        return back()
    flash(done, "success")
    return then(result) if then else back()


def download(filename: str, *sheets: Sheet) -> Response:
    """The table(s) under a page as an .xlsx the browser saves as `filename`."""
    return xlsx_download(xlsx(*sheets), filename)


def yuan(fen: int | None) -> str:
    """1234567 → "12,345.67" (money is fen everywhere, yuan only here)."""
    if fen is None:
        return "—"
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100:,}.{abs(fen) % 100:02d}"


def local(value: datetime | date | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC time as Shanghai's clock shows it; a date as it is."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        if value.tzinfo is None:
            from datetime import UTC

            value = value.replace(tzinfo=UTC)
        return value.astimezone(SHANGHAI).strftime(fmt)
    return value.strftime("%Y-%m-%d")


def percent(value: float | Decimal | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{float(value) * 100:.{digits}f}%"


def csrf_token() -> str:
    """The desk session's CSRF token (a template global: imported macros see it too)."""
    return g.desk.csrf_token if getattr(g, "desk", None) else ""


def register_filters(bp) -> None:
    bp.add_app_template_global(csrf_token, "csrf_token")
    bp.add_app_template_filter(yuan, "yuan")
    bp.add_app_template_filter(local, "local")
    bp.add_app_template_filter(percent, "percent")
