"""The console's pages over HTTP: lists, filters, paging, CSV exports, the
account lifecycle forms, closing problems, notices, the ledger import,
HTTPS, and the program's own options."""

import csv
import io
import re
import time
import ssl
import subprocess
import http.client

import webdata
from webconsole import PASSWORD, web  # noqa: F401


def ledger(mw, n=25):
    mw.add_unit("GOV", "市政府办公室", "--email", "gov@example.gov.cn")
    mw.add_unit("EDU", "市教育局", "--email", "edu@example.gov.cn")
    ids = []
    for i in range(n):
        unit, platform = ("GOV", "weibo") if i % 2 else ("EDU", "wechat")
        ids.append(mw.open_account(unit, platform, f"账号{i:02d}",
                                   uid=f"uid-{i:02d}"))
    return ids


def rows(page):
    return page.text.count('<tr><td class="num">')


def test_ledger_pages_filters_search_and_export(mw, web):
    ids = ledger(mw)
    mw.run("account", "suspend", str(ids[3]), "--reason", "暂停", check=0)
    mw.write_config('web = { page_size = 10; };')
    web.user("admin")
    admin = web.start().login("admin")
    p1 = admin.get("/accounts")
    assert rows(p1) == 10 and "共 25 个账号，第 1/3 页" in p1.text
    assert 'href="/accounts?page=2"' in p1.text
    p3 = admin.get("/accounts?page=3")
    assert rows(p3) == 5 and "下一页" not in p3.text
    assert rows(admin.get("/accounts?page=99")) == 5        # the last page
    assert "共 13 个账号" in admin.get("/accounts?unit=EDU").text
    assert "共 12 个账号" in admin.get("/accounts?platform=weibo").text
    assert "共 1 个账号" in admin.get("/accounts?status=suspended").text
    assert "共 24 个账号" in admin.get("/accounts?status=active").text
    found = admin.get("/accounts?q=uid-07")
    assert "共 1 个账号" in found.text and "账号07" in found.text
    # filters combine: EDU's wechat accounts named 账号1x are 10, 12, … 18
    assert "共 5 个账号" in admin.get("/accounts?q=账号1&unit=EDU&platform="
                                     "wechat").text
    # % and _ are searched as themselves, not as wildcards
    assert "共 0 个账号" in admin.get("/accounts?q=%25").text
    # the export has every matching row, not one page
    r = admin.get("/accounts?unit=EDU&format=csv")
    assert r.header("content-type").startswith("text/csv")
    assert "attachment" in r.header("content-disposition")
    assert r.body.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(r.body.decode("utf-8-sig"))))
    assert table[0][:5] == ["编号", "单位代码", "单位", "平台", "账号名称"]
    assert len(table) == 1 + 13 and {row[1] for row in table[1:]} == {"EDU"}


def test_account_lifecycle_through_the_forms(mw, web):
    ids = ledger(mw, 3)
    web.user("admin", display="林晓燕")
    admin = web.start().login("admin")
    acc = ids[0]
    before = mw.dump()
    # a change without a reason changes nothing
    r = admin.post(f"/accounts/{acc}/suspend", {"reason": "  "})
    assert r.status == 400 and "请填写事由" in r.text
    r = admin.post(f"/accounts/{acc}/change", {"operator": "张三"})
    assert r.status == 400
    assert mw.dump() == before
    # open a new account through its form
    r = admin.post("/accounts/new", {"unit": "GOV", "platform": "douyin",
                                     "name": "武夷山发布", "platform_uid": "dy1",
                                     "feed_url": "https://example.gov.cn/rss",
                                     "opened_on": "2026-01-05",
                                     "reason": "闽武政新备〔2026〕1号"},
                   from_page="/accounts/new")
    assert r.status == 303
    new = int(r.header("location").split("/")[2].split("?")[0])
    assert "账号已登记" in admin.get(r.header("location")).text
    # a refused change says why, in Chinese, and leaves the data alone
    r = admin.post(f"/accounts/{new}/change", {"feed_url": "ftp://x",
                                               "reason": "启用订阅"})
    assert r.status == 409
    assert "订阅地址：须为 http:// 或 https:// 网址" in r.text, r.text
    assert "feed_url" not in r.text and "URL" not in r.text
    steps = [("change", {"operator": "融媒体中心", "name": "武夷山发布",
                         "reason": "运维人员调整"}, "changed"),
             ("suspend", {"reason": "暂停更新"}, "suspended"),
             ("resume", {"reason": "恢复更新"}, "resumed"),
             ("touch", {"at": "2026-01-10T10:30", "evidence": "现场核查截图"},
              "touched"),
             ("merge", {"into": str(ids[1]), "reason": "整合至市级账号"},
              "merged")]
    for action, fields, done in steps:
        r = admin.post(f"/accounts/{new}/{action}", fields)
        assert r.status == 303, (action, r.text[:500])
        assert r.header("location") == f"/accounts/{new}?done={done}"
    r = admin.post(f"/accounts/{acc}/close", {"reason": "无力维护，予以关停"})
    assert r.status == 303
    status = dict(mw.sql("SELECT id, status FROM account"))
    assert status[new] == "merged" and status[acc] == "closed"
    assert mw.sql("SELECT operator FROM account WHERE id = ?", (new,)) == \
        [("融媒体中心",)]
    audit = mw.sql("SELECT action, actor, reason FROM audit WHERE entity ="
                   " 'account' AND entity_id = ? ORDER BY id", (new,))
    assert [a for a, _, _ in audit] == [
        "account.open", "account.change", "account.suspend", "account.resume",
        "account.touch", "account.merge"]
    assert {actor for _, actor, _ in audit} == {"web:admin"}
    page = admin.get(f"/accounts/{new}").text
    assert "运维人员：（空） → 融媒体中心" in page and "整合至市级账号" in page
    assert "按人工核实记录认定" in page          # why its last update is what it is
    # a closed account offers no more actions
    assert f'action="/accounts/{acc}/' not in admin.get(f"/accounts/{acc}").text
    assert admin.post(f"/accounts/{acc}/frobnicate", {"reason": "x"}).status == 404
    assert admin.get("/accounts/999999").status == 404


