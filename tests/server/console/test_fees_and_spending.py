"""The desk's money pages (收费项目, 抄表, 支出, 公共收入, 月度公示) without a browser: a fee
change waits for a second member, an expense with its photo, the disclosure's PDF, and
another compound's ids answer the 404 page."""

from __future__ import annotations

import io
import re

import pypdf
import pytest
from sqlalchemy import event, func, select

from server.clock import utcnow
from server.console.money_forms import fen_from_yuan
from server.errors import ValidationFailed
from server.extensions import db
from server.models import AccessLog, Approval, FeeItem
from tests.factories import build_world, fund_money, self_governance_fee, stair_electricity_fee
from tests.helpers import image_bytes
from tests.money_month import a_month_of_money
from tests.server.console.desk import signed_in, submit
from tests.steps import proposed_expense
from tests.timing import month, shanghai_date


@pytest.fixture(autouse=True)
def _many_sign_ins(app, monkeypatch):
    """These tests sign several people in; the QR page's rate limit is not under test."""
    monkeypatch.setitem(app.config, "CONSOLE_LOGIN_RATE", "1000/minute")


@pytest.fixture
def world(db_session):
    return build_world("dk")


@pytest.fixture
def fee(world):
    return self_governance_fee(world.compound)


def html(response) -> str:
    return response.get_data(as_text=True)


def followed(browser, url, data=None, *, page: str | None = None, **kwargs):
    """A form posted from `page` (default: the address the form posts to), and the page
    it goes back to."""
    posted = submit(browser, url, data, headers={"Referer": page or url}, **kwargs)
    assert posted.status_code == 302, html(posted)
    return browser.get(posted.headers["Location"])


def rate_of(world) -> str:
    db.session.expire_all()
    item = db.session.scalars(select(FeeItem).where(FeeItem.compound_id == world.compound.id)).one()
    return str(item.rate)


def test_a_fee_change_waits_for_a_second_member_and_the_proposer_is_refused(app, world, fee):
    first = signed_in(app, world, "committee")
    page = followed(
        first,
        "/console/fees/self_governance/change",
        {"rate": "0.40", "cycle": "monthly", "vacant_rule": "charge", "active": "true"},
        page="/console/fees",
    )
    text = html(page)
    assert "已提交调整，等另一位业委会成员确认后生效" in text
    assert "等待确认的收费标准调整" in text
    assert "0.35" in text
    assert "0.40" in text
    assert "这是你提出的" in text
    assert rate_of(world) == "0.3500"

    change_id = int(
        re.search(
            r"/console/changes/(\d+)/confirm",
            html(signed_in(app, world, "committee_2").get("/console/fees")),
        ).group(1)
    )
    refused = followed(first, f"/console/changes/{change_id}/confirm", page="/console/fees")
    assert "提交人不能确认或驳回自己提交的变更" in html(refused)
    assert rate_of(world) == "0.3500"

    second = signed_in(app, world, "committee_2")
    done = followed(second, f"/console/changes/{change_id}/confirm", page="/console/fees")
    assert "已确认，变更已生效" in html(done)
    assert rate_of(world) == "0.4000"
    assert "没有等待确认的变更" in html(done)
    assert "已确认生效" in html(done)


def test_a_rate_typed_wrong_is_refused_with_the_apis_message(app, world, fee):
    browser = signed_in(app, world, "committee")
    page = followed(
        browser,
        "/console/fees/self_governance/change",
        {"rate": "0.35abc", "cycle": "monthly", "vacant_rule": "charge", "active": "true"},
        page="/console/fees",
    )
    assert "费率" in html(page)
    assert "flash error" in html(page)
    assert rate_of(world) == "0.3500"


