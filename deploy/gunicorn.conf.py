"""gunicorn settings for Linli: `gunicorn -c deploy/gunicorn.conf.py` (the systemd unit
deploy/systemd/linli.service does it). gthread: 2 workers x 4 threads served more than
8 sync workers on 2 cores. The metrics port (METRICS_PORT) is served by the master,
summing every worker's counts from PROMETHEUS_MULTIPROC_DIR (server/metrics.py)."""

import os
from pathlib import Path

wsgi_app = "server:create_app()"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 30
graceful_timeout = 30
keepalive = 5
max_requests = 10000  # a worker is replaced now and then: no slow leak lives for ever
max_requests_jitter = 1000
control_socket_disable = True  # no ~/.gunicorn/gunicorn.ctl for the service user
accesslog = None  # nginx logs each request with its X-Request-Id; the app logs it too
errorlog = "-"

_PRODUCTION = os.environ.get("LINLI_ENV") == "production"
if os.environ.get("LOG_FORMAT", "json" if _PRODUCTION else "text") == "json":
    # gunicorn's own lines as JSON too, so the journal holds one format. The root
    # logger gets no handler here: the app adds its own (server/logs.py).
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "root": {"level": "INFO", "handlers": []},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["json"], "propagate": False},
            # nginx logs each request (with its id); none here, as with accesslog = None
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
        },
        "handlers": {
            "json": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
                "json_ensure_ascii": False,
            }
        },
    }

MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR")


def on_starting(server):
    """Counts left by a previous run would be summed into this one's: start empty."""
    if MULTIPROC_DIR:
        folder = Path(MULTIPROC_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink()


def when_ready(server):
    port = int(os.environ.get("METRICS_PORT") or 0)
    if port:
        from server.config import normalise_database_url
        from server.metrics import serve_metrics

        url = os.environ.get("DATABASE_URL")
        address = os.environ.get("METRICS_ADDRESS", "127.0.0.1")
        serve_metrics(port, normalise_database_url(url) if url else None, address)
        server.log.info("metrics on %s:%s", address, port)


def child_exit(server, worker):
    if MULTIPROC_DIR:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
