"""The bare baseline: a minimal Flask app returning a small JSON, served by the same
gunicorn set-up as the real app, so each endpoint's throughput is a ratio to it."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return {"ok": True, "service": "baseline"}
