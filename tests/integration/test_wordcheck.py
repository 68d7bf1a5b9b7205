"""The wording check (issue 7) in the product: `mediawatchctl wordcheck` on
text, HTML, standard input and exported post lists; `wordcheck --rescan`
over the posts the poller stored; and, through the poller hook, new and
edited posts turning into wording problems and alert emails.

Posts are stored the real way: `mediawatchd --once` fetches small RSS
documents from the loopback feed server (feedserver.py).  The clock is fixed
with MEDIAWATCH_NOW.  Emails are read back from the Maildir the daemon
delivers into."""

import email
import email.policy
import json

import pytest

from feedserver import feed_server_factory, feeds  # noqa: F401
from workdays import deadline

# 2022-11-10 10:00:00 +0800
NOW = 1668045600
DAY = 86400
RECENT = "Thu, 10 Nov 2022 09:00:00 +0800"        # an hour before NOW
OLD = "Tue, 01 Nov 2022 09:00:00 +0800"           # nine days before NOW

UNIT_MAIL = "xxb@wuyishan.example.gov.cn"
ADMIN_MAIL = "dzzw@example.gov.cn"

RSS_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">'
            "<channel><title>武夷山发布</title>"
            "<link>https://www.example.gov.cn/</link>\n")
RSS_TAIL = "</channel></rss>\n"


# ---------------------------------------------------------------- helpers

def configure(mw, lists=True, templates=None, extra=""):
    repo = mw.repo
    wording = ""
    if lists:
        wording = (
            "wording = {\n"
            f'\tlists = ["{repo}/conf/wordlists/common-errors.tsv"];\n'
            f'\tallowlists = ["{repo}/conf/wordlists/allowlist.txt"];\n'
            "};\n")
    mw.write_config(
        "poll = { interval = \"1h\"; jitter = 0; timeout = \"3s\";"
        " connect_timeout = \"2s\"; };\n"
        "mail = {\n"
        + (f'\ttemplates = "{templates}";\n' if templates else "") +
        f'\tadmins = ["{ADMIN_MAIL}"];\n'
        '\tfrom = "mediawatch@example.gov.cn";\n'
        '\tdigest_time = "23:59";\n'
        "};\n" + wording + extra)


@pytest.fixture
def ww(mw):
    """mw configured with the shipped lists and templates, a unit with an
    address, the clock at NOW."""
    configure(mw)
    mw.add_unit("WYS", "武夷山市人民政府办公室", "--email", UNIT_MAIL,
                "--contact", "张三")
    mw.now(NOW)
    return mw


def wordcheck(mw, *args, input=None, check=0):
    return mw.run("wordcheck", *args, input=input, check=check)


def hits_json(mw, *args, input=None):
    """mediawatchctl --json ARGS (ARGS start with "wordcheck")."""
    return mw.json(*args, input=input)


def rss(*items):
    """items: (guid, title, date or None[, summary])."""
    out = [RSS_HEAD]
    for item in items:
        guid, title, date = item[:3]
        summary = item[3] if len(item) > 3 else None
        out.append(f"<item><title>{title}</title>"
                   f"<link>https://www.example.gov.cn/{guid}.html</link>"
                   f'<guid isPermaLink="false">{guid}</guid>')
        if summary is not None:
            out.append(f"<description><![CDATA[{summary}]]></description>")
        if date:
            out.append(f"<pubDate>{date}</pubDate>")
        out.append("</item>\n")
    out.append(RSS_TAIL)
    return "".join(out)


def open_feed(mw, feeds, body, path="/feed.xml", name="武夷山发布"):
    url = feeds.serve(path, body)
    return mw.open_account("WYS", "website", name, feed=url)


def poll(mw, *ids, at=None):
    """One daemon cycle (poll, evaluate, deliver); with ids, at a later
    time and with those accounts made due."""
    if at is not None:
        mw.now(at)
    if ids:
        mw.run("poll", *[str(i) for i in ids], check=0)
    return mw.run_daemon("--once", "-d", check=0, timeout=60)


