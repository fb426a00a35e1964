"""deploy/ lints: nginx's site passes `nginx -t` (where nginx is installed) and carries
what the service needs; the systemd units pass `systemd-analyze verify` (where it is
there); gunicorn accepts its settings. Where a tool is missing, the structure is still
checked, so these tests never pass by skipping everything."""

from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from server import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"
SITE = DEPLOY / "nginx" / "linli.conf"
APP_UNIT = DEPLOY / "systemd" / "linli.service"
SCHEDULER_UNIT = DEPLOY / "systemd" / "linli-scheduler.service"
BACKUP_UNIT = DEPLOY / "systemd" / "linli-backup.service"
TIMER = DEPLOY / "systemd" / "linli-backup.timer"
GUNICORN_CONF = DEPLOY / "gunicorn.conf.py"
ENV_EXAMPLE = DEPLOY / "linli.env.example"
VENV_BIN = Path(sys.executable).parent


def nginx_blocks(text: str) -> dict[str, str]:
    """`location PREFIX { ... }` → its body (the site has no nested locations)."""
    text = re.sub(r"#[^\n]*", "", text)
    return {m[1]: m[2] for m in re.finditer(r"location\s+(\S+)\s*\{([^}]*)\}", text)}


def directive(text: str, name: str) -> list[str]:
    text = re.sub(r"#[^\n]*", "", text)
    value = r"((?:\"[^\"]*\"|'[^']*'|[^;\"'])+)"  # a quoted `;` stays inside
    return [m.strip() for m in re.findall(rf"(?m)^\s*{name}\s+{value};", text)]


def test_the_site_terminates_tls_and_insists_on_it():
    site = SITE.read_text()
    assert any("443 ssl" in listen for listen in directive(site, "listen"))
    assert directive(site, "ssl_certificate")
    assert directive(site, "ssl_certificate_key")
    assert directive(site, "return") == ["301 https://$host$request_uri"]
    (hsts,) = [h for h in directive(site, "add_header") if "Strict-Transport-Security" in h]
    max_age = int(re.search(r"max-age=(\d+)", hsts)[1])
    assert max_age >= 180 * 86400
    assert hsts.endswith("always")  # on error answers too


def test_photos_fit_under_the_body_limit(app):
    (limit,) = directive(SITE.read_text(), "client_max_body_size")
    number, unit = re.fullmatch(r"(\d+)([kmg]?)", limit.lower()).groups()
    limit_bytes = int(number) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit]
    assert limit_bytes >= app.config["MAX_CONTENT_LENGTH"] >= app.config["UPLOAD_MAX_BYTES"]


def test_requests_reach_gunicorn_with_their_id_and_client_address():
    site = SITE.read_text()
    headers = directive(site, "proxy_set_header")
    assert "X-Request-Id $request_id" in headers
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in headers
    assert "X-Forwarded-Proto $scheme" in headers
    (upstream,) = re.findall(r"upstream\s+linli_app\s*\{([^}]*)\}", site)
    gunicorn_bind = re.search(r'"GUNICORN_BIND", "([^"]+)"', GUNICORN_CONF.read_text())[1]
    assert f"server {gunicorn_bind};" in upstream
    assert "TRUSTED_PROXIES=1" in ENV_EXAMPLE.read_text().splitlines()


def test_wechat_pays_notifications_pass_without_authentication(app):
    locations = nginx_blocks(SITE.read_text())
    notify = "/api/v1/payments/wechat/notify"
    refund = "/api/v1/payments/wechat/refund-notify/"
    for prefix in (notify, refund):
        body = locations[prefix]
        assert "proxy_pass http://linli_app;" in body
        assert not re.search(r"auth_request|auth_basic\s+(?!off)|limit_req|deny", body)
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    assert notify in rules
    assert f"{notify}/<string(maxlength=32):merchant>" in rules
    assert any(rule.startswith(refund) for rule in rules)
    assert "proxy_pass http://linli_app;" in locations["/"]


