"""The official account (公众号) that pushes template messages to volunteers.

Liaisons and committee members need repeated pushes without tapping "allow"
each time; a verified service account can send them template messages once they
follow it. Its openid differs from the mini-program's: the two are linked
through the unionid when the follow event arrives.
"""

from __future__ import annotations

import logging

import requests
from wechatpy import parse_message
from wechatpy.exceptions import InvalidSignatureException, WeChatClientException
from wechatpy.utils import check_signature

from server.wechat.client import StableTokenClient
from server.wechat.errors import WeChatUnavailable

log = logging.getLogger(__name__)
MAX_EVENT_BYTES = 16 * 1024


class OfficialAccount:
    def __init__(self, client: StableTokenClient, mini_appid: str, token: str):
        self.client = client
        self.mini_appid = mini_appid
        self.token = token

    def send_template_message(
        self, oa_openid: str, template_id: str, data: dict, page: str
    ) -> None:
        """A template message that opens `page` of the mini-program.

        Raises WeChatSendRejected (e.g. 43004: no longer follows), WeChatUnavailable.
        """
        body = {
            "touser": oa_openid,
            "template_id": template_id,
            "miniprogram": {"appid": self.mini_appid, "pagepath": page},
            "data": {key: {"value": value} for key, value in data.items()},
        }
        self.client.send("cgi-bin/message/template/send", body, "template/send")

    def unionid_of(self, oa_openid: str) -> str | None:
        """The unionid of a follower (None if the account is not on the open platform)."""
        try:
            result = self.client.get(
                "cgi-bin/user/info",
                params={"openid": oa_openid, "lang": "zh_CN"},
                api_base_url=self.client.api_base,
            )
        except (WeChatClientException, requests.RequestException, ValueError):
            raise WeChatUnavailable() from None
        return result.get("unionid") if isinstance(result, dict) else None

    def verify(self, signature: str, timestamp: str, nonce: str) -> bool:
        """Is this request from WeChat (the server URL's token signature)?"""
        try:
            check_signature(self.token, signature, timestamp, nonce)
        except InvalidSignatureException:
            return False
        return True


def parse_follow_event(body: bytes) -> tuple[str, str] | None:
    """("subscribe" | "unsubscribe", follower openid) from a plaintext-mode event push,
    or None for anything else. Oversized or malformed bodies are None, never an error."""
    if not body or len(body) > MAX_EVENT_BYTES or b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        return None
    try:
        message = parse_message(body)
    except Exception:  # wechatpy raises several kinds for bad XML
        return None
    event = getattr(message, "event", None)
    if event in {"subscribe", "unsubscribe"}:
        return event, message.source
    return None