def problems(mw, where="1"):
    cols = ["id", "account_id", "kind", "detail", "evidence", "severity",
            "post_id", "opened_at", "due_at", "closed_at", "close_reason",
            "close_note", "opened_by"]
    rows = mw.sql(f"SELECT {', '.join(cols)} FROM problem WHERE kind ="
                  f" 'wording' AND {where} ORDER BY id")
    return [dict(zip(cols, r)) for r in rows]


def post_id(mw, guid):
    return mw.sql("SELECT id FROM post WHERE guid = ?", (guid,))[0][0]


def wording_outbox(mw):
    return mw.sql("SELECT id, dedup_key, recipients, cc, subject, body_text,"
                  " status FROM outbox WHERE kind = 'wording' ORDER BY id")


def maildir_messages(mw):
    new = mw.state_dir / "Maildir" / "new"
    if not new.exists():
        return []
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted(new.iterdir())]


def wording_mails(mw):
    return [m for m in maildir_messages(mw) if "表述错误" in str(m["Subject"])]


def body_text(msg):
    part = msg.get_body(preferencelist=("plain",))
    return part.get_content()


# ------------------------------------------------ wordcheck on any text

def test_plain_text_hits_show_line_column_forms_severity_and_snippet(ww):
    f = ww.write("a.txt", "第一行没有问题。\n热爱中华人民共合国，再接再励。\n")
    out = wordcheck(ww, str(f)).stdout
    lines = out.splitlines()
    assert lines[0].split() == ["POSITION", "WRONG", "CORRECT", "SEVERITY",
                                "SNIPPET"]
    assert lines[1].split()[:4] == ["2:3", "中华人民共合国", "中华人民共和国",
                                    "serious"]
    assert "【中华人民共合国】" in lines[1]
    assert lines[2].split()[:4] == ["2:11", "再接再励", "再接再厉", "typo"]
    assert len(lines) == 3


def test_json_gives_each_hit_with_note_matched_text_and_list_line(ww):
    f = ww.write("a.txt", "坚持一代一路倡议")
    [h] = hits_json(ww, "wordcheck", str(f))
    assert h["position"] == "1:3"
    assert (h["line"], h["column"], h["offset"]) == (1, 3, 2)
    assert (h["wrong"], h["correct"], h["severity"]) == ("一代一路", "一带一路",
                                                        "serious")
    assert h["matched"] == "一代一路"
    assert h["snippet"] == "坚持【一代一路】倡议"
    assert h["note"]
    path, line = h["list"].rsplit(":", 1)
    assert path.endswith("conf/wordlists/common-errors.tsv")
    listed = (ww.repo / "conf/wordlists/common-errors.tsv").read_text(
        encoding="utf-8").splitlines()[int(line) - 1]
    assert listed.startswith("一代一路\t一带一路\t")


def test_html_is_stripped_and_the_position_points_into_the_source(ww):
    f = ww.write("a.html", "<p>坚持<b>一代</b>一路</p>\n<p>编&#31713;词典</p>")
    got = hits_json(ww, "wordcheck", str(f))
    assert [h["wrong"] for h in got] == ["一代一路", "编篡"]
    assert got[0]["matched"] == "一代</b>一路"
    assert got[0]["position"] == "1:9"        # "<p>坚持<b>" before it
    assert got[1]["line"] == 2


def test_full_width_forms_are_normalised_before_matching(ww):
    extra = ww.write("extra.tsv", "WiFi热点\tWi-Fi热点\ttypo\n")
    [h] = hits_json(ww, "wordcheck", "--list", str(extra),
                    input="开放ＷｉＦｉ热点")
    assert (h["wrong"], h["matched"]) == ("WiFi热点", "ＷｉＦｉ热点")


def test_standard_input_is_read_for_dash_and_for_no_file(ww):
    text = "工作要按步就班"
    a = hits_json(ww, "wordcheck", "-", input=text)
    b = hits_json(ww, "wordcheck", input=text)
    assert a == b
    assert [h["wrong"] for h in a] == ["按步就班"]


def test_allowlisted_phrase_covering_a_wrong_form_is_no_hit(ww):
    assert hits_json(ww, "wordcheck", input="游客轻松驰骋在草原上") == []
    assert [h["wrong"] for h in hits_json(
        ww, "wordcheck", input="肌肉松驰")] == ["松驰"]


