"""The notices people consent to (what is collected, why, who sees it), versioned.

A changed text is a new version appended here, never an edit of an old one: every
consent record names the version it was given to.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.clock import utcnow
from server.extensions import db
from server.models import ConsentRecord


@dataclass(frozen=True)
class Notice:
    kind: str
    version: int
    title: str
    text: str


NOTICES = {
    ("binding", 1): Notice(
        "binding",
        1,
        "绑定房屋个人信息告知",
        "为核实您是本户住户，我们收集您的微信标识、您填写的称呼和与本户的关系。"
        "用途：报事、缴费、公告和业主表决。"
        "能看到的人：本单元联络人、楼栋长和业委会（审核绑定）。"
        "您可以随时在“我的”里查看、下载本户信息，或申请删除。",
    ),
    ("census", 1): Notice(
        "census",
        1,
        "住户登记个人信息告知",
        "为了解本户住了谁、谁需要帮助，我们登记住户的称呼、与本户的关系、年龄段、"
        "联系电话（加密保存）、是否使用微信，以及独居老人、残疾、困难等关爱标记。"
        "用途：上门走访、排查隐患、紧急时联系。"
        "能看到的人：本户、本单元联络人、楼栋长和业委会；电话全号只有本单元联络人和业委会能看到，"
        "每次查看都有记录，您可以在“我的”里看到谁看过。财务监督、其他住户看不到。"
        "搬走后 180 天内匿名化。您可以随时查看、更正、下载本户信息，或申请删除。",
    ),
}


def current(kind: str) -> Notice:
    """The newest notice of a kind."""
    version = max(v for k, v in NOTICES if k == kind)
    return NOTICES[(kind, version)]


def record(
    kind: str,
    compound_id: int,
    *,
    version: int | None = None,
    household_id: int | None = None,
    user_id: int | None = None,
    member_id: int | None = None,
    method: str = "app",
    recorded_by_id: int | None = None,
) -> ConsentRecord:
    """Record a consent to a notice (the current version unless one is named). Does not
    commit. `method` "doorstep": given aloud to the volunteer who records it."""
    notice = NOTICES.get((kind, version)) if version is not None else current(kind)
    if notice is None:
        notice = current(kind)
    row = ConsentRecord(
        compound_id=compound_id,
        household_id=household_id,
        user_id=user_id,
        member_id=member_id,
        kind=kind,
        version=notice.version,
        method=method,
        recorded_by_id=recorded_by_id,
        created_at=utcnow(),
    )
    db.session.add(row)
    return row
