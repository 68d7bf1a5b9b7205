"""Loopback HTTP servers that stand for the chat platforms in the tests:
企业微信 (WeCom) group robots, 钉钉 (DingTalk) custom robots, 飞书 (Feishu)
custom bots, and the office's own JSON webhook.

    from chatserver import chat_servers     # the fixture

    def test_something(mw, chat_servers):
        robot = chat_servers("wecom")
        robot.address()          # the robot's address, its token included
        robot.script = ["429", "500"]   # the next answers, then robot.mode
        ...
        (msg,) = robot.wait_for(1)
        assert "「武夷山发布」" in msg.text

Each server checks a request as its platform documents it and answers as
the platform does:

  wecom     POST /cgi-bin/webhook/send?key=KEY, JSON {"msgtype":
            "markdown", "markdown": {"content": TEXT}}, the content at most
            4096 bytes of UTF-8; answers {"errcode": 0, "errmsg": "ok"}.
  dingtalk  POST /robot/send?access_token=TOKEN[&timestamp=MS&sign=S],
            JSON {"msgtype": "markdown", "markdown": {"title", "text"}};
            signed mode: S is the Base64 of HMAC-SHA256 keyed by the secret
            over "MS\\nsecret", URL-encoded, and MS within an hour of the
            clock; keyword mode: title or text holds the keyword.  Answers
            {"errcode": 0, "errmsg": "ok"}, 310000 for a bad signature.
  feishu    POST /open-apis/bot/v2/hook/TOKEN, JSON {"msg_type":
            "interactive", "card": {header.title, elements[0] lark_md}},
            with "timestamp" (seconds, a string) and "sign", the Base64 of
            HMAC-SHA256 keyed by "SECONDS\\nsecret" over nothing; answers
            {"code": 0, "msg": "success", "data": {}}, 19021 for a bad sign.
  webhook   POST /hook, JSON with kind, status, title, text, unit,
            accounts, id; X-Mediawatch-Signature: sha256=HEX, the
            HMAC-SHA256 of the body keyed by the secret; answers 204.

A request that fails a check is refused the platform's way and recorded
as rejected, so a test sees it.  Modes (server.mode, or one per request
from server.script): accept; error (the platform's error code for a bad
token, HTTP 200); ratelimit (its frequency-limit answer: errcode 45009,
130101, code 11232; 429 for the webhook); 429 (HTTP 429, Retry-After:
server.retry_after); 500; slow (no answer for server.slow seconds, then the
connection closes: nothing was taken).  stop() and start() take the server
down and bring it back on the same port.

The clock of a signature is server.now (the MEDIAWATCH_NOW the test gives
the programs), else the real time.
"""

import base64
import hashlib
import hmac
import http.server
import json
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest

WECOM_MAX = 4096
SLOW_CAP = 60.0

PATHS = {"wecom": "/cgi-bin/webhook/send", "dingtalk": "/robot/send",
         "feishu": "/open-apis/bot/v2/hook/", "webhook": "/hook"}


@dataclass
class Message:
    """A message the platform took."""
    title: str
    text: str
    body: dict


@dataclass
class Request:
    path: str
    headers: dict
    raw: bytes
    mode: str
    verdict: str = ""              # accepted, rejected: WHY, or the mode


@dataclass
class Answer:
    status: int
    body: dict = None
    headers: dict = field(default_factory=dict)


def hmac_b64(key, msg):
    return base64.b64encode(hmac.new(key.encode(), msg.encode(),
                                     hashlib.sha256).digest()).decode()


