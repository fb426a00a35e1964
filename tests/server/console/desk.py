"""A browser-less desk: a test client signed in through the QR flow, and its forms."""

from __future__ import annotations

import re

from tests.factories import World


def open_qr(browser) -> tuple[str, str]:
    """The QR page as a browser sees it: (what the code carries, the page's login token)."""
    page = browser.get("/console/login").get_data(as_text=True)
    qr = re.search(r'data-qr="([^"]+)"', page).group(1)
    token = re.search(r'name="login_token" value="([^"]+)"', page).group(1)
    return qr, token


def confirm(phone, world: World, who: str, qr: str, **extra):
    """The mini-program's 确认登录 as `who`."""
    return phone.post(
        "/api/v1/console/confirm", json={"ticket": qr, **extra}, headers=world.headers(who)
    )


def signed_in(app, world: World, who: str = "committee", compound: int | None = None):
    """A test client signed into the desk as `who` (a committee member by default)."""
    browser = app.test_client()
    qr, token = open_qr(browser)
    extra = {"compound": compound} if compound else {}
    confirmed = confirm(app.test_client(), world, who, qr, **extra)
    assert confirmed.status_code == 200, confirmed.get_json()
    finished = browser.post("/console/login/finish", data={"login_token": token})
    assert finished.status_code == 302, finished.get_data(as_text=True)
    return browser


def csrf(browser) -> str:
    """The CSRF token of the browser's session (every desk page carries it)."""
    page = browser.get("/console/").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def submit(browser, url: str, data: dict | None = None, **kwargs):
    """A desk form posted with its CSRF token, as the page would."""
    return browser.post(url, data={"csrf_token": csrf(browser), **(data or {})}, **kwargs)
