"""What a ledger check says in plain words, and who is told when a chain is broken.

A broken chain means money records were changed behind the ledger's back: the daily
and weekly checks tell the compound's committee and finance supervisor at once (once
per broken entry, however often the check runs again), so it is looked at the same
day, not when someone happens to open 账本.
"""

from __future__ import annotations

from server.services.messaging import notify
from server.services.messaging.messages import Message

# What the check reports, in the words a committee member reads (first match wins).
PROBLEM_WORDS = (
    ("its hash changed since it was verified", "这一条在上次核验之后被改过"),
    ("its content was changed", "这一条的内容被改过"),
    ("does not follow the previous entry", "这一条和上一条接不上"),
    ("the chain's end is missing", "账本最后的记录缺失"),
    ("is missing", "缺少一条记录"),
)


def in_words(problem: str | None) -> str:
    """A check's problem as the committee reads it."""
    return next(
        (words for english, words in PROBLEM_WORDS if english in (problem or "")), "记录有问题"
    )


def tell_broken(compound_id: int, seq: int | None, problem: str | None) -> None:
    """Tell the compound's committee and finance supervisor that its ledger no longer
    checks out from entry `seq` (no commit: the check's transaction carries it)."""
    where = f"第 {seq} 条记录起" if seq else "账本"
    message = Message(
        kind="payment",
        template="reminder",
        title="账本核验发现问题",
        body=(
            f"今天的自动核验发现，本小区账本{where}对不上（{in_words(problem)}）。"
            "钱款记录可能被改动过，请在电脑端打开“账本”→“核验账本”查看，并告知街道办。"
        ),
        data={},
        page="pages/funds/index",
    )
    occasion = notify.Occasion(f"ledger-broken-{compound_id}-{seq}", compound_id)
    recipients = notify.compound_members(compound_id, "committee", "supervisor")
    notify.deliver(message, recipients, occasion)
