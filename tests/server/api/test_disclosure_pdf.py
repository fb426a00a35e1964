"""The disclosure on paper: an A4 PDF in Chinese with the API's own numbers and a QR
code of its verify address, read back as text and rendered as an image."""

from __future__ import annotations

import io

import pypdf
import pypdfium2
import pytest

from server.services.disclosures.figures import yuan
from tests.factories import build_world
from tests.money_month import a_month_of_money


@pytest.fixture
def world(db_session):
    return build_world("dp")


@pytest.fixture
def money(world):
    return a_month_of_money(world)


@pytest.fixture
def disclosure(client, world, money) -> dict:
    return client.post(
        f"/api/v1/compounds/{world.compound.code}/disclosures",
        json={"month": money.month},
        headers=world.headers("committee"),
    ).get_json()


def paper(client, world, disclosure_id, who="committee"):
    return client.get(f"/api/v1/disclosures/{disclosure_id}.pdf", headers=world.headers(who))


def page_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "".join(page.extract_text() for page in reader.pages).replace(" ", "")


def test_the_pdf_carries_the_same_numbers(client, world, disclosure):
    printed = paper(client, world, disclosure["id"])
    assert printed.status_code == 200
    assert printed.mimetype == "application/pdf"
    assert printed.headers["Content-Disposition"].endswith(
        f'filename="disclosure-dp-{disclosure["month"]}-v1.pdf"'
    )
    text = page_text(printed.data)
    year, number = disclosure["month"].split("-")
    assert f"dp小区{year}年{int(number)}月收支公示" in text
    for fund in disclosure["funds"]:
        assert fund["name"] in text
        for value in ("opening_fen", "income_fen", "expense_fen", "closing_fen"):
            assert yuan(fund[value]) in text, (fund["name"], value)
        for line in fund["income"] + fund["expenses"]:
            assert yuan(line["amount_fen"]) in text
    assert "更换楼道灯泡（维修，收款方：李师傅五金店，票据2张）" in text
    assert "收缴费用（4笔账单，3户）" in text
    assert "广告收入（华联超市）" in text
    assert f"/api/v1/disclosures/{disclosure['id']}/verify" in text
    assert "王秀兰" not in text


def test_the_pdf_is_a4_and_not_blank(client, world, disclosure):
    data = paper(client, world, disclosure["id"]).data
    reader = pypdf.PdfReader(io.BytesIO(data))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    document = pypdfium2.PdfDocument(data)
    image = document[0].render(scale=150 / 72).to_pil().convert("L")
    assert abs(image.width - 1241) <= 1
    dark = sum(image.histogram()[:128])
    assert dark > 5000  # text, tables and the QR code
    title_band = image.crop((0, 0, image.width, 200))
    assert sum(title_band.histogram()[:128]) > 300  # the title's glyphs were drawn
    document.close()


def test_only_who_may_read_it_gets_the_paper(client, world, disclosure):
    assert paper(client, world, disclosure["id"], "resident_1_1").status_code == 404
    assert paper(client, world, disclosure["id"], "outsider").status_code == 404
    assert paper(client, world, disclosure["id"], "supervisor").status_code == 200
