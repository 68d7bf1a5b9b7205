"""mediawatch-web for the tests: the real binary, started on loopback with
the test's configuration and database, and a small HTTP client that keeps
cookies and reads the CSRF token of a page's forms.

    from webconsole import web            # the fixture

    def test_something(mw, web):
        mw.add_unit("GOV", "市政府办公室")
        console = web.start()              # socket activation, like systemd
        admin = console.login("admin")     # a user made by web.user()
        page = admin.get("/accounts")
        r = admin.post("/accounts/1/suspend", {"reason": "…"})

By default the server gets its listening socket the way systemd passes it
(LISTEN_FDS, LISTEN_PID, the socket as fd 3), so no port can be taken
between choosing and binding it; start(listen=True) makes it bind
web.listen itself.
"""

import http.client
import os
import re
import socket
import subprocess
import time
import uuid
from urllib.parse import quote, urlencode

import pytest

PASSWORD = "correct-horse-battery"
CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers          # lower-cased names; lists
        self.body = body
        self.text = body.decode("utf-8", "replace")

    def header(self, name):
        values = self.headers.get(name.lower())
        return values[0] if values else None

    def csrf(self):
        m = CSRF.search(self.text)
        assert m, "the page has no form with a CSRF token"
        return m.group(1)


class Client:
    """One browser: a cookie jar and the console's address."""

    def __init__(self, port, host="127.0.0.1"):
        self.host, self.port = host, port
        self.cookies = {}

    def request(self, method, path, body=None, headers=None, timeout=60):
        con = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            con.request(method, quote(path, safe="/?=&%:;,+@"), body=body,
                        headers=h)
            r = con.getresponse()
            data = r.read()
            got = {}
            for k, v in r.getheaders():
                got.setdefault(k.lower(), []).append(v)
        finally:
            con.close()
        for c in got.get("set-cookie", []):
            name, _, rest = c.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in c or value == "":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return Response(r.status, got, data)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, fields, csrf=True, from_page=None, headers=None):
        """POSTs fields (urlencoded); csrf=True adds the token of
        from_page (default: the page at path's parent list, i.e. "/")."""
        fields = dict(fields)
        if csrf is True:
            fields["csrf"] = self.get(from_page or "/").csrf()
        elif csrf:
            fields["csrf"] = csrf
        h = {"Content-Type": "application/x-www-form-urlencoded"}
        h.update(headers or {})
        return self.request("POST", path, urlencode(fields).encode(), h)

    def upload(self, path, fields, filename, data, csrf=True):
        boundary = uuid.uuid4().hex
        fields = dict(fields)
        if csrf is True:
            fields["csrf"] = self.get("/import").csrf()
        parts = []
        for k, v in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; '
                         f'name="{k}"\r\n\r\n{v}\r\n'.encode())
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; '
                     f'name="file"; filename="{filename}"\r\nContent-Type: '
                     f'text/csv\r\n\r\n'.encode() + data + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request("POST", path, b"".join(parts), {
            "Content-Type": f"multipart/form-data; boundary={boundary}"})


class Console:
    """A running mediawatch-web."""

    def __init__(self, proc, port, log_path):
        self.proc, self.port, self.log_path = proc, port, log_path
        self.url = f"http://127.0.0.1:{port}"

    def client(self):
        return Client(self.port)

    def login(self, name, password=PASSWORD):
        c = self.client()
        page = c.get("/login")
        assert page.status == 200, page.text
        r = c.post("/login", {"name": name, "password": password, "next": "/"},
                   csrf=page.csrf())
        assert r.status == 303 and r.header("location") == "/", \
            f"login of {name} failed: {r.status}\n{r.text[:2000]}"
        return c

    def log(self):
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


class WebFactory:
    def __init__(self, mw):
        self.mw = mw
        self.consoles = []

    def user(self, name, role="admin", display=None, password=PASSWORD):
        args = ["user", "add", name, "--role", role]
        if display:
            args += ["--display-name", display]
        self.mw.run(*args, input=password + "\n", check=0)

    def start(self, listen=False, env=None):
        """Starts mediawatch-web and waits until it answers."""
        mw = self.mw
        log_path = mw.dir / f"web-{len(self.consoles)}.log"
        argv = [str(mw.ctl_path.parent / "mediawatch-web"), "-c",
                str(mw.conf_path)]
        environ = mw._env(env)
        # logs on stderr, into the file above, even under a systemd session
        environ.pop("JOURNAL_STREAM", None)
        environ.pop("INVOCATION_ID", None)
        sock = None
        if listen:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            text = mw.conf_path.read_text(encoding="utf-8")
            mw.conf_path.write_text(
                text + f'\nweb = {{ listen = "127.0.0.1:{port}"; }};\n',
                encoding="utf-8")
            preexec = None
        else:
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sock.listen(64)
            port = sock.getsockname()[1]
            fd = sock.fileno()
            environ["LISTEN_FDS"] = "1"

            def preexec():
                os.dup2(fd, 3)
                os.environ["LISTEN_PID"] = str(os.getpid())
            environ.pop("LISTEN_PID", None)
        log = open(log_path, "wb")
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            env=None if preexec else environ, cwd=mw.dir,
            preexec_fn=preexec and self._with_env(environ, preexec),
            pass_fds=(3,) if preexec else ())
        log.close()
        if sock:
            sock.close()
        console = Console(proc, port, log_path)
        self.consoles.append(console)
        self._wait(console)
        return console

    @staticmethod
    def _with_env(environ, then):
        def run():
            os.environ.clear()
            os.environ.update(environ)
            then()
        return run

    @staticmethod
    def _wait(console, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            if not console.alive():
                raise AssertionError("mediawatch-web exited:\n" + console.log())
            try:
                console.client().get("/login", timeout=5)
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError("mediawatch-web does not answer:\n"
                                         + console.log())
                time.sleep(0.05)

    def stop_all(self):
        for c in self.consoles:
            rc = c.stop()
            log = c.log()
            # a crash or a sanitizer report is a failure of the test
            assert rc == 0, f"mediawatch-web exited {rc}:\n{log}"
            assert "ERROR: AddressSanitizer" not in log, log
            assert "runtime error:" not in log, log
            assert "LeakSanitizer" not in log, log


@pytest.fixture
def web(mw):
    factory = WebFactory(mw)
    yield factory
    factory.stop_all()
