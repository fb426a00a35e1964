"""WeChat Pay merchants: which merchant accounts this installation takes money through.

A street office's installation may serve compounds whose funds sit with different
merchant accounts, some opened years ago on API v2 and new ones on API v3. Each
compound names its merchant (`Compound.pay_merchant`; none: `WECHAT_PAY_DEFAULT_MERCHANT`)
and each order remembers the merchant it was made with (`Payment.merchant`).

Merchants come from two places:

- `WECHAT_PAY_MCH_ID` + `WECHAT_PAY_API_KEY` (and, for refunds, `WECHAT_PAY_CERT_FILE`
  + `WECHAT_PAY_KEY_FILE`): the API v2 merchant named "default", as before.
- `WECHAT_PAY_MERCHANTS_FILE`: a JSON file of named merchants, v2 or v3:

      {"wanshou-v3": {"version": "v3", "mchid": "1900000200",
                      "private_key_file": "/etc/linli/pay/apiclient_key.pem",
                      "cert_serial_no": "5F1E...", "apiv3_key_file": "/etc/linli/pay/apiv3.key",
                      "public_key_file": "/etc/linli/pay/pub_key.pem",
                      "public_key_id": "PUB_KEY_ID_0119..."},
       "old-v2": {"version": "v2", "mch_id": "1900000109", "api_key_file": "...",
                  "cert_file": "...", "key_file": "..."}}

  A v3 merchant verifies WeChat Pay either with its public key (`public_key_file` +
  `public_key_id`) or with platform certificates saved in `platform_cert_dir` as
  `<SERIAL>.pem`. Keys stay in files; the configuration holds their paths, and no
  key is ever stored in the database or written to a log.

Outside production a sandbox v3 merchant ("sandbox-v3") is always there, with the
throwaway keys in `server/wechat/sandbox/keys/`; production refuses those keys.
Every named file must be readable at start-up: a missing one stops the app with a
ConfigError naming the merchant, the setting and the path.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

SANDBOX_KEYS = Path(__file__).resolve().parent / "wechat" / "sandbox" / "keys"
SANDBOX_V3_MERCHANT = "sandbox-v3"
SANDBOX_V3_MCH_ID = "1900000300"
SANDBOX_V3_SERIAL = "5A1D0B5F0C3E4A2B9C7D6E5F4A3B2C1D0E9F8A7B"
SANDBOX_V3_PUBLIC_KEY_ID = "PUB_KEY_ID_0119000003002026120600000000000001"
DEFAULT_MERCHANT = "default"

V2_FILES = ("api_key_file", "cert_file", "key_file")
V3_FILES = ("private_key_file", "apiv3_key_file", "public_key_file")


class PayConfigError(Exception):
    """A merchant's setting is missing or unreadable (becomes a ConfigError)."""


def sandbox_v3(appid: str) -> dict:
    return {
        "version": "v3",
        "appid": appid,
        "mchid": SANDBOX_V3_MCH_ID,
        "private_key_file": str(SANDBOX_KEYS / "merchant_private_key.pem"),
        "cert_serial_no": SANDBOX_V3_SERIAL,
        "apiv3_key_file": str(SANDBOX_KEYS / "apiv3_key.txt"),
        "public_key_file": str(SANDBOX_KEYS / "platform_public_key.pem"),
        "public_key_id": SANDBOX_V3_PUBLIC_KEY_ID,
    }


def merchants(env: Mapping[str, str], production: bool, appid: str, v2: dict | None) -> dict:
    """Every merchant by name, each a dict with "version" and its settings (file paths
    checked readable). `v2` is the "default" v2 merchant from the plain settings, if any.
    Raises PayConfigError."""
    found: dict[str, dict] = {}
    if v2:
        found[DEFAULT_MERCHANT] = {"version": "v2", "appid": appid, **v2}
    if not production:
        found[SANDBOX_V3_MERCHANT] = sandbox_v3(appid)
    path = env.get("WECHAT_PAY_MERCHANTS_FILE", "").strip()
    if path:
        for name, settings in _read_file(path).items():
            found[name] = {"appid": appid, **settings}
    for name, settings in found.items():
        _check(name, settings, production)
    return found


