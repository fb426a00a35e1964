"""A download's name survives a real HTTP header: Chinese goes in filename* (RFC 6266)."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from server.api.downloads import disposition


@pytest.mark.parametrize(
    ("name", "fallback"),
    [
        ("报事登记.xlsx", "download.xlsx"),
        ("demo-报事.xlsx", "demo-.xlsx"),
        ("a-b.xlsx", "a-b.xlsx"),
    ],
)
def test_a_chinese_name_is_encoded_with_an_ascii_fallback(name, fallback):
    header = disposition(name)
    header.encode("latin-1")  # what a WSGI server can send
    assert f'filename="{fallback}"' in header
    if name != fallback:
        assert unquote(header.split("filename*=UTF-8''")[1]) == name
