"""A TCP proxy between the app and MariaDB that can take the database "away" without
touching the shared server.

    proxy = TcpProxy("127.0.0.1", 3306).start()   # listens on proxy.port
    proxy.down("refuse")      # live connections closed; new ones refused (nothing listens)
    proxy.down("blackhole")   # live connections closed; new ones accepted, never answered
    proxy.up()                # forwarding again, on the same port
    proxy.stop()

Threads, one pair of pumps per forwarded connection: small, and enough for a test.
"""

from __future__ import annotations

import contextlib
import socket
import threading

MODES = ("up", "refuse", "blackhole")


class TcpProxy:
    def __init__(self, target_host: str, target_port: int, host: str = "127.0.0.1"):
        self.target = (target_host, target_port)
        self.host = host
        self.port = 0
        self.url = ""  # a database URL through this proxy, for whoever needs one
        self.mode = "up"
        self.accepted = 0  # connections accepted while up (forwarded)
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._acceptor: threading.Thread | None = None
        self._live: set[socket.socket] = set()  # both ends of every forwarded connection
        self._held: set[socket.socket] = set()  # black-holed clients

    # ----- control -----

    def start(self) -> TcpProxy:
        self._listen()
        return self

    def down(self, kind: str = "refuse") -> None:
        """Close every live connection; refuse new ones, or black-hole them."""
        if kind not in MODES[1:]:
            raise ValueError(f"down kind must be refuse or blackhole, got {kind!r}")
        with self._lock:
            self.mode = kind
        if kind == "refuse":
            self._close_listener()
        elif self._listener is None:
            self._listen()
        self._close_all(self._live)

    def up(self) -> None:
        """Forward again (on the same port); black-holed connections are closed."""
        with self._lock:
            self.mode = "up"
        self._close_all(self._held)
        if self._listener is None:
            self._listen()

    def stop(self) -> None:
        self._close_listener()
        self._close_all(self._live)
        self._close_all(self._held)

    @property
    def live_connections(self) -> int:
        with self._lock:
            return len(self._live) // 2

    # ----- listening -----

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # The port must survive a down/up cycle while old connections sit in TIME_WAIT.
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(128)
        listener.settimeout(0.1)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._acceptor = threading.Thread(
            target=self._accept_loop, args=(listener,), name=f"proxy-{self.port}", daemon=True
        )
        self._acceptor.start()

    def _close_listener(self) -> None:
        listener, acceptor = self._listener, self._acceptor
        self._listener = self._acceptor = None
        if listener is not None:
            listener.close()  # the accept loop notices within its 0.1 s timeout
        if acceptor is not None:
            acceptor.join(timeout=2)

    def _accept_loop(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed
            client.settimeout(None)
            with self._lock:
                mode = self.mode
                if mode == "blackhole":
                    self._held.add(client)  # accepted, never read, never answered
                    continue
            self._forward(client)

    def _forward(self, client: socket.socket) -> None:
        try:
            server = socket.create_connection(self.target, timeout=5)
            server.settimeout(None)
        except OSError:
            client.close()
            return
        with self._lock:
            if self.mode != "up":  # went down while we were connecting
                client.close()
                server.close()
                return
            self._live.update((client, server))
            self.accepted += 1
        for source, sink in ((client, server), (server, client)):
            threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            self._close_all({source, sink})

    def _close_all(self, sockets: set[socket.socket]) -> None:
        with self._lock:
            victims = list(sockets)
            self._live.difference_update(victims)
            self._held.difference_update(victims)
        for sock in victims:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
