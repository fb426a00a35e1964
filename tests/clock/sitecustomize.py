"""Moves the wall clock of every Python process of a test run, for `make test-clock`.

With `LINLI_CLOCK_SHIFT` set (`365d`, `1826d`, `-30d`, `12h`) and this folder on
PYTHONPATH, each interpreter starts a time-machine travel to its real "now" plus the
shift, ticking: `time.time` and `datetime.now` move, while monotonic clocks, sleeps
and timed waits stay real (libfaketime stops Python's timed waits from firing).
"""

import os
import re

_SHIFT = os.environ.get("LINLI_CLOCK_SHIFT", "").strip()
_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}

if _SHIFT:
    match = re.fullmatch(r"([+-]?\d+)([dhms])", _SHIFT)
    if not match:
        raise SystemExit(f"LINLI_CLOCK_SHIFT={_SHIFT!r}: expected e.g. 365d, -12h")
    import time

    import time_machine

    _seconds = int(match.group(1)) * _UNITS[match.group(2)]
    time_machine.travel(time.time() + _seconds, tick=True).start()
