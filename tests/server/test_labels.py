"""server/labels.py is the one place that words codes in Chinese, and `label` falls back
sensibly for a code it does not know."""

from __future__ import annotations

import ast
import re

import pytest

from server import PROJECT_ROOT, labels
from server.labels import label

CHINESE = re.compile(r"[\u4e00-\u9fff]")
SHORT = 8  # a label, not a sentence ("已有人受理，正在处理" is a message's wording)


def _key(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return "true" if node.value else "false"
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def label_copies(source: str) -> list[int]:
    """Lines of dict literals that word the codes of a known group in short Chinese:
    a second copy of a group, bound to drift from server/labels.py."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Dict) or len(node.keys) < 2:
            continue
        keys = [_key(k) for k in node.keys if k is not None]
        if None in keys or len(keys) < len(node.keys):
            continue
        if not any(set(keys) <= set(codes) for codes in labels.GROUPS.values()):
            continue
        worded = [
            v.value
            for v in node.values
            if isinstance(v, ast.Constant)
            and isinstance(v.value, str)
            and CHINESE.search(v.value)
            and len(v.value) <= SHORT
        ]
        if len(worded) >= 2:
            found.append(node.lineno)
    return found


def test_the_check_finds_a_copy_and_leaves_sentences_alone():
    copy = 'STATUS_ZH = {"pending": "缴费中", "paid": "已缴"}\nX = {True: "启用", False: "停用"}'
    assert label_copies(copy) == [1, 2]
    sentences = '{"accepted": "已有人受理，正在处理", "closed": "事项已完成，感谢您的反馈"}'
    assert label_copies(sentences) == []
    assert label_copies('{"pending": 1, "paid": 2}') == []


def test_no_module_but_server_labels_words_codes():
    server = PROJECT_ROOT / "server"
    # The sandbox stands in for WeChat Pay: it words WeChat's own fields
    # (trade_state_desc, a refund's summary) as WeChat does, not ours.
    sandbox = server / "wechat" / "sandbox"
    copies = {
        str(path.relative_to(PROJECT_ROOT)): lines
        for path in sorted(server.rglob("*.py"))
        if path != server / "labels.py"
        and sandbox not in path.parents
        and (lines := label_copies(path.read_text(encoding="utf-8")))
    }
    assert copies == {}, "use server.labels.label(group, code) instead of a dict of your own"


def test_label_falls_back_for_a_code_it_does_not_know():
    assert label("bill_status", "pending") == "支付中"
    assert label("payment_status", "refunded") == "refunded"  # added later: shown as stored
    assert label("anomaly_kind", "new_kind", "其他缴费异常") == "其他缴费异常"
    assert label("offline_method", None) == ""
    with pytest.raises(KeyError):
        label("bill_statuses", "pending")  # a misspelt group is a bug, not data


def test_the_served_groups_are_copies():
    served = labels.served()
    served["bill_status"]["pending"] = "x"
    assert labels.GROUPS["bill_status"]["pending"] == "支付中"
