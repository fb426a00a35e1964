"""The desk's compound pages (房屋名册, 人员与角色, 工作交接, 处理时限, 操作记录, 查阅记录)
through a signed-in test client: what a committee member sees and does, what the
supervisor may see, and another compound's ids answered with the 404 page."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from server.extensions import db
from server.models import Compound, Household, Membership
from server.services.governance import audit
from tests.factories import build_world
from tests.server.console.desk import signed_in, submit
from tests.timing import shanghai_date

HEADERS = ["楼栋", "单元", "房号", "建筑面积(m²)", "楼层", "状态", "备注"]


@pytest.fixture
def world(db_session, photo_storage):
    return build_world("cp")


def csv_file(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return out.getvalue().encode()


def flats(code="cp") -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Household)
        .join(Compound, Compound.id == Household.compound_id)
        .where(Compound.code == code)
    )


def text(response) -> str:
    return response.get_data(as_text=True)


def check(browser, data: bytes, name="名册.csv"):
    return submit(
        browser,
        "/console/roster/check",
        {"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def draft_of(page: str) -> str:
    return re.search(r'name="draft" value="([^"]+)"', page).group(1)


EXISTING = [("1", "1", "101", "72.36", None, None, None)]


def test_a_roster_with_an_error_shows_the_row_and_reason_and_changes_nothing(app, world):
    browser = signed_in(app, world)
    before = flats()
    rows = [*EXISTING, ("2", "1", "101", "七十", None, None, None)]
    page = text(check(browser, csv_file(rows)))
    assert "有 1 处问题，不能导入" in page
    assert "第 3 行" in page
    assert "建筑面积应为数字，如 72.36，这里是“七十”" in page
    assert "确认导入" not in page
    assert flats() == before


def test_a_clean_roster_is_checked_then_loaded_and_the_overview_shows_the_new_flats(app, world):
    browser = signed_in(app, world)
    rows = [*EXISTING, ("2", "1", "101", "88.5", None, "出租", None)]
    rows += [("2", "1", "102", "90", None, "空置", None)]
    page = text(check(browser, csv_file(rows)))
    assert "没有发现问题，可以导入" in page
    assert "<dt>更新房屋</dt><dd>0 户</dd>" in page
    filled = browser.get("/console/roster/template.xlsx")
    assert filled.status_code == 200
    assert filled.data[:2] == b"PK"
    assert "1-1-102" in page  # a flat the file leaves out is listed, and stays
    assert flats() == 6

    loaded = submit(
        browser, "/console/roster/import", {"draft": draft_of(page)}, follow_redirects=True
    )
    shown = text(loaded)
    assert "已导入名册：新建 1 栋楼、1 个单元、2 户" in shown
    assert flats() == 8
    assert re.search(r"<div>房屋</div><div class=\"value\">8</div>", shown)
    assert "2号楼" in shown
    # The file was loaded once: the same draft again is refused.
    again = submit(
        browser, "/console/roster/import", {"draft": draft_of(page)}, follow_redirects=True
    )
    assert "这份检查结果已过期" in text(again)
    assert flats() == 8


def invite(browser, **fields):
    data = {"role": "liaison", "unit": "1-2", "name": "赵大妈", "next": "/console/people", **fields}
    return submit(browser, "/console/people/invites", data, follow_redirects=True)


def test_an_invite_made_at_the_desk_shows_its_code_and_qr_then_is_voided(app, world):
    browser = signed_in(app, world)
    made = invite(browser)
    page = text(made)
    assert "邀请已发出" in page
    assert "1号楼2单元联络人" in page
    assert "赵大妈" in page
    code = re.search(r'<p class="code" aria-label="邀请码">([^<]+)</p>', page).group(1)
    assert len(code) >= 8
    qr = re.search(r'<img src="(/console/people/invites/(\d+)/qr.png)"', page)
    image = browser.get(qr.group(1))
    assert (image.status_code, image.mimetype) == (200, "image/png")
    assert image.data.startswith(b"\x89PNG")

    # The code redeems in the mini-program: the role is taken and the invite is gone.
    phone = app.test_client()
    taken = phone.post(
        "/api/v1/role-invites/redeem", json={"code": code}, headers=world.headers("outsider")
    )
    assert taken.status_code == 200, taken.get_json()
    people = text(browser.get("/console/people"))
    assert "没有等待领取的邀请" in people
    assert browser.get(qr.group(1)).status_code == 404

    # A form left wrong gets the service's own words.
    wrong = text(invite(browser, role="liaison", unit=""))
    assert "单元联络人须选择一个单元" in wrong
    voided = invite(browser, role="committee", unit="", name="", term_end="")
    invite_id = re.search(r"/console/people/invites/(\d+)/qr.png", text(voided)).group(1)
    gone = submit(browser, f"/console/people/invites/{invite_id}/revoke", follow_redirects=True)
    assert "邀请已作废" in text(gone)
    assert browser.get(f"/console/people/invites/{invite_id}").status_code == 404


def test_deadlines_saved_at_the_desk_show_their_new_hours(app, world):
    browser = signed_in(app, world)
    page = text(browser.get("/console/policies"))
    assert "安全隐患" in page
    assert 'value="4"' in page
    saved = submit(
        browser,
        "/console/policies/hazard",
        {"accept_hours": "2", "resolve_days": "5", "next": "/console/policies"},
        follow_redirects=True,
    )
    shown = text(saved)
    assert "已保存“安全隐患”的处理时限" in shown
    assert re.search(
        r"安全隐患</th>\s*<td class=\"num\">2 小时</td>\s*<td class=\"num\">5 天", shown
    )
    # The API reads the same.
    api = app.test_client().get(
        "/api/v1/compounds/cp/policies", headers=world.headers("resident_1_1")
    )
    hazard = next(p for p in api.get_json()["items"] if p["category"] == "hazard")
    assert (hazard["accept_hours"], hazard["resolve_days"]) == (2, 5)

    refused = submit(
        browser,
        "/console/policies/hazard",
        {"accept_hours": "0", "resolve_days": "²", "next": "/console/policies"},
        follow_redirects=True,
    )
    assert "「受理时限（小时）」应在 1 到 720 之间" in text(refused)
    assert "「办结时限（天）」应为整数" in text(refused)


def test_the_audit_log_lists_the_sign_in_and_the_invite_and_reads_one_action(app, world):
    browser = signed_in(app, world)
    invite(browser)
    page = text(browser.get("/console/audit"))
    assert "扫码登录电脑" in page
    assert "在电脑上登录" in page
    assert "发出任命邀请" in page
    assert "1号楼2单元联络人（给 赵大妈）" in page
    only = text(browser.get("/console/audit?action=invite_created"))
    assert "1号楼2单元联络人（给 赵大妈）" in only
    assert "在电脑上登录" not in only
    bad = browser.get("/console/audit?action=nonsense&cursor=@@")
    assert bad.status_code == 200
    assert "没有这种操作，请从列表中选择" in text(bad)


def test_the_access_log_filters_by_flat_and_exports_excel(app, world):
    browser = signed_in(app, world)
    browser.get("/console/people")  # reading the people list is logged
    page = text(browser.get("/console/access-log"))
    assert "查阅记录" in page
    assert "下载 Excel" in page
    assert "<td>人员名单</td>" in page
    exported = browser.get("/console/access-log/export.xlsx")
    assert exported.status_code == 200
    assert exported.mimetype.endswith("spreadsheetml.sheet")
    assert exported.data[:2] == b"PK"
    flat = text(browser.get("/console/access-log?household=1-1-101&from=2020-01-01"))
    assert "/console/access-log/export.xlsx?from=2020-01-01&amp;household=1-1-101" in flat
    wrong = browser.get("/console/access-log?household=9-9-999")
    assert wrong.status_code == 200
    assert "没有找到 9 号楼 9 单元 999 室" in text(wrong)
    bad_day = text(browser.get("/console/access-log?from=2026-13-40"))
    assert "「开始日期」日期格式不对" in bad_day


def test_a_unit_is_handed_over_at_the_desk(app, world):
    browser = signed_in(app, world)
    preview = text(browser.get("/console/handovers?unit=1-1"))
    assert "1号楼1单元现在的联络人" in preview
    successor = world.user_ids["resident_1_1"]
    assert f'<option value="{successor}">' in preview
    done = submit(
        browser,
        "/console/handovers",
        {"unit": "1-1", "to_user_id": str(successor)},
        follow_redirects=True,
    )
    shown = text(done)
    assert "交接完成" in shown
    assert "王秀兰" in shown  # the list names the successor
    missing = submit(
        browser,
        "/console/handovers",
        {"unit": "1-1", "next": "/console/handovers?unit=1-1"},
        follow_redirects=True,
    )
    assert "「接任人」必须填写" in text(missing)
    odd = browser.get("/console/handovers?before=²")
    assert odd.status_code == 200
    assert "翻页参数不对" in text(odd)


def test_the_supervisor_sees_what_the_api_shows_a_supervisor_and_changes_nothing(app, world):
    browser = signed_in(app, world, "supervisor")
    roster = text(browser.get("/console/roster"))
    assert "小区概况" in roster
    assert "检查文件" not in roster
    assert browser.get("/console/roster/template.xlsx").status_code == 403
    refused = check(browser, csv_file(EXISTING))
    assert "只有业委会成员可以管理房屋名册" in text(refused)

    people = text(browser.get("/console/people"))
    assert "单元联络人" in people
    assert "发出任命邀请" not in people
    assert "免去职务" not in people
    assert "只有业委会成员可以任命或免去" in text(invite(browser))

    handovers = browser.get("/console/handovers")
    assert handovers.status_code == 200
    assert "开始交接" not in text(handovers)
    assert browser.get("/console/handovers?unit=1-1").status_code == 403

    policies = text(browser.get("/console/policies"))
    assert "24 小时" in policies
    assert "保存报修" not in policies
    saved = submit(
        browser,
        "/console/policies/repair",
        {"accept_hours": "1", "resolve_days": "1", "next": "/console/policies"},
        follow_redirects=True,
    )
    assert "只有业委会成员可以修改办理时限" in text(saved)
    assert "24 小时" in text(saved)
    assert browser.get("/console/audit").status_code == 200
    assert browser.get("/console/access-log").status_code == 200


def test_another_compounds_ids_answer_the_404_page_and_its_people_never_show(app, world):
    other = build_world("cq")
    db.session.flush()
    phone = app.test_client()
    made = phone.post(
        "/api/v1/compounds/cq/role-invites",
        json={"role": "supervisor", "name": "钱会计"},
        headers=other.headers("committee"),
    ).get_json()
    theirs = db.session.scalar(
        select(Membership.id).where(Membership.user_id == other.user_ids["liaison_1_1"])
    )
    browser = signed_in(app, world)

    for url in (
        f"/console/people/invites/{made['id']}",
        f"/console/people/invites/{made['id']}/qr.png",
    ):
        page = browser.get(url)
        assert page.status_code == 404
        assert "找不到这份任命邀请" in text(page)
    voided = submit(
        browser,
        f"/console/people/invites/{made['id']}/revoke",
        {"next": "/console/people"},
        follow_redirects=True,
    )
    assert "找不到这份任命邀请" in text(voided)
    removed = submit(
        browser,
        f"/console/people/{theirs}/revoke",
        {"reason": "试试", "next": "/console/people"},
        follow_redirects=True,
    )
    assert "找不到这位人员" in text(removed)
    assert db.session.get(Membership, theirs) is not None
    still = phone.get("/api/v1/compounds/cq/role-invites", headers=other.headers("committee"))
    assert [i["id"] for i in still.get_json()["items"]] == [made["id"]]
    people = text(browser.get("/console/people"))
    assert "钱会计" not in people
    assert "cq小区" not in people


def test_an_area_change_waits_for_a_second_committee_member(app, world):
    browser = signed_in(app, world)
    rows = [("1", "1", "101", "80", None, None, None)]
    page = text(check(browser, csv_file(rows)))
    assert "另一位委员确认后" in page
    submit(browser, "/console/roster/import", {"draft": draft_of(page)})
    area = lambda: str(  # noqa: E731
        db.session.scalar(
            select(Household.area_m2)
            .where(Household.id == world.household_ids["1-1-101"])
            .execution_options(populate_existing=True)
        )
    )
    assert area() == "72.36"
    mine = text(browser.get("/console/roster"))
    assert "等待确认的房屋调整" in mine
    assert "1-1-101 面积 72.36→80.00 m²" in mine
    assert "这是你提出的调整" in mine
    assert "确认调整" not in mine
    assert not re.search(r"/console/roster/changes/\d+/", mine)  # no buttons for the proposer

    second = signed_in(app, world, "committee_2")
    theirs = text(second.get("/console/roster"))
    change_id = re.search(r"/console/roster/changes/(\d+)/confirm", theirs).group(1)
    refused = submit(
        browser,
        f"/console/roster/changes/{change_id}/confirm",
        {"next": "/console/roster"},
        follow_redirects=True,
    )
    assert "另一位" in text(refused)
    assert area() == "72.36"
    confirmed = submit(
        second,
        f"/console/roster/changes/{change_id}/confirm",
        {"next": "/console/roster"},
        follow_redirects=True,
    )
    assert "已确认，房屋面积/空置变更已生效" in text(confirmed)
    assert area() == "80.00"
    assert "等待确认的房屋调整" not in text(confirmed)


def test_a_term_is_set_for_another_member_and_a_role_taken_away_with_a_reason(app, world):
    browser = signed_in(app, world)
    ids = dict(
        db.session.execute(
            select(Membership.user_id, Membership.id).where(
                Membership.user_id.in_([world.user_ids["committee"], world.user_ids["committee_2"]])
                | (Membership.user_id == world.user_ids["lead_1"])
            )
        ).all()
    )
    mine, theirs = ids[world.user_ids["committee"]], ids[world.user_ids["committee_2"]]
    lead = ids[world.user_ids["lead_1"]]
    page = text(browser.get("/console/people"))
    assert f"/console/people/{theirs}/term" in page
    assert f"/console/people/{mine}/term" not in page  # one's own term is set by another

    start, end = shanghai_date(-30), shanghai_date(365 * 5)
    done = submit(
        browser,
        f"/console/people/{theirs}/term",
        {"term_start": start.isoformat(), "term_end": end.isoformat(), "next": "/console/people"},
        follow_redirects=True,
    )
    assert "任期已设定" in text(done)
    assert f"{start.isoformat()} 至 {end.isoformat()}" in text(done)
    backwards = submit(
        browser,
        f"/console/people/{theirs}/term",
        {
            "term_start": shanghai_date(10).isoformat(),
            "term_end": shanghai_date(5).isoformat(),
            "next": "/console/people",
        },
        follow_redirects=True,
    )
    assert "任期结束日期应在开始日期之后" in text(backwards)

    no_reason = submit(
        browser,
        f"/console/people/{lead}/revoke",
        {"next": "/console/people"},
        follow_redirects=True,
    )
    assert "请填写免去的理由" in text(no_reason)
    assert "1号楼楼栋长" in text(no_reason)
    removed = submit(
        browser,
        f"/console/people/{lead}/revoke",
        {"reason": "长期外出", "next": "/console/people"},
        follow_redirects=True,
    )
    assert "已免去职务" in text(removed)
    assert "1号楼楼栋长" not in text(removed)
    assert "免去 " in text(browser.get("/console/audit?action=revoked"))


def test_a_second_member_rejects_an_area_change_with_a_reason(app, world):
    browser = signed_in(app, world)
    page = text(check(browser, csv_file([("1", "1", "101", "99", None, "空置", None)])))
    submit(browser, "/console/roster/import", {"draft": draft_of(page)})
    second = signed_in(app, world, "committee_2")
    theirs = text(second.get("/console/roster"))
    assert "1-1-101 面积 72.36→99.00 m²，有人住→空置" in theirs
    change_id = re.search(r"/console/roster/changes/(\d+)/reject", theirs).group(1)
    url = f"/console/roster/changes/{change_id}/reject"
    empty = submit(second, url, {"next": "/console/roster"}, follow_redirects=True)
    assert "「驳回理由」必须填写" in text(empty)
    rejected = submit(
        second, url, {"reason": "面积写错了", "next": "/console/roster"}, follow_redirects=True
    )
    assert "已驳回，房屋信息保持不变" in text(rejected)
    assert "等待确认的房屋调整" not in text(rejected)
    assert "驳回房屋调整" in text(second.get("/console/audit"))


def test_the_audit_log_pages_forward_and_keeps_its_filter(app, world):
    for n in range(35):
        audit.record(world.compound.id, "term_set", f"第 {n} 次设定任期", actor_id=None)
    db.session.flush()
    browser = signed_in(app, world)
    first = text(browser.get("/console/audit?action=term_set"))
    assert first.count("<td>设定任期</td>") == 30
    assert "第 34 次设定任期" in first
    assert "第 4 次设定任期" not in first
    following = re.search(r'href="(/console/audit\?[^"]+)">下一页', first).group(1)
    assert "action=term_set" in following
    second = text(browser.get(following.replace("&amp;", "&")))
    assert second.count("<td>设定任期</td>") == 5
    assert "第 0 次设定任期" in second
    assert "第 34 次设定任期" not in second
    assert "下一页" not in second
    assert "回到第一页" in second


def test_signing_out_forgets_the_codes_the_browser_kept_for_handing_over(app, world):
    browser = signed_in(app, world)
    made = text(invite(browser))
    code = re.search(r'<p class="code" aria-label="邀请码">([^<]+)</p>', made).group(1)
    kept = browser.get_cookie("linli_desk_flash", path="/console")
    assert kept is not None
    submit(browser, "/console/logout")
    assert browser.get_cookie("linli_desk_flash", path="/console") is None
    again = signed_in(app, world, "committee_2")
    assert code not in text(again.get("/console/people"))


def test_the_people_list_comes_a_page_at_a_time(app, world, monkeypatch):
    from server.console.views import people as people_view

    monkeypatch.setattr(people_view, "DESK_PAGE", 4)
    browser = signed_in(app, world, "committee")
    first = text(browser.get("/console/people"))
    assert "共 6 位，这一页是第 1–4 位" in first
    assert "上一页" not in first
    next_url = re.search(r'href="(/console/people\?cursor=4)">下一页</a>', first).group(1)
    second = text(browser.get(next_url))
    assert "共 6 位，这一页是第 5–6 位" in second
    assert "下一页" not in second
    assert 'href="/console/people">上一页</a>' in second
    names = [world.people[k].nickname for k in ("lead_1", "supervisor")]
    assert all(name in second and name not in first for name in names)
    assert "共 6 位，这一页是第 1–4 位" in text(browser.get("/console/people?cursor=abc"))
