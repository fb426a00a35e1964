"""报事登记 at the desk: the register's filters, pages and Excel, one issue with its
photos and timeline, and the mini-program's actions through the same services."""

from __future__ import annotations

import io
import re

import pytest
import time_machine
from openpyxl import load_workbook

from server.extensions import db
from server.models import Issue
from server.services.issues import return_visits
from server.services.people import roles
from tests.factories import build_world, make_issue
from tests.helpers import image_bytes
from tests.server.console.desk import signed_in, submit
from tests.steps import acted, uploaded_id
from tests.timing import shanghai_date, shanghai_day

REGISTER = "/console/issues"


@pytest.fixture
def world(db_session):
    return build_world("desk")


def issue_at(world, days: int, who="resident_1_1", household="1-1-101", **fields) -> int:
    """An issue reported `days` from today (09:00 in Shanghai) by `who`."""
    with time_machine.travel(shanghai_day(days), tick=False):
        return make_issue(*world.reporter(who, household), **fields).id


def ids_on(page: str) -> list[int]:
    """The issue numbers the register lists, in order."""
    return [int(n) for n in re.findall(r'href="/console/issues/(\d+)">#', page)]


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def register(world):
    """Old (overdue) repair in 1-1-101, a hazard in 1-2-101 accepted, a fresh suggestion."""
    old = issue_at(world, -5, title="楼道灯不亮", description="三楼楼道灯坏了一个星期")
    hazard = issue_at(world, -3, "resident_1_2", "1-2-101", category="hazard", title="电线裸露")
    fresh = issue_at(world, -1, category="suggestion", title="增加自行车棚")
    db.session.commit()
    return {"old": old, "hazard": hazard, "fresh": fresh}


def test_the_register_lists_the_compounds_issues_newest_first_with_their_columns(
    app, client, world, register
):
    acted(client, world, register["hazard"], "committee", "accept")
    browser = signed_in(app, world)
    page = text(browser.get(REGISTER))
    assert ids_on(page) == [register["fresh"], register["hazard"], register["old"]]
    for heading in ("编号", "报事时间", "位置", "类别", "内容摘要", "状态", "处理人", "期限"):
        assert '<th scope="col"' in page
        assert f">{heading}</th>" in page
    assert "1-1-101" in page
    assert "1-2-101" in page
    assert "三楼楼道灯坏了一个星期" in page
    assert "处理中" in page
    assert "待受理" in page
    assert world.people["committee"].nickname in page  # the hazard's handler
    # Filters with real labels; dates as date inputs.
    for label, field in (("类别", "f-category"), ("状态", "f-status"), ("楼栋", "f-building")):
        assert f'<label for="{field}">{label}</label>' in page
    assert 'type="date" id="f-from" name="reported_from"' in page
    assert '<label for="f-overdue">' in page
    assert "只看超期" in page


def test_only_the_overdue_are_marked_and_the_filter_keeps_only_them(app, world, register):
    browser = signed_in(app, world)
    page = text(browser.get(REGISTER))
    rows = re.findall(
        r"<tr( class=\"overdue\")?>\s*<td class=\"num\"><a href=\"/console/issues/(\d+)\"", page
    )
    marked = {int(issue_id) for overdue, issue_id in rows if overdue}
    assert marked == {register["old"], register["hazard"]}  # 24 h and 4 h to accept, long gone
    assert page.count("已超期</strong>") == 2

    overdue = text(browser.get(REGISTER, query_string={"overdue": "1"}))
    assert ids_on(overdue) == [register["hazard"], register["old"]]
    assert 'name="overdue" value="1" checked' in overdue


def test_filters_narrow_the_list(app, client, world, register):
    acted(client, world, register["hazard"], "committee", "accept")
    browser = signed_in(app, world)

    def listed(**query):
        return ids_on(text(browser.get(REGISTER, query_string=query)))

    assert listed(category="hazard") == [register["hazard"]]
    assert listed(status="accepted") == [register["hazard"]]
    assert listed(status="submitted") == [register["fresh"], register["old"]]
    assert listed(category="repair", status="accepted") == []
    # Reported days are Shanghai's days.
    assert listed(reported_from=shanghai_date(-3).isoformat()) == [
        register["fresh"],
        register["hazard"],
    ]
    assert listed(reported_to=shanghai_date(-3).isoformat()) == [
        register["hazard"],
        register["old"],
    ]
    day = shanghai_date(-5).isoformat()
    assert listed(reported_from=day, reported_to=day) == [register["old"]]
    page = text(browser.get(REGISTER, query_string={"category": "hazard"}))
    assert '<option value="hazard" selected>安全隐患</option>' in page
    assert "没有符合条件的报事" in text(browser.get(REGISTER, query_string={"category": "care"}))


