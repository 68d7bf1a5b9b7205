"""Mail a unit head can act on (issue 15, item 7): the centre's name on the
From: line, Chinese only, each account once, and a unit without an email
address reached through the admins with a line that says so."""

import re
from email.utils import parseaddr

from feedserver import feeds  # noqa: F401  (fixture)
from smtpserver import smtp  # noqa: F401  (fixture)
from test_alerts import (ADMINS, BASE, DAY, HOUR, Scenario, addresses,
                         configure, cycle, parts)

NO_ADDRESS = "该单位未登记联系邮箱，本邮件发送给管理员"
BARE = "mediawatch@example.gov.cn"


def test_a_bare_sender_address_is_shown_with_the_issuers_name(
        mw, feeds, smtp):
    configure(mw, smtp, mail={"from": BARE})
    mw.write_config(mw.extra_config + 'notice = { issuer = '
                    '"武夷山市电子政务中心"; };\n')
    sc = Scenario(mw, feeds)
    sc.unit("GOV", "武夷山市人民政府办公室", "gov@example.gov.cn")
    sc.account("GOV", "武夷山政务", BASE - 9 * DAY)
    cycle(mw, BASE)
    (d,) = smtp.wait_for(1)
    assert parseaddr(str(d.message["From"])) == ("武夷山市电子政务中心", BARE)
    assert d.mail_from == BARE
    # encoded in the header as RFC 2047 requires
    head = d.data.split(b"\r\n\r\n")[0].replace(b"\r\n ", b" ")
    raw_from = re.search(rb"^From: (.*)$", head, re.M).group(1).strip()
    assert raw_from.startswith(b"=?UTF-8?") and raw_from.endswith(
        b" <" + BARE.encode() + b">"), raw_from


def test_a_unit_without_an_address_is_reached_through_the_admins_saying_so(
        mw, feeds, smtp):
    configure(mw, smtp)
    sc = Scenario(mw, feeds)
    sc.unit("GOV", "武夷山市人民政府办公室")                 # no address
    sc.unit("EDU", "武夷山市教育局", "edu@example.gov.cn")
    gov = sc.account("GOV", "武夷山政务", BASE - 9 * DAY, platform="wechat")
    sc.account("GOV", "武夷山之声", BASE - 20 * DAY, platform="douyin")
    sc.account("EDU", "武夷山教育", BASE - 9 * DAY)
    cycle(mw, BASE)
    mails = {addresses(d.message, "To")[0]: d for d in smtp.wait_for(2)}
    to_admins = mails[ADMINS[0]]
    assert addresses(to_admins.message, "To") == ADMINS
    assert to_admins.message["Cc"] is None
    text = parts(to_admins.message)
    assert NO_ADDRESS in text["text/plain"]
    assert NO_ADDRESS in text["text/html"]
    # the unit is still addressed, each of its accounts once
    assert "武夷山市人民政府办公室：" in text["text/plain"]
    for name in ("武夷山政务", "武夷山之声"):
        assert text["text/plain"].count(f"「{name}」") == 1
    # nothing but Chinese for a unit head
    assert re.findall(r"[A-Za-z]+", text["text/plain"]) == []

    edu = parts(mails["edu@example.gov.cn"].message)["text/plain"]
    assert NO_ADDRESS not in edu

    # the recovery note says so too
    sc.post(gov, BASE + DAY - HOUR)
    cycle(mw, BASE + DAY)
    (rec,) = [d for d in smtp.wait_for(3)
              if "恢复更新" in str(d.message["Subject"])]
    assert addresses(rec.message, "To") == ADMINS
    assert NO_ADDRESS in parts(rec.message)["text/plain"]
