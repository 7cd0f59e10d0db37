"""A small HTTP proxy on 127.0.0.1 for tests that stand between two of our processes."""

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "content-length", "transfer-encoding"}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _forward(self) -> None:
        proxy: ForwardingProxy = self.server.proxy
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {
            key: value
            for key, value in self.headers.items()
            if key.lower() not in {"host", "connection"}
        }
        headers.update(proxy.request_headers(self))
        upstream = http.client.HTTPConnection(
            proxy.upstream.hostname, proxy.upstream.port, timeout=90
        )
        upstream.request(self.command, self.path, body=body, headers=headers)
        answer = upstream.getresponse()
        content = answer.read()
        upstream.close()
        if proxy.drop_answer(self):
            self.close_connection = True  # the upstream acted on it; the caller hears nothing
            return
        self.send_response(answer.status)
        for key, value in answer.getheaders():
            if key.lower() not in HOP_BY_HOP:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_HEAD = do_POST = do_DELETE = _forward

    def log_message(self, *args) -> None:
        pass


class ForwardingProxy:
    """Forwards every request to `upstream_url`; subclasses add headers or lose answers."""

    def __init__(self, upstream_url: str):
        self.upstream = urlsplit(upstream_url)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.proxy = self
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def request_headers(self, handler: BaseHTTPRequestHandler) -> dict[str, str]:
        return {}

    def drop_answer(self, handler: BaseHTTPRequestHandler) -> bool:
        return False

    def __enter__(self):
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
