"""The units' side of the console over HTTP: unit logins made by
invitation, work orders answered with evidence and reviewed, notices
answered online, and the isolation between units — every route walked
with another unit's ids."""

import datetime
import json
import re
import sqlite3
import time

import pytest

from unitdata import (CONSOLE, add_user, configure, fixture, issue_notice,
                      link_in, mails, reply_fields, send_mail, two_units)
from test_web_security import raw, status_of
from webconsole import PASSWORD, web  # noqa: F401


def outbox_rows(mw, kind):
    return mw.sql("SELECT recipients, subject, body_text FROM outbox WHERE"
                  " kind = ? AND channel = 'email' ORDER BY id", (kind,))


# ---------------------------------------------------------- logins

def test_invite_sends_a_one_time_link_that_sets_the_password(mw, web):
    d = two_units(mw)
    # a robot that carries every kind the unit's mail has: never the link
    configure(mw, extra='channels = ({ name = "cul-hook"; type = "webhook";'
              ' url = "http://127.0.0.1:9/hook"; });')
    mw.run("unit", "change", "WYS-CUL", "--channel", "cul-hook", check=0)
    r = mw.run("user", "invite", "--unit", "WYS-CUL", "--email",
               "Huang.LP@wys.example.gov.cn", "--display-name", "黄丽萍",
               check=0)
    assert "invited" in r.stdout and "valid until" in r.stdout
    (name, role, unit, has_pw), = mw.sql(
        "SELECT u.name, u.role, n.code, u.password_hash IS NOT NULL FROM user"
        " u JOIN unit n ON n.id = u.unit_id WHERE u.email ="
        " 'Huang.LP@wys.example.gov.cn'")
    assert (name, role, unit, has_pw) == ("huang.lp@wys.example.gov.cn", "unit",
                                          "WYS-CUL", 0)
    # the link goes out through the outbox, by email only
    (to, subject, body), = outbox_rows(mw, "invite")
    assert json.loads(to) == ["Huang.LP@wys.example.gov.cn"]
    assert "账号开通邀请" in subject and "武夷山市文化体育和旅游局" in body
    assert mw.sql("SELECT count(*) FROM outbox WHERE kind = 'invite' AND"
                  " channel <> 'email'") == [(0,)]
    # only the token's hash is kept
    (stored,), = mw.sql("SELECT token_hash FROM user_token")
    send_mail(mw)
    msg, = [m for m in mails(mw) if "邀请" in str(m["Subject"])]
    path = link_in(msg)
    assert stored not in path
    console = web.start()
    c = console.client()
    page = c.get(path)
    assert page.status == 200 and "huang.lp@wys.example.gov.cn" in page.text
    token = path.split("=", 1)[1]
    # two different passwords, then a short one: refused, link still alive
    for pw, pw2, text in [(PASSWORD, PASSWORD + "x", "两次输入的密码不一致"),
                          ("short", "short", "密码不符合要求")]:
        r = c.post("/password", {"token": token, "password": pw,
                                 "password2": pw2}, csrf=page.csrf())
        assert r.status == 200 and text in r.text, r.text
        page = r
    csrf = c.get(path).csrf()
    r = c.post("/password", {"token": token, "password": PASSWORD,
                             "password2": PASSWORD}, csrf=csrf)
    assert r.status == 303 and r.header("location") == "/login?done=password"
    assert "密码已设置" in c.get("/login?done=password").text
    staff = console.login("huang.lp@wys.example.gov.cn")
    assert "武夷山市文化体育和旅游局" in staff.get("/").text
    # once only, however it is sent again
    assert console.client().get(path).status == 404
    again = console.client()
    csrf = again.get("/password/forgot").csrf()
    r = again.post("/password", {"token": token, "password": "another-pass-9",
                                 "password2": "another-pass-9"}, csrf=csrf)
    assert r.status == 404 and "已经用过" in r.text
    console.login("huang.lp@wys.example.gov.cn")
    actions = [a for (a,) in mw.sql("SELECT action FROM audit WHERE entity ="
                                    " 'user' AND entity_id = (SELECT id FROM"
                                    " user WHERE name LIKE 'huang%')")]
    assert actions[:3] == ["user.add", "user.invite", "user.passwd"]
    assert mw.sql("SELECT actor FROM audit WHERE action = 'user.passwd'") == \
        [("web:huang.lp@wys.example.gov.cn",)]


def test_a_link_dies_after_72_hours_and_a_new_one_revokes_the_old(mw, web):
    two_units(mw)
    now = int(time.time())
    mw.now(now)
    mw.run("user", "invite", "--unit", "WYS-EDU", "--email", "wu@edu.example",
           "--name", "wu", check=0)
    first = outbox_rows(mw, "invite")[0][2]
    mw.run("user", "invite", "--unit", "WYS-EDU", "--email", "wu@edu.example",
           "--name", "wu", check=0)
    second = outbox_rows(mw, "invite")[1][2]
    token = re.compile(r"token=([0-9a-f]{64})")
    t1, t2 = token.search(first).group(1), token.search(second).group(1)
    assert t1 != t2
    console = web.start(env={"MEDIAWATCH_NOW": now + 71 * 3600})
    assert console.client().get(f"/password?token={t1}").status == 404
    assert console.client().get(f"/password?token={t2}").status == 200
    console.stop()
    late = web.start(env={"MEDIAWATCH_NOW": now + 72 * 3600 + 1})
    assert late.client().get(f"/password?token={t2}").status == 404
    # a login that has a password gets a reset, never a second invitation
    r = mw.run("user", "invite", "--unit", "WYS-EDU", "--email",
               "staff@edu.example", "--name", "edu", check=1)
    assert "user reset" in r.stderr
    r = mw.run("user", "invite", "--unit", "WYS-CUL", "--email",
               "wu@edu.example", "--name", "wu", check=1)
    assert "another unit" in r.stderr


