"""Receipt codes: what a voter finds in the published list of counted ballots.

Ten characters drawn with `secrets` from an alphabet without look-alikes (no 0/O, 1/I/L),
so an elderly owner can read one aloud: 31^10 ≈ 8 × 10^14 codes, unique in the database.
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 10


def new_receipt() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
