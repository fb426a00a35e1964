"""Registers (台账) and monthly figures of the request loop, for the committee.

The export carries no reporter names: a register is about matters, not people.
"""

from __future__ import annotations

import io
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import and_, or_, select

from server.errors import Forbidden, ValidationFailed
from server.extensions import db
from server.models import Building, Household, Unit, utcnow
from server.models.base import SHANGHAI
from server.models.issue import Issue, ReturnVisit
from server.services import compounds
from server.services.access import Principal
from server.services.issue_access import handled_filter
from server.services.issue_labels import location_label
from server.services.issue_states import STATUS_LABELS
from server.services.messages import CATEGORY_LABELS

EXPORT_MAX_ROWS = 20_000
COLUMNS = (
    ("编号", 8),
    ("类别", 10),
    ("标题", 30),
    ("位置", 14),
    ("状态", 10),
    ("报事时间", 18),
    ("受理时间", 18),
    ("办结时间", 18),
    ("完成时间", 18),
    ("办理方式", 10),
    ("承办单位", 16),
    ("对方编号", 16),
    ("评分", 6),
    ("是否超时", 8),
)


def export_xlsx(principal: Principal, code: str, category: str | None, status: str | None) -> bytes:
    """The register of a compound's issues as an Excel workbook (issues the caller handles).

    Raises NotFound (not the caller's compound), Forbidden (handles nothing there).
    """
    compound = _handled_compound(principal, code)
    query = (
        select(Issue, Building.number, Unit.number, Household.room)
        .outerjoin(Building, Building.id == Issue.building_id)
        .outerjoin(Unit, Unit.id == Issue.unit_id)
        .outerjoin(Household, Household.id == Issue.household_id)
        .where(Issue.compound_id == compound.id, handled_filter(principal))
        .order_by(Issue.id)
        .limit(EXPORT_MAX_ROWS)
    )
    if category:
        query = query.where(Issue.category == category)
    if status:
        query = query.where(Issue.status == status)
    now = utcnow()
    sheet_name = CATEGORY_LABELS.get(category, "全部事项") if category else "全部事项"
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{sheet_name}台账"
    sheet.append([name for name, _ in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, (_, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = width
    for issue, building_no, unit_no, room in db.session.execute(query):
        sheet.append(_row(issue, location_label(building_no, unit_no, room), now))
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _row(issue: Issue, location: str, now: datetime) -> list:
    return [
        issue.id,
        CATEGORY_LABELS[issue.category],
        _safe(issue.title),
        location,
        STATUS_LABELS[issue.status],
        _local(issue.created_at),
        _local(issue.accepted_at),
        _local(issue.resolved_at),
        _local(issue.closed_at),
        {"onsite": "现场处理", "referral": "转办"}.get(issue.track or "", ""),
        _safe(issue.referral_body or ""),
        _safe(issue.referral_ref or ""),
        issue.rating or "",
        "是" if issue.is_overdue(now) else "",
    ]


def _safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV/Excel injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _local(moment: datetime | None) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if moment else ""


def _handled_compound(principal: Principal, code: str):
    compound = compounds.member_compound(principal, code)
    handles_any = any(
        m.compound_id == compound.id and m.role in ("committee", "building_lead", "liaison")
        for m in principal.memberships
    )
    if not handles_any:
        raise Forbidden("只有联络人、楼栋长和业委会可以导出台账", code="not_a_handler")
    return compound


# ----- monthly figures -----


@dataclass
class Figures:
    reported: int = 0
    resolved: int = 0
    closed: int = 0
    accept_hours: list[float] = field(default_factory=list)
    resolve_hours: list[float] = field(default_factory=list)
    ratings: list[int] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "reported": self.reported,
            "resolved": self.resolved,
            "closed": self.closed,
            "median_hours_to_accept": _median(self.accept_hours),
            "median_hours_to_resolve": _median(self.resolve_hours),
            "satisfaction": round(statistics.fmean(self.ratings), 2) if self.ratings else None,
            "ratings": len(self.ratings),
        }


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """ "2026-12" → its first instant and the next month's, Asia/Shanghai, as UTC."""
    try:
        year, number = (int(part) for part in month.split("-"))
        start = datetime(year, number, 1, tzinfo=SHANGHAI)
    except ValueError:
        raise ValidationFailed("月份格式应为 YYYY-MM，如 2026-12", code="bad_month") from None
    end = (start + timedelta(days=32)).replace(day=1)
    return start, end


def monthly_stats(principal: Principal, code: str, month: str) -> dict:
    """A month's figures for a compound: reported, resolved, closed, median times to
    accept and resolve, satisfaction and return-visit answers, by category and building.

    Raises NotFound, Forbidden (the committee and the supervisor read them).
    """
    compound = compounds.member_compound(principal, code)
    if not (principal.committee_of(compound.id) or principal.supervisor_of(compound.id)):
        raise Forbidden("只有业委会和财务监督可以查看统计", code="committee_only")
    start, end = month_bounds(month)
    rows = db.session.execute(
        select(Issue, Building.number)
        .outerjoin(Building, Building.id == Issue.building_id)
        .where(
            Issue.compound_id == compound.id,
            or_(
                and_(Issue.created_at >= start, Issue.created_at < end),
                and_(Issue.resolved_at >= start, Issue.resolved_at < end),
                and_(Issue.closed_at >= start, Issue.closed_at < end),
            ),
        )
    ).all()
    total, by_category, by_building = Figures(), defaultdict(Figures), defaultdict(Figures)
    for issue, building_no in rows:
        for figures in (total, by_category[issue.category], by_building[building_no]):
            _count(figures, issue, start, end)
    return {
        "month": month,
        **total.summary(),
        "return_visits": _visit_answers(compound.id, start, end),
        "by_category": [
            {"category": c, "label": CATEGORY_LABELS[c], **f.summary()}
            for c, f in sorted(by_category.items())
        ],
        "by_building": [
            {"building": b, **f.summary()}
            for b, f in sorted(by_building.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
        ],
    }


def _count(figures: Figures, issue: Issue, start: datetime, end: datetime) -> None:
    if start <= issue.created_at < end:
        figures.reported += 1
        if issue.accepted_at:
            figures.accept_hours.append(
                (issue.accepted_at - issue.created_at).total_seconds() / 3600
            )
    if issue.resolved_at and start <= issue.resolved_at < end:
        figures.resolved += 1
        figures.resolve_hours.append((issue.resolved_at - issue.created_at).total_seconds() / 3600)
    if issue.status == "closed" and issue.closed_at and start <= issue.closed_at < end:
        figures.closed += 1
        if issue.rating:
            figures.ratings.append(issue.rating)


def _visit_answers(compound_id: int, start: datetime, end: datetime) -> dict:
    answers = db.session.scalars(
        select(ReturnVisit.answer).where(
            ReturnVisit.compound_id == compound_id,
            ReturnVisit.answered_at >= start,
            ReturnVisit.answered_at < end,
        )
    ).all()
    return {
        "answered": len(answers),
        "fixed": answers.count("fixed"),
        "not_fixed": answers.count("not_fixed"),
    }
