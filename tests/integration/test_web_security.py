"""The console against hostile requests: forged forms, a viewer trying to
change things, stolen or stale sessions, password guessing, odd paths and
oversized requests.  Every refusal leaves the database as it was and the
server running."""

import socket
import time

from webconsole import PASSWORD, web  # noqa: F401


def registry(mw):
    mw.add_unit("GOV", "市政府办公室", "--email", "gov@example.gov.cn")
    return mw.open_account("GOV", "weibo", "武夷山发布", uid="1001")


def test_post_without_or_with_a_wrong_csrf_token_is_refused(mw, web):
    acc = registry(mw)
    web.user("admin")
    web.user("other")
    console = web.start()
    admin = console.login("admin")
    other = console.login("other")
    before = mw.dump()
    for token in (False, "0" * 64, admin.get("/").csrf()[::-1]):
        r = admin.post(f"/accounts/{acc}/suspend", {"reason": "试图伪造"},
                       csrf=token)
        assert r.status == 403, r.text
        assert "未作任何更改" in r.text
    # another user's token does not do either
    r = admin.post(f"/accounts/{acc}/suspend", {"reason": "x"},
                   csrf=other.get("/").csrf())
    assert r.status == 403
    assert mw.dump() == before
    # the same form with the right token works
    r = admin.post(f"/accounts/{acc}/suspend", {"reason": "运维人员调整"})
    assert r.status == 303
    assert mw.sql("SELECT status FROM account WHERE id = ?", (acc,)) == \
        [("suspended",)]


def test_login_form_needs_its_own_token(mw, web):
    web.user("admin")
    console = web.start()
    c = console.client()
    r = c.post("/login", {"name": "admin", "password": PASSWORD}, csrf=False)
    assert r.status == 403
    assert "mw_session" not in c.cookies


def test_a_viewer_sees_no_forms_and_cannot_post(mw, web):
    acc = registry(mw)
    mw.run("problem", "add", "--account", str(acc), "--detail", "转载未注明来源",
           check=0)
    web.user("admin")
    web.user("viewer", role="viewer")
    console = web.start()
    viewer = console.login("viewer")
    pages = ["/", "/accounts", f"/accounts/{acc}", "/units", "/units/1",
             "/problems", "/documents", "/outbox", "/audit"]
    for path in pages:
        r = viewer.get(path)
        assert r.status == 200, path
        # the only form a viewer gets is the logout button
        forms = r.text.count('method="post"')
        assert forms == 1, f"{path}: {forms} POST forms for a viewer"
    assert viewer.get("/import").status == 403
    assert viewer.get("/accounts/new").status == 403
    before = mw.dump()
    token = viewer.get("/").csrf()
    for path, fields in [
            (f"/accounts/{acc}/suspend", {"reason": "x"}),
            (f"/accounts/{acc}/close", {"reason": "x"}),
            (f"/accounts/{acc}/change", {"name": "新名", "reason": "x"}),
            (f"/accounts/{acc}/touch", {"at": "2026-01-01T10:00",
                                        "evidence": "x"}),
            ("/accounts/new", {"unit": "GOV", "platform": "weibo",
                               "name": "新账号"}),
            ("/problems/1/close", {"close_reason": "waived", "reason": "x"}),
            ("/documents/issue", {"unit": "GOV"}),
            ("/import/apply", {"token": "0" * 64 + ".csv"})]:
        r = viewer.post(path, fields, csrf=token)
        assert r.status == 403, path
        assert "没有这项权限" in r.text
    assert mw.dump() == before


def test_logout_ends_the_session(mw, web):
    web.user("admin")
    console = web.start()
    admin = console.login("admin")
    cookie = admin.cookies["mw_session"]
    assert admin.get("/").status == 200
    r = admin.post("/logout", {})
    assert r.status == 303 and r.header("location") == "/login"
    assert "mw_session" not in admin.cookies
    # the old cookie opens nothing any more
    thief = console.client()
    thief.cookies["mw_session"] = cookie
    r = thief.get("/accounts")
    assert r.status == 303 and r.header("location").startswith("/login")
    actions = [a for (a,) in mw.sql(
        "SELECT action FROM audit WHERE entity = 'user' ORDER BY id")]
    assert actions[-2:] == ["user.login", "user.logout"]
    assert mw.sql("SELECT actor FROM audit WHERE action = 'user.logout'") == \
        [("web:admin",)]