def test_an_expense_recorded_on_the_desk_shows_with_its_photo(app, world, fee):
    fund_money(world, 100_000)
    db.session.commit()
    browser = signed_in(app, world, "committee")
    form = {
        "fund": "fee:self_governance",
        "amount": "1,280.5",
        "purpose": "更换楼道灯泡",
        "payee": "五金店",
        "category": "repair",
        "receipt": (io.BytesIO(image_bytes()), "invoice.jpg", "image/jpeg"),
    }
    page = followed(browser, "/console/expenses", form, content_type="multipart/form-data")
    text = html(page)
    assert "已提出支出，等财务监督审核" in text
    assert "更换楼道灯泡" in text
    assert "1,280.50" in text
    expense_id = int(re.search(r"/console/expenses/(\d+)\"", text).group(1))

    detail = html(browser.get(f"/console/expenses/{expense_id}"))
    photo_url = re.search(r'<img src="(/console/photos/\d+)"', detail).group(1)
    image = browser.get(photo_url)
    assert image.status_code == 200
    assert image.mimetype == "image/jpeg"
    assert "提出支出" in detail
    assert "待审核" in detail

    # The supervisor approves on the desk; the proposer may not pay, another member does.
    supervisor = signed_in(app, world, "supervisor")
    approved = followed(
        supervisor,
        f"/console/expenses/{expense_id}/approve",
        page=f"/console/expenses/{expense_id}",
    )
    assert "已审核通过" in html(approved)
    assert "登记付款" not in html(browser.get(f"/console/expenses/{expense_id}"))
    second = signed_in(app, world, "committee_2")
    assert "登记付款" in html(second.get(f"/console/expenses/{expense_id}"))


@pytest.mark.parametrize("amount", ["12.345", "abc", "-5", "0", ""])
def test_an_amount_in_yuan_is_exact_or_refused(app, world, fee, amount):
    fund_money(world, 100_000)
    db.session.commit()
    browser = signed_in(app, world, "committee")
    page = followed(
        browser,
        "/console/expenses",
        {
            "fund": "fee:self_governance",
            "amount": amount,
            "purpose": "灯泡",
            "payee": "五金店",
            "category": "repair",
        },
    )
    text = html(page)
    assert "flash error" in text
    assert "支出金额" in text
    assert "没有支出" in text


def test_the_disclosure_pdf_is_the_apis_and_prepared_on_the_desk(app, client, world):
    money = a_month_of_money(world)
    db.session.commit()
    browser = signed_in(app, world, "committee")
    prepared = submit(browser, "/console/disclosures", {"month": money.month})
    assert prepared.status_code == 302
    detail = browser.get(prepared.headers["Location"])
    text = html(detail)
    assert "已生成公示草稿" in text
    assert "月初余额" in text
    assert "下载 PDF" in text
    disclosure_id = int(re.search(r"/console/disclosures/(\d+)\.pdf", text).group(1))

    desk_pdf = browser.get(f"/console/disclosures/{disclosure_id}.pdf")
    api_pdf = client.get(
        f"/api/v1/disclosures/{disclosure_id}.pdf", headers=world.headers("committee")
    )
    assert desk_pdf.status_code == 200
    assert desk_pdf.data.startswith(b"%PDF")
    assert desk_pdf.mimetype == "application/pdf"
    assert desk_pdf.headers["Content-Disposition"] == api_pdf.headers["Content-Disposition"]
    assert pdf_text(desk_pdf.data) == pdf_text(api_pdf.data)

    # Published only after the supervisor signs it off: the desk shows each step.
    assert "公示给每一户" not in text
    supervisor = signed_in(app, world, "supervisor")
    assert "审核通过" in html(
        followed(
            supervisor,
            f"/console/disclosures/{disclosure_id}/sign-off",
            page=f"/console/disclosures/{disclosure_id}",
        )
    )
    published = followed(
        browser,
        f"/console/disclosures/{disclosure_id}/publish",
        page=f"/console/disclosures/{disclosure_id}",
    )
    assert "已公示，每户都能看到" in html(published)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_another_compounds_expense_and_disclosure_answer_not_found(app, client, world):
    other = build_world("dx")
    other_money = a_month_of_money(other)
    fund_money(other, 100_000)
    db.session.commit()
    expense = proposed_expense(client, other, purpose="别的小区的秘密支出")
    disclosure = client.post(
        f"/api/v1/compounds/{other.compound.code}/disclosures",
        json={"month": other_money.month},
        headers=other.headers("committee"),
    ).get_json()
    browser = signed_in(app, world, "committee")
    for url in (
        f"/console/expenses/{expense['id']}",
        f"/console/disclosures/{disclosure['id']}",
        f"/console/disclosures/{disclosure['id']}.pdf",
    ):
        page = browser.get(url)
        assert page.status_code == 404, url
        assert "找不到" in html(page)
        assert "别的小区的秘密支出" not in html(page)
    assert "别的小区的秘密支出" not in html(browser.get("/console/expenses"))
    refused = submit(browser, f"/console/expenses/{expense['id']}/withdraw")
    assert refused.status_code == 302
    assert "找不到这笔支出" in html(browser.get("/console/expenses"))


