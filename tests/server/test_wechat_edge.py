"""The WeChat edge (`server/wechat/__init__.py` states the rule): only services reach
WeChat, through `server.wechat`'s factory and public names; the API, the jobs and the
CLI call services; nothing but `server/wechat/` imports wechatpy."""

from __future__ import annotations

import ast

import pytest

import server.wechat
from server import PROJECT_ROOT

SERVER = PROJECT_ROOT / "server"
# Client classes services may name in annotations but never build.
CLIENTS = {"MiniProgram", "OfficialAccount", "PaymentGateway"}


def imports(tree: ast.AST) -> list[tuple[str, list[str], int]]:
    """(module, names imported from it, line) for every import in a module; `from
    server import wechat` counts as importing server.wechat."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [alias.name for alias in node.names]
            if node.module == "server" and "wechat" in names:
                found.append(("server.wechat", ["*"], node.lineno))
            found.append((node.module, names, node.lineno))
    return found


def is_wechat(module: str) -> bool:
    return module == "server.wechat" or module.startswith("server.wechat.")


def problems(source: str, where: str) -> list[str]:
    """What breaks the rule in one module of `server/` (`where`: its path from server/)."""
    tree = ast.parse(source)
    found = []
    service = where.startswith("services/")
    for module, names, line in imports(tree):
        at = f"{where}:{line}"
        if module == "wechatpy" or module.startswith("wechatpy."):
            found.append(f"{at} imports wechatpy")
        if not is_wechat(module):
            continue
        if not service:
            found.append(f"{at} imports {module}: call a service instead")
        elif module != "server.wechat":
            found.append(f"{at} imports {module}: import from server.wechat")
        else:
            hidden = [name for name in names if name not in server.wechat.__all__]
            if hidden:
                found.append(f"{at} imports {hidden}, not public in server.wechat")
    if service:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in CLIENTS:
                    found.append(f"{where}:{node.lineno} builds a {name}: use the factory")
    return found


def server_modules():
    for path in sorted(SERVER.rglob("*.py")):
        where = path.relative_to(SERVER).as_posix()
        if not where.startswith("wechat/"):
            yield where, path


def test_only_services_reach_wechat_and_only_through_its_factory():
    found = [
        problem
        for where, path in server_modules()
        for problem in problems(path.read_text(encoding="utf-8"), where)
    ]
    assert found == []


def test_no_api_module_imports_server_wechat():
    api = [where for where, _ in server_modules() if where.startswith("api/")]
    assert len(api) > 10  # the walk sees the API
    offending = [
        f"{where}:{line} {module}"
        for where, path in server_modules()
        if where.startswith("api/")
        for module, _, line in imports(ast.parse(path.read_text(encoding="utf-8")))
        if is_wechat(module)
    ]
    assert offending == []


@pytest.mark.parametrize(
    ("where", "source", "says"),
    [
        ("api/x.py", "from server.wechat import payment_gateway", "call a service"),
        ("api/x.py", "from server import wechat", "call a service"),
        ("api/x.py", "import server.wechat.pay", "call a service"),
        ("jobs/x.py", "from server.wechat.errors import WeChatUnavailable", "call a service"),
        ("cli.py", "from server.wechat import payment_gateway", "call a service"),
        ("services/x.py", "from server.wechat.pay import CLOSE_AFTER", "import from server."),
        ("services/x.py", "from server.wechat import WeChatPayV2", "not public"),
        ("services/x.py", "import wechatpy", "imports wechatpy"),
        (
            "services/x.py",
            "from server.wechat import MiniProgram\nMiniProgram(None)",
            "use the factory",
        ),
    ],
)
def test_the_rule_catches_each_way_of_breaking_it(where, source, says):
    (problem,) = problems(source, where)
    assert says in problem


def test_services_may_use_the_factory_and_public_names():
    source = (
        "from server.wechat import WeChatUnavailable, mini_program, payment_gateway\n"
        "mini_program().warm_up()\n"
        "raise WeChatUnavailable()\n"
    )
    assert problems(source, "services/x.py") == []


def test_every_public_name_exists():
    missing = [name for name in server.wechat.__all__ if not hasattr(server.wechat, name)]
    assert missing == []
