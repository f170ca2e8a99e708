"""A TCP proxy a test controls, to cut a server off from its database without stopping it.

`down()` closes every connection passing through and answers each new one by closing it at
once: to the client this is what a stopped or restarting database server looks like. `up()`
lets connections through again. Threads and sockets only, so it runs wherever the tests run.
"""

import contextlib
import socket
import threading
from types import TracebackType


class TcpProxy:
    """Forward 127.0.0.1:<port> to `target`, until told to drop everything."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._up = True
        self._closed = False
        # How many connections were cut or refused while down: the faults the server survived.
        self.cut = 0
        self.refused = 0
        self._acceptor = threading.Thread(target=self._accept, name="tcp-proxy", daemon=True)
        self._acceptor.start()

    def __enter__(self) -> "TcpProxy":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def down(self) -> None:
        """Cut every open connection and refuse new ones, as a stopped database would."""
        with self._lock:
            self._up = False
            sockets, self._open = self._open, set()
        self.cut += len(sockets)
        for sock in sockets:
            _close(sock)

    def up(self) -> None:
        """Let new connections through again."""
        with self._lock:
            self._up = True

    def close(self) -> None:
        """Stop listening and cut every connection."""
        self._closed = True
        self.down()
        _close(self._listener)

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _address = self._listener.accept()
            except OSError:
                return
            with self._lock:
                refuse = not self._up
            if refuse:
                self.refused += 1
                _close(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _close(client)
                continue
            with self._lock:
                self._open.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(
                    target=self._pipe, args=(source, sink), name="tcp-proxy-pipe", daemon=True
                ).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            with self._lock:
                self._open.discard(source)
                self._open.discard(sink)
            _close(source)
            _close(sink)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
