"""Excel workbooks people read: the one export module every .xlsx goes through.

An export describes its sheets (`Sheet`: a title, `Column`s with their widths and
kinds, the rows, `Total` rows) and `xlsx(*sheets)` makes the file. Each sheet has a
header (bold, frozen, with a filter), the rows and bold totals rows, each cell
written by its column's kind:

- text: as text; one a spreadsheet would run as a formula or command (starting with
  = + - @, a tab or a carriage return) is prefixed with ' so it stays text
  (CSV/Excel injection), and characters Excel cannot hold are dropped;
- money: integer fen written as yuan, a number shown with two decimals;
- datetime: a real date-time in Asia/Shanghai (a date alone is written as a date);
- date; id (a whole number, the same in every sheet); number; yes_no (是/否, never blank).

A sheet's title loses what Excel refuses in one ([]:*?/\\) and is cut to 31 characters.

Workbooks are written in openpyxl's write-only mode: each row goes to the file as it
comes, so the memory an export takes does not grow with its rows (`rows` may be a
generator reading the database in batches).

openpyxl is imported when a workbook is first written, not when the app starts: every
process (a worker, the scheduler, each CLI command) would pay for it otherwise.
"""

from __future__ import annotations

import contextlib
import functools
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from server.clock import SHANGHAI

FORMATS = {
    "money": "0.00",
    "datetime": "yyyy-mm-dd hh:mm",
    "date": "yyyy-mm-dd",
    "id": "0",
    "number": "0",
}
KINDS = {"text", "yes_no", *FORMATS}
# A cell starting with one of these may be run by a spreadsheet (formula, DDE).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters a cell cannot hold: openpyxl's ILLEGAL_CHARACTERS_RE (openpyxl.cell.cell),
# the same pattern (tests/server/services/test_excel.py holds them equal).
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
TITLE_REFUSED = re.compile(r"[\[\]:*?/\\]")
TITLE_MAX = 31


@dataclass(frozen=True)
class Column:
    title: str
    width: int
    kind: str = "text"

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass(frozen=True)
class Total:
    """A bold row after the data: `label` in the first column, `values` by column title."""

    label: str
    values: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: its rows have one value per column. `totals` may be a
    function, called once the rows are written (totals counted while they stream)."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence]
    totals: Sequence[Total] | Callable[[], Sequence[Total]] = ()


def xlsx(*sheets: Sheet) -> bytes:
    """A workbook of these sheets, in this order, as the bytes of an .xlsx file."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    try:
        for sheet in sheets:
            page = book.create_sheet(sheet_title(sheet.title))
            write_sheet(page, sheet.columns, sheet.rows, sheet.totals)
    except BaseException:
        _abandon(book)
        raise
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _abandon(book) -> None:
    """Close a write-only workbook given up half-written (a bad row), so its sheets'
    temporary files are not left open until the garbage collector trips on them."""
    for page in book.worksheets:
        with contextlib.suppress(Exception):
            page.close()


def sheet_title(title: str) -> str:
    """A title Excel accepts: without []:*?/\\, at most 31 characters, never empty."""
    return TITLE_REFUSED.sub("", ILLEGAL_CHARACTERS_RE.sub("", title))[:TITLE_MAX] or "Sheet"


def safe_text(value: object) -> str | None:
    """Text that stays text in a spreadsheet: never a formula, nothing Excel refuses."""
    if value is None:
        return None
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if not text:
        return None
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cell_value(kind: str, value: object) -> object:
    """What a cell of `kind` holds for `value` (None: a blank cell)."""
    if kind == "yes_no":
        return "是" if value else "否"
    if value is None or value == "":
        return None
    if kind == "text":
        return safe_text(value)
    if kind == "money":
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"money is integer fen, not {value!r}")
        return Decimal(value) / 100
    if kind == "datetime" and isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(SHANGHAI).replace(tzinfo=None)  # Excel has no time zones
    if kind in ("datetime", "date"):
        if not isinstance(value, date):
            raise TypeError(f"not a date: {value!r}")
        return value
    return int(value)  # id, number


def _format(kind: str, value: object) -> str | None:
    if kind == "datetime" and not isinstance(value, datetime):
        return FORMATS["date"]  # a day without a time, in a column of times
    return FORMATS.get(kind)


def write_sheet(
    sheet,
    columns: Sequence[Column],
    rows: Iterable[Sequence],
    totals: Sequence[Total] | Callable[[], Sequence[Total]] = (),
) -> int:
    """Write the header, the rows and the totals on an empty write-only sheet; returns
    the number of data rows. Each row has one value per column; `totals` may be a
    function, called after the last row."""
    from openpyxl.utils import get_column_letter

    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.append([_cell(sheet, column.title, bold=True) for column in columns])
    count = 0
    for row in rows:
        if len(row) != len(columns):
            raise ValueError(f"{len(row)} values for {len(columns)} columns")
        _append(sheet, columns, row)
        count += 1
    if count:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    titles = [column.title for column in columns]
    for total in totals() if callable(totals) else totals:
        values: list[object] = [None] * len(columns)
        for title, value in total.values.items():
            values[titles.index(title)] = value
        _append(sheet, columns, values, label=total.label)
    return count


def _append(sheet, columns: Sequence[Column], row: Sequence, label: str | None = None) -> None:
    """One row; a totals row (with its `label`) is bold."""
    values = []
    for column, value in zip(columns, row, strict=True):
        if column.kind == "yes_no" and label is not None:
            values.append(None if value is None else cell_value("text", value))
        else:
            values.append(cell_value(column.kind, value))
    if label is not None:
        values[0] = safe_text(label)
    cells = []
    for index, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
        number_format = _format(column.kind, value)
        if number_format and value is not None and not (label and index == 1):
            cells.append(_cell(sheet, value, bold=label is not None, number_format=number_format))
        elif label is not None:
            cells.append(_cell(sheet, value, bold=True))
        else:
            cells.append(value)
    sheet.append(cells)


def _cell(sheet, value: object, *, bold: bool = False, number_format: str | None = None):
    """A styled cell for a write-only sheet (plain values need none)."""
    cell = _write_only_cell()(sheet, value=value)
    if bold:
        cell.font = _bold()
    if number_format:
        cell.number_format = number_format
    return cell


@functools.cache
def _write_only_cell():
    from openpyxl.cell import WriteOnlyCell

    return WriteOnlyCell


@functools.cache
def _bold():
    from openpyxl.styles import Font

    return Font(bold=True)