def self_signed(folder: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "linli.example.org")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (folder / "fullchain.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "privkey.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx not installed (apt-get install nginx)")
def test_nginx_accepts_the_site(tmp_path):
    self_signed(tmp_path)
    site = SITE.read_text().replace("/etc/ssl/linli/", f"{tmp_path}/")
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    (tmp_path / "linli.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"error_log {tmp_path}/error.log;\npid {tmp_path}/nginx.pid;\nevents {{}}\n"
        f"http {{\n access_log off;\n include {tmp_path}/linli.conf;\n}}\n"
    )
    checked = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-e", f"{tmp_path}/error.log", "-c", "nginx.conf"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


def unit_settings(path: Path) -> dict[str, list[str]]:
    """`Key=value` lines of a unit by section: {"Service.ExecStart": [...], ...}."""
    settings: dict[str, list[str]] = {}
    section = None
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        assert section, f"{path.name}: {line!r} outside any section"
        settings.setdefault(f"{section}.{key}", []).append(value)
    return settings


@pytest.mark.parametrize("unit", [APP_UNIT, SCHEDULER_UNIT], ids=lambda p: p.name)
def test_each_unit_restarts_runs_as_the_service_user_and_reads_the_env_file(unit):
    settings = unit_settings(unit)
    assert settings["Service.Restart"] == ["always"]
    assert settings["Service.User"] == ["linli"]
    assert settings["Service.EnvironmentFile"] == ["/etc/linli/linli.env"]
    assert settings["Install.WantedBy"] == ["multi-user.target"]
    assert settings["Unit.Description"]


def test_the_app_unit_runs_gunicorn_and_the_scheduler_unit_the_one_scheduler():
    app, scheduler = unit_settings(APP_UNIT), unit_settings(SCHEDULER_UNIT)
    (start,) = app["Service.ExecStart"]
    assert re.fullmatch(r"\S+/gunicorn -c \S+/deploy/gunicorn\.conf\.py", start)
    (start,) = scheduler["Service.ExecStart"]
    assert re.fullmatch(r"\S+/flask --app server scheduler", start)
    # The metrics folder gunicorn's workers share exists, made empty at each start.
    env = dict(line.split("=", 1) for line in ENV_EXAMPLE.read_text().splitlines() if "=" in line)
    folder = env["PROMETHEUS_MULTIPROC_DIR"]
    runtime = app["Service.RuntimeDirectory"][0].split()
    assert folder.removeprefix("/run/") in runtime


def test_the_nightly_backup_is_the_restore_drill():
    (start,) = unit_settings(BACKUP_UNIT)["Service.ExecStart"]
    assert re.search(r"/scripts/backup-drill --out /var/backups/linli/.+\.sql'$", start)
    assert unit_settings(BACKUP_UNIT)["Service.Type"] == ["oneshot"]
    (when,) = unit_settings(TIMER)["Timer.OnCalendar"]
    assert when.startswith("*-*-* ")  # every day
    assert (PROJECT_ROOT / "scripts" / "backup-drill").stat().st_mode & 0o111


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not found")
def test_systemd_accepts_the_units(tmp_path):
    units = sorted((DEPLOY / "systemd").glob("linli*"))
    assert {unit.name for unit in units} >= {APP_UNIT.name, SCHEDULER_UNIT.name, TIMER.name}
    for unit in units:
        # The units name the installed checkout; point them at this one's programs.
        text = unit.read_text().replace("/opt/linli/.venv/bin/", f"{VENV_BIN}/")
        text = text.replace("/opt/linli/scripts/", f"{PROJECT_ROOT}/scripts/")
        (tmp_path / unit.name).write_text(text)
    checked = subprocess.run(
        ["systemd-analyze", "verify", *sorted(str(tmp_path / unit.name) for unit in units)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout + checked.stderr == ""  # unknown keys are only warnings


def test_gunicorn_accepts_its_settings(database_url, sandbox):
    from tests.conftest import app_env

    env = {
        **os.environ,
        **app_env(database_url, sandbox),
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    checked = subprocess.run(
        [str(VENV_BIN / "gunicorn"), "-c", str(GUNICORN_CONF), "--print-config"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=PROJECT_ROOT,
    )
    assert checked.returncode == 0, checked.stderr
    printed = dict(
        re.findall(r"(?m)^(\w+)\s*=\s*(.*)$", checked.stdout),
    )
    assert printed["worker_class"] == "gthread"
    assert printed["control_socket_disable"] == "True"
    assert printed["wsgi_app"] == "server:create_app()"


def test_the_env_example_sets_only_what_the_service_reads():
    read = [PROJECT_ROOT / "server" / "config.py", PROJECT_ROOT / "server" / "config_pay.py"]
    config = "".join(path.read_text() for path in [*read, GUNICORN_CONF])
    names = [
        line.lstrip("#").split("=", 1)[0]
        for line in ENV_EXAMPLE.read_text().splitlines()
        if re.match(r"#?[A-Z_]+=", line)
    ]
    assert "LINLI_ENV" in names
    unknown = [n for n in names if f'"{n}"' not in config and n != "PROMETHEUS_MULTIPROC_DIR"]
    assert unknown == []