def test_sessions_expire_when_idle_and_absolutely(mw, web):
    mw.write_config("web = { session_idle = \"10m\"; session_max = \"1h\"; };")
    web.user("admin")
    console = web.start()
    admin = console.login("admin")
    assert admin.get("/").status == 200
    # the database keeps only a hash of the cookie
    (stored,) = mw.sql("SELECT token_hash FROM session")[0]
    assert stored != admin.cookies["mw_session"] and len(stored) == 64
    # eleven minutes without a request
    mw.sql("UPDATE session SET last_seen_at = last_seen_at - 660")
    _commit(mw)
    r = admin.get("/")
    assert r.status == 303 and r.header("location").startswith("/login")
    # a fresh session, busy all along but older than session_max
    admin = console.login("admin")
    mw_exec(mw, "UPDATE session SET created_at = created_at - 3700 "
                "WHERE ended_at IS NULL")
    r = admin.get("/")
    assert r.status == 303
    assert mw.sql("SELECT count(*) FROM session WHERE ended_at IS NULL") == \
        [(0,)]


def mw_exec(mw, query):
    import sqlite3
    con = sqlite3.connect(mw.db_path, timeout=30)
    try:
        con.execute(query)
        con.commit()
    finally:
        con.close()


def _commit(mw):
    """mw.sql() does not commit: apply the last change for real."""
    mw_exec(mw, "UPDATE session SET last_seen_at = last_seen_at - 660 "
                "WHERE ended_at IS NULL")


def test_disabled_user_is_logged_out_at_once(mw, web):
    web.user("admin")
    console = web.start()
    admin = console.login("admin")
    mw.run("user", "disable", "admin", "--reason", "调离", check=0)
    r = admin.get("/")
    assert r.status == 303
    c = console.client()
    page = c.get("/login")
    r = c.post("/login", {"name": "admin", "password": PASSWORD},
               csrf=page.csrf())
    assert r.status == 200 and "用户名或密码不正确" in r.text


def test_login_attempts_are_limited_per_user_and_per_address(mw, web):
    mw.write_config("web = { login_attempts = 3; login_window = \"15m\"; };")
    web.user("admin")
    web.user("clerk", role="viewer")
    console = web.start()

    def attempt(name, password):
        c = console.client()
        page = c.get("/login")
        return c.post("/login", {"name": name, "password": password},
                      csrf=page.csrf())

    for _ in range(3):
        r = attempt("admin", "wrong-password")
        assert r.status == 200 and "用户名或密码不正确" in r.text
    # the right password no longer helps, for this name …
    r = attempt("admin", PASSWORD)
    assert r.status == 429 and "登录失败次数过多" in r.text
    # … nor for another name from the same address
    r = attempt("clerk", PASSWORD)
    assert r.status == 429
    assert mw.sql("SELECT count(*) FROM login_failure") == [(3,)]
    # once the window has passed, the right password works again
    mw_exec(mw, "UPDATE login_failure SET at = at - 1000")
    assert attempt("admin", PASSWORD).status == 303


def raw(console, data, read=65536):
    with socket.create_connection(("127.0.0.1", console.port), timeout=30) as s:
        s.sendall(data)
        chunks = []
        while True:
            try:
                b = s.recv(read)
            except ConnectionResetError:
                break
            if not b:
                break
            chunks.append(b)
        return b"".join(chunks)


def raw_stream(console, head, chunk, count):
    """Sends head, then chunk up to count times, stopping as soon as the
    server answers (a server that refuses a body closes the connection, and
    data sent after that would reset it and lose the answer)."""
    import select
    with socket.create_connection(("127.0.0.1", console.port), timeout=30) as s:
        s.sendall(head)
        for _ in range(count):
            if select.select([s], [], [], 0)[0]:
                break
            try:
                s.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
        reply = b""
        while True:
            try:
                b = s.recv(65536)
            except ConnectionResetError:
                break
            if not b:
                break
            reply += b
        return reply


def status_of(reply):
    line = reply.split(b"\r\n", 1)[0]
    return int(line.split()[1]) if line.startswith(b"HTTP/1.") else None


