"""Chat channels (issue 18): alerts reach 企业微信, 钉钉 and 飞书 group
robots and the office's JSON webhook through the same durable outbox as
email.

Every platform is a loopback server of chatserver.py that checks the
request as the platform documents it (address, payload, signature,
keyword, size) and answers as the platform does: success, its error
codes, its rate-limit answers, 5xx, or no answer in time.  The programs
run for real (`mediawatchctl`, `mediawatchd --once`) with the clock set by
MEDIAWATCH_NOW, so retry and backoff times are exact, and a channel can be
down for an hour of that clock.
"""

import json
import re
import sqlite3
from pathlib import Path

import pytest

from chatserver import chat_servers  # noqa: F401  (fixture)
from feedserver import feeds  # noqa: F401  (fixture)
from smtpserver import smtp  # noqa: F401  (fixture)
from test_alerts import (ADMINS, BASE, DAY, HOUR, Scenario, configure,
                         cycle, local_date, outbox)

CONSOLE = "https://mw.example.gov.cn/console"


def channel_conf(*channels, admin_channels=None, console=CONSOLE):
    """libconfig text for the channels list (each a dict)."""
    def value(v):
        if isinstance(v, (list, tuple)):
            return "[ " + ", ".join(value(x) for x in v) + " ]"
        if isinstance(v, int):
            return str(v)
        return json.dumps(v, ensure_ascii=False)
    items = ",\n".join("\t{ " + " ".join(f"{k} = {value(v)};"
                                          for k, v in c.items()) + " }"
                       for c in channels)
    text = f"channels = (\n{items}\n);\n"
    if admin_channels is not None:
        text += f"admin_channels = {value(admin_channels)};\n"
    if console:
        text += f'console_url = "{console}";\n'
    return text


def with_channels(mw, smtp=None, channels=(), admin_channels=None, mail=None):
    """configure() of test_alerts, with the channels given."""
    configure(mw, smtp, mail=mail)
    mw.write_config(mw.extra_config + channel_conf(
        *channels, admin_channels=admin_channels))


def robot(mw, server, name, **extra):
    """A channel for server: its address in a file (it holds the token),
    its secret in another when the server has one."""
    c = {"name": name, "type": server.platform,
         "url_file": str(mw.write(f"{name}-url", server.address() + "\n"))}
    if server.secret:
        c["secret_file"] = str(mw.write(f"{name}-secret",
                                        server.secret + "\n"))
    c.update(extra)
    return c


def chat_rows(mw, channel=None):
    if channel is None:
        return outbox(mw, "channel != 'email'")
    return outbox(mw, "channel = ?", (channel,))


# ------------------------------------------------------------- done when

def test_a_stale_accounts_alert_reaches_the_units_wecom_robot_and_email_in_one_evaluation(
        mw, feeds, smtp, chat_servers):
    wecom = chat_servers("wecom")
    with_channels(mw, smtp, [robot(mw, wecom, "gov-wecom")])
    sc = Scenario(mw, feeds)
    sc.unit("GOV", "武夷山市人民政府办公室", "gov@example.gov.cn")
    mw.run("unit", "change", "GOV", "--channel", "gov-wecom", check=0)
    sc.account("GOV", "武夷山之声", BASE - 20 * DAY, platform="douyin")
    wecom.now = BASE

    cycle(mw, BASE)

    (mail,) = smtp.wait_for(1)
    (msg,) = wecom.wait_for(1)
    assert wecom.rejected() == []
    text = msg.text
    assert "【政务新媒体预警】武夷山市人民政府办公室有1个账号" in text
    assert "抖音「武夷山之声」：已 20 天未更新" in text
    problem_due = mw.sql("SELECT due_at FROM problem")[0][0]
    assert f"整改期限 {local_date(problem_due)}" in text
    unit_id = mw.sql("SELECT id FROM unit WHERE code = 'GOV'")[0][0]
    assert f"[在监测系统查看详情]({CONSOLE}/units/{unit_id})" in text
    assert str(mail.message["Subject"]).startswith("【政务新媒体预警】")

    rows = outbox(mw)
    assert [(r["kind"], r["channel"], r["status"], r["attempts"])
            for r in rows] == [("alert", "email", "sent", 1),
                               ("alert", "gov-wecom", "sent", 1)]
    assert rows[1]["recipients"] == "[]"
    listed = mw.json("outbox", "list")
    assert [(x["channel"], x["status"]) for x in listed] == [
        ("email", "sent"), ("gov-wecom", "sent")]
    table = mw.run("outbox", "list", check=0).stdout
    assert "CHANNEL" in table and "gov-wecom" in table

    # the next evaluation has nothing new: nothing is sent twice
    cycle(mw, BASE + HOUR)
    assert len(wecom.received) == 1 and len(smtp.messages) == 1


