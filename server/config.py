"""Configuration from environment variables (and a `.env` file in development).

Every setting has one name, read here and nowhere else. In production a missing
secret stops start-up with a single line naming it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from pathlib import Path

from server import config_pay

DEV_SECRET_KEY = "dev-only-secret-key-change-me-in-production"  # noqa: S105
SANDBOX_APPID = "wx0000000000sandbox"
SANDBOX_SECRET = "sandbox-app-secret"  # noqa: S105
SANDBOX_OA_APPID = "wx00000000sandboxoa"
SANDBOX_MCH_ID = "1900000109"
SANDBOX_PAY_KEY = "sandboxpaykey0123456789abcdefghi"  # 32 characters, as WeChat Pay wants
SANDBOX_OA_SECRET = "sandbox-oa-secret"  # noqa: S105

# Settings production cannot start without.
REQUIRED_IN_PRODUCTION = (
    "SECRET_KEY",
    "DATABASE_URL",
    "WECHAT_APPID",
    "WECHAT_SECRET",
    "PUBLIC_BASE_URL",
)


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None


def normalise_database_url(url: str) -> str:
    """Make MySQL/MariaDB URLs name a driver and use utf8mb4, so Chinese text round-trips.

    `mysql://` and `mariadb://` use mysqlclient (MySQLdb, C, faster) when it is installed
    (`make install` builds it against libmariadb-dev), else PyMySQL (pure Python, always
    installed); `mysql+pymysql://` and `mysql+mysqldb://` keep the driver they name."""
    for scheme in ("mysql://", "mariadb://"):
        if url.startswith(scheme):
            url = f"mysql+{mysql_driver()}://" + url[len(scheme) :]
    if url.startswith("mysql") and "charset=" not in url:
        url += ("&" if "?" in url else "?") + "charset=utf8mb4"
    return url


def mysql_driver() -> str:
    """The driver a plain mysql:// URL gets: mysqldb if mysqlclient imports, else pymysql."""
    try:
        import MySQLdb  # noqa: F401
    except ImportError:
        return "pymysql"
    return "mysqldb"


def engine_options(url: str, pool_recycle: int, pool_size: int = 5) -> dict:
    """Engine options: recycle connections before the server drops them.

    No pool_pre_ping: a request whose pooled connection turns out dead runs again on a
    fresh one (server/database/replay.py), and a checkout the replay cannot cover pings
    first (server/database/engine.py), so the common request saves a round trip."""
    # hide_parameters: a failed statement's message must not quote session keys.
    # pool_reset_on_return: a returned connection is rolled back once, by the session or
    # else by the pool's reset event (server/database/engine.py), not by both.
    options: dict = {"hide_parameters": True, "pool_reset_on_return": None}
    if url.startswith("mysql"):
        options.update(
            pool_recycle=pool_recycle,
            pool_size=pool_size,
            max_overflow=10,
            pool_timeout=3,
            # A database away answers 503 within 3 s: a connect (handshake included,
            # server/database/engine.py) gives up after 2 s.
            connect_args={"connect_timeout": 2, "read_timeout": 30, "write_timeout": 30},
        )
    elif url.startswith("sqlite"):
        options["connect_args"] = {"timeout": 15}
    return options


