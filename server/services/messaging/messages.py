"""What people read about an issue: inbox lines and WeChat template data.

Template data always fits WeChat's limits (`thing` ≤ 20 characters, `phrase` ≤ 5
Chinese characters, no newlines): long titles are shortened, never refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from server.clock import SHANGHAI
from server.labels import label
from server.models.issue import Issue, IssueEvent

# Template names → the data keys each uses (choose library templates with these keys).
TEMPLATE_KEYS = {
    "new_issue": ("thing1", "thing2", "phrase3", "time4"),
    "issue_status": ("thing1", "phrase2", "thing3", "time4"),
    "return_visit": ("thing1", "thing2", "time3"),
    "reminder": ("thing1", "thing2", "time3"),
}
_SPACES = re.compile(r"\s+")


def shorten(text: str | None, limit: int = 20) -> str:
    """One line of at most `limit` characters (an ellipsis marks a cut)."""
    flat = _SPACES.sub(" ", text or "").strip() or "—"
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def wx_time(moment: datetime) -> str:
    local = moment.astimezone(SHANGHAI)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


@dataclass(frozen=True)
class Message:
    """One message for one person: the inbox line and the push's template data."""

    kind: str
    template: str
    title: str
    body: str
    data: dict[str, str]
    page: str


def issue_page(issue: Issue) -> str:
    return f"pages/issue/index?id={issue.id}"


def new_issue(issue: Issue, location: str) -> Message:
    category = label("issue_category", issue.category)
    return Message(
        kind="new_issue",
        template="new_issue",
        title=f"新报事：{shorten(issue.title, 40)}",
        body=f"{location} · {category}：{shorten(issue.description, 200)}",
        data={
            "thing1": shorten(issue.title),
            "thing2": shorten(location),
            "phrase3": category if len(category) <= 5 else category[:5],
            "time4": wx_time(issue.created_at),
        },
        page=issue_page(issue),
    )


def status_changed(issue: Issue, event: IssueEvent) -> Message:
    status = label("issue_status", issue.status)
    note = event.note or _default_note(issue)
    on_behalf = f"（代 {issue.on_behalf_name} 报事）" if issue.on_behalf_name else ""
    return Message(
        kind="issue_status",
        template="issue_status",
        title=f"{shorten(issue.title, 30)}：{status}{on_behalf}",
        body=note,
        data={
            "thing1": shorten(issue.title),
            "phrase2": status,
            "thing3": shorten(note),
            "time4": wx_time(event.created_at),
        },
        page=issue_page(issue),
    )


def _default_note(issue: Issue) -> str:
    return {
        "accepted": "已有人受理，正在处理",
        "referred": f"已转交{issue.referral_body or '相关单位'}办理",
        "resolved": "已处理完毕，请确认并评价",
        "closed": "事项已完成，感谢您的反馈",
        "rejected": issue.reject_reason or "不予受理",
        "duplicate": "与已有事项重复，将合并处理",
    }.get(issue.status, label("issue_status", issue.status))


def reminder(issue: Issue, what: str, when: datetime, kind: str) -> Message:
    return Message(
        kind=kind,
        template="reminder",
        title=f"{what}：{shorten(issue.title, 30)}",
        body=what,
        data={"thing1": shorten(issue.title), "thing2": shorten(what), "time3": wx_time(when)},
        page=issue_page(issue),
    )


def return_visit(issue: Issue) -> Message:
    question = "问题是否已彻底解决？"
    return Message(
        kind="return_visit",
        template="return_visit",
        title=f"回访：{shorten(issue.title, 30)}",
        body=f"「{issue.title}」已完成一周，{question}请在小程序里告诉我们。",
        data={
            "thing1": shorten(issue.title),
            "thing2": question,
            "time3": wx_time(issue.closed_at or issue.created_at),
        },
        page=issue_page(issue) + "&return_visit=1",
    )