def stale_unit(mw, feeds, code="GOV", name="武夷山市人民政府办公室",
               channels=(), accounts=(("武夷山之声", 20),)):
    """A unit with an email address, its channels, and accounts quiet for
    the days given."""
    sc = Scenario(mw, feeds)
    sc.unit(code, name, f"{code.lower()}@example.gov.cn")
    for c in channels:
        mw.run("unit", "change", code, "--channel", c, check=0)
    for acc, days in accounts:
        sc.account(code, acc, BASE - days * DAY)
    return sc


def test_dingtalk_signed_mode_and_keyword_pass_the_robots_checks(
        mw, feeds, chat_servers):
    ding = chat_servers("dingtalk", secret="SECa1b2c3d4e5f60718293a4b5c6d7e8f9",
                        keyword="监测提醒")
    ding.now = BASE
    with_channels(mw, channels=[robot(mw, ding, "gov-ding",
                                      keyword="监测提醒")])
    stale_unit(mw, feeds, channels=["gov-ding"])
    cycle(mw, BASE)
    (msg,) = ding.wait_for(1)
    assert ding.rejected() == []
    assert msg.title == "【政务新媒体预警】武夷山市人民政府办公室有1个账号超期未更新或即将超期"
    assert "微博「武夷山之声」：已 20 天未更新" in msg.text
    assert msg.text.rstrip().endswith("监测提醒")
    (req,) = ding.requests
    assert re.search(r"[?&]timestamp=%d000&sign=" % BASE, req.path)
    (row,) = chat_rows(mw)
    assert (row["status"], row["attempts"]) == ("sent", 1)


def test_a_wrong_dingtalk_secret_fails_the_robots_check_and_is_retried(
        mw, feeds, chat_servers):
    """The signature check can fail: the robot refuses (errcode 310000),
    the message waits, and goes once the secret is right."""
    ding = chat_servers("dingtalk", secret="SECright")
    ding.now = BASE
    channel = robot(mw, ding, "gov-ding")
    mw.write("gov-ding-secret", "SECwrong\n")
    with_channels(mw, channels=[channel])
    stale_unit(mw, feeds, channels=["gov-ding"])
    cycle(mw, BASE)
    (row,) = chat_rows(mw)
    assert (row["status"], row["attempts"]) == ("queued", 1)
    assert "errcode 310000: sign not match" in row["last_error"]
    assert [r.verdict for r in ding.requests] == ["rejected: sign not match"]
    mw.write("gov-ding-secret", "SECright\n")
    ding.now = BASE + 10 * 60
    cycle(mw, BASE + 10 * 60, poll=False)
    assert len(ding.wait_for(1)) == 1
    assert chat_rows(mw)[0]["status"] == "sent"


def test_feishu_signature_check_passes_and_the_card_has_the_title(
        mw, feeds, chat_servers):
    lark = chat_servers("feishu", secret="qN7xT2pL9sVb4cRk")
    lark.now = BASE
    with_channels(mw, channels=[robot(mw, lark, "gov-lark")])
    stale_unit(mw, feeds, channels=["gov-lark"])
    cycle(mw, BASE)
    (msg,) = lark.wait_for(1)
    assert lark.rejected() == []
    assert msg.title.startswith("【政务新媒体预警】武夷山市人民政府办公室")
    assert "「武夷山之声」" in msg.text and msg.title not in msg.text
    assert msg.body["timestamp"] == str(BASE)
    assert msg.body["card"]["header"]["template"] == "red"