def test_no_hit_prints_the_header_only_and_exits_0(ww):
    r = wordcheck(ww, input="一切正常。")
    assert r.stdout.split() == ["POSITION", "WRONG", "CORRECT", "SEVERITY",
                                "SNIPPET"]
    assert hits_json(ww, "wordcheck", input="一切正常。") == []


def test_csv_post_list_is_checked_per_row_in_title_and_summary(ww):
    f = ww.write("posts.csv",
                 "\ufeffid,title,summary,link\n"
                 "1,关于中华人民共合国成立纪念日的通知,正文无误,https://a/1\n"
                 '2,无误,"第一段再接再励\n第二段一代一路",https://a/2\n'
                 "3,中华人民共合国,,https://a/3\n")
    got = hits_json(ww, "wordcheck", str(f))
    assert [(h["position"], h["wrong"], h["link"]) for h in got] == [
        ("2:title:3", "中华人民共合国", "https://a/1"),
        ("3:summary:4", "再接再励", "https://a/2"),
        ("3:summary:12", "一代一路", "https://a/2"),
        ("5:title:1", "中华人民共合国", "https://a/3"),
    ]
    assert got[0]["field"] == "title" and got[0]["line"] == 2


def test_csv_header_may_use_chinese_column_names(ww):
    f = ww.write("posts.csv", "标题,摘要\n再接再励,无\n")
    [h] = hits_json(ww, "wordcheck", str(f))
    assert h["position"] == "2:标题:1"


def test_csv_fields_other_than_title_and_summary_are_not_checked(ww):
    f = ww.write("posts.csv", "title,note\n无误,再接再励\n")
    assert hits_json(ww, "wordcheck", str(f)) == []


def test_text_with_commas_but_no_title_column_is_checked_as_text(ww):
    f = ww.write("a.txt", "甲,乙,丙\n再接再励,继续\n")
    [h] = hits_json(ww, "wordcheck", str(f))
    assert h["position"] == "2:1"


def test_malformed_csv_post_list_is_refused_with_file_line(ww):
    f = ww.write("posts.csv", 'title,summary\n"再接再励,无\n')
    r = wordcheck(ww, str(f), check=1)
    assert f"{f}:2" in r.stderr
    assert r.stdout == ""


def test_list_option_adds_entries_to_the_configured_lists(ww):
    extra = ww.write("extra.tsv", "# local\n武夷山市政付\t武夷山市政府\tserious\t单位名称\n")
    text = "武夷山市政付发布再接再励"
    assert [h["wrong"] for h in hits_json(ww, "wordcheck", input=text)] == [
        "再接再励"]
    got = hits_json(ww, "wordcheck", "--list", str(extra), input=text)
    assert [h["wrong"] for h in got] == ["武夷山市政付", "再接再励"]
    assert got[0]["list"] == f"{extra}:2"


def test_allow_option_adds_allowed_phrases(ww):
    allow = ww.write("allow.txt", "再接再励书店\n")
    assert hits_json(ww, "wordcheck", "--allow", str(allow),
                     input="再接再励书店开业") == []


def test_lists_work_without_any_configured(mw):
    configure(mw, lists=False)
    extra = mw.write("e.tsv", "错字甲\t正字甲\ttypo\n")
    [h] = hits_json(mw, "wordcheck", "--list", str(extra), input="有错字甲")
    assert (h["wrong"], h["correct"], h["note"]) == ("错字甲", "正字甲", "")


def test_no_list_at_all_is_refused(mw):
    configure(mw, lists=False)
    r = wordcheck(mw, input="再接再励", check=1)
    assert "no word list" in r.stderr


@pytest.mark.parametrize("line,why", [
    ("错\t对\tsevere\n", "severity"),
    ("只有一列\n", ""),
    ("\t对\ttypo\n", ""),
])
def test_bad_list_line_is_reported_as_file_line_and_exits_1(ww, line, why):
    bad = ww.write("bad.tsv", "# comment\n好词\t好\ttypo\n" + line)
    r = wordcheck(ww, "--list", str(bad), input="再接再励", check=1)
    assert f"{bad}:3:" in r.stderr
    assert why in r.stderr
    assert r.stdout == ""


