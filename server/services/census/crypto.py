"""Phones at rest: AES-GCM under PERSONAL_DATA_KEY, a masked copy, a keyed hash.

The key is 32 bytes, base64 in the setting; unset, it is derived from SECRET_KEY
(development and tests). Rotating it means re-encrypting `household_members`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

from server.errors import ValidationFailed
from server.services.platform.compound_admin import masked_phone

PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")  # mobile, or a landline with area code
_VERSION = "v1"


def _key() -> bytes:
    raw = current_app.config.get("PERSONAL_DATA_KEY")
    if raw:
        return base64.b64decode(raw)
    secret = current_app.config["SECRET_KEY"].encode()
    return hashlib.sha256(b"linli-personal-data:" + secret).digest()


def clean_phone(phone: str | None) -> str | None:
    """The number without spaces; ValidationFailed (bad_phone) if it is not one."""
    if phone is None:
        return None
    value = re.sub(r"\s", "", phone)
    if value == "":
        return None
    if not PHONE.match(value):
        raise ValidationFailed("电话号码不对：手机号是 11 位数字，座机请带区号", code="bad_phone")
    return value


def encrypt(phone: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_key()).encrypt(nonce, phone.encode(), b"phone")
    return f"{_VERSION}:" + base64.b64encode(nonce + sealed).decode()


def decrypt(cipher: str | None) -> str | None:
    if not cipher:
        return None
    _, body = cipher.split(":", 1)
    data = base64.b64decode(body)
    return AESGCM(_key()).decrypt(data[:12], data[12:], b"phone").decode()


def lookup_hash(phone: str) -> str:
    """A keyed hash: finds the same number twice without storing it in clear."""
    return hmac.new(_key(), phone.encode(), hashlib.sha256).hexdigest()


def sealed(phone: str | None) -> dict:
    """The member columns for a phone (all None to clear it)."""
    value = clean_phone(phone)
    if value is None:
        return {"phone_cipher": None, "phone_masked": None, "phone_hash": None}
    return {
        "phone_cipher": encrypt(value),
        "phone_masked": masked_phone(value),
        "phone_hash": lookup_hash(value),
    }
