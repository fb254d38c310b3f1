"""A small SMTP server in a thread, for the task-queue tests: it counts the messages it
acknowledged, and can misbehave the way real mail servers do.

Modes (``sink.mode``, read at each new connection):

* ``ok``: answers and acknowledges every message (``250``): ``sink.delivered``;
* ``hang``: accepts the connection and never says anything (a server that hangs);
* ``refuse``: accepts the connection and closes it at once;
* ``hold``: takes the message but never acknowledges it (``sink.held``): the sender is
  stuck mid-send, as a worker is when it is killed.

``fail_first=N`` applies the mode to the first N connections and ``ok`` after them.
"""

import socket
import threading


class SmtpSink:
    def __init__(self, mode="ok", fail_first=None):
        self.mode = mode
        self.fail_first = fail_first
        self.delivered = []
        self.held = []
        self.connections = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server = socket.socket()
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(16)
        self._server.settimeout(0.2)
        self.port = self._server.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._stop.set()
        self._thread.join(timeout=5)
        self._server.close()

    def delivered_to(self, address):
        return [m for m in self.delivered if address.lower() in m.lower()]

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
                failing = self.fail_first is None or self.connections <= self.fail_first
                mode = self.mode if failing else "ok"
            threading.Thread(target=self._handle, args=(conn, mode), daemon=True).start()

    def _wait_until_stopped(self, conn):
        while not self._stop.wait(0.2):
            pass
        conn.close()

    def _handle(self, conn, mode):
        if mode == "refuse":
            conn.close()
            return
        if mode == "hang":
            self._wait_until_stopped(conn)
            return
        conn.settimeout(30)
        reader = conn.makefile("rb")
        try:
            conn.sendall(b"220 sink ready\r\n")
            while True:
                line = reader.readline()
                if not line:
                    return
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    conn.sendall(b"250 sink\r\n")
                elif verb == b"DATA":
                    conn.sendall(b"354 go ahead\r\n")
                    data = []
                    while (chunk := reader.readline()) not in (b".\r\n", b""):
                        data.append(chunk)
                    message = b"".join(data).decode("utf-8", "replace")
                    if mode == "hold":
                        self.held.append(message)
                        self._wait_until_stopped(conn)
                        return
                    self.delivered.append(message)
                    conn.sendall(b"250 queued\r\n")
                elif verb == b"QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return
                else:
                    conn.sendall(b"250 ok\r\n")
        except OSError:
            return
        finally:
            conn.close()