def test_the_building_filter_offers_the_compounds_buildings(app, world, register):
    browser = signed_in(app, world)
    page = text(browser.get(REGISTER))
    building_id = world.units[0].building_id
    assert f'<option value="{building_id}">1号楼</option>' in page
    assert len(ids_on(text(browser.get(REGISTER, query_string={"building_id": building_id})))) == 3
    assert (
        ids_on(text(browser.get(REGISTER, query_string={"building_id": building_id + 999}))) == []
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"reported_from": "昨天"}, "「报事日期从」应为日期，如 2026-12-01"),
        ({"reported_to": "2026-13-45"}, "「报事日期到」应为日期"),
        ({"reported_from": "1999-01-01"}, "「报事日期从」应在 2000-01-01 到"),
        ({"status": "lost"}, "没有这个处理状态"),
        ({"category": "noise"}, "没有这个报事类别"),
        ({"building_id": "一号楼"}, "「楼栋」的值不对"),
        ({"cursor": "@@@"}, "分页参数无效"),
        ({"limit": "500"}, "每页最多 50 条"),
    ],
)
def test_a_bad_filter_is_a_message_on_the_page_not_an_error(app, world, register, query, message):
    browser = signed_in(app, world)
    response = browser.get(REGISTER, query_string=query)
    assert response.status_code == 400
    page = text(response)
    assert message in page
    assert 'class="flash error"' in page
    assert "<form" in page
    assert ids_on(page) == []


def test_a_day_range_backwards_is_refused_with_a_message(app, world, register):
    browser = signed_in(app, world)
    query = {"reported_from": shanghai_date(-1).isoformat(), "reported_to": shanghai_date(-3)}
    page = text(browser.get(REGISTER, query_string=query))
    assert "「报事日期从」不能晚于「报事日期到」" in page


def test_pages_follow_the_cursor_and_keep_the_filters(app, world):
    ids = [issue_at(world, -2, title=f"事项{i}") for i in range(3)]
    issue_at(world, -2, category="hazard", title="不在筛选里")
    db.session.commit()
    browser = signed_in(app, world)
    first = text(browser.get(REGISTER, query_string={"category": "repair", "limit": "2"}))
    assert ids_on(first) == [ids[2], ids[1]]
    next_url = re.search(r'href="([^"]+)">下一页', first).group(1).replace("&amp;", "&")
    assert "category=repair" in next_url
    assert "limit=2" in next_url
    assert "cursor=" in next_url
    second = text(browser.get(next_url))
    assert ids_on(second) == [ids[0]]
    assert "下一页" not in second
    assert "回到第一页" in second


def test_the_register_downloads_as_excel_with_the_same_filters(app, client, world, register):
    acted(client, world, register["hazard"], "committee", "accept")
    browser = signed_in(app, world)
    page = text(browser.get(REGISTER, query_string={"status": "submitted", "limit": "2"}))
    link = re.search(r'href="([^"]+)">下载 Excel', page).group(1).replace("&amp;", "&")
    assert link.startswith("/console/issues/register.xlsx?")
    assert "status=submitted" in link
    response = browser.get(link)
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    numbers = [row[0] for row in values if isinstance(row[0], int)]
    assert sorted(numbers) == sorted([register["old"], register["fresh"]])
    assert any(row[2] == "楼道灯不亮" for row in values)
    bad = browser.get("/console/issues/register.xlsx", query_string={"reported_to": "x"})
    assert bad.status_code == 400
    assert "「报事日期到」应为日期" in text(bad)