def load_config(env: Mapping[str, str], instance_path: str) -> dict:
    """Build the Flask config from an environment mapping.

    Raises ConfigError naming the first missing or malformed setting.
    """
    mode = env.get("LINLI_ENV", "development").strip().lower()
    if mode not in {"development", "production", "testing"}:
        raise ConfigError(f"LINLI_ENV must be development, production or testing, got {mode!r}")
    production = mode == "production"
    if production:
        _check_production(env)
    _check_official_account(env)
    return {
        "LINLI_ENV": mode,
        "TESTING": mode == "testing",
        "SECRET_KEY": env.get("SECRET_KEY") or DEV_SECRET_KEY,
        # The census's phones are encrypted with it (32 bytes, base64); unset: derived
        # from SECRET_KEY.
        "PERSONAL_DATA_KEY": _personal_data_key(env),
        "AUTH_TOKEN_TTL": _int(env, "AUTH_TOKEN_TTL", 86400),
        # The caller's user and roles kept per worker this long (principal_cache.py):
        # another worker sees a role change within it. Tests see every change at once.
        "PRINCIPAL_CACHE_SECONDS": _float(
            env, "PRINCIPAL_CACHE_SECONDS", 0.0 if mode == "testing" else 5.0
        ),
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "TRUSTED_PROXIES": _int(env, "TRUSTED_PROXIES", 0),
        "SCHEDULER_JOBS": env.get("SCHEDULER_JOBS", "server.jobs:JOBS"),
        "SCHEDULER_LEASE_SECONDS": _int(env, "SCHEDULER_LEASE_SECONDS", 30),
        "INVITE_TTL_DAYS": _int(env, "INVITE_TTL_DAYS", 60),
        # A role invite (任命邀请码) is handed to one person and used within days.
        "ROLE_INVITE_TTL_DAYS": _int(env, "ROLE_INVITE_TTL_DAYS", 7),
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO").upper(),
        # One JSON object a line (production's default) or plain text; metrics on
        # their own port (server/metrics.py), off while METRICS_PORT is unset.
        "LOG_FORMAT": _choice(
            env, "LOG_FORMAT", ("text", "json"), "json" if production else "text"
        ),
        "METRICS_PORT": _int(env, "METRICS_PORT", 0),
        # The committee's desk (电脑端): its QR code lives this long; a signed-in browser
        # ends after this much idle time, and at the latest this many hours after sign-in.
        "CONSOLE_TICKET_SECONDS": _int(env, "CONSOLE_TICKET_SECONDS", 120),
        "CONSOLE_IDLE_MINUTES": _int(env, "CONSOLE_IDLE_MINUTES", 30),
        "CONSOLE_SESSION_HOURS": _int(env, "CONSOLE_SESSION_HOURS", 12),
        "CONSOLE_LOGIN_RATE": env.get("CONSOLE_LOGIN_RATE", "30/minute"),
        # Its cookie is Secure (https only; browsers accept it from http://127.0.0.1 and
        # localhost too). Off only for plain http on another address, never in production.
        "CONSOLE_COOKIE_SECURE": production
        or _bool(env.get("CONSOLE_COOKIE_SECURE"), default=True),
        "MAX_CONTENT_LENGTH": _int(env, "MAX_CONTENT_LENGTH", 6 * 1024 * 1024),
        **_database(env, instance_path),
        **_read_database(env),
        **_wechat(env, production),
        **_limits(env),
        **_uploads(env, instance_path),
        **_meter_readings(env),
    }


def _check_official_account(env: Mapping[str, str]) -> None:
    if env.get("WECHAT_OA_APPID") and not env.get("WECHAT_OA_TOKEN"):
        raise ConfigError(
            "WECHAT_OA_TOKEN is not set; an official account (WECHAT_OA_APPID) needs the "
            "token of its server URL, or anyone could forge its pushes"
        )


def _personal_data_key(env: Mapping[str, str]) -> str:
    raw = env.get("PERSONAL_DATA_KEY", "").strip()
    if not raw:
        return ""
    try:
        key = base64.b64decode(raw, validate=True)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise ConfigError("PERSONAL_DATA_KEY must be 32 bytes in base64 (openssl rand -base64 32)")
    return raw


def _check_production(env: Mapping[str, str]) -> None:
    for name in REQUIRED_IN_PRODUCTION:
        if not env.get(name, "").strip():
            raise ConfigError(
                f"{name} is not set; production mode needs it (README: Configuration)"
            )
    if len(env["SECRET_KEY"]) < 32:
        raise ConfigError("SECRET_KEY must be at least 32 characters in production")


