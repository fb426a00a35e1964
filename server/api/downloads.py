"""Files the API hands over: an Excel export as a download, and how the docs name it."""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import Response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The OpenAPI description of a 200 that is a workbook (`@bp.doc(responses={200: ...})`).
XLSX_RESPONSE = {"description": "an .xlsx workbook", "content": {XLSX: {}}}


def disposition(filename: str, kind: str = "attachment") -> str:
    """A Content-Disposition naming the file; a Chinese name (报事登记.xlsx) goes in
    `filename*` (RFC 6266), with an ASCII fallback: a header holds no raw Chinese."""
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "", filename)
    if fallback == filename:
        return f'{kind}; filename="{filename}"'
    stem, dot, extension = fallback.rpartition(".")
    fallback = fallback if stem.strip("._-") else f"download{dot}{extension}"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def xlsx_download(data: bytes, filename: str) -> Response:
    """An .xlsx made by `services/excel.py`, saved by the browser as `filename`."""
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": disposition(filename)})
