"""议题与表决 and the care pages in Chromium: a closed proposal's result, a paper ballot
confirmed through the confirmation dialog, the census coverage, a sweep started from
the form, and the care visits with their cadences."""

from __future__ import annotations

from datetime import timedelta

from server.clock import utcnow
from server.extensions import db
from server.models import HouseholdCensus
from tests.browser.conftest import shot
from tests.browser.desk import agree, sign_in
from tests.decisions_helpers import make_due, owner, set_areas, voting_proposal
from tests.factories import build_world, care_tagged
from tests.helpers import image_bytes, multipart

AREAS = {
    "1-1-101": "100.00",
    "1-1-102": "80.00",
    "1-1-201": "120.00",
    "1-2-101": "90.00",
    "1-2-102": "60.00",
    "1-2-201": "50.00",
}


def test_the_committee_reads_a_result_confirms_a_paper_ballot_and_looks_after_households(
    page, desk_url, app, photo_storage
):
    world = build_world("desk-dc")
    set_areas(world, AREAS)
    for flat in AREAS:
        owner(world, flat)
    phone = app.test_client()
    done = voting_proposal(world, title="更换单元门禁")
    voting = voting_proposal(world, title="楼道加装扶手")
    db.session.commit()  # the API's requests write in their own sessions
    for flat, choice in [
        ("1-1-101", "yes"),
        ("1-1-102", "yes"),
        ("1-1-201", "yes"),
        ("1-2-101", "no"),
        ("1-2-102", "yes"),
    ]:
        cast = phone.post(
            f"/api/v1/proposals/{done}/ballots",
            json={"household_id": world.household_ids[flat], "choice": choice},
            headers=world.headers(owner(world, flat)),
        )
        assert cast.status_code == 200, cast.get_json()
    make_due(done)
    db.session.commit()
    shut = phone.post(f"/api/v1/proposals/{done}/close", headers=world.headers("committee"))
    assert shut.status_code == 200, shut.get_json()
    sent = phone.post(
        "/api/v1/uploads",
        headers=world.headers("liaison_1_1"),
        **multipart(image_bytes(), "paper.jpg", "image/jpeg"),
    )
    assert sent.status_code == 201, sent.get_json()
    paper = phone.post(
        f"/api/v1/proposals/{voting}/paper-ballots",
        json={
            "household_id": world.household_ids["1-1-201"],
            "choice": "yes",
            "photo": sent.get_json()["id"],
            "proxy": False,
        },
        headers=world.headers("liaison_1_1"),
    )
    assert paper.status_code == 201, paper.get_json()
    _household, late = care_tagged(world, "1-1-101", "elderly_alone")
    late.due_on -= timedelta(days=5)
    care_tagged(world, "1-2-102", "hardship")
    for flat, days in [("1-1-101", 20), ("1-1-102", 90), ("1-2-101", 400), ("1-2-201", 5)]:
        db.session.add(
            HouseholdCensus(
                compound_id=world.compound.id,
                household_id=world.household_ids[flat],
                unit_id=world.household(flat).unit_id,
                residence="lives_here",
                confirmed_at=utcnow() - timedelta(days=days),
                confirmed_by_id=world.user_ids["liaison_1_1"],
            )
        )
    db.session.commit()

    sign_in(page, desk_url, app, world)
    page.get_by_role("navigation", name="功能菜单").get_by_role("link", name="议题与表决").click()
    page.wait_for_url(f"{desk_url}/console/proposals")
    shot(page, "60-proposals")

    page.get_by_role("link", name="通过").click()
    page.wait_for_url(f"{desk_url}/console/proposals/{done}/result")
    assert page.locator(".verdict").inner_text() == "结果：通过"
    yes_row = page.get_by_role("row", name="同意")
    assert yes_row.locator("td").all_inner_texts() == ["360.00 / 450.00", "4 / 5", "达到"]
    shot(page, "61-proposal-result")

    page.goto(f"{desk_url}/console/proposals/{voting}")
    row = page.get_by_role("row", name="1-1-201")
    questions = []
    row.get_by_role("button", name="确认计入").click()
    questions.append(agree(page))
    page.get_by_text("已核对，这张票已计入").wait_for()
    assert questions == ["确定这张票与照片一致、计入 1-1-201 的选择「同意」吗？"]
    assert page.get_by_text("没有待核对的纸质票。").is_visible()

    page.get_by_role("link", name="住户信息").click()
    page.wait_for_url(f"{desk_url}/console/coverage")
    page.wait_for_function("document.documentElement.dataset.charts === '1'")
    assert page.get_by_role("row", name="全小区").locator("td").first.inner_text() == "6"
    shot(page, "62-coverage")

    page.get_by_role("link", name="入户走访").click()
    page.get_by_label("类型（检查项目按模板）").select_option(label="安全隐患拉网式排查")
    page.get_by_label("名称").fill("冬季燃气安全排查")
    page.get_by_label("范围").fill("1-2")
    page.get_by_role("button", name="发起排查").click()
    page.get_by_text("排查已发起").wait_for()
    assert page.get_by_role("row", name="1-2单元").locator("td").first.inner_text() == "0"
    page.get_by_role("link", name="← 返回排查列表").click()
    assert page.get_by_role("link", name="冬季燃气安全排查").is_visible()
    shot(page, "63-campaigns")

    page.get_by_role("link", name="关怀回访").click()
    overdue = page.get_by_role("row", name="1-1-101")
    assert "已超期 5 天" in overdue.inner_text()
    page.get_by_label("生活困难").fill("21")
    page.get_by_role("button", name="保存频次").click()
    page.get_by_text("走访频次已保存").wait_for()
    assert page.get_by_label("生活困难").input_value() == "21"
    shot(page, "64-visits")
