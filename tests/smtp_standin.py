"""A small SMTP server for tests that send through real worker processes.

It speaks enough SMTP for Django's SMTP backend, keeps each complete message, and
can hold the DATA command open (before the message is accepted) or the QUIT command
(after it was accepted) so a test can kill the worker there, or run `on_accept` once
the whole message has arrived and just before the server says it has it. A message
whose sender disappears before the final dot is not kept: as in SMTP, it was never
delivered.
"""

import email
import socketserver
import threading
from collections.abc import Callable
from email.message import Message


class _Handler(socketserver.StreamRequestHandler):
    timeout = 60

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        server: SMTPStandIn = self.server.standin
        try:
            self.reply("220 standin ESMTP")
            while True:
                line = self.rfile.readline()
                if not line:
                    return
                command = line.decode(errors="replace").strip()
                verb = command.split(" ", 1)[0].upper()
                if verb in {"EHLO", "HELO"}:
                    self.reply("250 standin")
                elif verb == "MAIL":
                    self.reply("250 OK")
                elif verb == "RCPT":
                    code = server.rcpt_reply_code
                    self.reply(f"{code} {'OK' if code == 250 else 'refused by the stand-in'}")
                elif verb == "DATA":
                    server.data_started.set()
                    if server.hold_data and not server.release.wait(timeout=60):
                        return
                    self.reply("354 End data with <CR><LF>.<CR><LF>")
                    data = self._read_data()
                    if data is None:
                        return
                    server.messages.append(email.message_from_bytes(data))
                    if server.on_accept is not None:
                        server.on_accept()
                    self.reply("250 OK queued")
                elif verb == "RSET" or verb == "NOOP":
                    self.reply("250 OK")
                elif verb == "QUIT":
                    server.quit_started.set()
                    if server.hold_quit and not server.release.wait(timeout=60):
                        return
                    self.reply("221 Bye")
                    return
                else:
                    self.reply("502 Command not implemented")
        except OSError:
            return

    def _read_data(self) -> bytes | None:
        lines = []
        while True:
            line = self.rfile.readline()
            if not line:
                return None  # the sender vanished before the end: nothing delivered
            if line in (b".\r\n", b".\n"):
                return b"".join(lines)
            lines.append(line[1:] if line.startswith(b"..") else line)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SMTPStandIn:
    def __init__(
        self,
        *,
        hold_data: bool = False,
        hold_quit: bool = False,
        rcpt_reply_code: int = 250,
        on_accept: Callable[[], None] | None = None,
    ):
        self.messages: list[Message] = []
        self.hold_data = hold_data
        self.hold_quit = hold_quit
        self.rcpt_reply_code = rcpt_reply_code
        self.on_accept = on_accept
        self.data_started = threading.Event()
        self.quit_started = threading.Event()
        self.release = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.standin = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "SMTPStandIn":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"
