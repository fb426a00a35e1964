"""WeChat Pay merchants at start-up: a key file that is missing or unreadable, a bad
merchants file or a v3 merchant set up halfway stops the app with one line naming the
merchant, the setting and the path, and never a key's contents."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from server import create_app
from server.config import SANDBOX_PAY_KEY, ConfigError, load_config
from server.config_pay import SANDBOX_KEYS

PRODUCTION = {
    "LINLI_ENV": "production",
    "SECRET_KEY": "s" * 40,
    "DATABASE_URL": "mysql://linli:pw@db/linli",
    "WECHAT_APPID": "wx123",
    "WECHAT_SECRET": "real-secret",
    "PUBLIC_BASE_URL": "https://linli.example.cn",
}
DEVELOPMENT = {"LINLI_ENV": "development", "DATABASE_URL": "sqlite://"}
APIV3_KEY = "Q7mZr2Kx9LpV4tNc8HsW1yBe6UdJ3fGa"  # 32 characters


def _pem(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> dict:
    """A v3 merchant's files as the README tells to lay them out, with keys of its own."""
    folder = tmp_path_factory.mktemp("pay")
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    platform = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = platform.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    files = {
        "private_key_file": ("apiclient_key.pem", _pem(private)),
        "apiv3_key_file": ("apiv3.key", APIV3_KEY + "\n"),
        "public_key_file": ("pub_key.pem", public.decode()),
        "api_key_file": ("v2_api.key", "V2apiKEYv2apiKEYv2apiKEYv2apiKE\n"),
    }
    found = {}
    for setting, (filename, text) in files.items():
        (folder / filename).write_text(text)
        found[setting] = str(folder / filename)
    certs = folder / "platform_certs"
    certs.mkdir()
    (certs / "5157F09EFDC096DE15EBE81A47057A7232F1B8E1.pem").write_text(public.decode())
    found["platform_cert_dir"] = str(certs)
    found["secrets"] = [text for _, text in files.values()]
    return found


def v3(keys, **changes) -> dict:
    settings = {
        "version": "v3",
        "mchid": "1900000200",
        "private_key_file": keys["private_key_file"],
        "cert_serial_no": "444F4864EA9B34415D3C4DB1D7E4E0D5D4A9A1C9",
        "apiv3_key_file": keys["apiv3_key_file"],
        "public_key_file": keys["public_key_file"],
        "public_key_id": "PUB_KEY_ID_0119000002002026120600000000000002",
    }
    settings.update(changes)
    return {key: value for key, value in settings.items() if value is not None}


def v2(keys, **changes) -> dict:
    return {"version": "v2", "mch_id": "1900000109", "api_key_file": keys["api_key_file"]} | (
        changes
    )


def env_with(tmp_path, merchants, base=DEVELOPMENT, **settings) -> dict:
    path = tmp_path / "merchants.json"
    path.write_text(merchants if isinstance(merchants, str) else json.dumps(merchants))
    return {**base, "WECHAT_PAY_MERCHANTS_FILE": str(path), **settings}


def refused(keys, env) -> str:
    """The start-up error's message, checked to quote no key."""
    with pytest.raises(ConfigError) as caught:
        load_config(env, "instance")
    message = str(caught.value)
    for secret in keys["secrets"]:
        for line in secret.splitlines():
            if len(line) > 8 and "-----" not in line:
                assert line not in message
    assert SANDBOX_PAY_KEY not in message
    return message


def test_a_v2_and_two_v3_merchants_are_configured(tmp_path, keys):
    merchants = {
        "old-v2": v2(keys),
        "wanshou-v3": v3(keys),
        "certs-v3": v3(
            keys,
            public_key_file=None,
            public_key_id=None,
            platform_cert_dir=keys["platform_cert_dir"],
        ),
    }
    config = load_config(env_with(tmp_path, merchants, PRODUCTION), "instance")
    found = config["WECHAT_PAY_MERCHANTS"]
    assert sorted(found) == ["certs-v3", "old-v2", "wanshou-v3"]  # no sandbox-v3 in production
    assert found["wanshou-v3"]["appid"] == "wx123"
    assert config["WECHAT_PAY_DEFAULT_MERCHANT"] == ""  # no plain v2 settings: none yet
    chosen = load_config(
        env_with(tmp_path, merchants, PRODUCTION, WECHAT_PAY_DEFAULT_MERCHANT="wanshou-v3"),
        "instance",
    )
    assert chosen["WECHAT_PAY_DEFAULT_MERCHANT"] == "wanshou-v3"
    # Only paths are kept: no key's contents in the configuration.
    assert not any(secret.strip() in json.dumps(found) for secret in keys["secrets"])


