"""Reading a roster of flats from a spreadsheet: an .xlsx, or a CSV as Excel saves it
(UTF-8 with or without BOM, or GBK), with the Chinese headers 楼栋, 单元, 房号,
建筑面积(m²) and optionally 楼层, 状态, 备注.

This module reads the file (which kind, its encoding, its header, its size); each
data row is read by `roster_rows.RowReader` into a `RosterRow` or `Problem`s.
"""

from __future__ import annotations

import csv
import io

from server.errors import ValidationFailed
from server.services.governance.roster_rows import (
    COLUMNS,
    ParsedRoster,
    RowReader,
    cell_text,
    squash,
)

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
REQUIRED = ("building", "unit", "room", "area")


def bad_file(message: str) -> ValidationFailed:
    return ValidationFailed(message, code="bad_roster_file")


def parse(data: bytes, progress=None) -> ParsedRoster:
    """The rows and problems of a roster file. `progress(n)` is told each row read.

    Raises ValidationFailed (code bad_roster_file): not an xlsx or csv, unreadable, too
    big, no header row, a required header missing, more than 20,000 rows.
    """
    table = read_table(data)
    header = find_header(
        table, COLUMNS, REQUIRED, "文件是空的：第 1 行应为表头（楼栋、单元、房号、建筑面积）"
    )
    parsed = ParsedRoster()
    reader = RowReader(header, parsed)
    for line, cells in table:
        if not any(cell_text(c) for c in cells):
            continue
        parsed.count += 1
        if parsed.count > MAX_ROWS:
            raise bad_file(f"一次最多导入 {MAX_ROWS} 户，请分成几个文件导入")
        reader.read(line, cells)
        if progress:
            progress(1)
    if not parsed.count:
        raise bad_file("文件里没有房屋：表头下面请每行写一户")
    return parsed


def read_table(data: bytes):
    """(line, cells) of each row of an .xlsx (by its signature) or a .csv file, at most
    5 MB. Raises ValidationFailed (bad_roster_file)."""
    if len(data) > MAX_BYTES:
        raise bad_file("文件太大（超过 5 MB），请分成几个文件导入")
    return iter(_xlsx_rows(data) if data[:4] == b"PK\x03\x04" else _csv_rows(data))


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook

    # A damaged workbook fails in many ways (zip, XML, openpyxl's own): whatever it
    # is, the person can only save it again.
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = book.worksheets[0].iter_rows(values_only=True)
        for line, cells in enumerate(rows, start=1):
            yield line, list(cells)
    except Exception as error:
        raise bad_file("文件打不开，请用 Excel 另存为 .xlsx 后重试") from error


def _csv_rows(data: bytes):
    if b"\x00" in data[:4096] or data[:4] == b"\xd0\xcf\x11\xe0":
        raise bad_file("只能导入 .xlsx 或 .csv 文件（旧的 .xls 请用 Excel 另存为 .xlsx）")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise bad_file("文件内容读不出来，请用 Excel 另存为 .xlsx 或 .csv 后重试")
    try:
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise bad_file("文件内容读不出来，请用 Excel 另存为 .xlsx 或 .csv 后重试") from error
    return ((line, cells) for line, cells in enumerate(lines, start=1))


def find_header(table, columns: dict, required, empty: str) -> dict[str, int]:
    """Column key → index, from the first non-blank row (row 1 as the template has it):
    `columns` maps a key to (its heading, the prefixes a heading may start with).
    Raises ValidationFailed (bad_roster_file): a required heading missing, no rows
    (`empty` says what row 1 should be)."""
    for _line, cells in table:
        titles = [squash(cell_text(c)) for c in cells]
        if not any(titles):
            continue
        found: dict[str, int] = {}
        for index, title in enumerate(titles):
            for key, (_, starts) in columns.items():
                if key not in found and title and title.startswith(starts):
                    found[key] = index
                    break
        missing = [columns[key][0] for key in required if key not in found]
        if missing:
            raise bad_file(
                "表头缺少：" + "、".join(missing) + "。请使用「下载模板」得到的表格，第 1 行是表头"
            )
        return found
    raise bad_file(empty)


def estimate_rows(data: bytes) -> int:
    """About how many data rows a file has (for a progress bar); 0 when unknown."""
    if data[:4] != b"PK\x03\x04":
        return max(0, data.count(b"\n") - 1)
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
        return max(0, (sheet.max_row or 1) - 1)
    except Exception:
        return 0
