"""What the mini-program needs to know before anyone signs in."""

from flask import current_app

from server.services.issues.states import STATUS_LABELS
from server.services.messaging.messages import CATEGORY_LABELS


def client_config() -> dict:
    """Subscribe template ids by name, and the labels of categories and statuses."""
    return {
        "subscribe_templates": dict(current_app.config["WECHAT_SUBSCRIBE_TEMPLATES"]),
        "categories": dict(CATEGORY_LABELS),
        "statuses": dict(STATUS_LABELS),
    }
