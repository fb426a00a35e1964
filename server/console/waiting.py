"""等你处理: what waits for the person at the desk, one line per kind with its count and
the page where it is done. Each count comes from the domain service next to the list
the page shows (`waiting_count`, `waiting`), called with the desk's principal: it counts
only what this person may act on (not what they recorded or proposed themselves, which
the two-person rule refuses; the supervisor's steps for the supervisor, the committee's
for the committee). A kind with nothing waiting is left out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from server.console.nav import NAV
from server.console.pages import desk
from server.console.tables import desk_link
from server.errors import Forbidden, NotFound
from server.services.decisions import paper_ballots
from server.services.disclosures import views as disclosures
from server.services.income import records as income
from server.services.issues import statistics
from server.services.money import offline_payments, pending_changes
from server.services.spending import views as spending

# The proposals of a kind waiting for a second committee member: what the line says
# and the page where they are decided.
CHANGES = (
    (("fee_change",), "{n} 项收费调整等你确认", "desk.fees"),
    (("meter_reading", "meter_void"), "{n} 项抄表读数或作废等你确认", "desk.meter_readings"),
    (("refund",), "{n} 笔退款等你确认", "desk.anomalies"),
    (("wechat_refund",), "{n} 笔微信退款等你确认", "desk.refunds"),
    (("roster_change",), "{n} 项房屋面积或空置变更等你确认", "desk.roster"),
)
DISCLOSURE_STEPS = (
    ("sign_off", "{n} 份月度公示等你审核"),
    ("publish", "{n} 份月度公示已审核通过，等你发布"),
    ("correct", "{n} 份月度公示有异议，等你更正"),
)
PAGES = {endpoint: label for _, entries in NAV for endpoint, label, _ in entries}


@dataclass(frozen=True)
class Waiting:
    count: int
    text: str  # "2 笔现金或转账等你确认"
    page: str  # the page's name in the menu: "待确认的现金"
    link: str


class _Counts:
    """The services' counts for the person at the desk; a refusal counts nothing."""

    def __init__(self):
        self.principal = desk().principal
        self.code = desk().compound.code

    def read(self, count: Callable, nothing):
        try:
            return count(self.principal, self.code)
        except (Forbidden, NotFound):  # the admin is no member of the compound
            return nothing


def waiting_for_me() -> list[Waiting]:
    """The lines of 等你处理 for the person at the desk, in the menu's order."""
    counts = _Counts()
    found: list[Waiting | None] = []

    issues = counts.read(statistics.overdue_count, 0)
    found.append(_line(issues, "{n} 件报事已超过处理时限", "desk.issues", overdue=1))

    cash = counts.read(offline_payments.waiting_count, 0)
    found.append(_line(cash, "{n} 笔现金或转账等你确认", "desk.offline_payments"))
    changes = counts.read(pending_changes.waiting, {})
    for kinds, text, endpoint in CHANGES:
        found.append(_line(sum(changes.get(k, 0) for k in kinds), text, endpoint))

    expenses = counts.read(spending.waiting_count, 0)
    found.append(_line(expenses, "{n} 笔支出等你处理", "desk.expenses", waiting=1))
    records = counts.read(income.waiting_count, 0)
    found.append(_line(records, "{n} 笔公共收入等你确认", "desk.income", status="pending"))
    steps = counts.read(disclosures.waiting, {})
    for step, text in DISCLOSURE_STEPS:
        found.append(_line(steps.get(step, 0), text, "desk.disclosures"))

    papers = counts.read(paper_ballots.waiting, {})
    if len(papers) == 1:  # one vote: its page, where the ballots wait
        (proposal_id,) = papers
        found.append(
            _line(
                papers[proposal_id],
                "{n} 张纸质表决票等你核对",
                "desk.proposal",
                page="desk.proposals",
                proposal_id=proposal_id,
            )
        )
    else:
        total = sum(papers.values())
        text = f"{{n}} 张纸质表决票等你核对（{len(papers)} 个表决）"
        found.append(_line(total, text, "desk.proposals", status="voting"))
    return [line for line in found if line is not None]


def _line(count: int, text: str, endpoint: str, page: str | None = None, **args) -> Waiting | None:
    """A line when something waits and its page is on this desk."""
    link = desk_link(endpoint, **args) if count else None
    if link is None:
        return None
    return Waiting(count, text.format(n=count), PAGES.get(page or endpoint, ""), link)
