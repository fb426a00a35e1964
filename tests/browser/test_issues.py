"""报事登记 in a real browser: filter the register by status, open an issue with its photo,
accept it through the confirmation dialog and see it in the timeline."""

from __future__ import annotations

import time_machine

from server.extensions import db
from server.services.issues import flow
from server.services.people.access import load_principal
from server.services.photos import uploads
from tests.browser.conftest import shot
from tests.browser.desk import agree, sign_in
from tests.factories import build_world, make_issue
from tests.helpers import image_bytes
from tests.timing import shanghai_day


def test_a_member_filters_the_register_opens_an_issue_and_accepts_it(
    page, desk_url, app, photo_storage
):
    world = build_world("desk-issues")
    member = world.people["committee"].nickname  # read now: after a commit it would lock
    db.session.commit()
    resident = load_principal(world.user_ids["resident_1_1"])
    photo = uploads.save_upload(resident, image_bytes(), "image/jpeg").id
    with time_machine.travel(shanghai_day(-3), tick=False):
        leak = make_issue(
            *world.reporter(), title="楼道灯不亮", description="三楼楼道灯坏了", photos=[photo]
        ).id
        make_issue(
            *world.reporter("resident_1_2", "1-2-101"),
            category="hazard",
            title="电线裸露",
            description="配电箱门开着，电线露在外面",
        )
    with time_machine.travel(shanghai_day(-1), tick=False):
        done = make_issue(*world.reporter(), category="suggestion", title="增加自行车棚").id
    db.session.commit()
    committee = load_principal(world.user_ids["committee"])
    flow.transition(committee, done, flow.Action("accept"))  # commits

    sign_in(page, desk_url, app, world)
    page.get_by_role("navigation", name="功能菜单").get_by_role("link", name="报事登记").click()
    page.wait_for_url(f"{desk_url}/console/issues")
    register = page.get_by_role("table", name="报事登记")
    assert register.get_by_role("row").count() == 4  # the heading and three issues

    # Only those waiting: the status filter, chosen with the keyboard.
    page.get_by_label("状态").focus()
    page.get_by_label("状态").select_option(label="待受理")
    page.get_by_role("button", name="查询").press("Enter")
    page.wait_for_url("**/console/issues?*status=submitted*")
    assert register.get_by_role("row").count() == 3
    assert register.get_by_text("增加自行车棚").count() == 0
    assert register.locator("tr.overdue").count() == 2
    assert register.get_by_text("已超期").count() == 2
    shot(page, "20-issues-register")

    register.get_by_role("link", name="楼道灯不亮").click()
    page.wait_for_url(f"{desk_url}/console/issues/{leak}")
    assert page.get_by_role("heading", level=1).inner_text() == f"报事 #{leak}：楼道灯不亮"
    image = page.get_by_role("img", name=f"报事 #{leak} 的第 1 张照片")
    assert image.evaluate("img => img.complete && img.naturalWidth") > 0

    page.get_by_role("button", name="受理", exact=True).click()
    agree(page)
    page.wait_for_url(f"{desk_url}/console/issues/{leak}")
    assert page.get_by_role("status").inner_text() == "已受理"
    timeline = page.locator("ol.timeline > li")
    assert timeline.count() == 2
    last = timeline.nth(1).inner_text()
    assert "受理" in last
    assert member in last
    assert "处理中" in last
    shot(page, "21-issue-detail")

    # 办结 with a photo of the finished work: open it, fill it in, confirm.
    page.get_by_role("heading", name="办结").click()
    page.get_by_label("处理结果").fill("已换新灯泡")
    picture = {"name": "done.jpg", "mimeType": "image/jpeg", "buffer": image_bytes()}
    page.get_by_label("现场照片（选填，最多 9 张）").set_input_files(picture)
    page.get_by_role("button", name="办结", exact=True).click()
    agree(page)
    page.wait_for_url(f"{desk_url}/console/issues/{leak}")
    assert page.get_by_role("status").inner_text() == "已办结"
    resolved = page.locator("ol.timeline > li").nth(2)
    assert "已换新灯泡" in resolved.inner_text()
    assert "已解决" in resolved.inner_text()
    assert resolved.get_by_role("img").evaluate("img => img.complete && img.naturalWidth") > 0
