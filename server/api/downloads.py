"""Files the API hands over: an Excel export as a download, and how the docs name it."""

from __future__ import annotations

from flask import Response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The OpenAPI description of a 200 that is a workbook (`@bp.doc(responses={200: ...})`).
XLSX_RESPONSE = {"description": "an .xlsx workbook", "content": {XLSX: {}}}


def xlsx_download(data: bytes, filename: str) -> Response:
    """An .xlsx made by `services/excel.py`, saved by the browser as `filename`."""
    return Response(
        data, mimetype=XLSX, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )
