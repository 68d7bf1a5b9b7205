"""Never blame a unit for what the monitor cannot see (issue 15, item 2).

An account without a successful fetch or a manual observation within
monitor.verify_window (1 day here) is unverified: accounts without a feed
and never observed, feeds that answer 404, pages that are HTML.  The
admins hear of it as a monitoring gap, in Chinese and each account once;
the unit hears nothing; no stale or dormant problem is opened, and an open
one closes as waived (监测缺口).  End to end through the real programs,
feeds on loopback, mail to a real SMTP server."""

import re

from feedserver import feeds  # noqa: F401  (fixture)
from smtpserver import smtp  # noqa: F401  (fixture)
from test_alerts import (ADMINS, BASE, DAY, HOUR, REGISTERED, Scenario,
                         addresses, configure, cycle, local, outbox, parts,
                         problems, states)

import pytest


@pytest.fixture
def sc(mw, feeds, smtp):
    configure(mw, smtp)
    return Scenario(mw, feeds)


def no_feed_account(mw, unit, name, platform="weibo"):
    """An account without a feed (no platform template either)."""
    mw.now(REGISTERED)
    return mw.open_account(unit, platform, name, "--opened", "2022-01-10")


def english_words(text):
    """Latin words of a message body, after taking out what is meant to be
    there for an administrator: feed addresses and the command to run."""
    text = re.sub(r"https?://\S+", "", text)
    text = text.replace("mediawatchctl account touch", "")
    return set(re.findall(r"[A-Za-z]{2,}", text)) - {"HTTP", "HTML"}


def test_an_account_without_feed_or_observation_is_a_gap_for_the_admins_only(
        sc, smtp):
    mw = sc.mw
    sc.unit("GOV", "武夷山市人民政府办公室", "gov@example.gov.cn")
    fresh = sc.account("GOV", "武夷山发布", BASE - DAY)
    blind = no_feed_account(mw, "GOV", "武夷山之声", platform="douyin")
    cycle(mw, BASE)

    # opened 2022-01-10, "never updated" for four years: yet nobody saw it
    assert states(mw) == {fresh: "fresh", blind: "unverified"}
    assert problems(mw) == []
    (gap,) = smtp.wait_for(1)
    assert len(smtp.messages) == 1
    assert addresses(gap.message, "To") == ADMINS
    assert [r["kind"] for r in outbox(mw)] == ["gap"]
    text = parts(gap.message)["text/plain"]
    assert ("武夷山市人民政府办公室 / 抖音「武夷山之声」：未登记信息源，也没有"
            "人工核查记录。更新情况无法核实，最近一次核实：从未核实；尚无更新记录。"
            in text), text
    assert "天未更新" not in text
    assert english_words(text) == set()

    # not counted against the unit
    st = mw.json("status")
    assert st["states"]["unverified"] == 1
    assert st["states"]["stale"] == st["states"]["dormant"] == 0
    assert st["open_problems"] == 0

    # an admin looks and records what the account shows: seen now, its
    # last post three weeks old, it is stale and the unit is told
    mw.now(BASE + HOUR)
    mw.run("account", "touch", str(blind), "--at",
           str(BASE - 21 * DAY), check=0)
    cycle(mw, BASE + 2 * HOUR)
    assert states(mw)[blind] == "stale"
    (p,) = problems(mw)
    assert (p["account_id"], p["kind"], p["closed_at"]) == (blind, "stale",
                                                             None)
    got = smtp.wait_for(2)
    assert addresses(got[1].message, "To") == ["gov@example.gov.cn"]
    assert "抖音「武夷山之声」" in parts(got[1].message)["text/plain"]

    # a week later nobody has looked again: unverified, and the problem is
    # not held against the unit any more
    cycle(mw, BASE + 7 * DAY)
    assert states(mw)[blind] == "unverified"
    (p,) = problems(mw)
    assert (p["closed_at"], p["close_reason"]) == (BASE + 7 * DAY, "waived")
    assert "监测缺口" in p["close_note"]
    told = [r for r in outbox(mw) if r["kind"] in ("alert", "recovery")
            and "武夷山之声" in r["body_text"]]
    assert len(told) == 1