def test_bad_configured_list_is_reported_as_file_line(mw):
    bad = mw.write("bad.tsv", "错\t对\ttypo\n重复\t甲\ttypo\n重复\t乙\ttypo\n")
    mw.write_config(f'wording = {{ lists = ["{bad}"]; }};\n')
    r = wordcheck(mw, input="x", check=1)
    assert f"{bad}:3:" in r.stderr


def test_unreadable_input_exits_1(ww):
    r = wordcheck(ww, str(ww.dir / "missing.txt"), check=1)
    assert "missing.txt" in r.stderr


def test_gbk_text_is_read_with_encoding_gbk(ww):
    f = ww.write("gbk.txt", "坚持一代一路".encode("gbk"))
    r = wordcheck(ww, str(f))
    assert "not UTF-8" in r.stderr and "--encoding gbk" in r.stderr
    assert [h["wrong"] for h in hits_json(
        ww, "wordcheck", "--encoding", "gbk", str(f))] == ["一代一路"]


@pytest.mark.parametrize("args", [
    ["--since", "2022-11-01", "-"],
    ["a.txt", "b.txt"],
    ["--rescan", "a.txt"],
    ["--rescan", "--since", "2022-13-01"],
    ["--bogus"],
    ["--encoding", "latin1", "-"],
])
def test_usage_errors_exit_2(ww, args):
    r = wordcheck(ww, *args, input="", check=2)
    assert "usage: mediawatchctl wordcheck" in r.stderr


def test_help_describes_the_exit_status(ww):
    r = wordcheck(ww, "--help")
    assert "Exit status: 0 when the check ran, hits or not" in r.stdout


def test_unit_wording_templates_render_with_every_documented_name(ww):
    # the README section documents exactly the names the message provides
    readme = (ww.repo / "conf/templates/README.md").read_text(encoding="utf-8")
    assert "## `unit-wording`" in readme
    for name in ("unit-wording.txt", "unit-wording.html"):
        assert (ww.repo / "conf/templates" / name).exists()


# ------------------------------------------------------ rescan of stored posts

def without_lists(mw, fn, *args, **kw):
    """Runs fn with the wording check off, so the posts the poller stores
    are left for the rescan whether or not the poller hook is wired."""
    configure(mw, lists=False)
    try:
        return fn(*args, **kw)
    finally:
        configure(mw)


def store_posts(ww, feeds, *items):
    """An account whose feed has items, polled once with the check off."""
    def run():
        acc = open_feed(ww, feeds, rss(*items))
        poll(ww)
        return acc
    return without_lists(ww, run)


def rescan(ww, *args, check=0):
    r = ww.run("--json", "wordcheck", "--rescan", *args, check=check)
    return json.loads(r.stdout) if check == 0 else r


def test_rescan_opens_one_problem_per_post_and_wrong_form(ww, feeds):
    acc = store_posts(ww, feeds,
                      ("p1", "中华人民共合国成立73周年", RECENT,
                       "<p>热烈庆祝中华人民共合国成立，再接再励</p>"),
                      ("p2", "一切正常", RECENT))
    got = rescan(ww)
    assert got == {"posts": 2, "hits": 2, "opened": 2, "closed": 0,
                   "mailed": 1}
    rows = problems(ww)
    assert [(r["account_id"], r["post_id"], r["severity"]) for r in rows] == [
        (acc, post_id(ww, "p1"), "serious"), (acc, post_id(ww, "p1"), "typo")]
    first = rows[0]
    assert first["detail"].startswith("表述错误「中华人民共合国」→「中华人民共和国」")
    assert "严重表述错误" in first["detail"]
    # evidence: the post link and the first occurrence (title before summary)
    assert first["evidence"].startswith("https://www.example.gov.cn/p1.html 标题：")
    assert "【中华人民共合国】成立73周年" in first["evidence"]
    assert "摘要：" in rows[1]["evidence"] and "【再接再励】" in rows[1]["evidence"]
    assert first["opened_at"] == NOW and first["due_at"] == deadline(NOW)
    assert first["closed_at"] is None