def _read_file(path: str) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise PayConfigError(
            f"WECHAT_PAY_MERCHANTS_FILE {path!r} cannot be read ({error.strerror})"
        ) from None
    except ValueError:
        raise PayConfigError(f"WECHAT_PAY_MERCHANTS_FILE {path!r} is not valid JSON") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise PayConfigError(
            f"WECHAT_PAY_MERCHANTS_FILE {path!r} must map merchant names to objects"
        )
    return data


def _check(name: str, settings: dict, production: bool) -> None:
    version = settings.get("version")
    if not isinstance(name, str) or not name or len(name) > 32:
        raise PayConfigError(f"WeChat Pay merchant name {name!r} must be 1 to 32 characters")
    for key, value in settings.items():
        if not isinstance(value, str):  # a number or list would fail later, less clearly
            raise PayConfigError(f"WeChat Pay merchant {name!r}: {key} must be a string")
    if version == "v2":
        required, files = ("mch_id",), ()
        if not (settings.get("api_key") or settings.get("api_key_file")):
            raise PayConfigError(f"WeChat Pay merchant {name!r}: api_key_file is not set")
        files = tuple(f for f in V2_FILES if settings.get(f))
    elif version == "v3":
        required = ("mchid", "private_key_file", "cert_serial_no", "apiv3_key_file")
        has_key = bool(settings.get("public_key_file")) and bool(settings.get("public_key_id"))
        if not has_key and not settings.get("platform_cert_dir"):
            raise PayConfigError(
                f"WeChat Pay merchant {name!r}: set public_key_file and public_key_id "
                "(WeChat Pay public key) or platform_cert_dir (platform certificates)"
            )
        if bool(settings.get("public_key_file")) != bool(settings.get("public_key_id")):
            raise PayConfigError(
                f"WeChat Pay merchant {name!r}: public_key_file and public_key_id go together"
            )
        files = tuple(f for f in V3_FILES if settings.get(f))
    else:
        raise PayConfigError(f'WeChat Pay merchant {name!r}: version must be "v2" or "v3"')
    for key in required:
        if not settings.get(key):
            raise PayConfigError(f"WeChat Pay merchant {name!r}: {key} is not set")
    for key in files:
        _readable(name, key, settings[key], production)
    if settings.get("platform_cert_dir"):
        _certificates(name, settings["platform_cert_dir"])
    if version == "v3":
        try:
            apiv3_key = read_secret(settings["apiv3_key_file"])
        except UnicodeDecodeError:  # its message would quote the key's bytes
            apiv3_key = None
        if apiv3_key is None or len(apiv3_key) != 32:
            raise PayConfigError(
                f"WeChat Pay merchant {name!r}: the APIv3 key in apiv3_key_file "
                f"{settings['apiv3_key_file']!r} must be 32 characters"
            )


def _certificates(name: str, folder: str) -> None:
    """Without a platform certificate saved as <SERIAL>.pem, wechatpayv3 would fetch them
    from WeChat Pay when the first order is made: say so at start-up instead."""
    path = Path(folder)
    if not path.is_dir():
        raise PayConfigError(
            f"WeChat Pay merchant {name!r}: platform_cert_dir {folder!r} is not a directory"
        )
    if not any(path.glob("*.pem")):
        raise PayConfigError(
            f"WeChat Pay merchant {name!r}: platform_cert_dir {folder!r} holds no platform "
            "certificate (<SERIAL>.pem)"
        )


def _readable(name: str, key: str, path: str, production: bool) -> None:
    file = Path(path)
    if production and SANDBOX_KEYS in file.resolve().parents:
        raise PayConfigError(
            f"WeChat Pay merchant {name!r}: {key} points at the sandbox's throwaway keys"
        )
    try:
        with file.open("rb") as handle:
            content = handle.read(64 * 1024)
    except OSError as error:
        raise PayConfigError(
            f"WeChat Pay merchant {name!r}: {key} {path!r} cannot be read ({error.strerror})"
        ) from None
    if production and content.strip() in _sandbox_keys():
        raise PayConfigError(
            f"WeChat Pay merchant {name!r}: {key} {path!r} is a copy of the sandbox's "
            "throwaway keys"
        )


def _sandbox_keys() -> set[bytes]:
    return {file.read_bytes().strip() for file in SANDBOX_KEYS.iterdir() if file.is_file()}


def read_secret(path: str) -> str:
    """A key file's text without surrounding whitespace (never logged)."""
    return Path(path).read_text(encoding="utf-8").strip()
