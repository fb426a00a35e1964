"""The mini-program's own copy of the labels (its fallback for when GET /api/v1/config
cannot be read) says exactly what the server says.

HOW TO UPDATE: the server's wording lives in server/labels.py (GROUPS). When a label
changes there, change the same value in miniprogram/utils/labels-builtin.js (the
fee-change words: miniprogram/utils/changes.js) — never the other way round. A client
object is found by the group's name (`bill_status: {...}`), by `<GROUP>_LABELS`
(`BILL_STATUS_LABELS = {...}`) or by an alias below; a group the client does not hold
yet is skipped, not failed.
"""

from __future__ import annotations

import re

import pytest

from server import PROJECT_ROOT, labels

UTILS = PROJECT_ROOT / "miniprogram" / "utils"
# Client names that do not follow `<GROUP>_LABELS`.
ALIASES = {
    "binding_status": ("STATUS_LABELS",),
    "issue_action": ("ISSUE_ACTION_BUTTONS",),
    "fee_field": ("FIELD_LABELS",),
    "fee_value": ("VALUE_LABELS",),
}
# Which file holds each group: the served ones in labels-builtin.js, two more in changes.js.
FILES = {name: "labels-builtin.js" for name in labels.SERVED} | {
    "fee_field": "changes.js",
    "fee_value": "changes.js",
}

# `NAME = {` or `name: {`, then a flat body (no nested braces).
OBJECT = re.compile(r"(?:^|[\s,{])([A-Za-z_]\w*)\s*[=:]\s*\{([^{}]*)\}", re.MULTILINE)
ENTRY = re.compile(r"""(?:'([^']*)'|"([^"]*)"|([A-Za-z_]\w*))\s*:\s*(?:'([^']*)'|"([^"]*)")""")
COMMENT = re.compile(r"(?:^|\s)//[^\n]*")


def js_objects(source: str) -> dict[str, list[dict[str, str]]]:
    """Every flat object literal of string values in `source`, by the name it is given."""
    found: dict[str, list[dict[str, str]]] = {}
    for name, body in OBJECT.findall(COMMENT.sub("", source)):
        entries = {(k1 or k2 or k3): (v1 or v2) for k1, k2, k3, v1, v2 in ENTRY.findall(body)}
        if entries and len(entries) == body.count(":"):
            found.setdefault(name, []).append(entries)
    return found


def client_copies(group: str) -> list[dict[str, str]]:
    objects = js_objects((UTILS / FILES[group]).read_text(encoding="utf-8"))
    names = (group, f"{group.upper()}_LABELS", *ALIASES.get(group, ()))
    return [copy for name in names for copy in objects.get(name, [])]


def test_the_parser_reads_the_shapes_the_client_uses():
    source = """
    // a comment: with a colon
    const BILL_STATUS_LABELS = {
      unpaid: '未缴',
      'pending': "支付中", // a comment
    }
    const FALLBACK = { relation: { owner: '业主', tenant: '租户' }, other: 1 }
    """
    assert js_objects(source) == {
        "BILL_STATUS_LABELS": [{"unpaid": "未缴", "pending": "支付中"}],
        "relation": [{"owner": "业主", "tenant": "租户"}],
    }


def test_the_client_file_still_holds_labels_this_test_can_read():
    held = [name for name in labels.SERVED if client_copies(name)]
    assert held, (
        "no label group found in miniprogram/utils/labels-builtin.js: update this test's parser"
    )


@pytest.mark.parametrize("group", sorted(FILES))
def test_the_client_fallback_says_what_the_server_says(group):
    copies = client_copies(group)
    if not copies:
        pytest.skip(f"miniprogram/utils/{FILES[group]} holds no {group} yet")
    for copy in copies:
        assert copy == labels.GROUPS[group], (
            f"miniprogram/utils/{FILES[group]} disagrees with server/labels.py on {group}: "
            "change the client's values to the server's"
        )
