"""议题与表决: the compound's proposals (the same services as /api/v1/proposals and the
ballots API): the list by state, one proposal with its versions, comments, turnout and
the committee's next steps, the paper ballots waiting for a second person, and the
result exactly as the count stored it."""

from __future__ import annotations

from datetime import datetime

from flask import redirect, request, url_for

from server.api.downloads import xlsx_download
from server.api.schemas.proposals import (
    ProposalIn,
    ProposalOpenIn,
    ProposalPublishIn,
    ProposalWithdrawIn,
)
from server.clock import SHANGHAI, utcnow
from server.console import forms
from server.console.blueprint import bp
from server.console.pages import act, desk, render
from server.errors import NotFound, ValidationFailed
from server.labels import label
from server.models.decisions import DEFAULT_OPTIONS, MATTERS, PROPOSAL_STATUSES
from server.services.decisions import (
    audit_list,
    closing,
    comments,
    notice,
    opening,
    paper_ballots,
    results,
    views,
)
from server.services.decisions import proposals as drafting

NOT_FOUND = "没有这个表决事项"
FIELD_NAMES = {
    "title": "标题",
    "body": "内容",
    "matter": "表决事项",
    "notice_days": "公示天数",
    "closes_at": "表决截止时间",
    "reason": "原因",
    "type": "排查类型",
    "scope": "范围",
    "due_on": "截止日期",
    "checklist": "检查项目",
    "items": "走访频次",
}


def loaded(schema, data: dict) -> dict:
    """A form's fields checked by the API's own schema, named in Chinese on refusal."""
    return forms.load(schema, data, FIELD_NAMES)


@bp.get("/proposals")
def proposals():
    status = request.args.get("status") or None
    if status not in PROPOSAL_STATUSES:
        status = None
    items = views.listing(desk().principal, desk().compound.code, status)
    states = [(s, label("proposal_status", s)) for s in PROPOSAL_STATUSES]
    return render(
        "decisions/proposals.html",
        title="议题与表决",
        nav="desk.proposals",
        items=items,
        limit=views.LIST_LIMIT,
        state=status,
        state_label=label("proposal_status", status) if status else None,
        states=states,
        matters=[(m, label("matter", str(m))) for m in MATTERS],
        committee=bool(desk().principal.committee_of(desk().compound.id)),
    )


@bp.post("/proposals")
def proposal_draft():
    def work():
        fields = loaded(
            ProposalIn(),
            {
                "title": request.form.get("title", ""),
                "body": request.form.get("body", ""),
                "matter": _int(request.form.get("matter")),
                "options": [dict(o) for o in DEFAULT_OPTIONS],
            },
        )
        return drafting.draft(desk().principal, desk().compound.code, fields)

    return act(work, "草稿已保存，公示前还可以修改", then=_to_proposal)


@bp.get("/proposals/<int:proposal_id>")
def proposal(proposal_id: int):
    principal = desk().principal
    shown = views.detail(principal, proposal_id)
    _ours(shown)
    said, more = comments.listing(principal, proposal_id, version=None, cursor=None)
    papers = []
    if shown["status"] == "voting" and "record_paper" in shown["actions"]:
        papers = paper_ballots.listing(principal, proposal_id, "pending")
    return render(
        "decisions/proposal.html",
        title=shown["title"],
        nav="desk.proposals",
        p=shown,
        comments=said,
        more_comments=bool(more),
        papers=papers,
        now_local=utcnow().astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M"),
    )


@bp.get("/proposals/<int:proposal_id>/result")
def proposal_result(proposal_id: int):
    shown = views.detail(desk().principal, proposal_id)
    _ours(shown)
    result = results.result(desk().principal, proposal_id)
    return render(
        "decisions/result.html",
        title=f"表决结果：{shown['title']}",
        nav="desk.proposals",
        p=shown,
        r=result,
        choice_labels={o["choice"]: o["label"] for o in result["options"]},
    )


@bp.get("/proposals/<int:proposal_id>/audit.xlsx")
def proposal_audit(proposal_id: int):
    data, number = audit_list.audit_xlsx(desk().principal, proposal_id)
    return xlsx_download(data, f"表决核对清单-{number}.xlsx")


@bp.post("/proposals/<int:proposal_id>/publish")
def proposal_publish(proposal_id: int):
    def work():
        raw = request.form.get("notice_days") or None
        days = loaded(ProposalPublishIn(), {"notice_days": _int(raw)} if raw else {})
        return notice.publish(desk().principal, proposal_id, days.get("notice_days"))

    return act(work, "已公示，住户都会收到通知")


@bp.post("/proposals/<int:proposal_id>/open")
def proposal_open(proposal_id: int):
    def work():
        closes = _local_time(request.form.get("closes_at", ""))
        body = loaded(ProposalOpenIn(), {"closes_at": closes})
        return opening.open_vote(desk().principal, proposal_id, body["closes_at"])

    return act(work, "表决已开始，业主会收到通知")


@bp.post("/proposals/<int:proposal_id>/close")
def proposal_close(proposal_id: int):
    return act(lambda: closing.close(desk().principal, proposal_id), "表决已结束，结果已算出")


@bp.post("/proposals/<int:proposal_id>/withdraw")
def proposal_withdraw(proposal_id: int):
    def work():
        body = loaded(ProposalWithdrawIn(), {"reason": request.form.get("reason", "")})
        return drafting.withdraw(desk().principal, proposal_id, body["reason"])

    return act(work, "已撤回")


@bp.post("/paper-ballots/<int:ballot_id>/confirm")
def paper_confirm(ballot_id: int):
    return act(lambda: paper_ballots.confirm(desk().principal, ballot_id), "已核对，这张票已计入")


@bp.post("/paper-ballots/<int:ballot_id>/reject")
def paper_reject(ballot_id: int):
    def work():
        body = loaded(ProposalWithdrawIn(), {"reason": request.form.get("reason", "")})
        return paper_ballots.reject(desk().principal, ballot_id, body["reason"])

    return act(work, "已驳回，这张票不计入")


def _ours(shown: dict) -> None:
    """Another compound's proposal (the member may belong to several): not on this desk."""
    if shown["compound"] != desk().compound.code:
        raise NotFound(NOT_FOUND, code="proposal_not_found")


def _to_proposal(created):
    return redirect(url_for("desk.proposal", proposal_id=created.id))


def _int(value) -> int | str | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def _local_time(value: str) -> str:
    """A datetime-local field (Shanghai's clock) as the ISO time with its offset."""
    try:
        parsed = datetime.strptime(value.strip() + "+0800", "%Y-%m-%dT%H:%M%z")
    except ValueError:
        raise ValidationFailed("请填写表决截止的日期和时间") from None
    return parsed.isoformat()
