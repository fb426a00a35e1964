"""The sandbox's own endpoints: what was received, token stats, settings, faults."""

from __future__ import annotations

from flask import Flask, jsonify, request

from server.wechat.sandbox.state import Fault, SandboxState, renew_window


def register_control(app: Flask, state: SandboxState) -> None:
    @app.get("/sandbox/messages")
    def list_messages():
        touser = request.args.get("touser")
        with state.lock:
            items = [m for m in state.messages if touser in (None, m["touser"])]
        return jsonify({"count": len(items), "messages": items})

    @app.delete("/sandbox/messages")
    def clear_messages():
        with state.lock:
            state.messages.clear()
        return jsonify({"cleared": True})

    @app.get("/sandbox/stats")
    def stats():
        with state.lock:
            return jsonify(
                {
                    "token_fetches": dict(state.fetches),
                    "fetch_log": list(state.fetch_log),
                    "calls": dict(state.calls),
                    "token_ttl": state.token_ttl,
                }
            )

    @app.post("/sandbox/settings")
    def settings():
        body = request.get_json(silent=True)
        ttl = body.get("token_ttl", state.token_ttl) if isinstance(body, dict) else None
        if not isinstance(ttl, int) or isinstance(ttl, bool) or not 4 <= ttl <= 7200:
            return jsonify({"error": "token_ttl must be an integer of seconds, 4 to 7200"}), 400
        with state.lock:
            state.token_ttl = ttl
        return jsonify({"token_ttl": ttl, "renew_window": renew_window(ttl)})

    @app.post("/sandbox/faults")
    def add_fault():
        body = request.get_json(silent=True) or {}
        kinds = {"status", "errcode", "malformed", "delay"}
        if body.get("kind") not in kinds or not isinstance(body.get("path"), str):
            return jsonify({"error": f"need path and kind in {sorted(kinds)}"}), 400
        fault = Fault(body["path"], body["kind"], float(body.get("value", 0)), body.get("times", 1))
        with state.lock:
            state.faults.append(fault)
        return jsonify({"faults": len(state.faults)}), 201

    @app.delete("/sandbox/faults")
    def clear_faults():
        with state.lock:
            state.faults.clear()
        return jsonify({"cleared": True})

    @app.get("/")
    def index():
        return jsonify(
            {
                "sandbox": "Linli WeChat sandbox",
                "appid": state.appid,
                "login": "wx.login code demo-<openid> signs in as <openid>",
                "see": ["/sandbox/messages", "/sandbox/stats"],
            }
        )