def test_outside_production_the_sandbox_v3_merchant_is_always_there():
    config = load_config(DEVELOPMENT, "instance")
    assert config["WECHAT_PAY_MERCHANTS"]["sandbox-v3"]["version"] == "v3"
    assert config["WECHAT_PAY_DEFAULT_MERCHANT"] == "default"
    assert "sandbox-v3" not in load_config(PRODUCTION, "instance")["WECHAT_PAY_MERCHANTS"]


@pytest.mark.parametrize(
    "setting", ["private_key_file", "apiv3_key_file", "public_key_file", "api_key_file"]
)
def test_a_missing_key_file_names_merchant_setting_and_path(tmp_path, keys, setting):
    gone = str(tmp_path / "nowhere" / "key.pem")
    merchant = v2(keys, api_key_file=gone) if setting == "api_key_file" else v3(keys)
    merchant[setting] = gone
    message = refused(keys, env_with(tmp_path, {"wanshou": merchant}, PRODUCTION))
    assert message == (
        f"WeChat Pay merchant 'wanshou': {setting} {gone!r} cannot be read "
        "(No such file or directory)"
    )


@pytest.mark.parametrize("setting", ["cert_file", "key_file"])
def test_a_v2_refund_certificate_that_is_missing_is_named(tmp_path, keys, setting):
    gone = str(tmp_path / "apiclient_cert.pem")
    merchant = v2(keys, **{setting: gone})
    message = refused(keys, env_with(tmp_path, {"old-v2": merchant}))
    assert message.startswith(f"WeChat Pay merchant 'old-v2': {setting} {gone!r} cannot be read")


def test_an_unreadable_key_file_is_named(tmp_path, keys):
    folder = tmp_path / "apiclient_key.pem"
    folder.mkdir()  # a directory where the key should be: unreadable even for root
    message = refused(keys, env_with(tmp_path, {"wanshou": v3(keys, private_key_file=str(folder))}))
    assert message == (
        f"WeChat Pay merchant 'wanshou': private_key_file {str(folder)!r} cannot be read "
        "(Is a directory)"
    )


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("{not json", "is not valid JSON"),
        ('["wanshou"]', "must map merchant names to objects"),
        ('{"wanshou": "v3"}', "must map merchant names to objects"),
    ],
)
def test_a_bad_merchants_file_is_named(tmp_path, keys, content, says):
    path = tmp_path / "merchants.json"
    message = refused(keys, env_with(tmp_path, content))
    assert message == f"WECHAT_PAY_MERCHANTS_FILE {str(path)!r} {says}"


def test_a_missing_merchants_file_is_named(tmp_path, keys):
    gone = str(tmp_path / "merchants.json")
    message = refused(keys, {**DEVELOPMENT, "WECHAT_PAY_MERCHANTS_FILE": gone})
    assert message == (
        f"WECHAT_PAY_MERCHANTS_FILE {gone!r} cannot be read (No such file or directory)"
    )


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        (
            {"public_key_file": None, "public_key_id": None},
            "set public_key_file and public_key_id (WeChat Pay public key) or "
            "platform_cert_dir (platform certificates)",
        ),
        ({"public_key_id": None}, "set public_key_file and public_key_id"),
        ({"public_key_file": None}, "set public_key_file and public_key_id"),
        ({"cert_serial_no": None}, "cert_serial_no is not set"),
        ({"mchid": None}, "mchid is not set"),
        ({"apiv3_key_file": None}, "apiv3_key_file is not set"),
        ({"version": "v4"}, 'version must be "v2" or "v3"'),
        ({"mchid": 1900000200}, "mchid must be a string"),
    ],
)
def test_a_v3_merchant_set_up_halfway_is_refused(tmp_path, keys, changes, says):
    message = refused(keys, env_with(tmp_path, {"wanshou": v3(keys, **changes)}))
    assert message.startswith("WeChat Pay merchant 'wanshou': ")
    assert says in message


def test_public_key_file_without_its_id_is_refused_even_with_certificates(tmp_path, keys):
    merchant = v3(keys, public_key_id=None, platform_cert_dir=keys["platform_cert_dir"])
    message = refused(keys, env_with(tmp_path, {"wanshou": merchant}))
    assert message == (
        "WeChat Pay merchant 'wanshou': public_key_file and public_key_id go together"
    )