def test_webhook_is_signed_and_carries_status_unit_accounts_and_link(
        mw, feeds, chat_servers):
    hook = chat_servers("webhook", secret="office-hmac-key-31415")
    with_channels(mw, channels=[robot(mw, hook, "office")])
    sc = stale_unit(mw, feeds, channels=["office"],
                    accounts=(("武夷山之声", 20), ("武夷山政务", 9)))
    cycle(mw, BASE)
    (msg,) = hook.wait_for(1)
    assert hook.rejected() == []
    body = msg.body
    unit_id = mw.sql("SELECT id FROM unit WHERE code = 'GOV'")[0][0]
    assert (body["kind"], body["status"]) == ("alert", "firing")
    assert body["unit"] == {"code": "GOV", "name": "武夷山市人民政府办公室"}
    assert body["link"] == f"{CONSOLE}/units/{unit_id}"
    assert body["sent_at"] == BASE
    (row,) = chat_rows(mw)
    assert body["id"] == row["message_id"]
    accounts = sorted((a["state"], a["name"], a["days"], a["platform"])
                      for a in body["accounts"])
    assert accounts == [("stale", "武夷山之声", 20, "微博"),
                        ("warning", "武夷山政务", 9, "微博")]
    warning = [a for a in body["accounts"] if a["state"] == "warning"][0]
    assert warning["deadline"] == local_date(BASE - 9 * DAY + 14 * DAY)
    assert body["data"]["unit_code"] == "GOV"

    # the account posts again: a recovery, "resolved"
    for acc in list(sc.items):
        sc.post(acc, BASE + HOUR)
    cycle(mw, BASE + 2 * HOUR)
    msgs = hook.wait_for(2)
    assert msgs[1].body["status"] == "resolved"
    assert msgs[1].body["kind"] == "recovery"
    assert {a["state"] for a in msgs[1].body["accounts"]} == {"fresh"}


# ------------------------------------------------ answers and retries

@pytest.mark.parametrize("platform", ["wecom", "dingtalk", "feishu"])
def test_http_200_with_a_platform_error_code_is_a_failure_retried_later(
        mw, feeds, chat_servers, platform):
    server = chat_servers(platform)
    server.now = BASE
    server.script = ["error"]
    with_channels(mw, channels=[robot(mw, server, "gov-robot",
                                      retry_base="5m")])
    stale_unit(mw, feeds, channels=["gov-robot"])
    cycle(mw, BASE)
    (row,) = chat_rows(mw)
    assert (row["status"], row["attempts"], row["deferrals"]) == (
        "queued", 1, 0)
    assert row["next_attempt_at"] == BASE + 300
    code = {"wecom": "errcode 93000", "dingtalk": "errcode 300001",
            "feishu": "code 19001"}[platform]
    assert row["last_error"].startswith(code)
    assert server.received == []
    server.now = BASE + 300
    cycle(mw, BASE + 300, poll=False)
    assert len(server.wait_for(1)) == 1
    (row,) = chat_rows(mw)
    assert (row["status"], row["attempts"], row["last_error"]) == (
        "sent", 2, None)


@pytest.mark.parametrize("platform,penalty", [
    ("wecom", 60), ("dingtalk", 600), ("feishu", 60), ("webhook", 60)])
def test_rate_limit_answers_put_the_channel_off_without_counting_an_attempt(
        mw, feeds, chat_servers, platform, penalty):
    server = chat_servers(platform)
    server.now = BASE
    server.retry_after = 90
    server.script = ["ratelimit", "429"]
    with_channels(mw, channels=[robot(mw, server, "robot", max_attempts=1)])
    stale_unit(mw, feeds, code="GOV", channels=["robot"])
    stale_unit(mw, feeds, code="EDU", name="武夷山市教育局",
               channels=["robot"], accounts=(("武夷山教育", 16),))
    cycle(mw, BASE)
    rows = chat_rows(mw)
    assert len(rows) == 2
    # the platform's frequency-limit answer (its code, or HTTP 429 without
    # Retry-After from the webhook) is no attempt: with max_attempts 1 a
    # failure would have failed the message for good
    first = rows[0]
    assert (first["status"], first["attempts"], first["deferrals"]) == (
        "queued", 0, 1)
    assert first["next_attempt_at"] == BASE + penalty
    # the other message of the channel waits too, untried
    assert rows[1]["attempts"] == 0 and rows[1]["deferrals"] == 0
    assert rows[1]["next_attempt_at"] >= BASE + penalty
    assert len(server.requests) == 1

    # HTTP 429 with Retry-After: 90 s more
    server.now = BASE + penalty
    cycle(mw, BASE + penalty, poll=False)
    first = chat_rows(mw)[0]
    assert (first["status"], first["attempts"], first["deferrals"]) == (
        "queued", 0, 2)
    assert first["next_attempt_at"] == BASE + penalty + 90
    assert first["last_error"].startswith("HTTP 429")
    server.now = BASE + penalty + 90
    cycle(mw, BASE + penalty + 90, poll=False)
    msgs = server.wait_for(2)
    assert len(msgs) == 2
    assert [(r["status"], r["attempts"]) for r in chat_rows(mw)] == [
        ("sent", 1), ("sent", 1)]
    assert server.rejected() == []


