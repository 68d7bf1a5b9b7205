"""A loopback HTTP server that plays feed publishers, good and bad, for the
integration tests.

    from feedserver import feeds, feed_server_factory   # the fixtures

    def test_something(mw, feeds):
        feeds.serve("/a.xml", file="rss20.xml", etag='"v1"')
        feeds.redirect("/old", "/a.xml", status=301)
        url = feeds.url("/old")
        ...
        assert feeds.requests_for("/a.xml")[0].header("User-Agent")

Every path is programmed with one behaviour (serve, redirect, trickle,
reset, hang, huge); a path nobody programmed answers 404.  Programming a
path again replaces its behaviour, so a test can change what a feed
returns between two polls.  Every request is recorded (method, path,
headers) in arrival order.

The server is a threaded http.server bound to 127.0.0.x on an ephemeral
port.  Handlers that wait (trickle, hang) wake when the server stops, so
the fixture's teardown always ends, and it joins every handler thread.
"""

import gzip as gziplib
import http.server
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"

MB = 1024 * 1024

# How long a waiting handler (hang, trickle) may last when nobody stops it:
# far beyond any poll timeout a test configures, short enough that a broken
# test cannot hold a CI job.
WAIT_CAP = 60.0


def fixture_bytes(name):
    """The bytes of tests/fixtures/feeds/NAME."""
    return (FIXTURES / name).read_bytes()