def test_a_certificate_folder_without_certificates_is_refused(tmp_path, keys):
    empty = tmp_path / "certs"
    empty.mkdir()
    merchant = v3(keys, public_key_file=None, public_key_id=None, platform_cert_dir=str(empty))
    message = refused(keys, env_with(tmp_path, {"wanshou": merchant}))
    assert message == (
        f"WeChat Pay merchant 'wanshou': platform_cert_dir {str(empty)!r} holds no platform "
        "certificate (<SERIAL>.pem)"
    )
    merchant["platform_cert_dir"] = str(tmp_path / "nowhere")
    assert "is not a directory" in refused(keys, env_with(tmp_path, {"wanshou": merchant}))


@pytest.mark.parametrize(
    "content", [APIV3_KEY[:-1], APIV3_KEY + "x", "", b"\xff\xfe" + APIV3_KEY.encode()]
)
def test_an_apiv3_key_that_is_not_32_characters_is_refused(tmp_path, keys, content):
    key_file = tmp_path / "apiv3.key"
    if isinstance(content, bytes):
        key_file.write_bytes(content)
    else:
        key_file.write_text(content)
    merchant = v3(keys, apiv3_key_file=str(key_file))
    message = refused(keys, env_with(tmp_path, {"wanshou": merchant}))
    assert message == (
        f"WeChat Pay merchant 'wanshou': the APIv3 key in apiv3_key_file {str(key_file)!r} "
        "must be 32 characters"
    )
    if content:
        assert APIV3_KEY[:20] not in message


def test_production_refuses_the_sandbox_keys_where_they_are(tmp_path, keys):
    merchant = v3(keys, private_key_file=str(SANDBOX_KEYS / "merchant_private_key.pem"))
    message = refused(keys, env_with(tmp_path, {"wanshou": merchant}, PRODUCTION))
    assert message == (
        "WeChat Pay merchant 'wanshou': private_key_file points at the sandbox's throwaway keys"
    )
    # The same file is fine for development.
    load_config(env_with(tmp_path, {"wanshou": merchant}), "instance")


def test_production_refuses_a_copy_of_the_sandbox_keys(tmp_path, keys):
    copy = tmp_path / "apiv3.key"
    shutil.copy(SANDBOX_KEYS / "apiv3_key.txt", copy)
    merchant = v3(keys, apiv3_key_file=str(copy))
    message = refused(keys, env_with(tmp_path, {"wanshou": merchant}, PRODUCTION))
    assert message == (
        f"WeChat Pay merchant 'wanshou': apiv3_key_file {str(copy)!r} is a copy of the "
        "sandbox's throwaway keys"
    )
    assert (SANDBOX_KEYS / "apiv3_key.txt").read_text().strip() not in message


def test_production_refuses_the_sandbox_v2_key():
    env = {**PRODUCTION, "WECHAT_PAY_MCH_ID": "1900000109", "WECHAT_PAY_API_KEY": SANDBOX_PAY_KEY}
    with pytest.raises(ConfigError) as caught:
        load_config(env, "instance")
    assert str(caught.value) == (
        "WECHAT_PAY_API_KEY is the sandbox's throwaway key, not a merchant's"
    )


def test_a_default_merchant_that_is_not_configured_is_refused(tmp_path, keys):
    env = env_with(tmp_path, {"wanshou": v3(keys)}, WECHAT_PAY_DEFAULT_MERCHANT="wanshuo")
    message = refused(keys, env)
    assert message == "WECHAT_PAY_DEFAULT_MERCHANT 'wanshuo' is not a configured merchant"
    production = {**PRODUCTION, "WECHAT_PAY_DEFAULT_MERCHANT": "sandbox-v3"}
    assert "'sandbox-v3' is not a configured merchant" in refused(keys, production)


def test_the_app_stops_at_start_up_with_one_line(tmp_path, keys, capsys):
    gone = str(tmp_path / "apiclient_key.pem")
    env = env_with(tmp_path, {"wanshou": v3(keys, private_key_file=gone)}, PRODUCTION)
    with pytest.raises(SystemExit):
        create_app(env)
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert lines == [
        f"linli: configuration error: WeChat Pay merchant 'wanshou': private_key_file "
        f"{gone!r} cannot be read (No such file or directory)"
    ]


def test_a_readable_merchant_starts_the_app(tmp_path, keys):
    env = env_with(tmp_path, {"wanshou": v3(keys)}, WECHAT_PAY_DEFAULT_MERCHANT="wanshou")
    app = create_app(env)
    assert app.config["WECHAT_PAY_DEFAULT_MERCHANT"] == "wanshou"
    assert Path(app.config["WECHAT_PAY_MERCHANTS"]["wanshou"]["private_key_file"]).is_file()