def test_odd_paths_long_urls_headers_and_bodies_are_refused(mw, web):
    web.user("admin")
    console = web.start()
    admin = console.login("admin")
    for path in ["/static/../../etc/passwd", "/static/%2e%2e/%2e%2e/etc/passwd",
                 "/static/..%2fapp.css", "/accounts/../audit", "//etc/passwd",
                 "/static/app.css%00.html", "/static/dashboard.html",
                 "/static/\\..\\app.css"]:
        r = admin.get(path.replace("\\", "%5c"))
        assert r.status in (400, 404), (path, r.status)
        assert "root:" not in r.text
    assert admin.get("/no-such-page").status == 404
    assert admin.request("PUT", "/accounts").status == 405
    assert admin.request("DELETE", "/accounts/1").status == 405
    # a URL of 3,000 and of 100,000 characters
    assert admin.get("/accounts?q=" + "x" * 3000).status == 414
    reply = raw(console, b"GET /accounts?q=" + b"x" * 100000 +
                b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status_of(reply) in (414, 431), reply[:200]
    # a header of 100,000 bytes
    reply = raw(console, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " +
                b"a" * 100000 + b"\r\n\r\n")
    assert status_of(reply) in (413, 431), reply[:200]
    # a 100 MB upload is refused before it is read
    token = admin.get("/import").csrf()
    started = time.monotonic()
    cookie = "; ".join(f"{k}={v}" for k, v in admin.cookies.items())
    reply = raw(console, (
        "POST /import HTTP/1.1\r\nHost: x\r\nCookie: " + cookie +
        "\r\nContent-Type: multipart/form-data; boundary=b\r\n"
        "Content-Length: 104857600\r\n\r\n").encode() +
        b"--b\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" +
        token.encode() + b"\r\n" + b"x" * 65536)
    assert status_of(reply) == 413, reply[:300]
    assert "上传的文件过大".encode() in reply
    assert time.monotonic() - started < 10
    # a form body past its limit without Content-Length (chunked): read
    # to its end and refused, or cut off when it goes on and on
    head = ("POST /accounts/1/close HTTP/1.1\r\nHost: x\r\nCookie: " + cookie +
            "\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            "Transfer-Encoding: chunked\r\n\r\n").encode() + b"2\r\nq=\r\n"
    chunk = b"1000\r\n" + b"a" * 0x1000 + b"\r\n"
    reply = raw(console, head + chunk * 80 + b"0\r\n\r\n")
    assert status_of(reply) == 413, reply[:300]
    reply = raw_stream(console, head, chunk, 25000)
    assert reply == b""
    # and the server still serves
    assert console.alive()
    assert admin.get("/").status == 200


def test_every_response_carries_the_security_headers(mw, web):
    registry(mw)
    web.user("admin")
    console = web.start()
    admin = console.login("admin")
    for path in ["/", "/accounts/1", "/login", "/no-such-page"]:
        r = admin.get(path)
        csp = r.header("content-security-policy")
        assert "default-src 'none'" in csp and "script-src 'self'" in csp
        assert "'unsafe-inline'" not in csp
        assert r.header("x-content-type-options") == "nosniff"
        assert r.header("referrer-policy") == "no-referrer"
        assert r.header("cache-control") == "no-store"
        assert "<script>" not in r.text      # no inline script anywhere
    assert admin.get("/static/app.js").header("content-type").startswith(
        "text/javascript")
    # cookies: HttpOnly and SameSite=Strict, no Secure without TLS
    c = console.client()
    r = c.get("/login")
    cookie = r.header("set-cookie")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Secure" not in cookie


def test_secure_cookie_always_behind_a_tls_proxy(mw, web):
    mw.write_config('web = { secure_cookie = "always"; };')
    web.user("admin")
    console = web.start()
    c = console.client()
    assert "; Secure" in c.get("/login").header("set-cookie")


def test_login_redirect_stays_on_the_site(mw, web):
    web.user("admin")
    console = web.start()
    for target in ["//evil.example/", "https://evil.example/", "/\\evil"]:
        c = console.client()
        page = c.get("/login?next=" + target)
        r = c.post("/login", {"name": "admin", "password": PASSWORD,
                              "next": target}, csrf=page.csrf())
        assert r.status == 303 and r.header("location") == "/", target


def test_remote_user_header_only_when_configured(mw, web):
    web.user("admin")
    console = web.start()
    c = console.client()
    r = c.get("/", headers={"X-Remote-User": "admin"})
    assert r.status == 303                 # off by default: ignored
    console.stop()
    mw.write_config('web = { remote_user_header = "X-Remote-User"; };')
    console = web.start()
    c = console.client()
    r = c.get("/accounts", headers={"X-Remote-User": "admin"})
    assert r.status == 200 and "账号台账" in r.text
    r = console.client().get("/", headers={"X-Remote-User": "nobody"})
    assert r.status == 403 and "尚未开通" in r.text


def test_a_login_name_with_control_characters_is_a_failed_login(mw, web):
    web.user("admin")
    console = web.start()
    c = console.client()
    page = c.get("/login")
    r = c.post("/login", {"name": "admin\nweb: admin logged in", "password":
                          PASSWORD}, csrf=page.csrf())
    assert r.status == 200 and "用户名或密码不正确" in r.text
    assert "mw_session" not in c.cookies
    assert mw.sql("SELECT name FROM login_failure") == [("(invalid name)",)]
    assert "failed login for '(invalid name)'" in console.log()
    assert "admin logged in" not in console.log()