def closed_port(host="127.0.0.1"):
    """A port on host that nothing listens on (connections are refused)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


# ------------------------------------------------------------ behaviours

@dataclass
class Request:
    """One request as the server saw it."""
    method: str
    path: str                      # as sent, query and %-escapes included
    headers: list                  # [(name, value)] in order
    server: str                    # "host:port" of the server that got it
    response: int = 0              # status sent back (0: none, e.g. reset)
    encoding: str = None           # Content-Encoding of the answer, if any

    def header(self, name, default=None):
        """First value of header name (case-insensitive)."""
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return default


@dataclass
class Serve:
    body: bytes
    status: int = 200
    headers: dict = field(default_factory=dict)
    etag: str = None               # sent as ETag; If-None-Match → 304
    last_modified: str = None      # sent; an equal If-Modified-Since → 304
    conditional: bool = True       # False: ignore validators, always 200
    gzip: bool = False             # compress when the client accepts gzip
    content_length: bool = True


@dataclass
class Redirect:
    location: str
    status: int = 302


@dataclass
class Trickle:
    body: bytes
    interval: float = 0.5          # seconds between bytes
    content_type: str = "application/rss+xml; charset=utf-8"


@dataclass
class Reset:
    after: bytes = b""             # sent before the reset (e.g. headers)


@dataclass
class Hang:
    head: bytes = b""              # sent, then nothing more until stop


@dataclass
class Huge:
    size: int = 50 * MB
    content_length: bool = True    # False: no length, ends at close


# ------------------------------------------------------------ the server

class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"   # one request per connection
    server_version = "feedserver/1"
    timeout = 30                    # a silent client cannot hold a thread

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        owner = self.server.owner
        req = Request(self.command, self.path, list(self.headers.items()),
                      owner.netloc)
        owner._record(req)
        route = owner._route(urlsplit(self.path).path)
        handler = {
            Serve: self._serve, Redirect: self._redirect,
            Trickle: self._trickle, Reset: self._reset, Hang: self._hang,
            Huge: self._huge, type(None): self._not_found,
        }[type(route)]
        handler(route, req)

    do_HEAD = do_GET

    # ---- behaviours

    def _head(self, req, status, headers):
        req.response = status
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()

    def _not_found(self, route, req):
        self._send(req, 404, {"Content-Type": "text/plain"}, b"not found\n")

    def _send(self, req, status, headers, body, content_length=True):
        headers = dict(headers)
        if content_length:
            headers["Content-Length"] = str(len(body))
        self._head(req, status, headers)
        if self.command != "HEAD":
            self.wfile.write(body)

    def _not_modified(self, route, req):
        inm = req.header("If-None-Match")
        if route.etag and inm is not None:
            tags = [t.strip() for t in inm.split(",")]
            return "*" in tags or route.etag in tags
        ims = req.header("If-Modified-Since")
        return bool(route.last_modified and ims == route.last_modified)

    def _serve(self, route, req):
        # no charset: the document's own declaration is what is tested
        headers = {"Content-Type": "application/rss+xml"}
        headers.update(route.headers)
        if route.etag:
            headers["ETag"] = route.etag
        if route.last_modified:
            headers["Last-Modified"] = route.last_modified
        if route.conditional and self._not_modified(route, req):
            headers.pop("Content-Type", None)
            self._send(req, 304, headers, b"", content_length=False)
            return
        body = route.body
        accepted = (req.header("Accept-Encoding") or "").lower()
        if route.gzip and "gzip" in accepted:
            body = gziplib.compress(body)
            headers["Content-Encoding"] = "gzip"
            req.encoding = "gzip"
            headers["Vary"] = "Accept-Encoding"
        self._send(req, route.status, headers, body, route.content_length)

    def _redirect(self, route, req):
        self._send(req, route.status, {"Location": route.location,
                                       "Content-Type": "text/plain"},
                   b"moved\n")

    def _trickle(self, route, req):
        self._head(req, 200, {"Content-Type": route.content_type,
                              "Content-Length": str(len(route.body))})
        stop = self.server.owner._stop
        for i in range(len(route.body)):
            self.wfile.write(route.body[i:i + 1])
            self.wfile.flush()
            if stop.wait(route.interval):
                return

    def _reset(self, route, req):
        if route.after:
            self.wfile.write(route.after)
            self.wfile.flush()
        self._abort_connection()

    def _hang(self, route, req):
        if route.head:
            self.wfile.write(route.head)
            self.wfile.flush()
        self.server.owner._stop.wait(WAIT_CAP)

    def _huge(self, route, req):
        headers = {"Content-Type": "application/rss+xml; charset=utf-8"}
        if route.content_length:
            headers["Content-Length"] = str(route.size)
        self._head(req, 200, headers)
        for chunk in huge_feed_chunks(route.size):
            if self.server.owner._stop.is_set():
                return
            self.wfile.write(chunk)

    def _abort_connection(self):
        """Closes with SO_LINGER 0: the peer gets a RST, not a FIN."""
        sock = self.connection
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                        struct.pack("ii", 1, 0))
        self.rfile.close()
        self.wfile.close()
        sock.close()


def huge_feed_chunks(size, chunk=64 * 1024):
    """An RSS document of exactly size bytes, generated piece by piece."""
    head = (b'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">'
            b"<channel><title>huge</title>\n")
    item = (b"<item><title>\xe5\xa4\xa7</title><guid>g</guid>"
            b"<pubDate>Sat, 05 Nov 2022 10:30:00 +0800</pubDate></item>\n")
    sent = 0
    buf = head
    while sent < size:
        while len(buf) < chunk:
            buf += item
        piece = buf[:min(chunk, size - sent)]
        buf = buf[len(piece):]
        sent += len(piece)
        yield piece


class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = False          # server_close() joins every handler
    block_on_close = True
    allow_reuse_address = True
    # a daemon polling 64 feeds at once must not overflow the backlog
    request_queue_size = 128

    def handle_error(self, request, client_address):
        # Clients hang up on purpose here (size caps, timeouts).
        pass


class FeedServer:
    """One programmable server; see the module docstring."""

    def __init__(self, host="127.0.0.1"):
        self.host = host
        self.requests = []
        self._routes = {}
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._stop = threading.Event()
        self._httpd = _HTTPServer((host, 0), _Handler)
        self._httpd.owner = self
        self.port = self._httpd.server_address[1]
        self.netloc = f"{host}:{self.port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"feedserver {self.netloc}", daemon=True)
        self._thread.start()

    # ---- lifecycle

    def stop(self):
        """Wakes waiting handlers, stops serving, joins every thread."""
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    # ---- addresses

    def url(self, path="/"):
        return f"http://{self.netloc}{path}"

    # ---- programming paths

    def _set(self, path, behaviour):
        with self._lock:
            self._routes[path] = behaviour

    def _route(self, path):
        with self._lock:
            return self._routes.get(path)

    def serve(self, path, body=None, *, file=None, status=200, headers=None,
              content_type=None, etag=None, last_modified=None,
              conditional=True, gzip=False, content_length=True):
        """path answers status with body (bytes or str) or the fixture file
        named file; ETag / Last-Modified are sent and honoured (304) unless
        conditional=False; gzip=True compresses for clients that accept it."""
        if file is not None:
            body = fixture_bytes(file)
        if isinstance(body, str):
            body = body.encode("utf-8")
        headers = dict(headers or {})
        if content_type is not None:
            headers["Content-Type"] = content_type
        self._set(path, Serve(body or b"", status, headers, etag,
                              last_modified, conditional, gzip,
                              content_length))
        return self.url(path)

    def redirect(self, path, location, status=302):
        """path answers status with Location: location (a path on this
        server or any URL, file:// and ftp:// included)."""
        self._set(path, Redirect(location, status))
        return self.url(path)

    def trickle(self, path, body, interval=0.5):
        """Sends the headers, then body one byte per interval."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        self._set(path, Trickle(body, interval))
        return self.url(path)

    def reset(self, path, after=b""):
        """Reads the request, sends after (if any), then resets the TCP
        connection."""
        self._set(path, Reset(after))
        return self.url(path)

    def hang(self, path, head=b""):
        """Sends head (if any), then keeps the connection open and silent
        until the server stops."""
        self._set(path, Hang(head))
        return self.url(path)

    def huge(self, path, size=50 * MB, content_length=True):
        """A feed of size bytes generated while it is sent, never held in
        memory; content_length=False leaves the length to the close."""
        self._set(path, Huge(size, content_length))
        return self.url(path)

    # ---- what was asked

    def _record(self, req):
        with self._cond:
            self.requests.append(req)
            self._cond.notify_all()

    def requests_for(self, path):
        """Requests whose path (query left out) is path, oldest first."""
        with self._lock:
            return [r for r in self.requests
                    if urlsplit(r.path).path == path]

    def wait_for_request(self, path, count=1, timeout=10.0):
        """Blocks until path has been requested count times; returns the
        requests (fails the test on timeout)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                got = [r for r in self.requests
                       if urlsplit(r.path).path == path]
                if len(got) >= count:
                    return got
                left = deadline - time.monotonic()
                if left <= 0:
                    pytest.fail(f"{path} requested {len(got)} times, "
                                f"expected {count}")
                self._cond.wait(left)


@pytest.fixture
def feeds():
    """A FeedServer on 127.0.0.1, stopped at teardown."""
    server = FeedServer()
    yield server
    server.stop()


@pytest.fixture
def feed_server_factory():
    """make(host="127.0.0.x") → another FeedServer; all stop at teardown."""
    servers = []

    def make(host="127.0.0.1"):
        server = FeedServer(host)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()
