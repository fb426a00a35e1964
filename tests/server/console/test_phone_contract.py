"""The mini-program's side of signing a computer in (miniprogram/api/console.js,
miniprogram/utils/desk.js) says what the server says: every path and method it calls is
a route, the QR prefix and the roles are the server's, and every refusal code it words
is one the server gives."""

from __future__ import annotations

import re

from werkzeug.exceptions import MethodNotAllowed, NotFound

from server import PROJECT_ROOT
from server.services.console import tickets

MINIPROGRAM = PROJECT_ROOT / "miniprogram"
API = (MINIPROGRAM / "api" / "console.js").read_text(encoding="utf-8")
DESK = (MINIPROGRAM / "utils" / "desk.js").read_text(encoding="utf-8")
SERVER = "\n".join(
    (PROJECT_ROOT / "server" / "services" / "console" / name).read_text(encoding="utf-8")
    for name in ("tickets.py", "sessions.py")
)

# request({ url: `${BASE}/sessions/${id}`, method: 'DELETE' })
CALL = re.compile(r"request\(\{\s*url:\s*`\$\{BASE\}([^`]*)`(?:,\s*method:\s*'(\w+)')?")


def calls() -> list[tuple[str, str]]:
    base = re.search(r"const BASE = '([^']+)'", API).group(1)
    return [
        (method or "GET", base + re.sub(r"\$\{\w+\}", "7", path))
        for path, method in CALL.findall(API)
    ]


def test_every_call_of_the_mini_program_is_a_route(app):
    found = calls()
    assert [m for m, _ in found] == ["POST", "POST", "GET", "DELETE", "DELETE"]
    urls = app.url_map.bind("localhost")
    for method, url in found:
        try:
            endpoint, _ = urls.match(url, method=method)
        except (NotFound, MethodNotAllowed):  # pragma: no cover - the failure message
            raise AssertionError(f"{method} {url} is not a route") from None
        assert endpoint.startswith("console_api."), (method, url, endpoint)


def test_the_qr_prefix_and_the_roles_are_the_servers():
    assert re.search(r"const DESK_PREFIX = '([^']+)'", DESK).group(1) == tickets.QR_PREFIX
    roles = re.search(r"const DESK_ROLES = \[([^\]]*)\]", DESK).group(1)
    assert tuple(re.findall(r"'(\w+)'", roles)) == tickets.CONSOLE_ROLES


def test_every_refusal_the_phone_words_is_one_the_server_gives():
    worded = set(re.findall(r"case '(console_\w+)'", DESK))
    assert worded == {
        "console_ticket_expired",
        "console_ticket_used",
        "console_ticket_not_found",
        "console_not_allowed",
    }
    for code in worded:
        assert f'code="{code}"' in SERVER, code