def test_5xx_and_slow_answers_are_retried_and_each_message_goes_once(
        mw, feeds, chat_servers):
    wecom = chat_servers("wecom")
    wecom.now = BASE
    wecom.slow = 5
    wecom.script = ["500", "slow"]
    with_channels(mw, channels=[robot(mw, wecom, "robot", timeout="2s",
                                      retry_base="1m")])
    stale_unit(mw, feeds, channels=["robot"])
    cycle(mw, BASE)
    (row,) = chat_rows(mw)
    assert (row["status"], row["attempts"]) == ("queued", 1)
    assert row["last_error"].startswith("HTTP 500")
    wecom.now = BASE + 60
    cycle(mw, BASE + 60, poll=False)
    (row,) = chat_rows(mw)
    assert (row["status"], row["attempts"]) == ("queued", 2)
    assert "timed out" in row["last_error"].lower()
    assert row["next_attempt_at"] == BASE + 60 + 120
    wecom.now = BASE + 180
    cycle(mw, BASE + 180, poll=False)
    assert [r.verdict for r in wecom.requests] == ["500", "slow", "accepted"]
    assert len(wecom.received) == 1
    assert chat_rows(mw)[0]["status"] == "sent"


def test_a_channel_down_for_an_hour_loses_nothing_and_sends_each_once(
        mw, feeds, smtp, chat_servers):
    wecom = chat_servers("wecom")
    lark = chat_servers("feishu", secret="lark-secret")
    with_channels(mw, smtp, channels=[
        robot(mw, wecom, "wecom", retry_base="1m"),
        robot(mw, lark, "lark", retry_base="1m")])
    units = [("GOV", "武夷山市人民政府办公室"), ("EDU", "武夷山市教育局"),
             ("HEA", "武夷山市卫生健康委员会")]
    for i, (code, name) in enumerate(units):
        stale_unit(mw, feeds, code=code, name=name,
                   channels=["wecom", "lark"],
                   accounts=((f"{name}发布", 15 + i),))
    wecom.stop()
    lark.stop()
    cycle(mw, BASE)
    # email is not held back by the channels
    assert len(smtp.wait_for(3)) == 3
    t = BASE
    while t < BASE + HOUR:
        t += 5 * 60
        cycle(mw, t, poll=False)
        rows = chat_rows(mw)
        assert len(rows) == 6 and all(r["status"] == "queued" for r in rows)
        assert all(r["last_error"] for r in rows)
    assert max(r["attempts"] for r in chat_rows(mw)) >= 5
    wecom.start()
    lark.start()
    wecom.now = lark.now = t + 2 * HOUR
    cycle(mw, t + 2 * HOUR, poll=False)
    assert len(wecom.wait_for(3)) == 3 and len(lark.wait_for(3)) == 3
    assert all(r["status"] == "sent" for r in chat_rows(mw))
    for server in (wecom, lark):
        texts = [m.text for m in server.received]
        assert len(set(texts)) == 3
        assert server.rejected() == []
    cycle(mw, t + 3 * HOUR, poll=False)
    assert len(wecom.received) == 3 and len(lark.received) == 3
    assert len(smtp.messages) == 3