def test_a_forgotten_password_is_reset_through_the_mail(mw, web):
    two_units(mw)
    console = web.start()
    c = console.client()
    form = c.get("/password/forgot")
    assert form.status == 200
    csrf = form.csrf()
    # by address, as units remember it; an unknown name says the same
    for who in ["STAFF@cul.example", "nobody"]:
        r = c.post("/password/forgot", {"name": who}, csrf=csrf)
        assert r.status == 303 and r.header("location") == "/login?done=forgot"
    (to, subject, body), = outbox_rows(mw, "invite")
    assert json.loads(to) == ["staff@cul.example"] and "重新设置" in subject
    old = console.login("cul")
    send_mail(mw)
    path = link_in([m for m in mails(mw) if "重新设置" in str(m["Subject"])][0])
    csrf = c.get(path).csrf()
    r = c.post("/password", {"token": path.split("=")[1], "password":
                             "new-password-42", "password2": "new-password-42"},
               csrf=csrf)
    assert r.status == 303
    assert old.get("/").status == 303           # the old session ended
    console.login("cul", "new-password-42")
    # the form sends mail: it is throttled like logins
    c = console.client()
    csrf = c.get("/password/forgot").csrf()
    for _ in range(10):
        r = c.post("/password/forgot", {"name": "edu"}, csrf=csrf)
    assert r.status == 429
    assert len(outbox_rows(mw, "invite")) <= 6


def test_an_admin_invites_and_resends_from_the_console(mw, web):
    d = two_units(mw)
    console = web.start()
    admin = console.login("admin")
    page = admin.get("/users")
    assert page.status == 200 and "邀请责任单位的工作人员" in page.text
    r = admin.post("/users/invite", {"unit": "WYS-EDU", "email":
                                     "chen@edu.example", "display_name":
                                     "陈建华", "subordinates": "1"},
                   from_page="/users")
    assert r.status == 303 and r.header("location") == "/users?done=invited"
    (uid, sub), = mw.sql("SELECT id, subordinates FROM user WHERE name ="
                         " 'chen@edu.example'")
    assert sub == 1
    r = admin.post(f"/users/{uid}/reset", {}, from_page="/users")
    assert r.status == 303
    assert len(outbox_rows(mw, "invite")) == 2
    assert mw.sql("SELECT count(*) FROM user_token WHERE user_id = ? AND"
                  " revoked_at IS NULL", (uid,)) == [(1,)]
    # a unit login cannot invite anyone
    cul = console.login("cul")
    assert cul.get("/users").status == 403
    r = cul.post("/users/invite", {"unit": "WYS-CUL", "email": "x@y.example"})
    assert r.status == 403


def tile(page, label):
    """The number on the dashboard tile labelled label."""
    m = re.search(r"<b>(\d+)</b><span>" + re.escape(label), page.text)
    assert m, (label, page.text)
    return int(m.group(1))


def test_a_unit_login_sees_its_units_and_work_orders_only(mw, web):
    d = two_units(mw)
    add_user(mw, "gov", "--unit", "WYS-GOV", "--subordinates")
    add_user(mw, "govonly", "--unit", "WYS-GOV")
    # a failing feed's problem is the monitoring's: never a work order
    now = int(time.time())
    con_sql = ("INSERT INTO problem (account_id, unit_id, kind, detail,"
               " opened_at, opened_by, due_at) VALUES (?, ?, 'unreachable',"
               " '信息源地址不存在（HTTP 404）', ?, 'mediawatchd', ?)")
    import sqlite3
    con = sqlite3.connect(mw.db_path)
    con.execute(con_sql, (d.cul.account, d.cul.unit, now, now + 86400))
    con.commit()
    feed_problem = con.execute("SELECT max(id) FROM problem").fetchone()[0]
    con.close()
    console = web.start()
    cul = console.login("cul")
    home = cul.get("/")
    assert "工作台" in home.text and d.cul.name in home.text
    assert tile(home, "待回复的工单") == 1
    assert tile(home, "待回复的通报") == 1
    assert f'href="/problems/{d.cul.problem}"' in home.text
    assert "信息源地址不存在" not in cul.get("/problems?state=all").text
    assert cul.get(f"/problems/{feed_problem}").status == 404
    assert "信息源地址不存在" not in cul.get(f"/accounts/{d.cul.account}").text
    assert "台账导入" not in home.text and "审计日志" not in home.text
    # the region's login sees it as a problem, not a work order to answer
    admin = console.login("admin")
    assert "信息源地址不存在" in admin.get("/problems?state=all").text
    # with subordinates, the units under the login's own
    gov = console.login("gov")
    home = gov.get("/")
    assert tile(home, "待回复的工单") == 2
    for path in [f"/units/{d.cul.unit}", f"/units/{d.edu.unit}",
                 f"/problems/{d.edu.problem}", f"/notices/{d.cul.notice}"]:
        assert gov.get(path).status == 200, path
    text = gov.get("/problems?state=all").text
    assert d.cul.name in text and d.edu.name in text
    # without, only its own
    only = console.login("govonly")
    assert tile(only.get("/"), "待回复的工单") == 0
    assert only.get(f"/units/{d.cul.unit}").status == 404
    assert "web: govonly (unit login of WYS-GOV) refused GET /units/" in \
        console.log()


