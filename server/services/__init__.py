"""Use cases. Each public function owns its transaction (one commit); a job that acts on
many rows commits each row on its own (`batches.each_locked`). Services are the only
callers of WeChat, through `server.wechat`'s factory."""