def test_outbox_retry_and_send_work_for_chat_messages(mw, feeds,
                                                       chat_servers):
    wecom = chat_servers("wecom")
    wecom.mode = "error"
    with_channels(mw, channels=[robot(mw, wecom, "robot", max_attempts=1)])
    stale_unit(mw, feeds, channels=["robot"])
    cycle(mw, BASE)
    (row,) = chat_rows(mw)
    assert (row["status"], row["attempts"]) == ("failed", 1)
    shown = mw.json("outbox", "show", str(row["id"]))
    assert shown["channel"] == "robot" and shown["status"] == "failed"
    assert mw.json("outbox", "list", "--status", "failed")[0]["channel"] == \
        "robot"
    wecom.mode = "accept"
    mw.run("outbox", "retry", str(row["id"]), check=0)
    assert chat_rows(mw)[0]["status"] == "queued"
    mw.now(BASE + 60)
    r = mw.run("outbox", "send", str(row["id"]), check=0)
    assert "1 sent, 0 failed" in r.stdout
    assert len(wecom.wait_for(1)) == 1
    assert chat_rows(mw)[0]["status"] == "sent"


def test_a_message_for_a_channel_no_longer_configured_fails_loudly(
        mw, feeds, chat_servers):
    wecom = chat_servers("wecom")
    channel = robot(mw, wecom, "robot")
    with_channels(mw, channels=[channel])
    stale_unit(mw, feeds, channels=["robot"])
    mw.now(BASE)
    mw.run("poll", check=0)
    # queue, then take the channel out before the daemon delivers
    wecom.stop()
    cycle(mw, BASE, poll=False)
    with_channels(mw, channels=[])
    r = cycle(mw, BASE + DAY, poll=False)
    (row,) = chat_rows(mw)
    assert row["status"] == "failed"
    assert row["last_error"] == "channel robot is not in the configuration"
    assert "channel robot is not in the configuration" in r.stderr


# ----------------------------------------------------- who gets what

def test_each_channel_gets_the_states_it_carries(mw, feeds, chat_servers):
    stale_only = chat_servers("wecom")
    warning_only = chat_servers("wecom")
    recovery_only = chat_servers("wecom")
    with_channels(mw, channels=[
        robot(mw, stale_only, "stale-only", kinds=["stale", "dormant"]),
        robot(mw, warning_only, "warning-only", kinds=["warning"]),
        robot(mw, recovery_only, "recovery-only", kinds=["recovery"])])
    sc = stale_unit(mw, feeds, channels=["stale-only", "warning-only",
                                         "recovery-only"],
                    accounts=(("武夷山之声", 20), ("武夷山政务", 9)))
    cycle(mw, BASE)
    (s,) = stale_only.wait_for(1)
    (w,) = warning_only.wait_for(1)
    assert "「武夷山之声」" in s.text and "「武夷山政务」" not in s.text
    assert "有1个账号" in s.text
    assert "「武夷山政务」" in w.text and "「武夷山之声」" not in w.text
    assert recovery_only.requests == []
    for acc in list(sc.items):
        sc.post(acc, BASE + HOUR)
    cycle(mw, BASE + 2 * HOUR)
    (r,) = recovery_only.wait_for(1)
    assert "已恢复更新" in r.text
    assert len(stale_only.received) == 1 and len(warning_only.received) == 1


def test_the_admins_channel_gets_copies_of_stale_alerts_gaps_and_the_digest(
        mw, feeds, chat_servers):
    unit_robot = chat_servers("wecom")
    admin_robot = chat_servers("dingtalk", secret="SECadmins")
    admin_robot.now = BASE
    with_channels(mw, channels=[robot(mw, unit_robot, "gov"),
                                robot(mw, admin_robot, "admins")],
                  admin_channels=["admins"])
    stale_unit(mw, feeds, channels=["gov"], accounts=(("武夷山之声", 20),
                                                      ("武夷山政务", 9)))
    # an account nobody can see: a monitoring gap, for the admins only
    mw.now(BASE - 200 * DAY)
    mw.open_account("GOV", "wechat", "武夷山旅游", uid="gh_wys_travel")
    cycle(mw, BASE)
    assert sorted(r["kind"] for r in chat_rows(mw, "admins")) == [
        "alert", "gap"]
    assert [r["kind"] for r in chat_rows(mw, "gov")] == ["alert"]
    msgs = admin_robot.wait_for(2)
    assert admin_robot.rejected() == []
    by_title = {m.title[:6]: m for m in msgs}
    gap = by_title["【监测缺口】"]
    assert "微信公众号「武夷山旅游」：未登记信息源，也没有人工核查记录" in gap.text
    copy = by_title["【政务新媒体"]
    assert "「武夷山之声」" in copy.text and "「武夷山政务」" in copy.text
    assert "武夷山旅游" not in unit_robot.wait_for(1)[0].text

    # the digest, once a day, to the admins' channel only
    mw.write_config(mw.extra_config.replace('digest_time = "23:59"',
                                            'digest_time = "08:30"'))
    tomorrow = BASE + DAY                  # 10:00 +08 the next day
    admin_robot.now = tomorrow
    cycle(mw, tomorrow)
    cycle(mw, tomorrow + HOUR)
    digests = [r for r in chat_rows(mw) if r["kind"] == "digest"]
    assert [(r["channel"], r["status"]) for r in digests] == [
        ("admins", "sent")]
    assert digests[0]["subject"].startswith("【政务新媒体监测日报】2026年3月3日")
    assert "超期未更新 1" in digests[0]["body_text"]


