"""Running the compound at the desk in Chromium: a roster file checked with an error,
fixed and loaded; a role invite made and its QR shown; deadlines changed; the audit
log read."""

from __future__ import annotations

import re

from server.extensions import db
from tests.browser.conftest import shot
from tests.browser.desk import agree, sign_in
from tests.factories import build_world

HEADER = "楼栋,单元,房号,建筑面积(m²),楼层,状态,备注\n"


def test_a_roster_is_checked_fixed_and_loaded_and_an_invite_handed_over(
    page, desk_url, app, photo_storage, tmp_path
):
    world = build_world("desk-r")
    db.session.commit()
    sign_in(page, desk_url, app, world)

    page.get_by_role("link", name="房屋名册").click()
    page.wait_for_url(f"{desk_url}/console/roster")
    shot(page, "50-roster")

    broken = tmp_path / "名册.csv"
    broken.write_text(HEADER + "1,1,101,72.36,,,\n2,1,101,七十,,出租,\n", encoding="utf-8")
    page.get_by_label("名册文件").set_input_files(str(broken))
    page.get_by_role("button", name="检查文件").click()
    page.wait_for_url(f"{desk_url}/console/roster/report")
    problems = page.get_by_role("table", name="要改正的问题")
    assert "第 3 行" in problems.inner_text()
    assert "建筑面积应为数字，如 72.36，这里是“七十”" in problems.inner_text()
    assert page.get_by_role("button", name="确认导入").count() == 0
    shot(page, "51-roster-report")

    fixed = tmp_path / "名册-改好.csv"
    fixed.write_text(HEADER + "1,1,101,72.36,,,\n2,1,101,70,,出租,\n", encoding="utf-8")
    page.get_by_role("button", name="重新选择文件").click()
    page.wait_for_url(f"{desk_url}/console/roster")
    page.get_by_label("名册文件").set_input_files(str(fixed))
    page.get_by_role("button", name="检查文件").click()
    page.wait_for_url(f"{desk_url}/console/roster/report")
    assert page.get_by_text("没有发现问题，可以导入").is_visible()
    questions = []
    page.get_by_role("button", name="确认导入").click()
    questions.append(agree(page))
    page.wait_for_url(f"{desk_url}/console/roster")
    assert questions[0].startswith("确定导入吗？将新建 1 户、更新 0 户。")
    done = page.get_by_role("status").first.inner_text()
    assert "已导入名册：新建 1 栋楼、1 个单元、1 户" in done
    assert page.get_by_role("cell", name="2号楼").is_visible()

    page.get_by_role("link", name="人员与角色").click()
    page.wait_for_url(f"{desk_url}/console/people")
    shot(page, "52-people")
    page.get_by_label("职务").select_option(label="单元联络人")
    page.get_by_label("单元（单元联络人填）").select_option(label="1号楼2单元")
    page.get_by_label("给谁（姓名，可不填）").fill("赵大妈")
    page.get_by_role("button", name="发出邀请").click()
    page.wait_for_url(re.compile(r".*/console/people/invites/\d+$"))
    assert page.get_by_label("邀请码").inner_text().strip()
    qr = page.get_by_role("img", name=re.compile("任命邀请二维码"))
    assert qr.evaluate("img => img.complete && img.naturalWidth > 100")
    shot(page, "52-people-invite")

    page.get_by_role("link", name="处理时限").click()
    page.wait_for_url(f"{desk_url}/console/policies")
    page.get_by_label("安全隐患：受理时限（小时）").fill("2")
    page.get_by_role("button", name="保存安全隐患").click()
    page.wait_for_url(f"{desk_url}/console/policies")
    assert "已保存“安全隐患”的处理时限" in page.get_by_role("status").first.inner_text()
    assert page.get_by_role("row", name=re.compile("^安全隐患")).get_by_text("2 小时").is_visible()
    shot(page, "53-policies")

    page.get_by_role("link", name="操作记录").click()
    page.wait_for_url(f"{desk_url}/console/audit")
    log = page.get_by_role("table", name="操作记录").inner_text()
    assert "扫码登录电脑" in log
    assert "1号楼2单元联络人（给 赵大妈）" in log
    assert "导入房屋名册" in log
    shot(page, "54-audit")

    page.get_by_role("link", name="工作交接").click()
    page.get_by_label("哪个单元").select_option(label="1号楼1单元")
    page.get_by_role("button", name="查看这个单元").click()
    page.wait_for_url(f"{desk_url}/console/handovers?unit=1-1")
    assert page.get_by_role("table", name="1号楼1单元现在的联络人和手上的事").is_visible()
    shot(page, "55-handovers")
    page.get_by_role("link", name="查阅记录").click()
    page.wait_for_url(f"{desk_url}/console/access-log")
    assert "人员名单" in page.get_by_role("table", name="查阅记录").inner_text()
    shot(page, "56-access-log")