def _database(env: Mapping[str, str], instance_path: str) -> dict:
    default_db = "sqlite:///" + str(Path(instance_path) / "linli.sqlite3")
    url = normalise_database_url(env.get("DATABASE_URL") or default_db)
    return {
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(
            url, _int(env, "DATABASE_POOL_RECYCLE", 1800), _int(env, "DATABASE_POOL_SIZE", 5)
        ),
    }


def _read_database(env: Mapping[str, str]) -> dict:
    """DATABASE_READ_URL: a replica the committee's lists, figures and exports may read
    from (server/database/read.py); unset, they read from the primary."""
    url = env.get("DATABASE_READ_URL", "").strip()
    if not url:
        return {"DATABASE_READ_URI": "", "DATABASE_READ_ENGINE_OPTIONS": {}}
    url = normalise_database_url(url)
    return {
        "DATABASE_READ_URI": url,
        "DATABASE_READ_ENGINE_OPTIONS": engine_options(
            url, _int(env, "DATABASE_POOL_RECYCLE", 1800), _int(env, "DATABASE_POOL_SIZE", 5)
        ),
    }


# The messages the service sends, by name (see server/services/messaging/messages.py).
MESSAGE_TEMPLATES = ("new_issue", "issue_status", "return_visit", "reminder")


def _wechat(env: Mapping[str, str], production: bool) -> dict:
    sandbox_templates = {name: f"sandbox-{name}" for name in MESSAGE_TEMPLATES}
    return {
        "WECHAT_APPID": env.get("WECHAT_APPID") or SANDBOX_APPID,
        "WECHAT_SECRET": env.get("WECHAT_SECRET") or SANDBOX_SECRET,
        "WECHAT_API_BASE": _with_slash(env.get("WECHAT_API_BASE", "https://api.weixin.qq.com/")),
        "WECHAT_TIMEOUT": _float(env, "WECHAT_TIMEOUT", 4.0),
        # Template ids of the subscribe messages, by name; none in production until set.
        "WECHAT_SUBSCRIBE_TEMPLATES": _json_map(
            env, "WECHAT_SUBSCRIBE_TEMPLATES", {} if production else sandbox_templates
        ),
        "WECHAT_MINIPROGRAM_STATE": _choice(
            env,
            "WECHAT_MINIPROGRAM_STATE",
            ("formal", "trial", "developer"),
            "formal" if production else "developer",
        ),
        # An official account for volunteers' template messages (optional).
        "WECHAT_OA_APPID": env.get("WECHAT_OA_APPID", ""),
        "WECHAT_OA_SECRET": env.get("WECHAT_OA_SECRET", ""),
        "WECHAT_OA_TOKEN": env.get("WECHAT_OA_TOKEN", ""),
        "WECHAT_OA_TEMPLATES": _json_map(env, "WECHAT_OA_TEMPLATES", {}),
        # The merchant; without it in production online payment is off (503).
        "WECHAT_PAY_MCH_ID": env.get("WECHAT_PAY_MCH_ID") or ("" if production else SANDBOX_MCH_ID),
        "WECHAT_PAY_API_KEY": env.get("WECHAT_PAY_API_KEY")
        or ("" if production else SANDBOX_PAY_KEY),
        "PAYMENT_TTL_MINUTES": _int(env, "PAYMENT_TTL_MINUTES", 30),
        "WECHAT_PAY_API_BASE": _with_slash(
            env.get("WECHAT_PAY_API_BASE", "https://api.mch.weixin.qq.com/")
        ),
        **_pay_merchants(env, production),
    }


