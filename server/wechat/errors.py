"""What can go wrong talking to WeChat, as typed errors the API maps to statuses."""

from server.errors import AppError


class WeChatError(AppError):
    """Base of every WeChat failure."""


class WeChatCodeInvalid(WeChatError):
    status, code, message = 401, "wechat_code_invalid", "微信登录凭证无效或已使用，请重新进入小程序"


class WeChatRateLimited(WeChatError):
    status, code, message = 429, "wechat_rate_limited", "登录太频繁，请稍后再试"


class WeChatUserBlocked(WeChatError):
    status, code, message = 403, "wechat_user_blocked", "该微信账号暂时无法登录，请联系业委会"


class WeChatUnavailable(WeChatError):
    status, code, message = 503, "wechat_unavailable", "微信服务暂时不可用，请稍后再试"

    def __init__(self, message=None, **kwargs):
        kwargs.setdefault("headers", {"Retry-After": "5"})
        super().__init__(message, **kwargs)


class WeChatSendRejected(WeChatError):
    """WeChat refused a message for good (bad openid, template, data or page)."""

    status, code, message = 502, "wechat_send_rejected", "微信拒绝了这条消息"

    def __init__(self, errcode, reason: str):
        super().__init__(f"errcode {errcode}: {reason}")
        self.errcode = errcode


class WeChatNoQuota(WeChatError):
    """43101: the user has not (or no longer) subscribed to this template."""

    status, code, message = 409, "wechat_no_quota", "用户未订阅该消息"


class WeChatUncertain(WeChatError):
    """A message went out but no answer came back: WeChat may have delivered it."""

    status, code, message = 504, "wechat_uncertain", "微信未及时答复"