def test_unit_channels_are_set_by_name_and_checked_against_the_config(
        mw, chat_servers):
    wecom = chat_servers("wecom")
    with_channels(mw, channels=[robot(mw, wecom, "gov-wecom"),
                                robot(mw, wecom, "gov-other")])
    mw.add_unit("GOV", "武夷山市人民政府办公室", "--channel", "gov-wecom")
    assert mw.json("unit", "show", "GOV")["channels"] == ["gov-wecom"]
    mw.run("unit", "change", "GOV", "--channel", "gov-other", check=0)
    mw.run("unit", "change", "GOV", "--channel", "gov-other", check=0)
    assert mw.json("unit", "show", "GOV")["channels"] == [
        "gov-wecom", "gov-other"]
    shown = mw.run("unit", "show", "GOV", check=0).stdout
    assert re.search(r"Channels\s+gov-wecom, gov-other", shown), shown
    before = mw.dump()
    r = mw.run("unit", "change", "GOV", "--channel", "no-such", check=1)
    assert "--channel no-such: no channel of that name" in r.stderr
    r = mw.run("unit", "change", "GOV", "--no-channel", "never-had", check=1)
    assert "the unit has no channel 'never-had'" in r.stderr
    r = mw.run("unit", "change", "GOV", "--channel", "Bad Name!", check=1)
    assert mw.dump() == before
    mw.run("unit", "change", "GOV", "--no-channel", "gov-wecom", check=0)
    assert mw.json("unit", "show", "GOV")["channels"] == ["gov-other"]
    audit = mw.sql("SELECT after FROM audit WHERE action = 'unit.change'"
                   " ORDER BY id DESC LIMIT 1")[0][0]
    assert json.loads(audit)["channels"] == ["gov-other"]


@pytest.mark.parametrize("channel,error", [
    ({"name": "x", "url": "https://a.example/"},
     "channel 'x': type is required"),
    ({"name": "x", "type": "wecom"}, "channel 'x': set url or url_file"),
    ({"name": "x", "type": "wecom", "url": "https://a.example/",
      "url_file": "x-url"}, "channel 'x': set url or url_file"),
    ({"name": "x", "type": "wecom", "url": "ftp://a.example/"},
     "channel 'x': url must be an http:// or https:// address"),
    ({"name": "x", "type": "wecom", "url_file": "u", "secret_file": "s"},
     "channel 'x': a wecom robot signs nothing"),
    ({"name": "x", "type": "dingtalk", "url_file": "u",
      "kinds": ["stale", "stael"]}, "channel 'x': unknown kind 'stael'"),
    ({"name": "email", "type": "wecom", "url_file": "u"},
     "channel name 'email' is taken"),
    ({"name": "Bad Name", "type": "wecom", "url_file": "u"},
     "channel name must be 1-32 characters"),
    ({"name": "x", "type": "slack", "url_file": "u"},
     "channels.type must be"),
    ({"name": "x", "type": "webhook", "url_file": "u", "keyword": "k"},
     "keyword is for robots"),
    ({"name": "x", "type": "wecom", "url_file": "u", "timeout": "2h"},
     "channels.timeout must be 1s-1h"),
])
def test_a_bad_channel_is_refused_naming_file_and_line(mw, channel, error):
    mw.write_config(channel_conf(channel))
    r = mw.run("check-config", check=1)
    assert re.search(r"mediawatch\.conf:\d+: ", r.stderr), r.stderr
    assert error in r.stderr, r.stderr
    r = mw.run_daemon("-n", check=1)
    assert error in r.stderr