def test_meter_readings_are_recorded_and_confirmed_by_another_member(app, world):
    stair_electricity_fee(world.compound)
    db.session.commit()
    unit_id = world.units[0].id
    browser = signed_in(app, world, "committee")
    page = followed(
        browser,
        "/console/meter-readings",
        {"unit_id": str(unit_id), "period": month(0), "amount": "86.4"},
        page=f"/console/meter-readings?unit={unit_id}",
    )
    text = html(page)
    assert "已登记，等另一位业委会成员确认后计入各户账单" in text
    assert "86.40" in text
    assert "待确认" in text
    assert "这是你提出的" in text

    second = signed_in(app, world, "committee_2")
    change_id = int(
        re.search(
            r"/console/changes/(\d+)/confirm", html(second.get("/console/meter-readings"))
        ).group(1)
    )
    done = followed(second, f"/console/changes/{change_id}/confirm", page="/console/meter-readings")
    assert "已确认，变更已生效" in html(done)
    assert "已确认" in html(second.get(f"/console/meter-readings?unit={unit_id}"))
    assert html(second.get("/console/meter-readings?unit=abc")).count("单元选择不对") == 1


def test_the_supervisor_reads_every_page_without_the_committees_forms(app, world, fee):
    supervisor = signed_in(app, world, "supervisor")
    for url, heading in (
        ("/console/fees", "收费项目"),
        ("/console/meter-readings", "抄表"),
        ("/console/expenses", "支出"),
        ("/console/funds", "资金余额"),
        ("/console/disclosures", "月度公示"),
        ("/console/income", "公共收入"),
    ):
        page = supervisor.get(url)
        assert page.status_code == 200, url
        assert f"<h1>{heading}</h1>" in html(page)
    assert "提交调整" not in html(supervisor.get("/console/fees"))


