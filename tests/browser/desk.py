"""Playing the phone and the browser together: sign a browser in through the QR flow."""

from __future__ import annotations

from tests.factories import World


def scan_and_confirm(app, world: World, who: str, qr_text: str, compound: int | None = None):
    """What the mini-program does after wx.scanCode: read the code, then confirm."""
    phone = app.test_client()
    headers = world.headers(who)
    scanned = phone.post("/api/v1/console/scan", json={"ticket": qr_text}, headers=headers)
    if scanned.status_code != 200:
        return scanned
    body = {"ticket": qr_text, **({"compound": compound} if compound else {})}
    return phone.post("/api/v1/console/confirm", json=body, headers=headers)


def sign_in(page, desk_url: str, app, world: World, who: str = "committee") -> None:
    """Open the QR page, confirm it from `who`'s phone, and wait for the dashboard."""
    page.goto(f"{desk_url}/console/login")
    qr_text = page.get_attribute(".qr", "data-qr")
    confirmed = scan_and_confirm(app, world, who, qr_text)
    assert confirmed.status_code == 200, confirmed.get_json()
    page.wait_for_url(f"{desk_url}/console/")


def agree(page) -> str:
    """Answer the desk's confirmation (its own dialog, in large type) with 确定; the
    question it asked."""
    dialog = page.get_by_role("alertdialog")
    question = dialog.locator(".question").inner_text()
    dialog.get_by_role("button", name="确定").click()
    return question