def test_admin_channels_and_console_url_are_checked(mw):
    mw.write_config(channel_conf(admin_channels=["nobody"]))
    r = mw.run("check-config", check=1)
    assert "admin_channels: 'nobody' is not a channel" in r.stderr
    mw.write_config(channel_conf(console="https://mw.example/a?b=c"))
    r = mw.run("check-config", check=1)
    assert "console_url must be an http:// or https:// address" in r.stderr
    mw.write_config(channel_conf(console="https://mw.example/console/"))
    r = mw.run("check-config", check=0)
    assert "console: https://mw.example/console\n" in r.stdout


# --------------------------------------------------------- the text

def test_a_long_list_is_cut_within_wecoms_limit_and_points_to_the_console(
        mw, feeds, chat_servers):
    wecom = chat_servers("wecom")
    with_channels(mw, channels=[robot(mw, wecom, "robot")])
    names = [f"武夷山市某某乡镇人民政府政务服务公众号第{i:02d}号" for i in range(60)]
    stale_unit(mw, feeds, channels=["robot"],
               accounts=[(n, 20) for n in names])
    cycle(mw, BASE)
    (msg,) = wecom.wait_for(1)
    assert wecom.rejected() == []
    assert len(msg.text.encode()) <= 4096
    shown = [n for n in names if f"「{n}」" in msg.text]
    m = re.search(r"……（以下 (\d+) 行从略，请到监测系统查看：(\S+)）$",
                  msg.text.rstrip())
    assert m, msg.text[-300:]
    assert m.group(2) == CONSOLE
    assert 10 < len(shown) < 60
    # every account is either shown once or among the lines left out
    assert all(msg.text.count(f"「{n}」") == 1 for n in shown)
    assert int(m.group(1)) >= 60 - len(shown)
    # the stored text is whole: the console and the email have every one
    (row,) = chat_rows(mw)
    assert all(f"「{n}」" in row["body_text"] for n in names)


def test_hostile_names_cannot_make_links_mentions_or_headings(
        mw, feeds, chat_servers):
    wecom = chat_servers("wecom")
    lark = chat_servers("feishu")
    with_channels(mw, channels=[robot(mw, wecom, "wecom"),
                                robot(mw, lark, "lark")])
    sc = stale_unit(mw, feeds, channels=["wecom", "lark"],
                    accounts=(("placeholder", 20),))
    (acc,) = sc.items
    con = sqlite3.connect(mw.db_path)
    with con:
        con.execute("UPDATE unit SET name = ? WHERE code = 'GOV'",
                    ("办公室<at id=all></at><@all>",))
        con.execute("UPDATE account SET name = ? WHERE id = ?",
                    ("发布](https://evil.example/x)\n# 标题\n> 引用"
                     "![img](https://evil.example/p.png)*粗*_斜_`码`", acc))
    con.close()
    cycle(mw, BASE)
    for server in (wecom, lark):
        (msg,) = server.wait_for(1)
        text = msg.title + msg.text
        assert "<at" not in text and "<@" not in text
        assert "](https://evil" not in text and "![" not in text
        assert "\n# " not in text and "\n> " not in text
        assert "evil.example" in text          # shown, as text
        assert "＜at id=all＞" in text
        assert "「发布］(https://evil.example/x) ＃ 标题 ＞ 引用" in text


# ------------------------------------------------------------ secrets

SECRETS = ("SECsupersecret0123456789", "wecom-token-7f3a9c1e5b",
           "dingtalk-token-7f3a9c1e5b", "office-hook-secret")