def test_rescan_again_reports_nothing_twice(ww, feeds):
    store_posts(ww, feeds, ("p1", "中华人民共合国", RECENT))
    assert rescan(ww)["opened"] == 1
    assert rescan(ww) == {"posts": 1, "hits": 1, "opened": 0, "closed": 0,
                          "mailed": 0}
    assert len(problems(ww)) == 1
    assert len(wording_outbox(ww)) == 1


def test_rescan_table_output_names_the_counts(ww, feeds):
    store_posts(ww, feeds, ("p1", "再接再励", RECENT))
    out = ww.run("wordcheck", "--rescan", check=0).stdout
    assert "Posts checked" in out and "Problems opened" in out


def test_rescan_since_checks_only_posts_seen_or_published_since(ww, feeds):
    acc = open_feed(ww, feeds, rss(("old", "再接再励", OLD)))
    without_lists(ww, poll, ww, at=NOW - 5 * DAY)
    feeds.serve("/feed.xml", rss(("old", "再接再励", OLD),
                                 ("new", "按步就班", RECENT)))
    without_lists(ww, poll, ww, acc, at=NOW)
    got = rescan(ww, "--since", "2022-11-08")
    assert got["posts"] == 1
    assert [r["post_id"] for r in problems(ww)] == [post_id(ww, "new")]
    assert rescan(ww)["opened"] == 1          # all posts: the old one too


def test_rescan_closes_problems_the_lists_no_longer_find_as_rectified(
        ww, feeds):
    extra = ww.write("extra.tsv", "政务公开工做\t政务公开工作\ttypo\n")
    store_posts(ww, feeds, ("p1", "政务公开工做要点，再接再励", OLD))
    assert rescan(ww, "--list", str(extra))["opened"] == 2
    got = rescan(ww)                          # the extra list is gone
    assert (got["opened"], got["closed"]) == (0, 1)
    closed = problems(ww, "closed_at IS NOT NULL")
    assert [(r["close_reason"], r["closed_at"]) for r in closed] == [
        ("rectified", NOW)]
    assert "政务公开工做" in closed[0]["detail"]
    assert closed[0]["close_note"]
    assert len(problems(ww, "closed_at IS NULL")) == 1


def test_rescan_mails_serious_hits_of_recent_posts_only(ww, feeds):
    store_posts(ww, feeds,
                ("new-serious", "中华人民共合国", RECENT),
                ("old-serious", "一代一路建设", OLD),
                ("new-typo", "再接再励", RECENT))
    got = rescan(ww)
    assert (got["opened"], got["mailed"]) == (3, 1)
    [(_, key, to, cc, subject, text, status)] = wording_outbox(ww)
    pid = post_id(ww, "new-serious")
    assert key.startswith(f"wording:{pid}:")
    assert json.loads(to) == [UNIT_MAIL]
    assert json.loads(cc) == [ADMIN_MAIL]
    assert "严重表述错误" in subject and "武夷山发布" in subject
    assert "「中华人民共合国」应为「中华人民共和国」" in text
    assert status == "queued"


def test_rescan_email_is_delivered_to_the_maildir(ww, feeds):
    store_posts(ww, feeds, ("p1", "中华人民共合国成立", RECENT,
                            "首届<b>一代</b>一路峰会"))
    rescan(ww)
    poll(ww)                                   # delivers the outbox
    [msg] = wording_mails(ww)
    assert UNIT_MAIL in msg["To"] and ADMIN_MAIL in msg["Cc"]
    text = body_text(msg)
    assert "武夷山市人民政府办公室（张三）" in text
    assert "《中华人民共合国成立》" in text
    assert "https://www.example.gov.cn/p1.html" in text
    assert "标题中「中华人民共合国」应为「中华人民共和国」" in text
    assert "摘要中「一代一路」应为「一带一路」" in text
    assert "2022年11月24日" in text            # 10 working days later
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert "<td>一带一路</td>" in html
    assert "<b>" not in html.split("<table")[1]   # post markup never passes


