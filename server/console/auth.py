"""Signing a browser in and keeping it honest: the QR page and its wait, the session
cookie (HttpOnly, Secure, SameSite=Strict, path /console), CSRF on every form, the
pages' security headers, and errors as pages instead of JSON."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from pathlib import Path
from urllib.parse import urlsplit

import segno
from flask import (
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_limiter.errors import RateLimitExceeded
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from server.console.blueprint import bp
from server.console.pages import register_filters
from server.errors import AppError
from server.extensions import db, limiter
from server.headers import keeps_its_cache_rule
from server.services.console import sessions, tickets

log = logging.getLogger(__name__)

SESSION_COOKIE = "linli_desk"
TICKET_COOKIE = "linli_desk_ticket"
STATIC = Path(__file__).parent / "static"
# Pages anyone may open: the sign-in and the desk's own scripts and styles.
OPEN_ENDPOINTS = {
    "desk.login",
    "desk.login_state",
    "desk.login_finish",
    "desk.static_file",
}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
HTTP_MESSAGES = {
    400: "请求有误，请刷新后再试",
    403: "你的身份不能查看这个页面",
    404: "找不到这个页面",
    405: "不支持这个操作",
    413: "上传的文件太大",
    429: "操作太频繁，请稍后再试",
}

register_filters(bp)


def _cookie(response, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/console",
        secure=current_app.config["CONSOLE_COOKIE_SECURE"],
        httponly=True,
        samesite="Strict",
    )


def _login_token(browser_secret: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"desk-login:" + browser_secret.encode(), hashlib.sha256).hexdigest()


def _ticket_cookie() -> tuple[str, str] | tuple[None, None]:
    value = request.cookies.get(TICKET_COOKIE, "")
    raw, _, secret = value.partition(".")
    return (raw, secret) if raw and secret else (None, None)


@bp.before_request
def _at_the_desk():
    """Every page but the sign-in needs a live session; every form its CSRF token."""
    g.desk = None
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    g.desk = sessions.resolve(request.cookies.get(SESSION_COOKIE))
    if g.desk is None:
        if request.headers.get("X-Requested-With"):
            return jsonify(code="unauthorized", message="请先在电脑上扫码登录"), 401
        if request.method in UNSAFE:
            # A form sent after the session ended (idle, signed out from the phone):
            # say so on the QR page, then back to the page the form was on.
            flash("登录已过期，刚才的操作没有完成。请重新扫码登录后再操作", "error")
            target = urlsplit(request.referrer or "")
            public = urlsplit(current_app.config["PUBLIC_BASE_URL"]).netloc
            back_to = target.path if target.netloc in ("", request.host, public) else ""
            return redirect(url_for("desk.login", next=_safe_next(back_to)), 303)
        return redirect(url_for("desk.login", next=request.full_path.rstrip("?")))
    if request.method in UNSAFE:
        sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
        if not _same_token(sent, g.desk.csrf_token) or not _same_origin():
            return _error_page(400, "页面已过期，请刷新后再试")
    return None


def _same_token(sent: str, expected: str) -> bool:
    """In constant time; as bytes (compare_digest refuses a str that is not ASCII)."""
    return hmac.compare_digest(sent.encode(), expected.encode())


def _same_origin() -> bool:
    """The form came from this site: the address it was asked at, or the public one
    (behind a proxy that passes on neither Host nor scheme, they differ)."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    public = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    return origin in (request.host_url.rstrip("/"), f"{public.scheme}://{public.netloc}")


@bp.after_request
def _page_headers(response):
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'",
    )
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


@bp.get("/static/<path:filename>")
@keeps_its_cache_rule
def static_file(filename: str):
    return send_from_directory(STATIC, filename, max_age=3600)


@bp.get("/login")
@limiter.limit(lambda: current_app.config["CONSOLE_LOGIN_RATE"])
def login():
    """The QR code to scan with the mini-program (我的 → 扫码登录电脑)."""
    if sessions.resolve(request.cookies.get(SESSION_COOKIE)) is not None:
        return redirect(url_for("desk.dashboard"))
    opened = tickets.open_ticket(request.headers.get("User-Agent"))
    raw = opened.qr_text.removeprefix(tickets.QR_PREFIX)
    qr = segno.make(opened.qr_text, error="m")
    page = render_template(
        "console/login.html",
        title="扫码登录",
        qr_text=opened.qr_text,
        qr_svg=qr.svg_inline(scale=7, border=2, dark="#000", light="#fff"),
        login_token=_login_token(opened.browser_secret),
        seconds=current_app.config["CONSOLE_TICKET_SECONDS"],
        next=_safe_next(request.args.get("next")),
        try_command=(
            f"flask --app server desk confirm '{opened.qr_text}' --openid committee-1"
            if current_app.config["LINLI_ENV"] == "development"
            else None
        ),
    )
    response = current_app.make_response(page)
    _cookie(response, TICKET_COOKIE, f"{raw}.{opened.browser_secret}", max_age=600)
    return response


