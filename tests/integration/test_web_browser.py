"""The console in a real browser: Debian's chromium driven through
chromedriver (python3-selenium), against mediawatch-web started on
loopback with a real database.

With MEDIAWATCH_SCREENSHOTS=DIR the screenshots of the dashboard, an
account page and the problem list are also written there (make
screenshots puts them in docs/screenshots/ for the README)."""

import base64
import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest

import webdata
from webconsole import PASSWORD, web  # noqa: F401

selenium = pytest.importorskip("selenium", reason="python3-selenium missing: make deps")
from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
SHOTS = os.environ.get("MEDIAWATCH_SCREENSHOTS")


@pytest.fixture
def browser(tmp_path):
    if CHROMIUM is None or DRIVER is None:
        pytest.fail("chromium or chromium-driver is missing: run `make deps`")
    opts = Options()
    opts.binary_location = CHROMIUM
    for a in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
              "--no-first-run", "--disable-background-networking",
              "--disable-component-update", "--disable-sync",
              "--window-size=1280,900", "--lang=zh-CN",
              f"--user-data-dir={tmp_path / 'chromium'}"]:
        opts.add_argument(a)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    opts.add_experimental_option("prefs", {
        "download.default_directory": str(downloads),
        "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    driver.set_page_load_timeout(60)
    driver.downloads = downloads
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {
        "behavior": "allow", "downloadPath": str(downloads)})
    yield driver
    driver.quit()


def no_dialog(driver, where):
    """The page opened no alert, confirm or prompt."""
    try:
        alert = driver.switch_to.alert
        text = alert.text
        alert.dismiss()
    except NoAlertPresentException:
        return
    raise AssertionError(f"{where}: the page opened a dialog: {text!r}")


def mark_page(driver):
    """Marks the page loaded now, so that wait_new_page() sees it go.
    (Chromium 156 reports a replaced element as an inspector error rather
    than as stale, so the old element cannot be watched.)"""
    driver.execute_script("window.__old_page = true")


def wait_new_page(driver, timeout=30):
    WebDriverWait(driver, timeout).until(lambda d: d.execute_script(
        "return !window.__old_page && document.readyState === 'complete'"))


def submit(driver, form):
    mark_page(driver)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_new_page(driver)


def login(driver, console, name="admin"):
    driver.get(console.url + "/login")
    form = driver.find_element(By.CSS_SELECTOR, "form[action='/login']")
    form.find_element(By.NAME, "name").send_keys(name)
    form.find_element(By.NAME, "password").send_keys(PASSWORD)
    submit(driver, form)
    assert driver.current_url.rstrip("/") == console.url, driver.current_url
    assert "监测总览" in driver.page_source


def screenshot(driver, tmp_path, name):
    """A full-page PNG: the window made as tall as the page."""
    height = driver.execute_script(
        "return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(max(height, 600), 4000))
    path = tmp_path / f"{name}.png"
    driver.save_screenshot(str(path))
    driver.set_window_size(1280, 900)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20000
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(SHOTS) / f"{name}.png")
    return path


def wait_download(folder, pattern, timeout=30):
    """The downloaded file, once Chromium has finished it: it reserves the
    name with an empty file and writes NAME.crdownload, renamed at the
    end."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        names = [p.name for p in folder.iterdir()]
        done = [folder / n for n in names if re.fullmatch(pattern, n)
                and n + ".crdownload" not in names]
        if done and not any(n.endswith(".crdownload") for n in names) and \
                done[0].stat().st_size > 0:
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"no download matching {pattern} in {folder}: "
                         f"{[p.name for p in folder.iterdir()]}")


def test_admin_finds_changes_an_account_and_issues_a_notice(mw, web, browser,
                                                             tmp_path):
    webdata.seed(mw)
    web.user("admin", display="林晓燕")
    console = web.start()
    login(browser, console)
    no_dialog(browser, "dashboard")
    assert "超期未更新" in browser.page_source
    # the chart names the platform in every label
    labels = [t.text for t in browser.find_elements(
        By.CSS_SELECTOR, "section.chart svg text[text-anchor=end]")]
    assert labels and all("·" in t for t in labels), labels
    assert any(t.startswith("快手·") for t in labels), labels
    screenshot(browser, tmp_path, "dashboard")

    # find the account through the ledger's search
    mark_page(browser)
    browser.find_element(By.LINK_TEXT, "账号台账").click()
    wait_new_page(browser)
    form = browser.find_element(By.CSS_SELECTOR, "form.filters")
    form.find_element(By.NAME, "q").send_keys("文旅武夷山")
    submit(browser, form)
    rows = browser.find_elements(By.CSS_SELECTOR, "section.card tbody tr")
    assert len(rows) == 2, [r.text for r in rows]
    mark_page(browser)
    browser.find_element(By.LINK_TEXT, "抖音·文旅武夷山").click()
    wait_new_page(browser)
    assert "最近更新时间的认定依据" in browser.page_source
    assert browser.find_elements(By.CSS_SELECTOR, "svg rect")

    # change it through its form, with a reason
    form = browser.find_element(By.CSS_SELECTOR, "form[action$='/change']")
    operator = form.find_element(By.NAME, "operator")
    operator.clear()
    operator.send_keys("融媒体中心 李明")
    form.find_element(By.NAME, "reason").send_keys("运维人员调整")
    submit(browser, form)
    assert "账号信息已变更" in browser.page_source
    history = browser.find_element(By.XPATH,
                                   "//h2[text()='变更记录']/following::table[1]")
    first = history.find_element(By.CSS_SELECTOR, "tbody tr").text
    assert "web:admin" in first and "运维人员调整" in first and \
        "融媒体中心 李明" in first, first
    (acc,), = mw.sql("SELECT id FROM account WHERE platform = 'douyin' AND"
                     " name = '文旅武夷山'")
    assert mw.sql("SELECT operator FROM account WHERE id = ?", (acc,)) == \
        [("融媒体中心 李明",)]
    assert mw.sql("SELECT actor, reason FROM audit WHERE action ="
                  " 'account.change'") == [("web:admin", "运维人员调整")]
    screenshot(browser, tmp_path, "account")

    mark_page(browser)
    browser.find_element(By.LINK_TEXT, "问题清单").click()
    wait_new_page(browser)
    assert "已30天未更新" in browser.page_source
    screenshot(browser, tmp_path, "problems")

    # issue a notice to the unit and download it
    mark_page(browser)
    browser.find_element(By.LINK_TEXT, "通报").click()
    wait_new_page(browser)
    form = browser.find_element(By.CSS_SELECTOR, "form[action='/documents/issue']")
    form.find_element(By.CSS_SELECTOR, "select[name=unit] option[value='WYS-CUL']"
                      ).click()
    submit(browser, form)
    assert "通报已印发" in browser.page_source
    row = browser.find_element(By.CSS_SELECTOR, "tr[id^=document-]")
    assert "武夷山市文化体育和旅游局" in row.text and "web:admin" in row.text
    row.find_element(By.LINK_TEXT, "HTML").click()
    path = wait_download(browser.downloads, r"notice-\d+\.html")
    text = path.read_text(encoding="utf-8")
    (serial,) = mw.sql("SELECT serial FROM document")[0]
    assert serial in text and "文旅武夷山" in text
    # and as the 公文 .docx
    row = browser.find_element(By.CSS_SELECTOR, "tr[id^=document-]")
    row.find_element(By.LINK_TEXT, "Word").click()
    path = wait_download(browser.downloads, r"notice-\d+\.docx")
    assert path.read_bytes()[:2] == b"PK"
    no_dialog(browser, "documents")


def test_the_pages_print_on_a4(mw, web, browser):
    webdata.seed(mw)
    web.user("admin")
    console = web.start()
    login(browser, console)
    for path in ["/", "/problems"]:
        browser.get(console.url + path)
        pdf = base64.b64decode(browser.execute_cdp_cmd(
            "Page.printToPDF", {"preferCSSPageSize": True})["data"])
        sizes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
        assert sizes, "no page in the PDF"
        w, h = (float(x) for x in sizes[0])
        assert abs(w - 595.3) < 2 and abs(h - 841.9) < 2, (path, w, h)


def test_the_dashboard_reloads_itself(mw, web, browser):
    mw.write_config('web = { refresh = "5s"; };')
    mw.add_unit("GOV", "市政府办公室")
    web.user("admin")
    console = web.start()
    login(browser, console)
    assert "正常更新" in browser.page_source
    mark_page(browser)
    # a unit added meanwhile appears without anyone reloading the page
    mw.add_unit("EDU", "市教育局")
    wait_new_page(browser)
    WebDriverWait(browser, 30).until(
        lambda d: "市教育局" in d.page_source)


HOSTILE = {
    "unit": '<script>alert("unit")</script>"\'&',
    "account": '"><img src=x onerror=alert("account")>',
    "uid": "javascript:alert('uid')",
    "operator": "' onfocus='alert(1)' autofocus='",
    "title": "<script>alert('title')</script>",
    "link": "javascript:alert('link')",
    "detail": "<svg onload=alert('detail')>",
    "reason": "</textarea><script>alert('reason')</script>",
    "display": "<b onmouseover=alert('display')>王</b>",
}


def hostile_registry(mw):
    import sqlite3
    mw.add_unit("EVIL", HOSTILE["unit"], "--contact", HOSTILE["display"],
                "--email", "evil@example.gov.cn")
    acc = mw.open_account("EVIL", "weibo", HOSTILE["account"],
                          "--operator", HOSTILE["operator"], uid=HOSTILE["uid"])
    mw.run("problem", "add", "--account", str(acc), "--detail",
           HOSTILE["detail"], check=0)
    mw.run("account", "suspend", str(acc), "--reason", HOSTILE["reason"],
           check=0)
    mw.run("account", "resume", str(acc), "--reason", HOSTILE["reason"],
           check=0)
    con = sqlite3.connect(mw.db_path, timeout=30)
    now = int(time.time())
    con.execute("INSERT INTO post (account_id, guid_hash, guid, title, link,"
                " published_at, first_seen_at) VALUES (?, 1, 'x', ?, ?, ?, ?)",
                (acc, HOSTILE["title"], HOSTILE["link"], now - 86400, now))
    con.execute("INSERT INTO last_update_reason (account_id, at, rule, title,"
                " link, date_raw, seen_at) VALUES (?, ?, 'published', ?, ?, ?, ?)",
                (acc, now - 86400, HOSTILE["title"], HOSTILE["link"],
                 HOSTILE["detail"], now))
    con.execute("UPDATE account SET last_update_at = ? WHERE id = ?",
                (now - 86400, acc))
    con.execute("INSERT INTO account_state (account_id, state, since)"
                " VALUES (?, 'stale', ?)", (acc, now))
    con.execute("INSERT INTO feed_state (account_id, last_fetch_at, last_status,"
                " last_error, consecutive_failures, failing) VALUES (?, ?, 0, ?,"
                " 9, 1)", (acc, now, HOSTILE["title"]))
    con.execute("INSERT INTO outbox (dedup_key, kind, unit_id, recipients,"
                " subject, body_text, message_id, created_at) VALUES ('k',"
                " 'alert', 1, ?, ?, 'x', 'm@x', ?)",
                ('["evil@example.gov.cn"]', HOSTILE["title"], now))
    con.commit()
    con.close()
    return acc


def test_hostile_names_render_as_text_in_every_page(mw, web, browser):
    acc = hostile_registry(mw)
    web.user("admin", display=HOSTILE["display"])
    console = web.start()
    login(browser, console)
    # a flag any injected script would set, checked on every page
    pages = ["/", "/accounts", f"/accounts/{acc}", "/units", "/units/1",
             "/problems", "/problems?state=all", "/outbox", "/audit",
             "/documents", "/import", "/accounts/new",
             "/accounts?q=" + "%3Cscript%3Ealert(1)%3C/script%3E",
             "/documents/preview?unit=EVIL"]
    admin = console.login("admin")
    for path in pages:
        browser.get(console.url + path)
        no_dialog(browser, path)
        html = admin.get(path).text
        # the raw HTML carries no live markup from the data …
        for bad in ["<script>alert", "<img src=x", "<svg onload",
                    "href=\"javascript:", "<b onmouseover", "onfocus='alert"]:
            assert bad not in html, (path, bad)
        # … and the page shows the names as they are written
        text = browser.find_element(By.TAG_NAME, "body").text
        if path in ("/", "/units", "/units/1", "/problems"):
            assert HOSTILE["unit"] in text, path
        if path == f"/accounts/{acc}":
            for key in ("account", "uid", "operator", "title", "detail",
                        "reason"):
                assert HOSTILE[key] in text, key
            # the javascript: link is shown, not linked
            links = [a.get_attribute("href") or "" for a in
                     browser.find_elements(By.TAG_NAME, "a")]
            assert not any(h.startswith("javascript:") for h in links)
    # no script ran: the only scripts are the console's own file
    scripts = browser.execute_script(
        "return Array.from(document.scripts).map(s => s.src)")
    assert all(s.endswith("/static/app.js") for s in scripts), scripts


# ---------------------------------------------------------- the units' side

def browser_login(driver, console, name, password=PASSWORD):
    driver.get(console.url + "/login")
    form = driver.find_element(By.CSS_SELECTOR, "form[action='/login']")
    form.find_element(By.NAME, "name").send_keys(name)
    form.find_element(By.NAME, "password").send_keys(password)
    submit(driver, form)


def browser_logout(driver):
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form.who"))


def flash(driver):
    return driver.find_element(By.CSS_SELECTOR, "p.flash").text


def test_a_unit_answers_its_work_order_until_it_is_closed(mw, web, browser,
                                                          tmp_path):
    import unitdata
    # the office's own name and numbering, as the screenshots show them
    unitdata.configure(mw, extra='notice = { issuer = "武夷山市电子政务中心";'
                       ' serial_format = "武政新通〔%Y〕%N号"; };')
    webdata.seed(mw)
    mw.run("notice", "issue", "--unit", "WYS-CUL", "--send", check=0)
    unitdata.add_user(mw, "lin", "--role", "admin", "--display-name", "林晓燕")
    (problem,), = mw.sql("SELECT p.id FROM problem p JOIN unit u ON u.id ="
                         " p.unit_id WHERE u.code = 'WYS-CUL'")
    console = web.start()

    # the admin invites the unit's contact from the users page
    browser_login(browser, console, "lin")
    browser.get(console.url + "/users")
    form = browser.find_element(By.CSS_SELECTOR, "form[action='/users/invite']")
    form.find_element(By.CSS_SELECTOR, "option[value='WYS-CUL']").click()
    form.find_element(By.NAME, "email").send_keys("huang.lp@wys.example.gov.cn")
    form.find_element(By.NAME, "display_name").send_keys("黄丽萍")
    form.find_element(By.NAME, "name").send_keys("huanglp")
    submit(browser, form)
    assert "邀请邮件已进入发件箱" in flash(browser)
    browser_logout(browser)

    # the invitation arrives by mail; its link sets the password
    unitdata.send_mail(mw)
    invite, = [m for m in unitdata.mails(mw) if "邀请" in str(m["Subject"])]
    assert [a.addr_spec for a in invite["To"].addresses] == \
        ["huang.lp@wys.example.gov.cn"]
    browser.get(console.url + unitdata.link_in(invite))
    assert "huanglp" in browser.page_source
    form = browser.find_element(By.CSS_SELECTOR, "form[action='/password']")
    form.find_element(By.NAME, "password").send_keys("wenlv-2026-secret")
    form.find_element(By.NAME, "password2").send_keys("wenlv-2026-secret")
    submit(browser, form)
    assert "密码已设置" in flash(browser)

    # the unit logs in and sees its own work
    browser_login(browser, console, "huanglp", "wenlv-2026-secret")
    assert "武夷山市文化体育和旅游局" in browser.page_source
    assert "工作台" in browser.page_source
    assert "武夷山市教育局" not in browser.page_source
    no_dialog(browser, "unit home")
    screenshot(browser, tmp_path, "unit-home")

    # it replies with the scan of its sealed reply
    mark_page(browser)
    browser.find_element(By.CSS_SELECTOR,
                         f"a.button[href='/problems/{problem}']").click()
    wait_new_page(browser)
    fill_reply(browser, "已恢复更新，明确宣传科专人负责日常运维。",
               unitdata.FIXTURES / "reply.pdf")
    assert "整改回复已提交" in flash(browser)
    browser_logout(browser)

    # the admin returns it with a comment
    browser_login(browser, console, "lin")
    browser.get(f"{console.url}/problems/{problem}")
    review(browser, "return", "请补充恢复更新后发布内容的截图。")
    assert "已退回" in flash(browser)
    # the attachment downloads as the file it was
    link = browser.find_element(By.CSS_SELECTOR, "a[href^='/attachments/']")
    link.click()
    got = wait_download(browser.downloads, r"reply\.pdf")
    assert got.read_bytes() == (unitdata.FIXTURES / "reply.pdf").read_bytes()
    browser_logout(browser)
    unitdata.send_mail(mw)
    returned, = [m for m in unitdata.mails(mw) if "被退回" in str(m["Subject"])]
    assert [a.addr_spec for a in returned["To"].addresses] == \
        ["wys-cul@wys.example.gov.cn"]
    assert "请补充恢复更新后发布内容的截图" in returned.text

    # the unit replies again
    browser_login(browser, console, "huanglp", "wenlv-2026-secret")
    browser.get(f"{console.url}/problems/{problem}")
    assert "已退回" in browser.page_source
    fill_reply(browser, "已补充恢复更新后的发布截图。",
               unitdata.FIXTURES / "seal.jpg")
    assert "整改回复已提交" in flash(browser)
    screenshot(browser, tmp_path, "unit-order")
    browser_logout(browser)

    # the admin accepts: 销号, and the unit is told
    browser_login(browser, console, "lin")
    browser.get(f"{console.url}/problems/{problem}")
    review(browser, "accept", "")
    assert "已销号" in flash(browser)
    assert mw.sql("SELECT close_reason FROM problem WHERE id = ?",
                  (problem,)) == [("rectified",)]
    unitdata.send_mail(mw)
    accepted, = [m for m in unitdata.mails(mw)
                 if "审核通过" in str(m["Subject"])]
    assert "该问题已销号" in accepted.text
    no_dialog(browser, "work order")
    # the bulletin counts the work order as answered on time
    month = time.strftime("%Y-%m")
    browser.get(f"{console.url}/documents/preview?month={month}")
    text = browser.find_element(By.TAG_NAME, "body").text
    assert "各单位整改工单办理情况" in text and "按期在线回复1个" in text, \
        text[:3000]
    d = json.loads(mw.run("bulletin", "preview", "--month", month, "--format",
                          "json", check=0).stdout)
    row, = [o for o in d["orders"] if o["unit"] == "WYS-CUL"]
    assert (row["orders_on_time"], row["orders_late"], row["orders_returned"],
            row["orders_open"], row["orders_overdue"]) == (1, 0, 1, 0, 0), row


def fill_reply(driver, measures, path):
    form = driver.find_element(By.CSS_SELECTOR, "form[action$='/reply']")
    form.find_element(By.NAME, "measures").send_keys(measures)
    # a date field's typing order follows the browser's locale: set it
    driver.execute_script("arguments[0].value = arguments[1]",
                          form.find_element(By.NAME, "done_on"),
                          time.strftime("%Y-%m-%d"))
    form.find_element(By.NAME, "responsible").send_keys("黄丽萍（宣传科）")
    form.find_element(By.NAME, "file").send_keys(str(path))
    submit(driver, form)


def review(driver, decision, comment):
    form = driver.find_element(By.CSS_SELECTOR, "form[action$='/review']")
    if comment:
        form.find_element(By.NAME, "comment").send_keys(comment)
    mark_page(driver)
    form.find_element(By.CSS_SELECTOR,
                      f"button[name=decision][value={decision}]").click()
    wait_new_page(driver)