def test_a_404_feed_is_listed_once_in_chinese_and_never_told_to_the_unit(
        sc, smtp):
    mw = sc.mw
    sc.unit("GOV", "武夷山市人民政府办公室", "gov@example.gov.cn")
    gone = sc.account("GOV", "武夷山旅游", BASE - 2 * DAY)
    page = sc.account("GOV", "武夷山文明", BASE - 2 * DAY, platform="wechat")
    cycle(mw, BASE)
    assert states(mw) == {gone: "fresh", page: "fresh"}

    # at +13 d both would be stale by their last post, but one feed is
    # gone (404: failing at once) and the other now serves a web page
    sc.fail(gone, 404)
    sc.feeds.serve(sc.paths[page], "<!DOCTYPE html><html><head><title>"
                   "武夷山</title></head><body>首页</body></html>\n",
                   content_type="text/html; charset=utf-8")
    cycle(mw, BASE + 13 * DAY)
    assert states(mw) == {gone: "unverified", page: "unverified"}
    assert problems(mw, "kind IN ('stale', 'dormant')") == []

    (gap,) = smtp.wait_for(1)
    assert [r["kind"] for r in outbox(mw)] == ["gap"]
    assert addresses(gap.message, "To") == ADMINS
    text = parts(gap.message)["text/plain"]
    html = parts(gap.message)["text/html"]
    # unverified and newly failing at once: one row
    assert text.count("「武夷山旅游」") == 1, text
    assert html.count("武夷山旅游") == 1
    assert "「武夷山旅游」：信息源地址不存在（HTTP 404）。更新情况无法核实" in text
    assert "「武夷山文明」：该地址是网页，不是订阅源（HTML）。" in text
    assert f"最近一次核实：{local(BASE)}" in text
    assert "核实时限（1天）" in text and "1d" not in text
    assert "not a feed" not in text and "not a feed" not in html
    assert english_words(text) == set(), text
    assert str(gap.message["Subject"]).startswith("【监测缺口】2个")


def test_a_stale_account_that_can_no_longer_be_seen_has_its_problem_waived(
        sc, smtp):
    mw = sc.mw
    sc.unit("GOV", "武夷山市人民政府办公室", "gov@example.gov.cn")
    acc = sc.account("GOV", "武夷山发布", BASE - 20 * DAY)
    cycle(mw, BASE)
    assert states(mw) == {acc: "stale"}
    (p,) = problems(mw)
    assert p["closed_at"] is None
    smtp.wait_for(1)

    sc.fail(acc, 503)
    cycle(mw, BASE + 2 * DAY)
    assert states(mw) == {acc: "unverified"}
    (p,) = problems(mw, "kind = 'stale'")
    assert (p["closed_at"], p["close_reason"]) == (BASE + 2 * DAY, "waived")
    assert p["close_note"].startswith("监测缺口")
    assert mw.json("status")["states"]["stale"] == 0
    # no recovery note, no reminder: the unit hears nothing of it
    assert [r["kind"] for r in outbox(mw)] == ["alert", "gap"]

    # seen again and still quiet: a new problem, told to the unit again
    sc.restore(acc)
    cycle(mw, BASE + 3 * DAY)
    assert states(mw) == {acc: "stale"}
    stale = problems(mw, "kind = 'stale'")
    assert [(q["opened_at"], q["closed_at"]) for q in stale] == [
        (BASE, BASE + 2 * DAY), (BASE + 3 * DAY, None)]
    assert [r["kind"] for r in outbox(mw)] == ["alert", "gap", "alert"]


def test_the_digest_lists_each_account_once_gaps_apart(mw, feeds, smtp):
    configure(mw, smtp, mail={"digest_time": "08:00"},
              poll={"fail_threshold": 1})
    sc = Scenario(mw, feeds)
    sc.unit("GOV", "武夷山市人民政府办公室", "gov@example.gov.cn")
    gone = sc.account("GOV", "武夷山旅游", BASE - 10 * DAY)
    broken = sc.account("GOV", "武夷山文明", BASE - DAY)
    sc.account("GOV", "武夷山之声", BASE - 20 * DAY)
    no_feed_account(mw, "GOV", "武夷山政务")
    cycle(mw, BASE - 3 * HOUR)      # 07:00, before the digest
    sc.fail(gone, 404)
    sc.fail(broken, 500)
    cycle(mw, BASE + 2 * DAY)
    digest = next(d for d in smtp.wait_for(4)
                  if "监测日报" in str(d.message["Subject"]))
    text = parts(digest.message)["text/plain"]
    # 旅游 is unverified (a gap), 文明 still fresh by its last post but
    # its feed fails, 之声 stale, 政务 never seen
    gaps = text.split("【监测缺口】")[1].split("【")[0]
    assert "「武夷山旅游」：信息源地址不存在（HTTP 404）" in gaps
    assert "「武夷山政务」：未登记信息源，也没有人工核查记录" in gaps
    failing = text.split("【信息源抓取失败】")[1].split("【")[0]
    assert "「武夷山文明」：信息源服务器出错（HTTP 500），连续失败 1 次" in failing
    stale = text.split("【超期未更新及长期未更新账号】")[1].split("【")[0]
    assert "「武夷山之声」：超期未更新" in stale
    for name in ("武夷山旅游", "武夷山文明", "武夷山之声", "武夷山政务"):
        assert text.count(f"「{name}」") == 1, (name, text)
    assert "监测缺口（无法核实，不计为不合格）：2 个" in text
    assert "超期未更新（不合格）：1 个" in text
    assert "信息源抓取失败：2 个" in text
    assert english_words(text.split("详细情况")[0]) == set()
