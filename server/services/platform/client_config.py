"""What the mini-program needs to know before anyone signs in."""

from flask import current_app

from server import labels


def client_config() -> dict:
    """Subscribe template ids by name, and the Chinese of every code the client shows:
    `labels` by group with its `labels_version`; `categories` and `statuses` are the
    issue groups again, for clients older than `labels`."""
    return {
        "subscribe_templates": dict(current_app.config["WECHAT_SUBSCRIBE_TEMPLATES"]),
        "categories": labels.group("issue_category"),
        "statuses": labels.group("issue_status"),
        "labels": labels.served(),
        "labels_version": labels.version(),
    }
