"""What a drafted proposal offers and changes, checked against its compound: the options
(yes/no/abstain, or candidates) and the effect (a per-area fee's new rate, a large
expense the owners decide on). Every check raises ValidationFailed with its code; the
stored forms are plain JSON (rates and periods as strings)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from server.clock import SHANGHAI, utcnow
from server.errors import ValidationFailed
from server.extensions import db
from server.labels import label
from server.models import FeeItem, Proposal
from server.models.decisions import DEFAULT_OPTIONS
from server.models.spending import Expense
from server.services.money import periods

STANDARD = ("yes", "no", "abstain")
ABSTAIN = "abstain"
MIN_OPTIONS, MAX_OPTIONS = 2, 20
MAX_RATE = Decimal("100")  # yuan per m² a month: anything above is a typo
OPEN_STATUSES = ("draft", "notice", "voting")


def options(given: list[dict] | None, effect: dict | None) -> list[dict]:
    """The options to store: the default yes/no/abstain, the standard choices with the
    committee's own labels, or candidates ("c1".."cN", and "abstain" if offered). Raises
    ValidationFailed (options_invalid; effect_options: an effect needs yes/no/abstain)."""
    if not given:
        return [dict(o) for o in DEFAULT_OPTIONS]
    labels = [o["label"] for o in given]
    if len(given) < MIN_OPTIONS or len(given) > MAX_OPTIONS:
        raise _options(f"选项应有 {MIN_OPTIONS} 到 {MAX_OPTIONS} 个")
    if len(set(labels)) != len(labels):
        raise _options("选项名称不能重复")
    choices = [o.get("choice") for o in given]
    if any(c in ("yes", "no") for c in choices):
        if any(c not in STANDARD for c in choices) or len(set(choices)) != len(choices):
            raise _options("同意/反对/弃权选项不能与候选人混用，也不能重复")
        if "yes" not in choices or "no" not in choices:
            raise _options("须有“同意”和“反对”两个选项")
        return [{"choice": c, "label": o["label"]} for c, o in zip(choices, given, strict=True)]
    if effect and effect.get("kind") not in (None, "none"):
        raise ValidationFailed(
            "会调整收费或支出的事项，只能用同意/反对/弃权表决", code="effect_options"
        )
    if choices.count(ABSTAIN) > 1:
        raise _options("只能有一个“弃权”选项")
    found, number = [], 0
    for o in given:
        if o.get("choice") == ABSTAIN:
            found.append({"choice": ABSTAIN, "label": o["label"]})
        else:
            number += 1
            found.append({"choice": f"c{number}", "label": o["label"]})
    if number < MIN_OPTIONS:
        raise _options("候选项至少 2 个")
    return found


def effect(compound_id: int, given: dict | None, *, proposal_id: int | None = None) -> dict | None:
    """The effect to store (None: nothing but the words). Raises ValidationFailed
    (fee_item_invalid, rate_invalid, period_invalid, expense_not_found,
    expense_not_eligible, expense_taken)."""
    kind = (given or {}).get("kind", "none")
    if kind == "none":
        return None
    if kind == "fee_rate":
        return _fee_rate(compound_id, given)
    if kind == "expense":
        return _expense(compound_id, given.get("expense_id"), proposal_id)
    raise ValidationFailed("不支持的表决结果类型", code="effect_invalid")


def _fee_rate(compound_id: int, given: dict) -> dict:
    item = db.session.scalars(
        select(FeeItem).where(
            FeeItem.compound_id == compound_id,
            FeeItem.code == (given.get("item") or ""),
            FeeItem.active.is_(True),
        )
    ).first()
    if item is None or item.kind != "per_area":
        raise ValidationFailed("请选择本小区一项按面积收取的费用", code="fee_item_invalid")
    try:
        rate = Decimal(str(given.get("rate")))
    except (InvalidOperation, ValueError):
        rate = None
    if (
        rate is None
        or not rate.is_finite()
        or not 0 < rate <= MAX_RATE
        or rate != rate.quantize(Decimal("0.0001"))
    ):
        raise ValidationFailed(
            "收费标准应为大于 0 的金额（元/平方米/月），最多 4 位小数", code="rate_invalid"
        )
    from_period = given.get("from_period")
    if from_period is not None:
        this_month = utcnow().astimezone(SHANGHAI).strftime("%Y-%m")
        try:
            periods.parse_month(from_period)
        except ValidationFailed:
            from_period = ""
        if not from_period or from_period < this_month:
            raise ValidationFailed("执行账期应为本月或以后的月份", code="period_invalid")
    if rate.as_tuple().exponent < -4:  # "0.40000": the same rate, said shorter
        rate = rate.quantize(Decimal("0.0001"))
    return {"kind": "fee_rate", "item": item.code, "rate": str(rate), "from_period": from_period}


def _expense(compound_id: int, expense_id, proposal_id: int | None) -> dict:
    expense = (
        db.session.scalars(
            select(Expense).where(Expense.id == expense_id, Expense.compound_id == compound_id)
        ).first()
        if isinstance(expense_id, int)
        else None
    )
    if expense is None:
        raise ValidationFailed("找不到这笔支出，请核对", code="expense_not_found")
    if not expense.large or expense.status not in ("proposed", "approved"):
        raise ValidationFailed(
            "只有待审核或已审核、尚未付款的大额支出可以提交业主大会表决",
            code="expense_not_eligible",
        )
    for other_id, other in db.session.execute(
        select(Proposal.id, Proposal.effect).where(
            Proposal.compound_id == compound_id,
            Proposal.status.in_(OPEN_STATUSES),
            Proposal.id != (proposal_id or 0),
        )
    ):
        if (other or {}).get("kind") == "expense" and other.get("expense_id") == expense.id:
            raise ValidationFailed(
                f"这笔支出已在另一个表决事项（第{other_id}号）中", code="expense_taken"
            )
    # The version voted on: a changed expense (a new amount) is not what the owners decided.
    return {"kind": "expense", "expense_id": expense.id, "version": expense.version}


def effect_text(compound_id: int, stored: dict | None) -> str:
    """The effect as residents read it, one sentence."""
    if not stored or stored.get("kind") == "none":
        return "本事项通过后不自动调整收费或支出。"
    if stored["kind"] == "fee_rate":
        item = db.session.scalars(
            select(FeeItem).where(
                FeeItem.compound_id == compound_id, FeeItem.code == stored["item"]
            )
        ).first()
        name = item.name if item else stored["item"]
        start = (
            f"自{periods.period_label(stored['from_period'])}起"
            if stored.get("from_period")
            else "自下一个未出账的账期起"
        )
        return (
            f"通过后，{name}调整为每平方米每月 {stored['rate']} 元，{start}执行"
            "（经另一位业委会成员确认后生效）。"
        )
    expense = db.session.get(Expense, stored["expense_id"])
    if expense is None:
        return "通过后，所列支出视为业主大会同意。"
    yuan = f"{expense.amount_fen // 100:,}.{expense.amount_fen % 100:02d} 元"
    what = label("expense_category", expense.category)
    return f"通过后，支出「{expense.purpose}」（{what}，{yuan}）视为业主大会同意，可以付款。"


def _options(message: str) -> ValidationFailed:
    return ValidationFailed(message, code="options_invalid")
