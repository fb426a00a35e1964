"""工作交接: a unit handed over from its liaison to a successor (choose the unit, see
what would move and who could take over, then hand over), and the compound's
handovers, newest first. The API's own services (server/api/handovers.py)."""

from __future__ import annotations

import re

from flask import redirect, request, url_for

from server.api.schemas.handovers import HandoverIn
from server.console.blueprint import bp
from server.console.compound_forms import load, unit_choices, whole_number
from server.console.pages import act, compound_code, desk, render
from server.errors import ValidationFailed
from server.services.governance import handover_views
from server.services.governance import handovers as handover_service

PAGE = 20
LABELS = {"unit": "单元", "to_user_id": "接任人", "from_user_id": "卸任的联络人"}


def _before() -> int | None:
    value = request.args.get("before", "")
    if not value:
        return None
    if not re.fullmatch(r"[0-9]{1,18}", value):
        raise ValidationFailed("翻页参数不对，请回到第一页")
    return int(value)


@bp.get("/handovers")
def handovers():
    error = None
    try:
        items, next_before = handover_views.list_for(
            desk().principal, compound_code(), before=_before(), limit=PAGE
        )
    except ValidationFailed as refused:
        items, next_before, error = [], None, refused.message
    unit = (request.args.get("unit") or "").strip()
    preview = handover_views.preview(desk().principal, compound_code(), unit) if unit else None
    units, _ = unit_choices(compound_code())
    return render(
        "compound/handovers.html",
        title="工作交接",
        nav="desk.handovers",
        items=items,
        error=error,
        next_url=url_for("desk.handovers", before=next_before) if next_before else None,
        first_url=url_for("desk.handovers") if request.args.get("before") else None,
        can_hand_over=desk().role in ("committee", "admin"),
        units=units,
        unit=unit,
        preview=preview,
    )


@bp.post("/handovers")
def handover_start():
    form = request.form
    data = {
        "unit": form.get("unit"),
        "to_user_id": whole_number(form.get("to_user_id")),
        "from_user_id": whole_number(form.get("from_user_id")),
    }

    def hand_over():
        body = load(HandoverIn, data, LABELS)
        return handover_service.hand_over(
            desk().principal,
            compound_code(),
            body["unit"],
            body["to_user_id"],
            body["from_user_id"],
        )

    return act(
        hand_over,
        "交接完成：接任人已收到通知，在办事项已转给接任人",
        then=lambda _: redirect(url_for("desk.handovers")),
    )