def test_income_is_counted_only_when_a_second_member_confirms_it(app, client, world):
    browser = signed_in(app, world, "committee")
    contract = followed(
        browser,
        "/console/income/contracts",
        {
            "counterparty": "顺达广告公司",
            "kind": "advertising",
            "price": "500",
            "cycle": "monthly",
            "start_on": shanghai_date(-30).isoformat(),
            "end_on": shanghai_date(335).isoformat(),
        },
        page="/console/income",
    )
    assert "已登记合同和收款计划" in html(contract)
    contract_id = int(re.search(r"/console/income/contracts/(\d+)\"", html(contract)).group(1))
    schedule = html(browser.get(f"/console/income/contracts/{contract_id}"))
    assert "收款计划" in schedule
    assert "500.00" in schedule

    recorded = followed(
        browser,
        "/console/income",
        {
            "kind": "advertising",
            "contract_id": str(contract_id),
            "amount": "500.00",
            "received_on": shanghai_date(0).isoformat(),
            "method": "transfer",
        },
        page="/console/income",
    )
    assert "已登记收入" in html(recorded)
    income_id = int(
        re.search(
            r"/console/income/(\d+)/confirm",
            html(signed_in(app, world, "committee_2").get("/console/income")),
        ).group(1)
    )
    assert "这是你登记的" in html(recorded)
    refused = followed(browser, f"/console/income/{income_id}/confirm", page="/console/income")
    assert "flash error" in html(refused)
    assert "待确认" in html(refused)

    second = signed_in(app, world, "committee_2")
    done = followed(second, f"/console/income/{income_id}/confirm", page="/console/income")
    assert "已确认，收入已计入共建资金" in html(done)
    funds = html(second.get("/console/funds"))
    assert "500.00" in funds

    other = build_world("dy")
    db.session.commit()
    theirs = signed_in(app, other, "committee")
    assert theirs.get(f"/console/income/contracts/{contract_id}").status_code == 404
    assert "顺达广告公司" not in html(theirs.get("/console/income"))


def test_an_objected_expense_is_changed_on_the_desk_and_goes_back_to_the_supervisor(
    app, client, world, fee
):
    fund_money(world, 100_000)
    db.session.commit()
    expense = proposed_expense(client, world)
    url = f"/console/expenses/{expense['id']}"
    supervisor = signed_in(app, world, "supervisor")
    objected = followed(supervisor, f"{url}/object", {"reason": "价格偏高"}, page=url)
    assert "财务监督的异议：价格偏高" in html(objected)

    browser = signed_in(app, world, "committee")
    changed = followed(
        browser, f"{url}/change", {"amount": "300.1", "note": "换了一家店"}, page=url
    )
    text = html(changed)
    assert "已修改，等财务监督重新审核" in text
    assert "¥300.10" in text
    assert "待审核" in text
    assert "换了一家店" in text


@pytest.mark.parametrize(
    ("typed", "fen"),
    [
        ("0.1", 10),
        ("1,234.56", 123456),
        ("1,234,567", 123456700),
        ("¥86.40", 8640),
        (" 7 ", 700),
        ("１２．５", 1250),
    ],
)
def test_yuan_typed_in_a_form_is_read_to_the_fen(typed, fen):
    assert fen_from_yuan(typed) == fen


@pytest.mark.parametrize("typed", ["12.345", "1e3", "-1", "0.00", "12.", ".5", "abc"])
def test_yuan_that_is_not_exact_is_refused(typed):
    with pytest.raises(ValidationFailed, match="金额"):
        fen_from_yuan(typed)


@pytest.mark.parametrize("typed", ["12,5", "12,34", "1,2,3", "1234,567", ",5", "12,"])
def test_a_comma_that_is_not_a_thousands_separator_is_refused(typed):
    """ "12,5" may mean 12.5 (a decimal comma): never read as 125 yuan."""
    with pytest.raises(ValidationFailed, match="金额"):
        fen_from_yuan(typed)


@pytest.mark.parametrize("typed", ["100000000", "9" * 40])
def test_yuan_too_large_is_refused_as_too_large(typed):
    with pytest.raises(ValidationFailed, match="金额太大"):
        fen_from_yuan(typed)


def test_bad_input_in_an_address_or_a_form_is_a_message_not_a_crash(app, world, fee):
    browser = signed_in(app, world, "committee")
    listed = browser.get("/console/expenses?cursor=zzz&status=nonsense")
    assert listed.status_code == 200
    assert "翻页地址不对" in html(listed)
    for month_ in ("abc", "2026-13", "2999-01", ""):
        page = followed(
            browser, "/console/disclosures", {"month": month_}, page="/console/disclosures"
        )
        assert "flash error" in html(page), month_
        assert "还没有月度公示" in html(page)
    assert browser.get("/console/disclosures/999999").status_code == 404
    assert browser.get("/console/expenses/999999").status_code == 404


def test_a_wrong_reading_is_voided_only_when_a_second_member_confirms(app, world):
    stair_electricity_fee(world.compound)
    db.session.commit()
    unit_id = world.units[0].id
    unit_page = f"/console/meter-readings?unit={unit_id}"
    first = signed_in(app, world, "committee")
    second = signed_in(app, world, "committee_2")
    followed(
        first,
        "/console/meter-readings",
        {"unit_id": str(unit_id), "period": month(0), "amount": "86.40"},
        page=unit_page,
    )
    change_id = re.search(r"/console/changes/(\d+)/confirm", html(second.get(unit_page)))[1]
    followed(second, f"/console/changes/{change_id}/confirm", page=unit_page)
    reading_id = re.search(r"/console/meter-readings/(\d+)/void", html(first.get(unit_page)))[1]

    other_unit = followed(
        first,
        f"/console/meter-readings/{reading_id}/void",
        {"unit_id": str(world.units[1].id), "reason": "抄错了"},
        page=unit_page,
    )
    assert "找不到该读数" in html(other_unit)
    proposed = followed(
        first,
        f"/console/meter-readings/{reading_id}/void",
        {"unit_id": str(unit_id), "reason": "抄错了"},
        page=unit_page,
    )
    assert "已提交作废，等另一位业委会成员确认" in html(proposed)
    assert "已确认" in html(proposed)
    void_id = re.search(r"/console/changes/(\d+)/confirm", html(second.get(unit_page)))[1]
    voided = followed(second, f"/console/changes/{void_id}/confirm", page=unit_page)
    assert "已作废" in html(voided)


def test_a_decided_fee_change_stays_listed_under_many_later_meter_decisions(app, world, fee):
    """The page asks for fee changes, not the latest 200 decisions of every kind; and a
    view of it logs what it shows, not hundreds of meter readings."""
    first = signed_in(app, world, "committee")
    followed(
        first,
        "/console/fees/self_governance/change",
        {"rate": "0.40", "cycle": "monthly", "vacant_rule": "charge", "active": "true"},
        page="/console/fees",
    )
    second = signed_in(app, world, "committee_2")
    change_id = int(
        re.search(r"/console/changes/(\d+)/confirm", html(second.get("/console/fees"))).group(1)
    )
    followed(second, f"/console/changes/{change_id}/confirm", page="/console/fees")
    db.session.add_all(
        Approval(
            compound_id=world.compound.id,
            kind="meter_reading",
            subject_id=1000 + n,
            summary="抄表",
            details={},
            status="confirmed",
            proposed_by_id=world.user_ids["liaison_1_1"],
            decided_by_id=world.user_ids["committee"],
            decided_at=utcnow(),
            open_key=1000 + n,
        )
        for n in range(210)
    )
    db.session.commit()
    logged = select(func.count()).select_from(AccessLog)
    before = db.session.scalar(logged)
    page = html(second.get("/console/fees"))
    assert "已确认生效" in page
    assert db.session.scalar(logged) - before < 20


def test_changes_waiting_take_as_many_statements_for_ten_as_for_one(app, world, fee):
    def waiting(n: int) -> Approval:
        return Approval(
            compound_id=world.compound.id,
            kind="meter_reading",
            subject_id=2000 + n,
            summary=f"1号楼1单元 电费 {n} 元",
            details={},
            proposed_by_id=world.user_ids["liaison_1_1"],
        )

    def statements() -> int:
        count = [0]

        def seen(*_args, **_kwargs):
            count[0] += 1

        event.listen(db.engine, "before_cursor_execute", seen)
        try:
            assert browser.get("/console/meter-readings").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)
        return count[0]

    db.session.add(waiting(0))
    db.session.commit()
    browser = signed_in(app, world, "committee")
    one = statements()
    db.session.add_all(waiting(n) for n in range(1, 10))
    db.session.commit()
    assert statements() <= one