def test_the_detail_shows_facts_photos_and_the_timeline(app, client, world, photo_storage):
    photo = uploaded_id(client, world)
    with time_machine.travel(shanghai_day(-2, "10:15"), tick=False):
        issue_id = make_issue(
            *world.reporter(), description="水管漏水，地上全是水", photos=[photo]
        ).id
    db.session.commit()
    acted(client, world, issue_id, "liaison_1_1", "accept", note="明天上午来修")
    browser = signed_in(app, world)
    response = browser.get(f"/console/issues/{issue_id}")
    assert response.status_code == 200
    page = text(response)
    assert "水管漏水，地上全是水" in page
    assert "1-1-101" in page
    assert "处理中" in page
    # Shanghai's clock: 10:15 there.
    assert f"{shanghai_date(-2).isoformat()} 10:15" in page
    # The timeline: who, what, the note; the volunteer acts under their name.
    assert "提交" in page
    assert "受理" in page
    assert "明天上午来修" in page
    assert world.people["liaison_1_1"].nickname in page
    assert "单元联络人" in page
    # The reporter's name, as the API shows it to a handler.
    assert "王秀兰" in page or world.people["resident_1_1"].nickname in page
    url = f"/console/photos/{photo}"
    assert f'src="{url}"' in page
    served = browser.get(url)
    assert served.status_code == 200
    assert served.mimetype == "image/jpeg"
    assert served.data[:2] == b"\xff\xd8"


def test_the_actions_are_the_ones_the_service_offers(app, client, world, register):
    browser = signed_in(app, world)
    submitted = text(browser.get(f"/console/issues/{register['old']}"))
    for name in ("受理", "不予受理", "标为重复"):
        assert '<h3 id="act-' in submitted
        assert f">{name}</h3>" in submitted
    assert ">办结</h3>" not in submitted
    assert ">确认完成</h3>" not in submitted
    acted(client, world, register["hazard"], "committee", "accept")
    accepted = text(browser.get(f"/console/issues/{register['hazard']}"))
    for name in ("转办", "办结", "不予受理", "标为重复"):
        assert f">{name}</h3>" in accepted
    assert ">受理</h3>" not in accepted
    assert 'enctype="multipart/form-data"' in accepted  # 办结 takes photos
    assert 'data-confirm="确定办结吗？' in accepted


def test_accepting_at_the_desk_changes_the_status_and_says_so(app, world, register):
    browser = signed_in(app, world)
    url = f"/console/issues/{register['old']}"
    done = submit(browser, f"{url}/accept", headers={"Referer": f"http://localhost{url}"})
    assert done.status_code == 302
    assert done.headers["Location"].endswith(url)
    page = text(browser.get(url))
    assert "已受理" in page
    assert 'class="flash success"' in page
    assert "处理中" in page
    assert world.people["committee"].nickname in page  # in the timeline, and as 处理人
    assert ">办结</h3>" in page


def test_resolving_needs_a_result_and_takes_photos(app, client, world, register, photo_storage):
    acted(client, world, register["hazard"], "committee", "accept")
    browser = signed_in(app, world)
    url = f"/console/issues/{register['hazard']}"
    referer = {"Referer": f"http://localhost{url}"}
    submit(browser, f"{url}/resolve", {"note": "  "}, headers=referer)
    page = text(browser.get(url))
    assert "办结须说明处理结果" in page
    assert "处理中" in page

    photo = (io.BytesIO(image_bytes()), "修好了.jpg", "image/jpeg")
    data = {"note": "已请电工包好电线", "photos": photo}
    done = submit(
        browser, f"{url}/resolve", data, headers=referer, content_type="multipart/form-data"
    )
    assert done.status_code == 302
    page = text(browser.get(url))
    assert "已办结" in page
    assert "已请电工包好电线" in page
    assert "已解决" in page
    photo_ids = sorted(set(re.findall(r'src="/console/photos/(\d+)"', page)))
    assert len(photo_ids) == 1
    assert browser.get(f"/console/photos/{photo_ids[0]}").data[:2] == b"\xff\xd8"


def test_referring_and_marking_a_duplicate_go_through_the_services_checks(
    app, client, world, register
):
    acted(client, world, register["hazard"], "committee", "accept")
    browser = signed_in(app, world)
    url = f"/console/issues/{register['hazard']}"
    referer = {"Referer": f"http://localhost{url}"}
    past = {"referral_body": "物业公司", "follow_up_on": shanghai_date(-400).isoformat()}
    submit(browser, f"{url}/refer", past, headers=referer)
    assert "「跟进日期」日期应在" in text(browser.get(url))
    body = {"referral_body": "物业公司", "referral_ref": "WY-88", "follow_up_on": shanghai_date(3)}
    submit(browser, f"{url}/refer", body, headers=referer)
    page = text(browser.get(url))
    assert "已转办" in page
    assert "物业公司" in page
    assert "WY-88" in page

    old = f"/console/issues/{register['old']}"
    submit(browser, f"{old}/mark-duplicate", {"duplicate_of": "abc"}, headers=referer)
    assert "「重复的事项编号」应为整数" in text(browser.get(url))
    submit(browser, f"{old}/mark-duplicate", {"duplicate_of": str(register["fresh"])})
    page = text(browser.get(old))
    assert "重复事项" in page
    assert f"报事 #{register['fresh']}</a> 重复" in page