def _pay_merchants(env: Mapping[str, str], production: bool) -> dict:
    """The merchants WeChat Pay takes money through (server/config_pay.py)."""
    appid = env.get("WECHAT_APPID") or SANDBOX_APPID
    mch_id = env.get("WECHAT_PAY_MCH_ID") or ("" if production else SANDBOX_MCH_ID)
    api_key = env.get("WECHAT_PAY_API_KEY") or ("" if production else SANDBOX_PAY_KEY)
    if production and api_key == SANDBOX_PAY_KEY:
        raise ConfigError("WECHAT_PAY_API_KEY is the sandbox's throwaway key, not a merchant's")
    v2 = None
    if mch_id and api_key:
        v2 = {"mch_id": mch_id, "api_key": api_key}
        for setting, key in (
            ("WECHAT_PAY_CERT_FILE", "cert_file"),
            ("WECHAT_PAY_KEY_FILE", "key_file"),
        ):
            if env.get(setting):
                v2[key] = env[setting]
    try:
        found = config_pay.merchants(env, production, appid, v2)
    except config_pay.PayConfigError as error:
        raise ConfigError(str(error)) from None
    default = env.get("WECHAT_PAY_DEFAULT_MERCHANT", "").strip() or (
        config_pay.DEFAULT_MERCHANT if v2 else ""
    )
    if default and default not in found:
        raise ConfigError(f"WECHAT_PAY_DEFAULT_MERCHANT {default!r} is not a configured merchant")
    return {"WECHAT_PAY_MERCHANTS": found, "WECHAT_PAY_DEFAULT_MERCHANT": default}


def _limits(env: Mapping[str, str]) -> dict:
    return {
        "REDIS_URL": env.get("REDIS_URL", ""),
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), default=True),
        "RATELIMIT_STORAGE_URI": env.get("REDIS_URL") or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        # The limiter would stamp its own window into Retry-After on every answer of a
        # limited route (a 200, a 503 that said 5 s); ours is set only on a 429
        # (server/errors.py) and on 503s.
        "RATELIMIT_HEADER_RETRY_AFTER": "X-RateLimit-Retry-After",
        # Redis away: keep limiting per process rather than failing requests.
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "LOGIN_RATE_PER_IP": env.get("LOGIN_RATE_PER_IP", "120/minute"),
        "LOGIN_RATE_PER_OPENID": env.get("LOGIN_RATE_PER_OPENID", "10/minute"),
        "INVITE_RATE": env.get("INVITE_RATE", "10/minute"),
        "BINDING_RATE": env.get("BINDING_RATE", "10/hour"),
        "PROPOSAL_COMMENT_RATE": env.get("PROPOSAL_COMMENT_RATE", "10/minute"),
    }


def _uploads(env: Mapping[str, str], instance_path: str) -> dict:
    settings = {
        "UPLOAD_DIR": env.get("UPLOAD_DIR") or str(Path(instance_path) / "uploads"),
        "UPLOAD_MAX_BYTES": _int(env, "UPLOAD_MAX_BYTES", 5 * 1024 * 1024),
        "UPLOAD_RATE": env.get("UPLOAD_RATE", "30/minute"),
        "UPLOAD_MAX_SIDE": _int(env, "UPLOAD_MAX_SIDE", 2560),
        # Where photos live: local files (one host), an S3-compatible store or the
        # database (several hosts). `flask --app server uploads migrate` moves them.
        "STORAGE_BACKEND": _choice(env, "STORAGE_BACKEND", STORAGE_BACKENDS, "local"),
        "S3_ENDPOINT_URL": env.get("S3_ENDPOINT_URL", "").strip(),  # empty: AWS itself
        "S3_BUCKET": env.get("S3_BUCKET", "").strip(),
        "S3_REGION": env.get("S3_REGION", "").strip(),
        "S3_PREFIX": env.get("S3_PREFIX", "").strip().lstrip("/"),
        # Both or neither: neither leaves boto3 its own chain (AWS_* variables, a role).
        "S3_ACCESS_KEY_ID": env.get("S3_ACCESS_KEY_ID", "").strip(),
        "S3_SECRET_ACCESS_KEY": env.get("S3_SECRET_ACCESS_KEY", "").strip(),
        # COS and OSS want virtual-hosted names (bucket.host); MinIO usually path.
        "S3_ADDRESSING_STYLE": _choice(
            env, "S3_ADDRESSING_STYLE", ("virtual", "path", "auto"), "virtual"
        ),
        "S3_CONNECT_TIMEOUT": _float(env, "S3_CONNECT_TIMEOUT", 3.0),
        "S3_READ_TIMEOUT": _float(env, "S3_READ_TIMEOUT", 10.0),
        "S3_MAX_ATTEMPTS": _int(env, "S3_MAX_ATTEMPTS", 3),
    }
    check_storage_settings(settings, settings["STORAGE_BACKEND"])
    return settings


