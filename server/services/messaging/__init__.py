"""Messaging: who hears what (`notify`, `messages`), the in-app inbox, the WeChat outbox
(`outbox`, `outbox_rows`, `failed_messages`), official-account followers and reachability."""