def test_unit_without_address_mails_the_admins_directly(mw, feeds):
    configure(mw)
    mw.add_unit("WYS", "武夷山市人民政府办公室")
    mw.now(NOW)
    store_posts(mw, feeds, ("p1", "中华人民共合国", RECENT))
    rescan(mw)
    [(_, _, to, cc, _, _, _)] = wording_outbox(mw)
    assert json.loads(to) == [ADMIN_MAIL] and json.loads(cc) == []


def test_rescan_with_a_broken_template_still_opens_and_mails(ww, feeds,
                                                            tmp_path):
    store_posts(ww, feeds, ("p1", "中华人民共合国", RECENT))
    tdir = tmp_path / "templates"
    tdir.mkdir()
    (tdir / "unit-wording.txt").write_text(
        "Subject: {{unit_name}}\n\n{{no_such_name}}\n", encoding="utf-8")
    configure(ww, templates=tdir)
    r = ww.run("--json", "wordcheck", "--rescan", check=0)
    assert "unit-wording.txt:3" in r.stderr
    stats = json.loads(r.stdout)
    assert (stats["opened"], stats["mailed"]) == (1, 1)
    assert [p["severity"] for p in problems(ww)] == ["serious"]
    kinds = sorted(k for (k,) in ww.sql("SELECT kind FROM outbox"))
    assert kinds == ["template-error", "wording"]
    (body,) = ww.sql("SELECT body_text FROM outbox WHERE kind = 'wording'")
    assert "中华人民共合国" in body[0]     # the built-in text, filled in


def test_rescan_opens_nothing_for_accounts_no_longer_active(ww, feeds):
    acc = store_posts(ww, feeds, ("p1", "再接再励", RECENT))
    ww.run("account", "close", str(acc), "--reason", "关停", check=0)
    assert rescan(ww)["opened"] == 0
    assert problems(ww) == []


def test_rescan_without_lists_is_refused_and_changes_nothing(mw, feeds):
    configure(mw, lists=False)
    mw.add_unit("WYS", "武夷山市人民政府办公室")
    mw.now(NOW)
    store_posts(mw, feeds, ("p1", "再接再励", RECENT))
    configure(mw, lists=False)
    before = mw.dump()
    r = rescan(mw, check=1)
    assert "no word list" in r.stderr
    assert mw.dump() == before


# ------------------------------- new and edited posts, through the poller

def test_new_post_with_a_serious_error_opens_a_problem_and_mails_at_once(
        ww, feeds):
    acc = open_feed(ww, feeds, rss(("p1", "庆祝中华人民共合国成立", RECENT)))
    poll(ww)
    [p] = problems(ww)
    assert (p["account_id"], p["post_id"], p["severity"], p["opened_by"]) == (
        acc, post_id(ww, "p1"), "serious", "mediawatchd")
    assert p["evidence"].startswith("https://www.example.gov.cn/p1.html")
    [msg] = wording_mails(ww)
    assert UNIT_MAIL in msg["To"] and ADMIN_MAIL in msg["Cc"]
    assert "「中华人民共合国」应为「中华人民共和国」" in body_text(msg)


def test_new_post_with_a_typo_goes_to_the_problem_list_only(ww, feeds):
    open_feed(ww, feeds, rss(("p1", "再接再励，再创佳绩", RECENT)))
    poll(ww)
    [p] = problems(ww)
    assert p["severity"] == "typo" and p["closed_at"] is None
    assert wording_outbox(ww) == [] and wording_mails(ww) == []


def test_summary_html_is_checked_with_markup_inside_the_wrong_form(ww, feeds):
    open_feed(ww, feeds, rss(("p1", "峰会开幕", RECENT,
                              "<p>推进<strong>一代</strong>一路建设</p>")))
    poll(ww)
    [p] = problems(ww)
    assert "一代一路" in p["detail"] and "摘要：" in p["evidence"]