STORAGE_BACKENDS = ("local", "s3", "database")


def check_storage_settings(config: Mapping, backend: str) -> None:
    """Raise ConfigError naming the first setting `backend` needs and lacks."""
    if backend not in STORAGE_BACKENDS:
        raise ConfigError(f"STORAGE_BACKEND must be one of {', '.join(STORAGE_BACKENDS)}")
    if backend != "s3":
        return
    for name in ("S3_BUCKET", "S3_REGION"):
        if not config.get(name):
            raise ConfigError(
                f"{name} is not set; STORAGE_BACKEND=s3 needs it (README: Configuration)"
            )
    key_id, secret = config.get("S3_ACCESS_KEY_ID"), config.get("S3_SECRET_ACCESS_KEY")
    if bool(key_id) != bool(secret):
        missing = "S3_SECRET_ACCESS_KEY" if key_id else "S3_ACCESS_KEY_ID"
        raise ConfigError(f"{missing} is not set; S3 access keys go in pairs")
    if config.get("S3_MAX_ATTEMPTS", 1) < 1:
        raise ConfigError("S3_MAX_ATTEMPTS must be at least 1")


def _meter_readings(env: Mapping[str, str]) -> dict:
    multiple = _float(env, "METER_READING_FLAG_MULTIPLE", 3.0)
    if multiple <= 1:
        raise ConfigError(f"METER_READING_FLAG_MULTIPLE must be above 1, got {multiple}")
    largest = _int(env, "METER_READING_MAX_FEN", 200_000)
    if largest <= 0:
        raise ConfigError(f"METER_READING_MAX_FEN must be positive, got {largest}")
    return {
        # A reading above this many times the unit's recent average is flagged.
        "METER_READING_FLAG_MULTIPLE": multiple,
        # The most a unit's stairwell electricity can be for a month, in fen.
        "METER_READING_MAX_FEN": largest,
    }


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    value = env.get(name) or default
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def _json_map(env: Mapping[str, str], name: str, default: dict) -> dict:
    """A JSON object of name → string, e.g. {"issue_status": "tmpl-id"}."""
    raw = env.get(name)
    if not raw:
        return dict(default)
    try:
        value = json.loads(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a JSON object, got {raw[:40]!r}") from None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ConfigError(f"{name} must be a JSON object of strings")
    unknown = set(value) - set(MESSAGE_TEMPLATES)
    if unknown:
        raise ConfigError(f"{name} names unknown messages: {', '.join(sorted(unknown))}")
    return value


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


# `make run` writes the environment it runs with here (under the instance folder), so that
# `flask --app server ...` in another terminal uses the same database and WeChat sandbox.
DEV_ENV_FILE = "dev.env"


def development_environment(env: Mapping[str, str], instance_path: str) -> dict[str, str]:
    """The settings `make run` wrote to `instance/dev.env`, when `env` is development
    (LINLI_ENV unset or "development"); nothing in production or testing, or when the
    file is absent. The caller lets the real environment win over them."""
    if env.get("LINLI_ENV", "development").strip().lower() != "development":
        return {}
    path = Path(instance_path) / DEV_ENV_FILE
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    return {name: value for name, value in dotenv_values(path).items() if value is not None}


def load_dotenv_if_present(root: Path) -> None:
    """Read `.env` next to the project if there is one; the real environment wins."""
    env_file = root / ".env"
    if env_file.is_file():
        from dotenv import load_dotenv

        load_dotenv(env_file, override=False)
