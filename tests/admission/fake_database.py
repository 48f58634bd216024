"""Stand-ins for a database in trouble, on 127.0.0.1 only: one that accepts connections and
never answers, and a relay to the real PostgreSQL that can be made to 'restart'."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress


class Silent:
    """Accepts every connection and never sends a byte."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.accepted = threading.Event()
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self._held.append(connection)
            self.accepted.set()

    def close(self) -> None:
        self.listener.close()
        for connection in self._held:
            with suppress(OSError):
                connection.close()


@contextmanager
def silent_database() -> Iterator[Silent]:
    server = Silent()
    try:
        yield server
    finally:
        server.close()


class Relay:
    """Pipes connections to `upstream`; `restart()` drops every connection and refuses new
    ones until `resume()`, as a database restarting does; `freeze()` keeps every connection
    open but lets nothing through, as a stopped server whose kernel still answers does."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.down = False
        self.frozen = False
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def restart(self) -> None:
        with self._lock:
            self.down = True
            for connection in self._open:
                with suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
                with suppress(OSError):
                    connection.close()
            self._open.clear()

    def resume(self) -> None:
        self.down = False
        self.frozen = False

    def freeze(self) -> None:
        self.frozen = True

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with self._lock:
                if self.down:
                    client.close()
                    continue
                server = socket.create_connection(self.upstream)
                self._open += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, target), daemon=True).start()

    def close(self) -> None:
        self.listener.close()
        self.restart()

    def _pipe(self, source: socket.socket, target: socket.socket) -> None:
        with suppress(OSError):
            while chunk := source.recv(65536):
                if not self.frozen:
                    target.sendall(chunk)
        with suppress(OSError):
            target.shutdown(socket.SHUT_RDWR)
