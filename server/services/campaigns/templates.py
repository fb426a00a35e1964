"""The checklists a sweep starts from, one per type (the committee may edit them)."""

from __future__ import annotations

from server.labels import label
from server.models.campaigns import CAMPAIGN_TYPES

CHECKLISTS = {
    "dispute": ["邻里矛盾", "噪音扰民", "楼道占用", "宠物纠纷", "其他纠纷"],
    "safety": [
        "楼道杂物",
        "电线私拉乱接",
        "燃气异味",
        "灭火器",
        "电动车入户充电",
        "窗户阳台坠物",
    ],
    "vulnerable": [
        "老人身体状况",
        "是否独居",
        "吃饭是否有人照应",
        "用药与就医",
        "家中安全隐患",
        "需要什么帮助",
    ],
}


def all_templates() -> list[dict]:
    """Every sweep type with its Chinese name and its default checklist."""
    return [
        {"type": kind, "label": label("campaign_type", kind), "checklist": list(CHECKLISTS[kind])}
        for kind in CAMPAIGN_TYPES
    ]