def test_a_supervisor_gets_what_the_service_gives_a_supervisor_nothing(app, world, register):
    """Issues are for the volunteers who handle them (services/issues/access.py)."""
    browser = signed_in(app, world, "supervisor")
    assert ids_on(text(browser.get(REGISTER))) == []
    assert browser.get(f"/console/issues/{register['old']}").status_code == 404
    submit(browser, f"/console/issues/{register['old']}/accept")
    assert "找不到该事项" in text(browser.get(REGISTER))
    assert db.session.get(Issue, register["old"]).status == "submitted"


def test_another_compounds_issue_is_never_listed_and_answers_404(app, world, register):
    """Even for a member of both committees: the desk shows the compound it signed in for."""
    other = build_world("other")
    theirs = make_issue(*other.reporter(), title="别的小区的事").id
    roles.grant(world.user_ids["committee"], "committee", other.compound)
    db.session.commit()
    browser = signed_in(app, world, compound=world.compound.id)
    page = text(browser.get(REGISTER, query_string={"limit": "50"}))
    assert "别的小区的事" not in page
    assert theirs not in ids_on(page)
    response = browser.get(f"/console/issues/{theirs}")
    assert response.status_code == 404
    assert "找不到该事项" in text(response)
    assert "别的小区的事" not in text(response)
    submit(browser, f"/console/issues/{theirs}/accept")
    assert "找不到该事项" in text(browser.get(REGISTER))
    db.session.expire_all()
    assert db.session.get(Issue, theirs).status == "submitted"
    xlsx = load_workbook(io.BytesIO(browser.get("/console/issues/register.xlsx").data)).active
    assert "别的小区的事" not in [cell.value for row in xlsx.iter_rows() for cell in row]


def test_a_member_who_reported_it_confirms_with_a_rating(app, client, world):
    building = world.units[0].building_id
    issue_id = make_issue(world.user_ids["committee"], building_id=building, title="屋顶漏雨").id
    db.session.commit()
    acted(client, world, issue_id, "committee_2", "accept")
    acted(client, world, issue_id, "committee_2", "resolve", note="已补好防水层")
    browser = signed_in(app, world)
    url = f"/console/issues/{issue_id}"
    page = text(browser.get(url))
    assert ">确认完成</h3>" in page
    assert ">重新打开</h3>" in page
    assert 'name="rating" value="5"' in page
    referer = {"Referer": f"http://localhost{url}"}
    submit(browser, f"{url}/confirm", {"note": "修得很好"}, headers=referer)
    assert "请为处理结果打分（1–5）" in text(browser.get(url))
    submit(browser, f"{url}/confirm", {"rating": "4", "note": "修得很好"}, headers=referer)
    page = text(browser.get(url))
    assert "已确认完成，感谢评价" in page
    assert "已完成" in page
    assert "4 星（满分 5 星）" in page
    assert "修得很好" in page


def test_an_in_person_return_visit_is_answered_at_the_desk(app, client, world):
    with time_machine.travel(shanghai_day(-10), tick=False):
        issue_id = make_issue(*world.reporter(), category="care", title="独居老人需要帮忙买菜").id
        db.session.commit()
        acted(client, world, issue_id, "liaison_1_1", "accept")
        acted(client, world, issue_id, "liaison_1_1", "resolve", note="已联系志愿者")
        acted(client, world, issue_id, "resident_1_1", "confirm", rating=5)
    assert return_visits.send_due() == 1  # a week after closing: the liaison goes round
    db.session.commit()
    browser = signed_in(app, world)
    url = f"/console/issues/{issue_id}"
    page = text(browser.get(url))
    assert "回访：问题还解决着吗？" in page
    assert "5 星（满分 5 星）" in page
    done = submit(
        browser,
        f"{url}/return-visit",
        {"fixed": "no", "note": "志愿者没来"},
        headers={"Referer": f"http://localhost{url}"},
    )
    assert done.status_code == 302
    page = text(browser.get(url))
    assert "已记录回访答复" in page
    assert "回访答复：仍未解决" in page
    assert "回访未解决" in page
    assert "处理中" in page
    assert "回访：问题还解决着吗？" not in page
