"""The desk's menu, as data: (section, [(endpoint, label, roles)]). An entry whose view
is not registered is left out; `roles` None: every desk role."""

from __future__ import annotations

from flask import current_app, request

from server.console.pages import desk

MONEY_ROLES = ("committee", "supervisor")
NAV = (
    ("", [("desk.dashboard", "概览", None)]),
    # The supervisor checks money, not issues (the issue services answer them nothing).
    ("报事", [("desk.issues", "报事登记", ("committee",))]),
    (
        "收费与账目",
        [
            ("desk.payments", "缴费记录", MONEY_ROLES),
            ("desk.offline_payments", "待确认的现金", MONEY_ROLES),
            ("desk.anomalies", "异常与退款", MONEY_ROLES),
            ("desk.refunds", "退款记录", MONEY_ROLES),
            ("desk.reconciliation", "每日对账", MONEY_ROLES),
            ("desk.ledger", "账本", MONEY_ROLES),
            ("desk.fees", "收费项目", MONEY_ROLES),
            ("desk.meter_readings", "抄表", MONEY_ROLES),
            ("desk.expenses", "支出", MONEY_ROLES),
            ("desk.income", "公共收入", MONEY_ROLES),
            ("desk.disclosures", "月度公示", MONEY_ROLES),
        ],
    ),
    (
        "小区",
        [
            ("desk.roster", "房屋名册", None),
            ("desk.people", "人员与角色", None),
            ("desk.handovers", "工作交接", None),
            ("desk.policies", "处理时限", None),
            ("desk.audit", "操作记录", None),
            ("desk.access_log", "查阅记录", None),
        ],
    ),
    (
        "议事与关怀",
        [
            ("desk.proposals", "议题与表决", None),
            # The census and care are not the supervisor's (README: who sees what).
            ("desk.coverage", "住户信息", ("committee",)),
            ("desk.campaigns", "入户走访", ("committee",)),
            ("desk.visits", "关怀回访", ("committee",)),
        ],
    ),
)


def menu(current: str | None = None) -> list[dict]:
    """The sections the person at the desk sees, `current` (default: this page's
    endpoint) marked."""
    current = current or request.endpoint
    views = current_app.view_functions
    role = desk().role
    sections = []
    for title, entries in NAV:
        items = [
            {"endpoint": endpoint, "label": label, "current": current == endpoint}
            for endpoint, label, roles in entries
            if endpoint in views and (roles is None or role in roles or role == "admin")
        ]
        if items:
            sections.append({"title": title, "items": items})
    return sections
