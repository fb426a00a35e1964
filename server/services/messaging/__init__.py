"""Messaging: who hears what (`notify`, `messages`), the in-app inbox, the WeChat outbox,
official-account followers and reachability."""
