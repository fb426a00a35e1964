"""Signing in by scanning: the QR page, the phone's confirmation, the dashboard; a
resident's scan refused; signing out everywhere from the phone."""

from __future__ import annotations

from server.extensions import db
from tests.browser.conftest import shot
from tests.browser.desk import scan_and_confirm, sign_in
from tests.factories import build_world


def test_a_committee_member_signs_in_by_scanning_and_out_from_the_phone(page, desk_url, app):
    world = build_world("desk-a")
    db.session.commit()

    page.goto(f"{desk_url}/console/")
    assert "/console/login" in page.url
    assert page.get_by_text("扫码登录电脑").is_visible()
    shot(page, "00-login")

    sign_in(page, desk_url, app, world)
    assert page.locator("header .brand").inner_text() == "邻里 · desk-a小区"
    assert page.get_by_role("navigation", name="功能菜单").is_visible()
    shot(page, "01-dashboard")

    phone = app.test_client()
    listed = phone.get("/api/v1/console/sessions", headers=world.headers("committee"))
    assert [s["compound"]["name"] for s in listed.get_json()["items"]] == ["desk-a小区"]
    out = phone.delete("/api/v1/console/sessions", headers=world.headers("committee"))
    assert out.get_json() == {"signed_out": 1}

    page.reload()
    assert "/console/login" in page.url


def test_a_residents_scan_is_refused_and_the_browser_stays_signed_out(page, desk_url, app):
    world = build_world("desk-b")
    db.session.commit()
    page.goto(f"{desk_url}/console/login")
    qr_text = page.get_attribute(".qr", "data-qr")

    refused = scan_and_confirm(app, world, "resident_1_1", qr_text)
    assert refused.status_code == 403
    assert refused.get_json()["message"] == "只有业委会成员、财务监督和管理员可以登录电脑端"
    assert page.locator("#login-state").inner_text() == "等待扫码…"
    page.goto(f"{desk_url}/console/")
    assert "/console/login" in page.url