def test_problems_filter_close_and_export(mw, web):
    webdata.seed(mw)
    web.user("admin")
    admin = web.start().login("admin")
    page = admin.get("/problems")
    assert "共 4 个问题" in page.text
    assert "共 3 个问题" in admin.get("/problems?state=overdue").text
    assert "共 2 个问题" in admin.get("/problems?kind=dormant").text
    assert "共 1 个问题" in admin.get("/problems?unit=WYS-CUL").text
    (pid,), = mw.sql("SELECT id FROM problem WHERE kind = 'stale' ORDER BY id"
                     " LIMIT 1")
    r = admin.post(f"/problems/{pid}/close", {"close_reason": "recovered",
                                              "reason": "x"})
    assert r.status == 400                 # recovered is the monitor's own
    r = admin.post(f"/problems/{pid}/close", {"close_reason": "rectified",
                                              "reason": "已恢复更新并书面回复"})
    assert r.status == 303
    assert mw.sql("SELECT close_reason, close_note FROM problem WHERE id = ?",
                  (pid,)) == [("rectified", "已恢复更新并书面回复")]
    assert mw.sql("SELECT actor FROM audit WHERE action = 'problem.close'") == \
        [("web:admin",)]
    assert "共 1 个问题" in admin.get("/problems?state=closed").text
    r = admin.post(f"/problems/{pid}/close", {"close_reason": "waived",
                                              "reason": "again"})
    assert r.status == 409
    table = list(csv.reader(io.StringIO(admin.get(
        "/problems?state=all&format=csv").body.decode("utf-8-sig"))))
    assert len(table) == 5 and table[0][4] == "问题类型"
    assert "已整改" in [row[10] for row in table]


def test_units_outbox_and_audit_lists(mw, web):
    webdata.seed(mw)
    web.user("admin")
    admin = web.start().login("admin")
    units = admin.get("/units")
    assert "共 6 个单位" in units.text and "林晓燕" in units.text
    assert "共 1 个单位" in admin.get("/units?q=兴田").text
    unit = admin.get("/units/2")
    assert "武夷山市教育局" in unit.text and "武夷山教育" in unit.text
    assert admin.get("/units/999").status == 404
    table = list(csv.reader(io.StringIO(admin.get("/units?format=csv")
                                        .body.decode("utf-8-sig"))))
    assert len(table) == 7
    audit = admin.get("/audit?entity=unit")
    assert "共 6 条" in audit.text
    assert "共 0 条" in admin.get("/audit?actor=nobody").text
    assert "共 13 条" in admin.get("/audit?action=account.open").text
    assert admin.get("/audit?format=csv").body.count(b"\n") > 19
    assert "没有符合条件的邮件" in admin.get("/outbox").text