class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass                        # clients that time out hang up


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        owner = self.server.owner
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        req = Request(self.path, {k.lower(): v for k, v in
                                  self.headers.items()}, raw, owner.next_mode())
        if req.mode == "slow":
            req.verdict = "slow"
            owner.record(req)
            owner.stopping.wait(min(owner.slow, SLOW_CAP))
            self.close_connection = True
            return
        answer = owner.answer(req)
        owner.record(req)
        data = json.dumps(answer.body, ensure_ascii=False).encode() \
            if answer.body is not None else b""
        self.send_response(answer.status)
        for k, v in answer.headers.items():
            self.send_header(k, v)
        if answer.body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class ChatServer:
    """One platform on loopback; see the module docstring."""

    def __init__(self, platform, secret=None, keyword=None):
        assert platform in PATHS
        self.platform = platform
        self.secret = secret
        self.keyword = keyword
        self.token = f"{platform}-token-7f3a9c1e5b"
        self.now = None
        self.mode = "accept"
        self.script = []
        self.retry_after = 120
        self.slow = 10.0
        self.requests = []
        self.received = []
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self.stopping = threading.Event()
        self.port = 0
        self._httpd = None
        self.start()

    # ---- lifecycle

    def start(self):
        assert self._httpd is None, "already running"
        self.stopping.clear()
        self._httpd = _HTTPServer(("127.0.0.1", self.port), _Handler)
        self._httpd.owner = self
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"chatserver {self.platform}", daemon=True)
        self._thread.start()

    def stop(self):
        if self._httpd is None:
            return
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()
        self._httpd = None

    def address(self):
        """The address the platform shows its admin, token included."""
        base = f"http://127.0.0.1:{self.port}"
        if self.platform == "wecom":
            return f"{base}/cgi-bin/webhook/send?key={self.token}"
        if self.platform == "dingtalk":
            return f"{base}/robot/send?access_token={self.token}"
        if self.platform == "feishu":
            return f"{base}/open-apis/bot/v2/hook/{self.token}"
        return f"{base}/hook"

    # ---- what happened

    def next_mode(self):
        with self.lock:
            return self.script.pop(0) if self.script else self.mode

    def record(self, req):
        with self.cond:
            self.requests.append(req)
            self.cond.notify_all()

    def rejected(self):
        with self.lock:
            return [r for r in self.requests
                    if r.verdict.startswith("rejected")]

    def wait_for(self, count, timeout=30.0):
        """The messages taken, once there are count of them."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while len(self.received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    pytest.fail(f"{self.platform}: {len(self.received)} "
                                f"messages taken, expected {count}; "
                                f"requests: {[r.verdict for r in self.requests]}")
                self.cond.wait(left)
            return list(self.received)

    # ---- the platform

    def clock(self):
        return float(self.now) if self.now is not None else time.time()

    def answer(self, req):
        if req.mode in ("429", "500"):
            req.verdict = req.mode
            return Answer(int(req.mode), None if req.mode == "500" else
                          {"errcode": 429}, {"Retry-After":
                                             str(self.retry_after)}
                          if req.mode == "429" else {})
        try:
            msg = getattr(self, "_check_" + self.platform)(req)
        except AssertionError as e:
            req.verdict = f"rejected: {e}"
            return self._refusal(str(e))
        if req.mode in ("error", "ratelimit"):
            req.verdict = req.mode
            return self._failure(req.mode)
        req.verdict = "accepted"
        with self.cond:
            self.received.append(msg)
        return self._success()

    def _success(self):
        if self.platform == "feishu":
            return Answer(200, {"code": 0, "msg": "success", "data": {}})
        if self.platform == "webhook":
            return Answer(204)
        return Answer(200, {"errcode": 0, "errmsg": "ok"})

    def _refusal(self, why):
        if self.platform == "wecom":
            return Answer(200, {"errcode": 40008, "errmsg": why})
        if self.platform == "dingtalk":
            return Answer(200, {"errcode": 310000, "errmsg": why})
        if self.platform == "feishu":
            return Answer(200, {"code": 19021, "msg": why, "data": {}})
        return Answer(401, {"error": why})

    def _failure(self, mode):
        codes = {
            ("wecom", "error"): {"errcode": 93000, "errmsg":
                                 "invalid webhook url"},
            ("wecom", "ratelimit"): {"errcode": 45009, "errmsg":
                                     "api freq out of limit"},
            ("dingtalk", "error"): {"errcode": 300001, "errmsg":
                                    "token is not exist"},
            ("dingtalk", "ratelimit"): {"errcode": 130101, "errmsg":
                                        "send too fast, exceed 20 times "
                                        "per minute"},
            ("feishu", "error"): {"code": 19001, "msg": "param invalid: "
                                  "incoming webhook access token invalid",
                                  "data": {}},
            ("feishu", "ratelimit"): {"code": 11232, "msg":
                                      "frequency limited", "data": {}},
        }
        if self.platform == "webhook":
            return Answer(429 if mode == "ratelimit" else 400,
                          {"error": mode})
        return Answer(200, codes[(self.platform, mode)])

    @staticmethod
    def _json(req):
        assert req.headers.get("content-type", "").startswith(
            "application/json"), "Content-Type is not application/json"
        body = json.loads(req.raw.decode("utf-8"))
        assert isinstance(body, dict), "the body is not a JSON object"
        return body

    def _fresh(self, seconds):
        assert abs(seconds - self.clock()) <= 3600, \
            "timestamp is not within one hour"

    def _check_wecom(self, req):
        url = urlsplit(req.path)
        assert url.path == PATHS["wecom"], f"path {url.path}"
        assert parse_qs(url.query).get("key") == [self.token], "bad key"
        body = self._json(req)
        assert body.get("msgtype") == "markdown", "msgtype is not markdown"
        content = body["markdown"]["content"]
        assert isinstance(content, str) and content, "no content"
        assert len(content.encode("utf-8")) <= WECOM_MAX, \
            f"content of {len(content.encode())} bytes"
        return Message("", content, body)

    def _check_dingtalk(self, req):
        url = urlsplit(req.path)
        q = parse_qs(url.query)
        assert url.path == PATHS["dingtalk"], f"path {url.path}"
        assert q.get("access_token") == [self.token], "bad access_token"
        if self.secret:
            assert "timestamp" in q and "sign" in q, "not signed"
            ts = q["timestamp"][0]
            self._fresh(int(ts) / 1000)
            # parse_qs undid the URL encoding
            assert q["sign"][0] == hmac_b64(self.secret,
                                            f"{ts}\n{self.secret}"), \
                "sign not match"
        body = self._json(req)
        assert body.get("msgtype") == "markdown", "msgtype is not markdown"
        title, text = body["markdown"]["title"], body["markdown"]["text"]
        assert title and text, "empty title or text"
        if self.keyword:
            assert self.keyword in title + text, "keywords not in content"
        return Message(title, text, body)

    def _check_feishu(self, req):
        url = urlsplit(req.path)
        assert url.path == PATHS["feishu"] + self.token, f"path {url.path}"
        body = self._json(req)
        if self.secret:
            ts = body.get("timestamp")
            assert isinstance(ts, str) and ts.isdigit(), "no timestamp"
            self._fresh(int(ts))
            want = base64.b64encode(hmac.new(
                f"{ts}\n{self.secret}".encode(), b"",
                hashlib.sha256).digest()).decode()
            assert body.get("sign") == want, "sign match fail"
        assert body.get("msg_type") == "interactive", "not a card"
        card = body["card"]
        title = card["header"]["title"]["content"]
        element = card["elements"][0]
        assert element["tag"] == "div" and \
            element["text"]["tag"] == "lark_md", "not lark_md"
        text = element["text"]["content"]
        if self.keyword:
            assert self.keyword in title + text, "keywords not in content"
        return Message(title, text, body)

    def _check_webhook(self, req):
        assert urlsplit(req.path).path == PATHS["webhook"]
        if self.secret:
            want = "sha256=" + hmac.new(self.secret.encode(), req.raw,
                                        hashlib.sha256).hexdigest()
            assert req.headers.get("x-mediawatch-signature") == want, \
                "bad X-Mediawatch-Signature"
        body = self._json(req)
        for key in ("kind", "status", "title", "text", "id", "accounts",
                    "sent_at"):
            assert key in body, f"no {key}"
        return Message(body["title"], body["text"], body)


@pytest.fixture
def chat_servers():
    """make(platform, secret=None, keyword=None) → a ChatServer; all stop
    at teardown."""
    servers = []

    def make(platform, secret=None, keyword=None):
        server = ChatServer(platform, secret, keyword)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()
