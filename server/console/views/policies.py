"""处理时限: per issue category, within how many hours a report is to be accepted and in
how many days resolved (for issues reported from now on). The API's own service
(server/api/compounds.py /policies)."""

from __future__ import annotations

from flask import request

from server.api.schemas.issues import PolicyIn
from server.console.blueprint import bp
from server.console.compound_forms import load, whole_number
from server.console.pages import act, desk, render
from server.labels import label
from server.services.issues import policies as policy_service

LABELS = {"accept_hours": "受理时限（小时）", "resolve_days": "办结时限（天）"}


@bp.get("/policies")
def policies():
    found = policy_service.compound_policies(desk().principal, desk().compound.code)
    return render(
        "compound/policies.html",
        title="处理时限",
        nav="desk.policies",
        items=[(c, label("issue_category", c), p) for c, p in found.items()],
        can_change=desk().role in ("committee", "admin"),
    )


@bp.post("/policies/<string(maxlength=16):category>")
def policy_save(category: str):
    data = {k: whole_number(request.form.get(k)) for k in LABELS}
    name = label("issue_category", category)
    return act(
        lambda: policy_service.update_policy(
            desk().principal, desk().compound.code, category, **load(PolicyIn, data, LABELS)
        ),
        f"已保存“{name}”的处理时限，从现在起新的报事按新时限计算",
    )