def _safe_next(target: str | None) -> str:
    """A desk page of this site to go on to, else the dashboard. A control character
    (a newline cannot be in a Location header) or a backslash is refused too."""
    if target and target.startswith("/console/") and target.isprintable() and "\\" not in target:
        return target
    return url_for("desk.dashboard")


@bp.get("/login/state")
def login_state():
    """What the QR page waits for: waiting, confirmed (then it signs in) or expired."""
    raw, secret = _ticket_cookie()
    if raw is None:
        return jsonify(state="expired")
    try:
        ticket = tickets.peek(raw, secret)
    except AppError:
        return jsonify(state="expired")
    return jsonify(state=ticket)


@bp.post("/login/finish")
def login_finish():
    """The phone confirmed: this browser (holding the ticket's secret) gets its session."""
    raw, secret = _ticket_cookie()
    sent = request.form.get("login_token", "")
    if raw is None or not _same_token(sent, _login_token(secret)):
        return redirect(url_for("desk.login"))
    try:
        ticket = tickets.claim(raw, secret)
    except AppError as error:
        flash(error.message, "error")
        return redirect(url_for("desk.login"))
    if ticket is None:
        return redirect(url_for("desk.login"))
    token = sessions.start(ticket)
    response = redirect(_safe_next(request.form.get("next")))
    _cookie(response, SESSION_COOKIE, token, max_age=None)
    response.delete_cookie(TICKET_COOKIE, path="/console")
    return response


@bp.post("/logout")
def logout():
    sessions.sign_out(g.desk)
    # What the browser kept for this session (an invite's code to hand over, a roster
    # file waiting to be loaded) goes with it: the next person at the computer sees none.
    session.clear()
    response = redirect(url_for("desk.login"))
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return response


@bp.route("/<path:unknown>", methods=["GET", "POST"])
def not_found(unknown: str):
    """Any other address under /console is the desk's 404 page, not the API's JSON: a
    mistyped page, an id too large for its route, a GET of a form's address."""
    abort(404)


def _error_page(status: int, message: str):
    page = render_template("console/error.html", title="出错了", message=message, status=status)
    return page, status


@bp.errorhandler(AppError)
def _refused(error: AppError):
    return _error_page(error.status, error.message)


@bp.errorhandler(RateLimitExceeded)
def _too_often(_error: RateLimitExceeded):
    """A page, not the API's JSON: the app's handler for 429 is found by its code before
    the blueprint's for any Exception, so the desk names it too."""
    limit = limiter.current_limit
    wait = max(1, int(limit.reset_at - time.time())) if limit else 60
    page, status = _error_page(429, HTTP_MESSAGES[429])
    return page, status, {"Retry-After": str(wait)}


@bp.errorhandler(Exception)
def _broken(error: Exception):
    _forget_the_failure()
    if isinstance(error, OperationalError | PoolTimeout):
        log.warning("database unavailable on %s %s", request.method, request.path)
        return _error_page(503, "系统繁忙，请稍后刷新")
    if isinstance(error, HTTPException) and error.code:
        return _error_page(error.code, HTTP_MESSAGES.get(error.code, "请求有误"))
    log.exception("unhandled error on %s %s", request.method, request.path)
    return _error_page(500, "服务器出了点问题，请稍后再试")


def _forget_the_failure() -> None:
    """Before an error page: roll back what failed (a failed flush leaves the session
    unusable), and leave the person aside, so the page reads nothing more from the
    database (the menu's name would reload their expired roles)."""
    g.desk = None
    try:
        db.session.rollback()
    except SQLAlchemyError:  # the database is away: the page needs nothing of it
        log.warning("rollback failed on %s %s", request.method, request.path)


def require(*roles: str) -> None:
    """Refuse a page to a desk role that does not do this work (a 403 page)."""
    if g.desk.role not in roles and g.desk.role != "admin":
        abort(403)