# ---------------------------------------------------------- the loop

def reply(client, problem, data=b"", name="回复.pdf", **fields):
    return client.upload(f"/problems/{problem}/reply", reply_fields(**fields),
                         name, data, from_page=f"/problems/{problem}",
                         content_type="application/pdf")


def test_reply_review_return_and_accept_close_the_work_order(mw, web):
    d = two_units(mw)
    console = web.start()
    cul, admin = console.login("cul"), console.login("admin")
    p = d.cul.problem
    page = cul.get(f"/problems/{p}")
    assert page.status == 200 and "在线回复整改情况" in page.text
    assert "待回复" in page.text
    assert tile(cul.get("/"), "待回复的通报") == 1
    r = reply(cul, p, fixture("reply.pdf"), name="整改情况报告（盖章）.pdf")
    assert r.status == 303, r.text
    # the notice's one item is answered: the notice is no longer waiting
    assert tile(cul.get("/"), "待回复的通报") == 0
    assert mw.sql("SELECT name, type, size FROM attachment") == \
        [("整改情况报告（盖章）.pdf", "application/pdf",
          len(fixture("reply.pdf")))]
    # one reply waits for its review at a time
    assert reply(cul, p, fixture("seal.png"), name="x.png").status == 409
    page = admin.get(f"/problems/{p}")
    assert "审核整改回复" in page.text and "待审核" in page.text
    (reply_id,), = mw.sql("SELECT id FROM reply")
    # returned: a comment is required
    r = admin.post(f"/problems/{p}/review", {"reply": reply_id,
                                             "decision": "return"},
                   from_page=f"/problems/{p}")
    assert r.status == 400
    r = admin.post(f"/problems/{p}/review", {"reply": reply_id, "decision":
                                             "return", "comment":
                                             "请补充恢复更新后的截图。"},
                   from_page=f"/problems/{p}")
    assert r.status == 303 and r.header("location").endswith("done=returned")
    (to, subject, body), = outbox_rows(mw, "review")
    assert json.loads(to) == ["cul@wys.example.gov.cn"]
    assert "被退回" in subject and "请补充恢复更新后的截图" in body
    assert f"{CONSOLE}/problems/{p}" in body
    page = cul.get(f"/problems/{p}").text
    assert "已退回" in page
    # who replied and who reviewed, by the names on the users page
    assert f"{d.cul.name}联络员" in page and "林晓燕" in page
    assert "web:" not in page
    r = reply(cul, p, fixture("seal.jpg"), name="截图.jpg",
              measures="已补充截图。")
    assert r.status == 303
    (second,), = mw.sql("SELECT max(id) FROM reply")
    r = admin.post(f"/problems/{p}/review", {"reply": second,
                                             "decision": "accept"},
                   from_page=f"/problems/{p}")
    assert r.status == 303 and r.header("location").endswith("done=accepted")
    (closed, reason, note), = mw.sql("SELECT closed_at IS NOT NULL,"
                                     " close_reason, close_note FROM problem"
                                     " WHERE id = ?", (p,))
    assert (closed, reason) == (1, "rectified") and "审核通过" in note
    assert "审核通过" in outbox_rows(mw, "review")[1][1]
    page = cul.get(f"/problems/{p}")
    assert "已销号" in page.text and "在线回复整改情况" not in page.text
    # reviewing a reply that is not waiting changes nothing
    before = mw.dump()
    r = admin.post(f"/problems/{p}/review", {"reply": reply_id,
                                             "decision": "accept"},
                   from_page=f"/problems/{p}")
    assert r.status == 409 and mw.dump() == before
    actions = [a for (a,) in mw.sql("SELECT action FROM audit WHERE entity ="
                                    " 'problem' AND entity_id = ? ORDER BY id",
                                    (p,))]
    assert actions == ["problem.add", "problem.reply", "problem.review",
                       "problem.reply", "problem.review", "problem.close"]
    assert mw.sql("SELECT actor FROM audit WHERE action = 'problem.reply'") \
        == [("web:cul",), ("web:cul",)]


def test_a_problem_that_closes_itself_keeps_the_units_reply(mw, web):
    d = two_units(mw)
    console = web.start()
    cul = console.login("cul")
    assert reply(cul, d.cul.problem, b"").status == 303     # a link only
    mw.run("problem", "close", str(d.cul.problem), "--reason", "recovered",
           "--note", "账号恢复更新", check=0)
    page = cul.get(f"/problems/{d.cul.problem}")
    assert "已销号" in page.text and "已落实专人负责" in page.text
    assert "无需审核" in page.text
    assert "www.wys.example.gov.cn/article/1" in page.text
    assert "在线回复整改情况" not in page.text


