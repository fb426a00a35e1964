"""The audit list of a vote: every counted ballot with its flat, area, choice, channel,
who recorded and confirmed it, and its receipt — for the finance supervisor (who checks
that each counted ballot belongs to a flat on the roll) and the committee only; the
choices and receipts only once the vote is closed. Every read is written to the access
log: who saw the ballots of which proposal, when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from server.errors import Conflict, Forbidden
from server.extensions import db
from server.labels import label
from server.models import Ballot, RollEntry
from server.services import excel
from server.services.decisions import access, ballots, roll_view
from server.services.people import users
from server.services.people.access import Principal, record_access

HIDDEN = "表决结束后显示"


@dataclass(frozen=True)
class AuditLine:
    household_id: int
    household_label: str
    area_m2: Decimal
    choice: str | None
    choice_label: str
    channel: str
    channel_label: str
    recorded_by: str
    confirmed_by: str | None
    cast_at: datetime
    counted_at: datetime | None
    receipt: str | None


def audit(principal: Principal, proposal_id: int) -> tuple[object, list[AuditLine]]:
    """(the proposal, its counted ballots by flat), the read logged.

    Raises NotFound, Forbidden (supervisor_or_committee), Conflict (proposal_state)."""
    proposal = access.readable(principal, proposal_id)
    compound_id = proposal.compound_id
    if not (principal.supervisor_of(compound_id) or principal.committee_of(compound_id)):
        raise Forbidden("只有财务监督和业委会可以查看核对清单", code="supervisor_or_committee")
    if proposal.status not in ("voting", "closed"):
        raise Conflict("表决开始后才有核对清单", code="proposal_state")
    rows = db.session.execute(
        select(Ballot, RollEntry.area_m2)
        .join(
            RollEntry,
            (RollEntry.proposal_id == Ballot.proposal_id)
            & (RollEntry.household_id == Ballot.household_id),
        )
        .where(Ballot.proposal_id == proposal.id, Ballot.status == "counted")
    ).all()
    labels = ballots.flat_labels(b.household_id for b, _ in rows)
    names = users.names_in(
        compound_id, [b.cast_by_id for b, _ in rows] + [b.confirmed_by_id for b, _ in rows]
    )
    # While the vote runs, nobody — the committee included — sees how a flat voted:
    # the list says which flats have a counted ballot and how it came; choices and
    # receipts once it is closed.
    secret = proposal.status == "voting"
    lines = [
        AuditLine(
            household_id=b.household_id,
            household_label=labels[b.household_id],
            area_m2=area,
            choice=None if secret else b.choice,
            choice_label=HIDDEN if secret else ballots.choice_label(proposal, b.choice),
            channel=b.channel,
            channel_label=label("ballot_channel", b.channel),
            recorded_by=names.get(b.cast_by_id, ""),
            confirmed_by=names.get(b.confirmed_by_id) if b.confirmed_by_id else None,
            cast_at=b.cast_at,
            counted_at=b.counted_at,
            receipt=None if secret else b.receipt,
        )
        for b, area in rows
    ]
    lines.sort(key=lambda line: roll_view.flat_order(line.household_label))
    record_access(principal, "audit_ballots", "proposal", [proposal.id], compound_id)
    db.session.commit()
    return proposal, lines


def audit_xlsx(principal: Principal, proposal_id: int) -> tuple[bytes, int]:
    """The audit list as an Excel workbook; (bytes, proposal id)."""
    proposal, lines = audit(principal, proposal_id)
    columns = [
        excel.Column("房号", 12),
        excel.Column("面积(m²)", 10),
        excel.Column("选项", 14),
        excel.Column("方式", 12),
        excel.Column("登记人", 12),
        excel.Column("核对人", 12),
        excel.Column("投票时间", 18, "datetime"),
        excel.Column("计入时间", 18, "datetime"),
        excel.Column("回执码", 14),
    ]
    rows = [
        [
            line.household_label,
            str(line.area_m2),
            line.choice_label,
            line.channel_label,
            line.recorded_by,
            line.confirmed_by,
            line.cast_at,
            line.counted_at,
            line.receipt,
        ]
        for line in lines
    ]
    sheet = excel.Sheet(f"表决核对清单{proposal.id}", columns, rows)
    return excel.xlsx(sheet), proposal.id
