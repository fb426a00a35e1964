"""The Chinese wording of every code people read: the one source.

Each group maps a stored code to what a resident or volunteer reads. The groups in
`SERVED` go to the mini-program through GET /api/v1/config (`labels`, with
`labels_version` so a cached copy can tell it is stale); its own copy in
miniprogram/utils/labels-builtin.js is only an offline fallback and must say the same
(tests/server/api/test_labels_sync.py holds it). The other groups are the server's
own (timeline lines, registers, receipts, the reconciliation report).

No other module defines a code → Chinese dict: it calls `label(group, code)`.
"""

from __future__ import annotations

import hashlib
import json

GROUPS: dict[str, dict[str, str]] = {
    # Issues (报事).
    "issue_category": {
        "repair": "报修",
        "hazard": "安全隐患",
        "dispute": "矛盾纠纷",
        "care": "困难帮扶",
        "suggestion": "建议",
        "other": "其他",
    },
    "issue_status": {
        "submitted": "待受理",
        "accepted": "处理中",
        "referred": "已转办",
        "resolved": "已解决",
        "closed": "已完成",
        "rejected": "不予受理",
        "duplicate": "重复事项",
    },
    # The buttons an issue's detail offers for its `actions`.
    "issue_action": {
        "accept": "受理",
        "refer": "转办",
        "resolve": "办结",
        "confirm": "确认完成",
        "reopen": "重新打开",
        "reject": "不予受理",
        "mark_duplicate": "标为重复",
    },
    # A timeline line's verb (`action_label`), the system's moves included; also what
    # a refusal says cannot be done ("不能确认").
    "issue_event": {
        "submit": "提交",
        "accept": "受理",
        "refer": "转办",
        "resolve": "办结",
        "confirm": "确认",
        "reopen": "重新打开",
        "reject": "不予受理",
        "mark_duplicate": "标为重复",
        "auto_close": "自动完成",
        "escalate": "超时提醒",
        "follow_up": "转办跟进",
        "return_visit": "回访",
        "return_visit_reopen": "回访未解决",
    },
    # The two dispatch tracks (the register's 办理方式).
    "issue_track": {"onsite": "现场处理", "referral": "转办"},
    # People.
    "role": {
        "resident": "住户",
        "liaison": "单元联络人",
        "building_lead": "楼栋长",
        "committee": "业委会委员",
        "supervisor": "财务监督",
        "admin": "平台管理员",
    },
    "scope": {
        "household": "户",
        "unit": "单元",
        "building": "楼栋",
        "compound": "小区",
        "platform": "平台",
    },
    "relation": {"owner": "业主", "tenant": "租户", "family": "家属"},
    "binding_status": {
        "pending": "待审核",
        "approved": "已通过",
        "rejected": "已拒绝",
        "cancelled": "已撤回",
        "expired": "已过期",
    },
    # A flat as the roster names it (状态 自住/出租/空置).
    "occupancy": {"occupied": "有人住", "vacant": "空置"},
    "tenure": {"owner": "自住", "rented": "出租"},
    # The compound's audit log (任免与交接记录).
    "audit_action": {
        "compound_opened": "开通小区",
        "invite_created": "发出任命邀请",
        "invite_revoked": "作废任命邀请",
        "appointed": "任命",
        "revoked": "免去",
        "term_set": "设定任期",
        "handover": "工作交接",
        "roster_imported": "导入房屋名册",
        "roster_change_confirmed": "确认房屋调整",
        "roster_change_rejected": "驳回房屋调整",
        "console_signed_in": "扫码登录电脑",
        "console_signed_out_everywhere": "退出所有电脑",
        "pay_merchant_changed": "更换收款商户",
    },
    # Money in the open: spending, public income, the notice board.
    "expense_category": {
        "repair": "维修",
        "cleaning": "保洁",
        "electricity": "电费",
        "greening": "绿化",
        "activities": "活动",
        "office": "办公",
        "other": "其他",
    },
    "expense_status": {
        "proposed": "待审核",
        "objected": "有异议",
        "approved": "已批准",
        "paid": "已支付",
        "withdrawn": "已撤回",
    },
    "pay_method": {"cash": "现金", "transfer": "转账", "wechat": "微信", "other": "其他"},
    # An expense's history: what each step was (not served: the API sends the words).
    "expense_action": {
        "propose": "提出支出",
        "change": "修改",
        "object": "提出异议",
        "approve": "审核通过",
        "confirm": "第二位委员确认",
        "withdraw": "撤回",
        "pay": "登记付款",
        "reverse": "冲正退回",
    },
    "asset_kind": {
        "ad_space": "广告位",
        "parking": "停车位",
        "room": "出租房屋",
        "other": "其他",
    },
    "contract_cycle": {
        "monthly": "按月",
        "quarterly": "按季",
        "yearly": "按年",
        "once": "一次性",
    },
    "income_kind": {
        "advertising": "广告收入",
        "parking": "停车收入",
        "rent": "场地租金",
        "donation": "捐赠",
        "other": "其他收入",
    },
    "income_status": {"pending": "待确认", "confirmed": "已确认", "rejected": "已驳回"},
    "audience": {"compound": "全小区", "building": "本楼栋", "unit": "本单元"},
    "disclosure_status": {
        "draft": "待审核",
        "signed": "已审核",
        "objected": "有异议",
        "published": "已公示",
        "superseded": "已更正",
    },
    # Owners' decisions (Civil Code art. 278).
    "proposal_status": {
        "draft": "草稿",
        "notice": "公示中",
        "voting": "表决中",
        "closed": "已结束",
        "withdrawn": "已撤回",
    },
    "matter": {
        "1": "制定和修改业主大会议事规则",
        "2": "制定和修改管理规约",
        "3": "选举或更换业主委员会成员",
        "4": "选聘或解聘物业服务企业",
        "5": "使用维修资金",
        "6": "筹集维修资金",
        "7": "改建、重建建筑物及附属设施",
        "8": "改变共有部分用途或利用共有部分从事经营活动",
        "9": "有关共有和共同管理权利的其他重大事项",
    },
    "decision_rule": {
        "three_quarters": "参与表决面积和人数均达四分之三以上同意",
        "majority": "参与表决面积和人数均过半数同意",
    },
    "ballot_channel": {"app": "小程序投票", "paper": "纸质表决票", "proxy": "书面委托"},
    "ballot_status": {
        "pending": "待核对",
        "counted": "已计入",
        "replaced": "已更改",
        "rejected": "未计入",
    },
    # Money.
    # The census (清单), sweeps (点单), care visits and personal data.
    "age_band": {
        "under_18": "18岁以下",
        "18_59": "18–59岁",
        "60_69": "60–69岁",
        "70_79": "70–79岁",
        "80_plus": "80岁及以上",
    },
    "residence": {
        "lives_here": "在住",
        "away": "外出暂住别处",
        "vacant": "无人居住",
    },
    "care_tag": {
        "elderly_alone": "独居老人",
        "disability": "残疾",
        "hardship": "生活困难",
        "needs_visits": "需定期走访",
        "party_centre": "党员中心户",
    },
    "campaign_type": {
        "dispute": "矛盾纠纷全覆盖排查",
        "safety": "安全隐患拉网式排查",
        "vulnerable": "困难群体逐个式排查",
    },
    "campaign_status": {
        "open": "进行中",
        "closed": "已结束",
    },
    "visit_how": {
        "good": "挺好",
        "fair": "一般",
        "poor": "不太好",
    },
    "visit_method": {
        "visit": "上门",
        "phone": "电话",
    },
    "visit_status": {
        "due": "待走访",
        "done": "已走访",
        "cancelled": "已取消",
    },
    "access_action": {
        "view_phone": "查看电话",
        "view_tags": "查看关爱标记",
        "export_census": "导出住户登记",
        "download": "下载本户信息",
        "erase": "删除本户信息",
        "view_visits": "查看走访记录",
        "export_access_log": "导出查看记录",
    },
    "consent_kind": {
        "binding": "绑定房屋",
        "census": "住户登记",
    },
    "bill_status": {
        "unpaid": "未缴",
        "pending": "支付中",  # in an open WeChat Pay order: what the payer sees
        "paid": "已缴",
        "cancelled": "已作废",  # its electricity reading was voided: owed by nobody
    },
    "reading_status": {
        "pending": "待确认",
        "confirmed": "已确认",
        "rejected": "已驳回",
        "voided": "已作废",
    },
    # Changes of money waiting for a second committee member.
    "change_kind": {
        "meter_reading": "电费读数",
        "meter_void": "作废电费读数",
        "fee_change": "收费标准调整",
        "refund": "退款登记",
        "roster_change": "房屋面积/状态调整",
        "wechat_refund": "微信退款",
    },
    # A refund through WeChat Pay, as the committee and the payer see it.
    "refund_status": {
        "proposed": "待第二人确认",
        "rejected": "已驳回",
        "confirmed": "已确认，待发送",
        "processing": "退款中",
        "success": "已退回",
        "closed": "退款关闭",
        "abnormal": "退款异常",
        "failed": "微信支付拒绝",
    },
    "payment_status": {
        "pending": "待支付",
        "paid": "已支付",
        "closed": "已关闭",
        "disputed": "金额异常",  # WeChat Pay took another amount than the order's
    },
    "anomaly_kind": {
        "amount_mismatch": "通知金额不符",
        "amount_disputed": "金额不符",
        "double_payment": "重复缴费",
        "duplicate_transaction": "交易号重复",
        "reading_voided": "电费作废退款",
        "statement_missing_here": "对账单有、本系统无",
        "statement_missing_there": "本系统有、对账单无",
        "statement_amount": "对账单金额不符",
        "statement_refund": "对账单退款不符",
        "refund_abnormal": "退款异常",
    },
    "offline_method": {"cash": "现金", "transfer": "转账", "other": "其他"},
    "offline_status": {"pending": "待确认", "confirmed": "已确认", "rejected": "已驳回"},
    # How a bill was paid, inside a sentence ("您已通过其他方式缴费").
    "paid_via": {"cash": "现金", "transfer": "转账", "other": "其他方式", "wechat": "微信支付"},
    # A fee item's settings, as a fee change describes them ("收费周期 按月 → 按季").
    "fee_field": {"rate": "费率", "cycle": "收费周期", "vacant_rule": "空置房", "active": "收费"},
    "fee_value": {
        "monthly": "按月",
        "quarterly": "按季",
        "yearly": "按年",
        "charge": "照收",
        "exempt": "免收",
        "true": "启用",
        "false": "停用",
    },
    # WeChat Pay's trade_state, for the committee's reconciliation report.
    "wechat_trade_state": {
        "SUCCESS": "支付成功",
        "NOTPAY": "未支付",
        "USERPAYING": "用户支付中",
        "PAYERROR": "支付失败",
        "CLOSED": "已关闭",
        "REVOKED": "已撤销",
        "REFUND": "已转入退款",
        "NOT_FOUND": "查无此单",
    },
}