def test_addresses_and_secrets_show_in_no_log_output_or_database(
        mw, feeds, chat_servers):
    wecom = chat_servers("wecom")
    ding = chat_servers("dingtalk", secret=SECRETS[0])
    hook = chat_servers("webhook", secret=SECRETS[3])
    ding.now = BASE
    wecom.mode = "error"                # the error is logged and stored
    ding.script = ["ratelimit"]
    hook.script = ["500"]
    with_channels(mw, channels=[robot(mw, wecom, "wecom"),
                                robot(mw, ding, "ding"),
                                robot(mw, hook, "hook"),
                                {"name": "inline", "type": "wecom",
                                 "url": wecom.address(), "kinds": ["gap"]}],
                  admin_channels=["ding"])
    stale_unit(mw, feeds, channels=["wecom", "ding", "hook"])
    mw.now(BASE)
    mw.run("poll", check=0)
    r = mw.run_daemon("--once", "-d", "-vv", check=None, timeout=90)
    outputs = {"mediawatchd -d -vv": r.stdout + r.stderr}
    outputs["outbox list --json"] = mw.run("--json", "outbox", "list",
                                           check=0).stdout
    for row in outbox(mw):
        outputs[f"outbox show {row['id']}"] = mw.run(
            "--json", "outbox", "show", str(row["id"]), check=0).stdout
    outputs["unit show"] = mw.run("--json", "unit", "show", "GOV",
                                  check=0).stdout
    outputs["status"] = mw.run("--json", "status", check=0).stdout
    check = mw.run("check-config", check=0)
    outputs["check-config"] = check.stdout + check.stderr
    n = mw.run_daemon("-n", "-vv", check=0)
    outputs["mediawatchd -n -vv"] = n.stdout + n.stderr
    defaults = mw.run("--json", "check-config", "--defaults", check=0)
    outputs["check-config --defaults"] = defaults.stdout
    send = mw.run("outbox", "send", check=None)
    outputs["outbox send"] = send.stdout + send.stderr
    assert any(r["channel"] != "email" for r in outbox(mw))
    assert "errcode 93000" in outputs["mediawatchd -d -vv"]
    assert "channel inline: wecom, http://127.0.0.1:" in outputs["check-config"]
    for where, text in outputs.items():
        for secret in SECRETS:
            assert secret not in text, f"{secret} in {where}"
        assert "key=" not in text and "access_token" not in text, where
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(mw.db_path) + suffix)
        if p.exists():
            data = p.read_bytes()
            for secret in SECRETS:
                assert secret.encode() not in data, f"{secret} in {p}"


def test_a_notice_sent_to_a_unit_is_announced_in_its_chat(
        mw, feeds, chat_servers):
    wecom = chat_servers("wecom")
    with_channels(mw, channels=[robot(mw, wecom, "gov-wecom",
                                      kinds=["notice"])])
    stale_unit(mw, feeds, channels=["gov-wecom"])
    cycle(mw, BASE)
    assert chat_rows(mw) == []         # the channel carries notices only
    mw.now(BASE + HOUR)
    mw.run("notice", "issue", "--unit", "GOV", "--send", check=0)
    notice = mw.json("notice", "list")[0]
    rows = outbox(mw, "kind = 'notice'")
    assert [r["channel"] for r in rows] == ["email", "gov-wecom"]
    mw.run("outbox", "send", check=0)
    (msg,) = wecom.wait_for(1)
    issued = json.loads(mw.run("notice", "show", str(notice["id"]),
                               "--format", "json", check=0).stdout)
    assert f"印发{issued['serial']}《{issued['title']}》" in msg.text
    assert f"请于{issued['due']}前完成整改并回复" in msg.text
    assert "通报全文已发送至贵单位登记的邮箱" in msg.text


def test_kill_9_while_a_robot_answers_slowly_loses_nothing_and_sends_once(
        mw, feeds, chat_servers):
    """The daemon dies in the middle of a delivery: the message was leased,
    so a restart leaves it alone while the dead daemon's request may still
    be under way, then sends it once the lease has run out."""
    from test_alerts import kill9, start_daemon, wait_until
    wecom = chat_servers("wecom")
    wecom.mode = "slow"
    wecom.slow = 30
    with_channels(mw, channels=[robot(mw, wecom, "robot", timeout="20s")])
    stale_unit(mw, feeds, channels=["robot"])
    mw.now(BASE)
    mw.run("poll", check=0)
    proc = start_daemon(mw)
    try:
        wait_until(lambda: len(wecom.requests) == 1, what="the robot asked")
        kill9(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    (row,) = chat_rows(mw)
    assert row["status"] == "queued" and row["attempts"] == 0
    assert row["leased_until"] == BASE + 20 + 60
    wecom.mode = "accept"
    cycle(mw, BASE + 30, poll=False)          # still leased: not sent
    assert len(wecom.requests) == 1
    cycle(mw, BASE + 81, poll=False)
    assert len(wecom.wait_for(1)) == 1
    (row,) = chat_rows(mw)
    assert (row["status"], row["attempts"]) == ("sent", 1)
    cycle(mw, BASE + HOUR, poll=False)
    assert len(wecom.received) == 1
