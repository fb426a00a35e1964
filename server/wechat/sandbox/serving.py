"""Serving the sandbox over keep-alive HTTP/1.1 connections, as WeChat's servers do.

Werkzeug's development server (`run_simple`) closes every connection after one
answer, so a client sending many messages (the outbox's senders) would spend a good
part of its time connecting again, which it never does against WeChat. This server,
on the standard library's `http.server`, answers HTTP/1.1 with a `Content-Length` on
every answer and keeps the connection open for the next request (a thread per
connection) until the client closes it, asks to (`Connection: close`), or leaves it
idle for `IDLE_SECONDS`.

The sandbox's answers are small: each is built whole before it is sent.
"""

from __future__ import annotations

import logging
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from urllib.parse import unquote_to_bytes

log = logging.getLogger(__name__)

IDLE_SECONDS = 75  # an idle keep-alive connection is closed after this long
MAX_BODY = 16 * 2**20  # the sandbox takes no request body bigger than this
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


class BodyTooLarge(ValueError):
    pass


class SandboxServer(ThreadingHTTPServer):
    """A threaded HTTP/1.1 server for one WSGI app (`server_port` is the bound port)."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], app):
        self.app = app
        self.connections = 0  # accepted so far (a client that keeps them makes few)
        super().__init__(address, _Handler)

    def process_request(self, request, client_address) -> None:
        self.connections += 1  # only the serving thread accepts
        super().process_request(request, client_address)


def make_server(host: str, port: int, app) -> SandboxServer:
    """A keep-alive server for `app` bound to host:port (0: any free port); run it
    with `serve_forever()`, stop it with `shutdown()`."""
    return SandboxServer((host, port), app)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive unless the client says otherwise
    server_version = "LinliSandbox"
    timeout = IDLE_SECONDS
    # An answer's head and body leave in one segment, at once: written separately on a
    # kept connection they would wait on the client's delayed ACK (Nagle), ~40 ms each.
    wbufsize = 64 * 1024  # flushed after every request by the base class
    disable_nagle_algorithm = True
    server: SandboxServer

    def _serve(self) -> None:
        try:
            body = self._read_body()
        except (BodyTooLarge, ValueError):
            self.close_connection = True  # the rest of the body is not read
            self._answer("413 Request Entity Too Large", [], b"")
            return
        status, headers, payload = _call(self.server.app, self._environ(body))
        self._answer(status, headers, payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _serve

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0 or length > MAX_BODY:
            raise BodyTooLarge(length)
        return self.rfile.read(length) if length else b""

    def _read_chunked(self) -> bytes:
        parts, total = [], 0
        while True:
            size = int(self.rfile.readline(1024).split(b";")[0].strip() or b"0", 16)
            if not size:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts)
            total += size
            if total > MAX_BODY:
                raise BodyTooLarge(total)
            parts.append(self.rfile.read(size))
            self.rfile.readline(1024)  # the chunk's CRLF

    def _environ(self, body: bytes) -> dict:
        path, _, query = self.path.partition("?")
        host, port = self.server.server_address[:2]
        environ = {
            "REQUEST_METHOD": self.command,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
            "QUERY_STRING": query,
            "SERVER_NAME": str(host),
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": self.request_version,
            "REMOTE_ADDR": self.client_address[0],
            "REMOTE_PORT": self.client_address[1],
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in self.headers.items():
            key = "HTTP_" + name.upper().replace("-", "_")
            if key in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH", "HTTP_TRANSFER_ENCODING"):
                continue
            environ[key] = f"{environ[key]},{value}" if key in environ else value
        return environ

    def _answer(self, status: str, headers: list[tuple[str, str]], payload: bytes) -> None:
        code, _, reason = status.partition(" ")
        self.send_response(int(code), reason or None)
        for name, value in headers:
            if name.lower() not in _HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and payload:
            self.wfile.write(payload)

    def log_message(self, format: str, *args) -> None:
        log.info("%s %s", self.client_address[0], format % args)


def _call(app, environ: dict) -> tuple[str, list[tuple[str, str]], bytes]:
    """Run the WSGI app for one request: its status, headers and whole body."""
    answer: dict = {}

    def start_response(status, headers, exc_info=None):
        if exc_info and answer:
            raise exc_info[1].with_traceback(exc_info[2])
        answer["status"], answer["headers"] = status, headers
        return lambda data: chunks.append(data)

    chunks: list[bytes] = []
    try:
        iterable = app(environ, start_response)
        try:
            chunks.extend(iterable)
        finally:
            if hasattr(iterable, "close"):
                iterable.close()
    except Exception:
        method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
        log.exception("the sandbox failed on %s %s", method, path)
        return "500 Internal Server Error", [("Content-Type", "text/plain")], b"sandbox error"
    return answer["status"], answer["headers"], b"".join(chunks)
