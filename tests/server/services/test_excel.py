"""The one cell writer of every export: what a reader sees when the workbook opens."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from server.services.excel import Column, Sheet, Total, safe_text, xlsx


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("=1+1", "'=1+1"),
        ("+86 139", "'+86 139"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ("楼道灯 =1", "楼道灯 =1"),
        ("bell\x07 here", "bell here"),  # a character Excel cannot hold is dropped
        ("", None),
        (None, None),
    ],
)
def test_text_that_could_run_is_kept_as_text(typed, stored):
    assert safe_text(typed) == stored


def reopen(columns, rows, totals=()):
    return load_workbook(io.BytesIO(xlsx(Sheet("表", columns, rows, totals)))).active


def test_each_kind_is_written_as_the_reader_expects():
    columns = [
        Column("编号", 8, "id"),
        Column("金额（元）", 12, "money"),
        Column("时间", 18, "datetime"),
        Column("日期", 12, "date"),
        Column("已缴", 6, "yes_no"),
        Column("备注", 20),
    ]
    at = datetime(2026, 12, 1, 16, 30, tzinfo=UTC)  # 00:30 the next day in Shanghai
    sheet = reopen(
        columns,
        [[7, 2533, at, date(2026, 11, 30), False, "=HYPERLINK(1)"], [8, 0, None, None, True, ""]],
        [Total("合计（2 笔）", {"金额（元）": 2533})],
    )
    first, second, total = (list(r) for r in sheet.iter_rows(min_row=2, values_only=True))
    assert first == [
        7,
        25.33,
        datetime(2026, 12, 2, 0, 30),
        datetime(2026, 11, 30),
        "否",
        "'=HYPERLINK(1)",
    ]
    assert second == [8, 0, None, None, "是", None]
    assert total == ["合计（2 笔）", 25.33, None, None, None, None]
    formats = [cell.number_format for cell in sheet[2]]
    assert formats[:4] == ["0", "0.00", "yyyy-mm-dd hh:mm", "yyyy-mm-dd"]
    assert [cell.font.b for cell in sheet[1]] == [True] * 6
    assert sheet[4][0].font.b
    assert sheet.auto_filter.ref == "A1:F3"  # the totals row stays out of sorting
    assert [sheet.column_dimensions[c].width for c in "ABF"] == [8, 12, 20]


def test_money_must_be_integer_fen():
    with pytest.raises(TypeError):
        reopen([Column("金额（元）", 12, "money")], [[25.33]])
    with pytest.raises(ValueError, match="2 values for 1 columns"):
        reopen([Column("金额（元）", 12, "money")], [[1, 2]])


def test_a_workbook_holds_its_sheets_in_order_under_titles_excel_accepts():
    columns = [Column("房屋", 12)]
    data = xlsx(
        Sheet("账单", columns, [["1-1-101"]]),
        Sheet("维修/安全隐患[2026]:台账*?一二三四五六七八九十一二三四五六七八九十", columns, []),
        Sheet("///", columns, []),
    )
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == [
        "账单",
        "维修安全隐患2026台账一二三四五六七八九十一二三四五六七八九",
        "Sheet",
    ]
    assert len(book.sheetnames[1]) == 31
    assert [list(row) for row in book["账单"].iter_rows(values_only=True)] == [
        ["房屋"],
        ["1-1-101"],
    ]


def test_totals_can_be_counted_while_the_rows_stream():
    seen = []

    def rows():
        for number in range(3):
            seen.append(number)
            yield [number, 100 * number]

    def totals():
        return [Total(f"合计（{len(seen)} 行）", {"金额": 100 * sum(seen)})]

    sheet = reopen([Column("序号", 6, "id"), Column("金额", 10, "money")], rows(), totals)
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        ["序号", "金额"],
        [0, 0],
        [1, 1],
        [2, 2],
        ["合计（3 行）", 3],
    ]


def test_the_characters_dropped_are_those_openpyxl_refuses():
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE as openpyxls

    from server.services import excel

    assert excel.ILLEGAL_CHARACTERS_RE.pattern == openpyxls.pattern
