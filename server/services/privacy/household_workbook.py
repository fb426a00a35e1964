"""A household's own data (`household_data.download`) as a workbook: one sheet per
kind of data, in the words people read."""

from __future__ import annotations

from datetime import datetime

from server.clock import SHANGHAI
from server.labels import label
from server.services import excel
from server.services.excel import Column, Sheet


def workbook(data: dict) -> bytes:
    """The .xlsx of a household's download."""
    return excel.xlsx(
        _household(data),
        Sheet(
            "家庭成员",
            [
                Column("称呼", 12),
                Column("关系", 8),
                Column("年龄段", 12),
                Column("电话", 16),
                Column("使用微信", 10, "yes_no"),
                Column("搬走时间", 18, "datetime"),
            ],
            [
                (
                    m["name"],
                    label("relation", m["relation"]),
                    label("age_band", m["age_band"]),
                    m["phone"],
                    m["uses_wechat"],
                    m["moved_out_at"],
                )
                for m in data["members"]
            ],
        ),
        Sheet("关爱标记", [Column("标记", 16)], [(label("care_tag", t),) for t in data["tags"]]),
        _visits(data["visits"]),
        Sheet(
            "排查记录",
            [
                Column("排查", 24),
                Column("结果", 50),
                Column("备注", 30),
                Column("需处理", 8, "yes_no"),
                Column("时间", 18, "datetime"),
            ],
            [
                (r["campaign"], _items(r["items"]), r["note"], r["needs_action"], r["recorded_at"])
                for r in data["campaign_results"]
            ],
        ),
        Sheet(
            "同意记录",
            [
                Column("告知", 24),
                Column("版本", 6, "number"),
                Column("方式", 28),
                Column("同意时间", 18, "datetime"),
                Column("撤回时间", 18, "datetime"),
            ],
            [
                (c.title, c.version, _method(c.method), c.given_at, c.withdrawn_at)
                for c in data["consents"]
            ],
        ),
        Sheet(
            "绑定住户",
            [Column("称呼", 12), Column("关系", 8), Column("绑定时间", 18, "datetime")],
            [(b["name"], label("relation", b["relation"]), b["since"]) for b in data["bindings"]],
        ),
        _issues(data["issues"]),
        Sheet(
            "账单",
            [
                Column("账期", 10),
                Column("项目", 16),
                Column("金额（元）", 12, "money"),
                Column("状态", 8),
                Column("缴费时间", 18, "datetime"),
            ],
            [
                (
                    b["period"],
                    b["item"],
                    b["amount_fen"],
                    label("bill_status", b["status"]),
                    b["paid_at"],
                )
                for b in data["bills"]
            ],
        ),
        Sheet(
            "谁看过本户信息",
            [
                Column("时间", 18, "datetime"),
                Column("谁", 16),
                Column("做了什么", 16),
                Column("原因", 30),
            ],
            [(v.at, v.who, v.action_label, v.reason) for v in data["viewed_by"]],
        ),
    )


def _household(data: dict) -> Sheet:
    household, census = data["household"], data["census"]
    rows = [
        ("小区", household["compound_name"]),
        ("房号", household["label"]),
        ("建筑面积（m²）", str(household["area_m2"])),
        ("居住情况", label("residence", census["occupancy"]) if census["occupancy"] else None),
        ("上次核实", census["confirmed_at"]),
        ("核实人", census["confirmed_by"]),
        ("搬走时间", census["moved_out_at"]),
    ]
    return Sheet(
        "本户",
        [Column("项目", 16), Column("内容", 30)],
        [(name, _text(value)) for name, value in rows],
    )


def _visits(visits: list[dict]) -> Sheet:
    return Sheet(
        "关爱走访",
        [
            Column("应走访日", 12, "date"),
            Column("状态", 8),
            Column("走访日", 12, "date"),
            Column("方式", 8),
            Column("情况", 8),
            Column("需关注", 8, "yes_no"),
            Column("记录", 30),
            Column("走访人", 12),
        ],
        [
            (
                v["due_on"],
                label("visit_status", v["status"]),
                v["visited_on"],
                label("visit_method", v["method"]),
                label("visit_how", v["how"]),
                v["concern"],
                v["note"],
                v["recorded_by"],
            )
            for v in visits
        ],
    )


def _issues(issues: list[dict]) -> Sheet:
    return Sheet(
        "我的报事",
        [
            Column("编号", 8, "id"),
            Column("类别", 10),
            Column("标题", 24),
            Column("描述", 40),
            Column("状态", 10),
            Column("提交时间", 18, "datetime"),
        ],
        [
            (
                i["id"],
                label("issue_category", i["category"]),
                i["title"],
                i["description"],
                label("issue_status", i["status"]),
                i["created_at"],
            )
            for i in issues
        ],
    )


def _items(items: list[dict]) -> str:
    return "；".join(f"{i['item']}{'✓' if i.get('ok') else '✗'}" for i in items or [])


def _method(method: str) -> str:
    # Two ways only (models: ConsentRecord.method); not a label group of its own.
    return "本人在小程序同意" if method == "app" else "上门时口头同意，志愿者代为记录"


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    return str(value)