def test_everything_a_unit_login_does_is_in_the_audit_trail(mw, web):
    d = two_units(mw)
    console = web.start()
    start = mw.sql("SELECT coalesce(max(id), 0) FROM audit")[0][0]
    cul = console.login("cul")
    p, n = d.cul.problem, d.cul.notice
    assert reply(cul, p, fixture("reply.pdf")).status == 303
    (file,), = mw.sql("SELECT id FROM attachment")
    r = cul.get(f"/attachments/{file}")
    assert r.status == 200 and r.body == fixture("reply.pdf")
    assert r.header("content-disposition").startswith("attachment;")
    assert r.header("content-type") == "application/pdf"
    assert cul.get(f"/documents/{n}/notice.docx").status == 200
    # reading pages is not recorded: only what the user did or took away
    for path in ("/", "/problems", f"/problems/{p}", f"/notices/{n}"):
        assert cul.get(path).status == 200
    assert cul.post("/logout", {}).status == 303
    rows = mw.sql("SELECT actor, action, entity, entity_id FROM audit WHERE"
                  " id > ? ORDER BY id", (start,))
    (me,), = mw.sql("SELECT id FROM user WHERE name = 'cul'")
    assert rows == [("web:cul", "user.login", "user", me),
                    ("web:cul", "attachment.add", "attachment", file),
                    ("web:cul", "problem.reply", "problem", p),
                    ("web:cul", "attachment.download", "attachment", file),
                    ("web:cul", "document.download", "document", n),
                    ("web:cul", "user.logout", "user", me)], rows
    # an admin's reading of the centre's own documents is not recorded
    admin = console.login("admin")
    assert admin.get(f"/documents/{n}/notice.docx").status == 200
    assert mw.sql("SELECT count(*) FROM audit WHERE action ="
                  " 'document.download'") == [(1,)]


def test_a_reply_needs_its_facts_and_evidence(mw, web):
    d = two_units(mw)
    console = web.start()
    cul = console.login("cul")
    p = d.cul.problem
    before = mw.dump()
    cases = [({"link": None}, b"", "佐证材料"),
             ({"measures": " "}, b"", "整改措施"),
             ({"done_on": "2099-01-01"}, b"", "完成时间"),
             ({"done_on": "昨天"}, b"", "完成时间"),
             ({"responsible": None}, b"", "责任人"),
             ({"link": "javascript:alert(1)"}, b"", "佐证链接")]
    for fields, data, word in cases:
        r = reply(cul, p, data, **fields)
        assert r.status in (400, 409), (fields, r.status)
        assert word in r.text, (fields, r.text)
    assert mw.dump() == before


# ---------------------------------------------------------- hostile uploads