def test_the_same_post_is_never_reported_twice(ww, feeds):
    acc = open_feed(ww, feeds, rss(("p1", "中华人民共合国", RECENT)))
    poll(ww)
    poll(ww, acc, at=NOW + 3600)
    poll(ww, acc, at=NOW + 7200)
    assert len(problems(ww)) == 1
    assert len(wording_outbox(ww)) == 1 and len(wording_mails(ww)) == 1


def test_an_edited_post_without_the_error_closes_the_problem_rectified(
        ww, feeds):
    acc = open_feed(ww, feeds, rss(("p1", "中华人民共合国", RECENT),
                                   ("p2", "再接再励", RECENT)))
    poll(ww)
    assert len(problems(ww, "closed_at IS NULL")) == 2
    feeds.serve("/feed.xml", rss(("p1", "中华人民共和国", RECENT),
                                 ("p2", "再接再励", RECENT)))
    poll(ww, acc, at=NOW + 3600)
    [closed] = problems(ww, "closed_at IS NOT NULL")
    assert closed["post_id"] == post_id(ww, "p1")
    assert (closed["close_reason"], closed["closed_at"]) == (
        "rectified", NOW + 3600)
    [still] = problems(ww, "closed_at IS NULL")
    assert still["post_id"] == post_id(ww, "p2")
    assert len(wording_mails(ww)) == 1          # no mail about the fix


def test_an_edit_that_keeps_the_error_changes_nothing(ww, feeds):
    acc = open_feed(ww, feeds, rss(("p1", "中华人民共合国", RECENT)))
    poll(ww)
    feeds.serve("/feed.xml", rss(("p1", "中华人民共合国（更新）", RECENT)))
    poll(ww, acc, at=NOW + 3600)
    [p] = problems(ww)
    assert p["closed_at"] is None
    assert len(wording_mails(ww)) == 1


def test_an_edit_that_brings_a_new_error_opens_a_problem_for_it(ww, feeds):
    acc = open_feed(ww, feeds, rss(("p1", "一切正常", RECENT)))
    poll(ww)
    assert problems(ww) == []
    feeds.serve("/feed.xml", rss(("p1", "一代一路", RECENT)))
    poll(ww, acc, at=NOW + 3600)
    [p] = problems(ww)
    assert p["severity"] == "serious" and p["closed_at"] is None
    assert len(wording_mails(ww)) == 1


def test_a_fetch_that_leaves_out_the_summary_rectifies_nothing(ww, feeds):
    # feeds drop or truncate descriptions; a missing field is no edit
    acc = open_feed(ww, feeds, rss(("p1", "会议召开", RECENT, "推进一代一路")))
    poll(ww)
    feeds.serve("/feed.xml", rss(("p1", "会议召开", RECENT)))
    poll(ww, acc, at=NOW + 3600)
    [p] = problems(ww)
    assert p["closed_at"] is None


def test_a_guid_repeated_in_one_feed_does_not_flap(ww, feeds):
    # the first entry of a GUID is the post; a later duplicate in the same
    # document is no edit of it
    acc = open_feed(ww, feeds, rss(("p1", "中华人民共合国", RECENT),
                                   ("p1", "无关标题", RECENT)))
    poll(ww)
    poll(ww, acc, at=NOW + 3600)
    [p] = problems(ww)
    assert p["closed_at"] is None
    assert len(wording_mails(ww)) == 1


def test_an_old_post_seen_first_gets_a_problem_but_no_email(ww, feeds):
    open_feed(ww, feeds, rss(("p1", "中华人民共合国", OLD)))
    poll(ww)
    [p] = problems(ww)
    assert p["severity"] == "serious"
    assert wording_outbox(ww) == []


def test_allowlisted_phrase_in_a_new_post_opens_nothing(ww, feeds):
    # passes with or without the hook; pins that it stays so once wired
    open_feed(ww, feeds, rss(("p1", "政协代表团抵达", RECENT)))
    poll(ww)
    assert problems(ww) == []


def test_no_wording_configuration_means_no_check(mw, feeds):
    configure(mw, lists=False)
    mw.add_unit("WYS", "武夷山市人民政府办公室")
    mw.now(NOW)
    open_feed(mw, feeds, rss(("p1", "中华人民共合国", RECENT)))
    poll(mw)
    assert problems(mw) == []