# What GET /api/v1/config sends (the mini-program codes against these names).
SERVED = (
    "issue_category",
    "issue_status",
    "issue_action",
    "role",
    "scope",
    "relation",
    "binding_status",
    "bill_status",
    "reading_status",
    "change_kind",
    "payment_status",
    "anomaly_kind",
    "refund_status",
    "offline_method",
    "offline_status",
    "occupancy",
    "tenure",
    "audit_action",
    "expense_category",
    "expense_status",
    "pay_method",
    "asset_kind",
    "contract_cycle",
    "income_kind",
    "income_status",
    "audience",
    "disclosure_status",
    "proposal_status",
    "matter",
    "decision_rule",
    "ballot_channel",
    "ballot_status",
    "age_band",
    "residence",
    "care_tag",
    "campaign_type",
    "campaign_status",
    "visit_how",
    "visit_method",
    "visit_status",
    "access_action",
    "consent_kind",
)


def label(group: str, code: str | None, default: str | None = None) -> str:
    """The Chinese for `code` in `group`; a code not known (yet) reads as `default`,
    else as stored. An unknown group is a KeyError: a typo, not data."""
    names = GROUPS[group]
    if code is not None and code in names:
        return names[code]
    return default if default is not None else (code or "")


def group(name: str) -> dict[str, str]:
    """A copy of one group, {code: 中文}, in its order."""
    return dict(GROUPS[name])


def served() -> dict[str, dict[str, str]]:
    """The groups the client gets, each {code: 中文}."""
    return {name: group(name) for name in SERVED}


def version() -> str:
    """A short hash of `served()`: it changes exactly when a served label does."""
    text = json.dumps(served(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:12]