def test_documents_preview_issue_void_and_download(mw, web):
    webdata.seed(mw)
    web.user("admin")
    admin = web.start().login("admin")
    preview = admin.get("/documents/preview?unit=WYS-CUL")
    assert preview.status == 200 and "文旅武夷山" in preview.text
    assert "预览稿" in preview.text
    assert "'unsafe-inline'" in preview.header("content-security-policy")
    assert "script" not in preview.header("content-security-policy")
    docx = admin.get("/documents/preview?unit=WYS-CUL&format=docx")
    assert docx.body[:2] == b"PK" and "wordprocessingml" in \
        docx.header("content-type")
    assert "attachment" in docx.header("content-disposition")
    assert mw.sql("SELECT count(*) FROM document") == [(0,)]   # no number taken
    r = admin.post("/documents/issue", {"unit": "WYS-CUL", "send": "1"},
                   from_page="/documents")
    assert r.status == 303, r.text[:500]
    (nid, serial, by), = mw.sql("SELECT id, serial, issued_by FROM document")
    assert by == "web:admin"
    assert mw.sql("SELECT kind FROM outbox") == [("notice",)]
    page = admin.get("/documents")
    assert serial in page.text and "已发送" in page.text
    md = admin.get(f"/documents/{nid}/notice.md")
    assert serial in md.text and "attachment" in md.header("content-disposition")
    html = admin.get(f"/documents/{nid}/notice.html?download=1")
    assert html.header("content-disposition").endswith(f'notice-{nid}.html"')
    assert admin.get(f"/documents/{nid}/notice.docx").body[:2] == b"PK"
    for bad in ["notice.exe", "notice.csv", "bulletin.html", "x.md"]:
        assert admin.get(f"/documents/{nid}/{bad}").status == 404, bad
    assert admin.get("/documents/999/notice.md").status == 404
    # a unit without problems gets no notice unless asked
    r = admin.post("/documents/issue", {"unit": "WYS-GOV"}, from_page="/documents")
    assert r.status == 409
    # void: a reason is required, the number stays, it cannot be voided twice
    r = admin.post(f"/documents/{nid}/void", {"kind": "notice"},
                   from_page="/documents")
    assert r.status == 400
    r = admin.post(f"/documents/{nid}/void", {"kind": "notice",
                                              "reason": "受文单位有误"},
                   from_page="/documents")
    assert r.status == 303
    assert mw.sql("SELECT state, void_reason FROM document") == \
        [("void", "受文单位有误")]
    assert "已作废" in admin.get("/documents").text
    assert "作废" in admin.get(f"/documents/{nid}/notice.html").text
    r = admin.post(f"/documents/{nid}/void", {"kind": "notice", "reason": "x"},
                   from_page="/documents")
    assert r.status == 409
    # the next notice takes the next number
    admin.post("/documents/issue", {"unit": "WYS-CUL"}, from_page="/documents")
    serials = [s for (s,) in mw.sql("SELECT serial FROM document ORDER BY id")]
    assert len(serials) == 2 and serials[0] != serials[1]
    # last month's bulletin: preview, issue, download
    month = time.strftime("%Y-%m", time.localtime(time.time() - 32 * 86400))
    r = admin.get(f"/documents/preview?month={month}")
    assert r.status == 200 and "通报" in r.text, r.text[-1000:]
    assert admin.get(f"/documents/preview?month={month}&format=csv"
                     ).header("content-type").startswith("text/csv")
    assert admin.get("/documents/preview?month=2026-13").status == 400
    r = admin.post("/documents/issue", {"month": month}, from_page="/documents")
    assert r.status == 303, r.text[-1000:]
    (bid,), = mw.sql("SELECT id FROM document WHERE kind = 'bulletin'")
    assert admin.get(f"/documents/{bid}/bulletin.docx").body[:2] == b"PK"
    assert admin.get(f"/documents/{bid}/notice.md").status == 404


