"""Configuration from environment variables (and a `.env` file in development).

Every setting has one name, read here and nowhere else. In production a missing
secret stops start-up with a single line naming it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

DEV_SECRET_KEY = "dev-only-secret-key-change-me-in-production"  # noqa: S105
SANDBOX_APPID = "wx0000000000sandbox"
SANDBOX_SECRET = "sandbox-app-secret"  # noqa: S105

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
    """Make MySQL/MariaDB URLs use PyMySQL and utf8mb4, so Chinese text round-trips."""
    if url.startswith("mysql://"):
        url = "mysql+pymysql://" + url[len("mysql://") :]
    if url.startswith("mariadb://"):
        url = "mysql+pymysql://" + url[len("mariadb://") :]
    if url.startswith("mysql") and "charset=" not in url:
        url += ("&" if "?" in url else "?") + "charset=utf8mb4"
    return url


def engine_options(url: str, pool_recycle: int) -> dict:
    """Engine options: pre-ping and recycle connections before the server drops them."""
    # hide_parameters: a failed statement's message must not quote session keys.
    options: dict = {"pool_pre_ping": True, "hide_parameters": True}
    if url.startswith("mysql"):
        options.update(
            pool_recycle=pool_recycle,
            pool_size=5,
            max_overflow=10,
            pool_timeout=3,
            connect_args={"connect_timeout": 3, "read_timeout": 30, "write_timeout": 30},
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
        for name in REQUIRED_IN_PRODUCTION:
            if not env.get(name, "").strip():
                raise ConfigError(
                    f"{name} is not set; production mode needs it (README: Configuration)"
                )
        if len(env["SECRET_KEY"]) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters in production")

    default_db = "sqlite:///" + str(Path(instance_path) / "linli.sqlite3")
    database_url = normalise_database_url(env.get("DATABASE_URL") or default_db)
    pool_recycle = _int(env, "DATABASE_POOL_RECYCLE", 1800)
    public_base = env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")

    return {
        "LINLI_ENV": mode,
        "TESTING": mode == "testing",
        "SECRET_KEY": env.get("SECRET_KEY") or DEV_SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(database_url, pool_recycle),
        "AUTH_TOKEN_TTL": _int(env, "AUTH_TOKEN_TTL", 86400),
        "WECHAT_APPID": env.get("WECHAT_APPID") or SANDBOX_APPID,
        "WECHAT_SECRET": env.get("WECHAT_SECRET") or SANDBOX_SECRET,
        "WECHAT_API_BASE": _with_slash(env.get("WECHAT_API_BASE", "https://api.weixin.qq.com/")),
        "WECHAT_TIMEOUT": float(env.get("WECHAT_TIMEOUT", "4")),
        "WECHAT_PAY_MCH_ID": env.get("WECHAT_PAY_MCH_ID", ""),
        "WECHAT_PAY_API_KEY": env.get("WECHAT_PAY_API_KEY", ""),
        "WECHAT_PAY_API_BASE": _with_slash(
            env.get("WECHAT_PAY_API_BASE", "https://api.mch.weixin.qq.com/")
        ),
        "PUBLIC_BASE_URL": public_base,
        "REDIS_URL": env.get("REDIS_URL", ""),
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), default=True),
        "RATELIMIT_STORAGE_URI": env.get("REDIS_URL") or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        # Redis away: keep limiting per process rather than failing requests.
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "LOGIN_RATE_PER_IP": env.get("LOGIN_RATE_PER_IP", "120/minute"),
        "LOGIN_RATE_PER_OPENID": env.get("LOGIN_RATE_PER_OPENID", "10/minute"),
        "INVITE_RATE": env.get("INVITE_RATE", "10/minute"),
        "TRUSTED_PROXIES": _int(env, "TRUSTED_PROXIES", 0),
        "SCHEDULER_JOBS": env.get("SCHEDULER_JOBS", "server.jobs:JOBS"),
        "SCHEDULER_LEASE_SECONDS": _int(env, "SCHEDULER_LEASE_SECONDS", 30),
        "INVITE_TTL_DAYS": _int(env, "INVITE_TTL_DAYS", 60),
        "UPLOAD_DIR": env.get("UPLOAD_DIR") or str(Path(instance_path) / "uploads"),
        "UPLOAD_MAX_BYTES": _int(env, "UPLOAD_MAX_BYTES", 5 * 1024 * 1024),
        "UPLOAD_RATE": env.get("UPLOAD_RATE", "30/minute"),
        "UPLOAD_MAX_SIDE": _int(env, "UPLOAD_MAX_SIDE", 2560),
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO").upper(),
        "MAX_CONTENT_LENGTH": _int(env, "MAX_CONTENT_LENGTH", 6 * 1024 * 1024),
    }


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def load_dotenv_if_present(root: Path) -> None:
    """Read `.env` next to the project if there is one; the real environment wins."""
    env_file = root / ".env"
    if env_file.is_file():
        from dotenv import load_dotenv

        load_dotenv(env_file, override=False)
