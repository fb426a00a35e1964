"""The disclosure on paper: an A4 PDF in Chinese for the notice board, with the same
numbers as the API and a QR code of its verify address.

fpdf2 (LGPL) embeds a subset of WenQuanYi Micro Hei (the font of Debian's
fonts-wqy-microhei, shipped in the paperang-p2-fonts-cjk wheel)."""

from __future__ import annotations

import io
from importlib import resources
from typing import TYPE_CHECKING

import segno
from flask import current_app

from server.clock import SHANGHAI
from server.labels import label
from server.models import Compound
from server.models.board import Disclosure
from server.services.disclosures.figures import yuan
from server.services.disclosures.notices import title_of

if TYPE_CHECKING:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

FONT = "wqy"
HEADING_FILL = (230, 230, 230)
TOTAL_FILL = (245, 245, 245)


def font_path() -> str:
    return str(resources.files("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc")


def verify_url(disclosure: Disclosure) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/api/v1/disclosures/{disclosure.id}/verify"


def render(disclosure: Disclosure, compound: Compound) -> bytes:
    from fpdf import FPDF  # on first use: every process would pay for it at start-up

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_title(f"{compound.name} {title_of(disclosure)}")
    pdf.add_font(FONT, fname=font_path(), collection_font_number=0)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    _heading(pdf, disclosure, compound)
    frozen = disclosure.figures
    for fund in frozen["funds"]:
        if fund["opening_fen"] or fund["income"] or fund["expenses"] or fund["closing_fen"]:
            _fund(pdf, fund)
    _collection(pdf, frozen.get("collection") or {})
    _issues(pdf, frozen.get("issues") or [])
    _footer(pdf, disclosure)
    return bytes(pdf.output())


def _heading(pdf: FPDF, disclosure: Disclosure, compound: Compound) -> None:
    pdf.set_font(FONT, size=18)
    pdf.cell(
        0, 12, f"{compound.name} {title_of(disclosure)}", align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font(FONT, size=10)
    status = label("disclosure_status", disclosure.status)
    frozen_at = disclosure.created_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    line = f"状态：{status}　生成于 {frozen_at}　账本截至第 {disclosure.ledger_seq} 笔"
    pdf.cell(0, 6, line, align="C", new_x="LMARGIN", new_y="NEXT")
    if disclosure.changes:
        pdf.multi_cell(0, 6, f"本版更正：{disclosure.changes}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _fund(pdf: FPDF, fund: dict) -> None:
    pdf.set_font(FONT, size=13)
    pdf.cell(0, 9, fund["name"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=10)
    with pdf.table(
        col_widths=(20, 110, 40),
        text_align=("LEFT", "LEFT", "RIGHT"),
        headings_style=_face(HEADING_FILL),
        line_height=6,
    ) as table:
        _row(table, ("", "项目", "金额"))
        _row(table, ("期初", "期初余额", yuan(fund["opening_fen"])))
        for line in fund["income"]:
            _row(table, ("收入", _describe(line), yuan(line["amount_fen"])))
        for line in fund["expenses"]:
            _row(table, ("支出", _describe(line), yuan(line["amount_fen"])))
        _row(table, ("合计", "本月收入", yuan(fund["income_fen"])), _face(TOTAL_FILL))
        _row(table, ("合计", "本月支出", yuan(fund["expense_fen"])), _face(TOTAL_FILL))
        _row(table, ("期末", "期末余额", yuan(fund["closing_fen"])), _face(TOTAL_FILL))
    pdf.ln(3)


def _describe(line: dict) -> str:
    kind = line["kind"]
    if kind == "fees":
        return f"收缴费用（{line['bills']} 笔账单，{line['households']} 户）"
    if kind == "expense":
        receipts = f"，票据 {len(line.get('receipts') or [])} 张" if line.get("receipts") else ""
        category, payee = line.get("category_name", ""), line.get("payee", "")
        return f"{line['title']}（{category}，收款方：{payee}{receipts}）"
    if kind == "reversal" and line.get("reason"):
        return f"{line['title']}（原因：{line['reason']}）"
    if "count" in line:
        return f"{line['title']}（{line['count']} 笔）"
    return line["title"]


def _face(fill: tuple[int, int, int]) -> FontFace:
    from fpdf.fonts import FontFace

    return FontFace(emphasis="", fill_color=fill)


def _row(table, cells, style: FontFace | None = None) -> None:
    row = table.row()
    for cell in cells:
        row.cell(cell, style=style)


def _collection(pdf: FPDF, collection: dict) -> None:
    if not collection.get("households_billed"):
        return
    rate = collection.get("collection_rate")
    pdf.set_font(FONT, size=11)
    text = (
        f"本月收缴：应缴 {collection['households_billed']} 户，"
        f"已缴 {collection['households_paid']} 户，"
        f"收缴率 {rate * 100:.1f}%，"
        f"应收 {yuan(collection['billed_fen'])}，实收 {yuan(collection['collected_fen'])}"
    )
    pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _issues(pdf: FPDF, issues: list[dict]) -> None:
    if not issues:
        return
    pdf.set_font(FONT, size=11)
    parts = "；".join(
        f"{i['name']} 报事 {i['reported']} 件、解决 {i['resolved']} 件" for i in issues
    )
    pdf.multi_cell(0, 7, f"本月报事：{parts}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _footer(pdf: FPDF, disclosure: Disclosure) -> None:
    url = verify_url(disclosure)
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=6, border=2)
    if pdf.get_y() > pdf.h - 60:
        pdf.add_page()
    top = pdf.get_y() + 2
    pdf.image(io.BytesIO(buffer.getvalue()), x=pdf.l_margin, y=top, w=35)
    pdf.set_xy(pdf.l_margin + 40, top + 4)
    pdf.set_font(FONT, size=11)
    pdf.multi_cell(
        0,
        7,
        "用手机扫码，可与账本核对这份公示的每一个数字。\n"
        f"账本校验码：{disclosure.ledger_head[:16]}…\n"
        f"核对地址：{url}",
    )