def make_pdf(objects):
    """A PDF of these objects with a right cross-reference table, so that
    only what a test puts in an object can make it wrong."""
    out = b"%PDF-1.4\n"
    offsets = []
    for o in objects:
        offsets.append(len(out))
        out += o
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += (b"trailer\n<< /Size %d >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objects) + 1, xref))
    return out


def test_hostile_uploads_are_refused_and_store_nothing(mw, web):
    d = two_units(mw)
    console = web.start()
    cul = console.login("cul")
    p = d.cul.problem
    before = mw.dump()
    html = (b"<!DOCTYPE html><html><body><script>alert(document.cookie)"
            b"</script></body></html>")
    pdf_html = b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n"
    deep = (b"%PDF-1.4\n1 0 obj\n" + b"[" * 200000 + b"\nendobj\n"
            b"startxref\n9\n%%EOF\n")
    huge = make_pdf([b"1 0 obj\n<< /Length 99999999999 /Filter /FlateDecode"
                     b" >>\nstream\nx\x9c\x03\x00\nendstream\nendobj\n"])
    png_html = fixture("seal.png") + b"<html><script>alert(1)</script></html>"
    for data, why in [(html, "HTML"), (pdf_html, "PDF"),
                      (deep, "nested too deeply"),
                      (huge, "declared longer than the file"),
                      (png_html, "after the end")]:
        started = time.monotonic()
        r = reply(cul, p, data, name="整改报告.pdf")
        assert r.status == 415, r.text
        assert "只接受" in r.text and why in r.text, r.text
        assert time.monotonic() - started < 10
    # more than 10 MB: a file a byte over, and a body over the limit
    big = fixture("reply.pdf")
    big = big + b" " * (10 * 1024 * 1024 + 1 - len(big))
    r = reply(cul, p, big)
    assert r.status == 413, r.status
    token = cul.get(f"/problems/{p}").csrf()
    cookie = "; ".join(f"{k}={v}" for k, v in cul.cookies.items())
    answer = raw(console, (
        f"POST /problems/{p}/reply HTTP/1.1\r\nHost: x\r\nCookie: {cookie}"
        "\r\nContent-Type: multipart/form-data; boundary=b\r\n"
        "Content-Length: 11534336\r\n\r\n").encode() +
        b"--b\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" +
        token.encode() + b"\r\n" + b"x" * 65536)
    assert status_of(answer) == 413, answer[:300]
    assert mw.dump() == before
    assert console.alive()


def test_a_file_name_with_paths_and_control_characters_is_cleaned(mw, web):
    d = two_units(mw)
    console = web.start()
    cul = console.login("cul")
    # a header line cannot hold a line break: the rest a client may send
    name = '../../etc/passwd\\..\\C:\\x\tContent-Type: text/html\x07\x1b; a.html'
    r = reply(cul, d.cul.problem, fixture("seal.png"), link=None,
              name=name.encode() + b"\x01\x7f")
    assert r.status == 303, r.text
    (aid, stored, typ), = mw.sql("SELECT id, name, type FROM attachment")
    assert typ == "image/png"
    assert "/" not in stored and "\\" not in stored and '"' not in stored
    assert not any(ord(ch) < 32 for ch in stored)
    assert stored.endswith(".png") and not stored.startswith(".")
    got = cul.get(f"/attachments/{aid}")
    assert got.status == 200 and got.body == fixture("seal.png")
    assert got.header("content-type") == "image/png"
    assert got.header("x-content-type-options") == "nosniff"
    disp = got.header("content-disposition")
    assert disp.startswith("attachment;") and "\r" not in disp
    assert f'filename="attachment-{aid}.png"' in disp
    assert "sandbox" in got.header("content-security-policy")


# ---------------------------------------------------------- notices

def test_a_notice_is_answered_item_by_item(mw, web):
    d = two_units(mw)
    extra = mw.run("problem", "add", "--account", str(d.cul.account),
                   "--detail", "简介未更新", check=0).stdout.strip()
    notice = issue_notice(mw, "WYS-CUL")
    console = web.start()
    cul = console.login("cul")
    page = cul.get(f"/notices/{notice}")
    assert page.status == 200 and "逐项在线回复" in page.text
    assert "2 项中已回复或已销号 0 项" in page.text
    r = cul.upload(f"/notices/{notice}/reply", list(reply_fields().items()) +
                   [("problem", str(d.cul.problem))], "回复.pdf",
                   fixture("reply.pdf"), from_page=f"/notices/{notice}",
                   content_type="application/pdf")
    assert r.status == 303, r.text
    page = cul.get(f"/notices/{notice}")
    assert "2 项中已回复或已销号 1 项" in page.text
    r = cul.post(f"/notices/{notice}/reply", list(reply_fields().items()) +
                 [("problem", extra)], from_page=f"/notices/{notice}")
    assert r.status == 303
    page = cul.get(f"/notices/{notice}")
    assert "全部 2 项已回复或已销号" in page.text
    assert mw.sql("SELECT count(DISTINCT document_id) FROM reply WHERE"
                  " document_id = ?", (notice,)) == [(1,)]


def test_an_overdue_notice_is_reminded_and_flagged_in_the_digest(mw, web):
    two_units(mw, mail='digest_time = "00:00";')
    (due,), = mw.sql("SELECT due_on FROM document WHERE unit_id = (SELECT id"
                     " FROM unit WHERE code = 'WYS-CUL')")
    # the day after the deadline
    y, m, dd = (int(x) for x in due.split("-"))
    after = (datetime.date(y, m, dd) + datetime.timedelta(days=1)).isoformat()
    mw.now(after + "T10:00:00")
    mw.run_daemon("--once", check=0)
    rows = outbox_rows(mw, "reminder")
    assert len(rows) == 2                       # both units' notices
    subjects = " ".join(s for _, s, _ in rows)
    assert "已逾回复期限1天" in subjects and "催办" in subjects
    digest, = [b for _, _, b in outbox_rows(mw, "digest")]
    assert "逾期未回复的点对点通报" in digest and "武夷山市教育局" in digest
    # the same week: no second reminder; a week later, one more
    mw.now(after + "T18:00:00")
    mw.run_daemon("--once", check=0)
    assert len(outbox_rows(mw, "reminder")) == 2
    nxt = (datetime.date(y, m, dd) + datetime.timedelta(days=8)).isoformat()
    mw.now(nxt + "T10:00:00")
    mw.run_daemon("--once", check=0)
    assert len(outbox_rows(mw, "reminder")) == 4


def test_the_digest_lists_the_first_hundred_overdue_notices(mw):
    """A year of unanswered notices in a large region is tens of
    thousands: the digest counts them all and lists the oldest 100."""
    d = two_units(mw, mail='digest_time = "00:00";')
    (due, year, seq), = mw.sql("SELECT due_on, year, max(sequence) FROM"
                               " document WHERE kind = 'notice'")
    con = sqlite3.connect(mw.db_path, timeout=30)
    with con:
        for k in range(1, 100):     # 99 more, deadline a day later each
            con.execute(
                "INSERT INTO document (kind, year, sequence, serial, unit_id,"
                " issued_at, issued_by, due_on, data) SELECT kind, year, ?,"
                " ?, unit_id, issued_at, issued_by, date(due_on, ?), data"
                " FROM document WHERE id = ?",
                (seq + k, f"复制〔{year}〕{seq + k}号", f"+{k} days",
                 d.cul.notice))
            con.execute("INSERT INTO document_problem SELECT"
                        " last_insert_rowid(), ?", (d.cul.problem,))
    con.close()
    y, m, dd = (int(x) for x in due.split("-"))
    # every deadline past
    after = datetime.date(y, m, dd) + datetime.timedelta(days=101)
    mw.now(after.isoformat() + "T10:00:00")
    mw.run_daemon("--once", check=0)
    digest, = [b for _, _, b in outbox_rows(mw, "digest")]
    assert "逾期未回复的点对点通报：101 份" in digest
    assert digest.count("项未回复，已逾期") == 100
    # oldest deadline first: the one due last is the one left out
    assert f"复制〔{year}〕{seq + 98}号" in digest
    assert f"复制〔{year}〕{seq + 99}号" not in digest
    assert "另有 1 份未列出" in digest
    # closing the problem they list settles the 100 notices to the unit;
    # the next day's digest has the other unit's only
    mw.run("problem", "close", str(d.cul.problem), "--reason", "rectified",
           check=0)
    mw.now((after + datetime.timedelta(days=1)).isoformat() + "T10:00:00")
    mw.run_daemon("--once", check=0)
    digest = [b for _, _, b in outbox_rows(mw, "digest")][-1]
    assert "逾期未回复的点对点通报：1 份" in digest
    assert digest.count("项未回复，已逾期") == 1 and "另有" not in digest


# ---------------------------------------------------------- isolation

ROUTE = re.compile(r'\{ "(GET|POST)",\s+"([^"]+)",\s+(\w+),\s+(\w+),')


def route_table(mw):
    """(method, pattern, roles) of every route, read from the router's own
    table, so that a route added without a case here fails the test."""
    text = (mw.repo / "daemon" / "web" / "routes.c").read_text(encoding="utf-8")
    start = text.index("routes[] = {")
    return [m.groups()[:2] + (m.group(4),) for m in
            ROUTE.finditer(text[start:text.index("};", start)])]


TABLES = ["unit", "account", "problem", "reply", "review", "attachment",
          "document", "document_problem", "user", "user_token", "outbox"]


def state(mw):
    return [mw.sql(f"SELECT * FROM {t} ORDER BY rowid") for t in TABLES]


class Walk:
    """cul, a login of WYS-CUL, tries every route with WYS-EDU's ids."""

    def __init__(self, mw, console, d):
        self.mw, self.console, self.d = mw, console, d
        self.cul = console.login("cul")
        self.covered = set()

    def denials(self):
        return self.mw.sql("SELECT count(*) FROM audit WHERE action ="
                           " 'access.denied' AND actor = 'web:cul'")[0][0]

    def other(self, route, method, path, fields=None, upload=None,
              page=None):
        """Another unit's thing: 404, recorded in the journal and the audit
        trail with the user and the route, nothing changed."""
        self.covered.add(route)
        before, denied = state(self.mw), self.denials()
        if upload is not None:
            r = self.cul.upload(path, fields or {}, "回复.png", upload,
                                from_page=page, content_type="image/png")
        elif method == "POST":
            r = self.cul.post(path, fields or {}, from_page=page or "/")
        else:
            r = self.cul.get(path)
        assert r.status == 404, (route, path, r.status)
        assert "没有这" in r.text or "没有列出" in r.text, (route, r.text)
        for word in (self.d.edu.name, "武夷山教育"):
            assert word not in r.text, (route, word)
        assert state(self.mw) == before, route
        assert self.denials() == denied + 1, (route, path)
        line = f"web: cul (unit login of WYS-CUL) refused {method} " + \
            path.split("?")[0]
        assert line in self.console.log(), (route, line)

    def forbidden(self):
        return self.mw.sql("SELECT count(*) FROM audit WHERE action ="
                           " 'access.forbidden' AND actor = 'web:cul'")[0][0]

    def role(self, route, method, path, fields=None):
        """A route that is not for a unit's staff at all: 403, whatever
        the id, recorded in the journal and the audit trail with the
        user and the route, nothing changed."""
        self.covered.add(route)
        before, refused = state(self.mw), self.forbidden()
        r = self.cul.post(path, fields or {}) if method == "POST" else \
            self.cul.get(path)
        assert r.status == 403, (route, path, r.status)
        assert state(self.mw) == before, route
        assert self.forbidden() == refused + 1, (route, path)
        line = f"web: cul (unit login of WYS-CUL) refused {method} " + \
            path.split("?")[0] + ": not for its role"
        assert line in self.console.log(), (route, line)

    def shows_only_own(self, route, path):
        """A list or page of the user's own units: nothing of the other."""
        self.covered.add(route)
        r = self.cul.get(path)
        assert r.status == 200, (route, path, r.status)
        for word in (self.d.edu.name, "武夷山教育", "WYS-EDU"):
            assert word not in r.text, (route, path, word)
        return r

    def public(self, route, method, path, fields=None, status=200):
        """No login and no unit's data: the page tells nothing of either
        unit."""
        self.covered.add(route)
        c = self.console.client()
        if method == "POST":
            r = c.post(path, fields or {}, csrf=c.get(
                "/password/forgot").csrf() if path.startswith("/password")
                else c.get("/login").csrf())
        else:
            r = c.get(path)
        assert r.status == status, (route, path, r.status)
        for word in (self.d.edu.name, self.d.cul.name, "武夷山教育"):
            assert word not in r.text, (route, word)


def test_every_route_refuses_another_units_ids(mw, web):
    d = two_units(mw)
    console = web.start()
    edu = console.login("edu")
    # the other unit has answered: a reply with a file, a notice reply
    r = edu.upload(f"/problems/{d.edu.problem}/reply", reply_fields(),
                   "seal.png", fixture("seal.png"),
                   from_page=f"/problems/{d.edu.problem}",
                   content_type="image/png")
    assert r.status == 303
    (edu_file,), = mw.sql("SELECT id FROM attachment")
    (edu_user,), = mw.sql("SELECT id FROM user WHERE name = 'edu'")
    (gov,), = mw.sql("SELECT id FROM unit WHERE code = 'WYS-GOV'")
    w = Walk(mw, console, d)
    e, c = d.edu, d.cul
    # the same pages with the user's own ids answer: the 404s are not blanket
    for path in [f"/accounts/{c.account}", f"/units/{c.unit}",
                 f"/problems/{c.problem}", f"/notices/{c.notice}",
                 f"/documents/{c.notice}/notice.html"]:
        assert w.cul.get(path).status == 200, path

    w.public(("GET", "/login"), "GET", "/login")
    w.public(("POST", "/login"), "POST", "/login",
             {"name": "edu", "password": "wrong-password"})
    w.public(("GET", "/password"), "GET", "/password?token=" + "0" * 64,
             status=404)
    w.public(("POST", "/password"), "POST", "/password",
             {"token": "0" * 64, "password": PASSWORD, "password2": PASSWORD},
             status=404)
    w.public(("GET", "/password/forgot"), "GET", "/password/forgot")
    w.public(("POST", "/password/forgot"), "POST", "/password/forgot",
             {"name": "nobody"}, status=303)
    w.public(("GET", "/static/*"), "GET", "/static/app.css")

    w.shows_only_own(("GET", "/"), "/")
    w.shows_only_own(("GET", "/accounts"), "/accounts")
    w.shows_only_own(("GET", "/accounts"), "/accounts?status=all&format=csv")
    w.other(("GET", "/accounts"), "GET", "/accounts?unit=WYS-EDU")
    w.role(("GET", "/accounts/new"), "GET", "/accounts/new")
    w.role(("POST", "/accounts/new"), "POST", "/accounts/new",
           {"unit": "WYS-EDU", "platform": "weibo", "name": "新号",
            "reason": "x"})
    w.other(("GET", "/accounts/#"), "GET", f"/accounts/{e.account}")
    w.role(("POST", "/accounts/#/*"), "POST", f"/accounts/{e.account}/suspend",
           {"reason": "x"})
    w.shows_only_own(("GET", "/units"), "/units")
    w.shows_only_own(("GET", "/units"), "/units?format=csv")
    w.other(("GET", "/units/#"), "GET", f"/units/{e.unit}")
    w.other(("GET", "/units/#"), "GET", f"/units/{gov}")
    w.shows_only_own(("GET", "/problems"), "/problems?state=all")
    w.shows_only_own(("GET", "/problems"), "/problems?state=all&format=csv")
    w.other(("GET", "/problems"), "GET", "/problems?unit=WYS-EDU")
    w.other(("GET", "/problems/#"), "GET", f"/problems/{e.problem}")
    w.other(("POST", "/problems/#/reply"), "POST",
            f"/problems/{e.problem}/reply", reply_fields(),
            upload=fixture("seal.png"), page=f"/problems/{c.problem}")
    w.role(("POST", "/problems/#/review"), "POST",
           f"/problems/{e.problem}/review", {"reply": "1",
                                             "decision": "accept"})
    w.role(("POST", "/problems/#/close"), "POST",
           f"/problems/{e.problem}/close", {"close_reason": "waived",
                                            "reason": "x"})
    w.other(("GET", "/attachments/#"), "GET", f"/attachments/{edu_file}")
    w.other(("GET", "/notices/#"), "GET", f"/notices/{e.notice}")
    w.other(("POST", "/notices/#/reply"), "POST", f"/notices/{e.notice}/reply",
            list(reply_fields().items()) + [("problem", str(e.problem))],
            page=f"/notices/{c.notice}")
    # an id edited in a form field of the user's own notice
    w.other(("POST", "/notices/#/reply"), "POST", f"/notices/{c.notice}/reply",
            list(reply_fields().items()) + [("problem", str(c.problem)),
                                            ("problem", str(e.problem))],
            page=f"/notices/{c.notice}")
    w.role(("GET", "/outbox"), "GET", "/outbox")
    w.role(("GET", "/audit"), "GET", "/audit")
    w.shows_only_own(("GET", "/documents"), "/documents")
    w.role(("GET", "/documents/preview"), "GET",
           "/documents/preview?unit=WYS-EDU")
    w.role(("POST", "/documents/issue"), "POST", "/documents/issue",
           {"unit": "WYS-EDU"})
    for ext in ("html", "docx", "md"):
        w.other(("GET", "/documents/#/*"), "GET",
                f"/documents/{e.notice}/notice.{ext}")
    w.role(("POST", "/documents/#/void"), "POST", f"/documents/{e.notice}/void",
           {"kind": "notice", "reason": "x"})
    w.role(("GET", "/import"), "GET", "/import")
    w.role(("POST", "/import"), "POST", "/import", {})
    w.role(("POST", "/import/apply"), "POST", "/import/apply",
           {"token": "0" * 64 + ".csv"})
    w.role(("GET", "/users"), "GET", "/users")
    w.role(("POST", "/users/invite"), "POST", "/users/invite",
           {"unit": "WYS-EDU", "email": "x@edu.example"})
    w.role(("POST", "/users/#/reset"), "POST", f"/users/{edu_user}/reset")
    w.covered.add(("POST", "/logout"))
    assert w.cul.post("/logout", {}).status == 303

    table = route_table(mw)
    assert len(table) > 30
    missing = {(m, p) for m, p, _ in table} - w.covered
    assert not missing, f"routes the walk does not try: {sorted(missing)}"
    # every route a unit login may use with an id was tried with another's
    for m, p, roles in table:
        if "#" in p and roles in ("USERS", "UNITS"):
            assert (m, p) in w.covered
    (n,), = mw.sql("SELECT count(*) FROM audit WHERE action = 'access.denied'")
    assert n == 14
    (n,), = mw.sql("SELECT count(*) FROM audit WHERE action ="
                   " 'access.forbidden'")
    assert n == 16


# ---------------------------------------------------------- the bulletin

def test_the_bulletin_counts_how_each_unit_answered(mw, web):
    mw.now("2026-03-02T09:00:00")
    d = two_units(mw)
    extra = int(mw.run("problem", "add", "--account", str(d.edu.account),
                       "--detail", "简介长期未更新", check=0).stdout.strip())
    late_notice = issue_notice(mw, "WYS-EDU")
    import sqlite3
    con = sqlite3.connect(mw.db_path)
    start = int(mw.sql("SELECT min(opened_at) FROM problem")[0][0])
    for acc in (d.cul.account, d.edu.account):
        con.execute("INSERT INTO state_change (account_id, from_state,"
                    " to_state, at) VALUES (?, NULL, 'stale', ?)", (acc, start))
    con.commit()
    con.close()
    (due,), = mw.sql("SELECT date(due_at, 'unixepoch', '+8 hours') FROM"
                     " problem WHERE id = ?", (d.cul.problem,))
    assert due == "2026-03-16"

    def at(when):
        return web.start(env={"MEDIAWATCH_NOW": when})

    # CUL replies on time, and is returned; it does not reply again
    c = at("2026-03-05T10:00:00")
    assert reply(c.login("cul"), d.cul.problem, b"",
                 done_on="2026-03-04").status == 303
    admin = c.login("admin")
    (first,), = mw.sql("SELECT max(id) FROM reply")
    assert admin.post(f"/problems/{d.cul.problem}/review",
                      {"reply": first, "decision": "return", "comment":
                       "请附恢复更新后的链接。"},
                      from_page=f"/problems/{d.cul.problem}").status == 303
    c.stop()
    # EDU replies to its first work order after the deadline, never to the
    # second: that one, and the notice listing it, stay unanswered
    c = at("2026-03-20T10:00:00")
    assert reply(c.login("edu"), d.edu.problem, b"",
                 done_on="2026-03-19").status == 303
    c.stop()

    d03 = json.loads(mw.run("bulletin", "preview", "--month", "2026-03",
                            "--format", "json", env={"MEDIAWATCH_NOW":
                                                     "2026-04-01T09:00:00"},
                            check=0).stdout)
    orders = {o["unit"]: o for o in d03["orders"]}
    keys = ("orders", "orders_on_time", "orders_late", "orders_returned",
            "orders_open", "orders_overdue", "notices_overdue")
    assert tuple(orders["WYS-CUL"][k] for k in keys) == (1, 1, 0, 1, 1, 1, 0)
    assert tuple(orders["WYS-EDU"][k] for k in keys) == (2, 0, 1, 0, 2, 1, 1)
    assert [n["serial"] for n in d03["notices_overdue"]] == \
        [mw.sql("SELECT serial FROM document WHERE id = ?", (late_notice,))[0][0]]
    # equal pass rates: the unit that left less unanswered ranks first
    ranking = [(u["name"], u["rank"]) for u in d03["ranking"]]
    assert ranking == [(d.cul.name, 1), (d.edu.name, 2)], ranking
    text = mw.run("bulletin", "preview", "--month", "2026-03", "--format",
                  "txt", env={"MEDIAWATCH_NOW": "2026-04-01T09:00:00"},
                  check=0).stdout
    assert "本期各单位收到整改工单3个，按期在线回复1个，逾期回复1个，回复被退回1个" \
        in text, text
    assert "（三）逾期未回复。" in text and \
        f"{d.edu.name}（整改工单1个、点对点通报1份）" in text
    assert "各单位整改工单办理情况" in text and "逾期未回复的点对点通报" in text
    # a past month reads the same after a later reply
    c = at("2026-04-02T10:00:00")
    assert reply(c.login("edu"), extra, b"").status == 303
    c.stop()
    again = json.loads(mw.run("bulletin", "preview", "--month", "2026-03",
                              "--format", "json", env={"MEDIAWATCH_NOW":
                                                       "2026-04-03T09:00:00"},
                              check=0).stdout)
    assert again["orders"] == d03["orders"]
    assert again["notices_overdue"] == d03["notices_overdue"]