def xlsx(rows):
    import openpyxl
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_ledger_import_check_then_apply(mw, web):
    mw.add_unit("GOV", "市政府办公室")
    web.user("admin")
    console = web.start()
    admin = console.login("admin")
    bad = ("单位代码,平台,账号名称,账号ID\nGOV,weibo,武夷山发布,1001\n"
           "NOPE,weibo,未知单位的账号,1002\n").encode()
    r = admin.upload("/import", {"encoding": "utf-8"}, "台账.csv", bad)
    assert r.status == 200
    assert "检查未通过" in r.text and "台账.csv:3:" in r.text
    # the error of the file, in Chinese, for the person who sent it only:
    # the service's log stays English and free of users' data errors
    assert '台账.csv:3:1: 单位代码 &quot;NOPE&quot;: 没有这个单位' in r.text
    assert "no such unit" not in r.text
    assert "NOPE" not in console.log(), console.log()
    assert not re.search(r"[\u4e00-\u9fff]", console.log()), console.log()
    assert "/tmp" not in r.text and "mediawatch-web" not in r.text
    assert mw.sql("SELECT count(*) FROM account") == [(0,)]
    good = ("单位代码,平台,账号名称,账号ID\nGOV,weibo,武夷山发布,1001\n"
            "GOV,wechat,武夷山政务,gh_1\n").encode("gbk")
    r = admin.upload("/import", {"encoding": "gbk"}, "ledger.csv", good)
    assert "检查通过：新增 2 个账号" in r.text, r.text[-3000:]
    assert "武夷山政务" in r.text
    assert mw.sql("SELECT count(*) FROM account") == [(0,)]   # a check only
    token = r.text.split('name="token" value="')[1].split('"')[0]
    # a token that names another folder is refused
    for forged in ["../../etc/passwd", "0" * 64, token + "0"]:
        r2 = admin.post("/import/apply", {"token": forged}, from_page="/import")
        assert r2.status in (400, 409), forged
    r = admin.post("/import/apply", {"token": token, "encoding": "gbk"},
                   from_page="/import")
    assert r.status == 303, r.text[-2000:]
    assert sorted(n for (n,) in mw.sql("SELECT name FROM account")) == \
        ["武夷山发布", "武夷山政务"]
    assert {a for (a,) in mw.sql("SELECT DISTINCT actor FROM audit WHERE"
                                 " entity = 'account'")} == {"web:admin"}
    # the file is gone once applied
    r = admin.post("/import/apply", {"token": token}, from_page="/import")
    assert r.status == 409 and "已过期" in r.text
    # a workbook as offices keep it: one account changed, one left out and
    # closed with close_missing
    book = xlsx([["单位代码", "平台", "账号名称", "账号ID", "运维人员"],
                 ["GOV", "weibo", "武夷山发布", "1001", "张三"]])
    r = admin.upload("/import", {"close_missing": "1"}, "台账.xlsx", book)
    assert "检查通过：新增 0 个账号，变更 1 个，无变化 0 个，关停 1 个" in r.text, \
        r.text[-3000:]
    assert "张三" in r.text
    token = r.text.split('name="token" value="')[1].split('"')[0]
    r = admin.post("/import/apply", {"token": token, "close_missing": "1"},
                   from_page="/import")
    assert r.status == 303
    assert dict(mw.sql("SELECT name, status FROM account")) == \
        {"武夷山发布": "active", "武夷山政务": "closed"}
    assert mw.sql("SELECT operator FROM account WHERE name = '武夷山发布'") == \
        [("张三",)]


def test_listens_on_web_listen_without_systemd(mw, web):
    web.user("admin")
    console = web.start(listen=True)
    assert console.login("admin").get("/").status == 200
    assert "serving on http://127.0.0.1:" in console.log()


def test_serves_https_with_a_certificate(mw, web):
    key, cert = mw.dir / "web.key", mw.dir / "web.crt"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "2", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    mw.write_config(f'web = {{ tls_cert = "{cert}"; tls_key = "{key}"; }};')
    web.user("admin")
    factory_wait = web._wait
    web._wait = lambda console, timeout=60: None    # plain HTTP would fail
    console = web.start()
    web._wait = factory_wait
    ctx = ssl.create_default_context(cafile=str(cert))
    for _ in range(600):
        try:
            con = http.client.HTTPSConnection("127.0.0.1", console.port,
                                              context=ctx, timeout=10)
            con.request("GET", "/login")
            r = con.getresponse()
            body = r.read().decode()
            break
        except (ConnectionError, OSError):
            import time
            time.sleep(0.05)
    assert r.status == 200 and "登录" in body
    assert "; Secure" in r.getheader("Set-Cookie")
    assert r.getheader("Strict-Transport-Security")
    con.close()


def test_check_option_and_a_bad_configuration(mw, web):
    exe = mw.ctl_path.parent / "mediawatch-web"
    r = mw.exec([exe, "-c", mw.conf_path, "-n"], check=0)
    assert "configuration OK" in r.stdout
    mw.write_config('web = { listen = "8080"; session_idle = "1d";'
                    ' session_max = "1h"; tls_cert = "x"; };')
    r = mw.exec([exe, "-c", mw.conf_path, "-n"], check=1)
    assert "web.listen must be ADDRESS:PORT" in r.stderr
    assert "web.tls_cert and web.tls_key go together" in r.stderr
    assert "mediawatch.conf:" in r.stderr
    r = mw.exec([exe, "--bogus"], check=2)
