"""Job entry points that need WeChat clients: built here from the app's configuration
and handed to the services (which never build clients themselves)."""

from __future__ import annotations

import logging

from server.services import outbox
from server.wechat import mini_program, official_account
from server.wechat.errors import WeChatUnavailable

log = logging.getLogger(__name__)


def dispatch_outbox() -> outbox.DispatchResult | str:
    """Send the queued WeChat pushes that are due."""
    mini = mini_program()
    try:
        mini.warm_up()  # fetch the access token before any database work begins
    except WeChatUnavailable:
        return "WeChat unavailable; messages stay queued"
    return outbox.dispatch(mini, official_account())
