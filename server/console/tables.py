"""A desk table shown on the page, drawn as a chart and downloaded as Excel the same
way: its columns know how to show a value (yuan, percent) and write it to a sheet."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app, url_for

from server.console.pages import percent, yuan
from server.services.excel import Column, Sheet


@dataclass(frozen=True)
class Col:
    """A column of a dashboard table: `kind` text | number | money (fen) | percent (a
    fraction) | decimal; shown on the page and written to Excel the same way."""

    title: str
    kind: str = "text"
    width: int = 14
    wrap: bool = False  # long text that may wrap (the others keep to one line)

    @property
    def numeric(self) -> bool:
        return self.kind != "text"

    def show(self, value) -> str:
        if value is None:
            return "—"
        if self.kind == "money":
            return yuan(value)
        if self.kind == "percent":
            return percent(value)
        return str(value)

    def excel(self) -> Column:
        kind = {"money": "money", "number": "number"}.get(self.kind, "text")
        return Column(self.title, self.width, kind)

    def cell(self, value):
        if self.kind in ("money", "number"):
            return value
        return None if value is None else self.show(value)


@dataclass
class Table:
    key: str
    title: str  # the chart's heading and the sheet's title
    columns: list[Col]
    rows: list[list]
    chart: dict | None = None
    links: list[str | None] = field(default_factory=list)  # per row, for the first cell
    note: str = ""

    @property
    def cells(self) -> list[list[str]]:
        return [[c.show(v) for c, v in zip(self.columns, row, strict=True)] for row in self.rows]

    @property
    def url(self) -> str:
        return url_for("desk.dashboard_table", table=self.key)

    def sheet(self) -> Sheet:
        return Sheet(
            self.title,
            [c.excel() for c in self.columns],
            [[c.cell(v) for c, v in zip(self.columns, row, strict=True)] for row in self.rows],
        )


def page_exists(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def desk_link(endpoint: str, **values) -> str | None:
    """A link to another page of the desk, when that page exists (and the menu shows it)."""
    return url_for(endpoint, **values) if page_exists(endpoint) else None
