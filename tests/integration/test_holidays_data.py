"""The shipped holiday calendars (conf/holidays/YYYY.txt, issue 15 item 5)
as data: each file parses in the documented format, its dates are real
dates of its year, listed once, with known holiday names — and the dates
agree with the State Council notice quoted in the file's `#: ` lines,
weekdays included, so a mistyped date cannot pass."""

import datetime
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HOLIDAYS = REPO / "conf" / "holidays"

# The holidays of the 全国年节及纪念日放假办法 that the yearly notice arranges.
KNOWN = {"元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"}
WEEKDAYS = "一二三四五六日"          # 周一 … 周日, date.weekday() order
LINE = re.compile(r"(\d{4}-\d{2}-\d{2})\t(holiday|workday)\t(\S+)")

# One arrangement item of the notice, e.g.
#   二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，
#   共8天。1月26日（周日）、2月8日（周六）上班。
#   一、元旦：1月1日（周三）放假1天，不调休。
ITEM = re.compile(
    r"[一二三四五六七八九十]+、(?P<name>[^：]+)："
    r"(?P<m1>\d+)月(?P<d1>\d+)日（(?:[^）]*、)?周(?P<w1>.)）"
    r"(?:至(?:(?P<m2>\d+)月)?(?P<d2>\d+)日（(?:[^）]*、)?周(?P<w2>.)）)?"
    r"放假(?:调休)?(?:，共(?P<n>\d+)天|(?P<n1>\d+)天)"
    r"[，。](?P<rest>.*)")
WORKED = re.compile(r"(\d+)月(\d+)日（周(.)）")


def calendar_files():
    return sorted(HOLIDAYS.glob("[0-9][0-9][0-9][0-9].txt"))


def parse(path):
    """{date: (kind, name)} and the notice items, or an assertion naming
    FILE:LINE."""
    year = int(path.stem)
    days, items = {}, []
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n"), f"{path}: no newline at the end"
    for n, line in enumerate(text.splitlines(), 1):
        where = f"{path}:{n}"
        if line.startswith("#: "):
            m = ITEM.fullmatch(line[3:])
            assert m, f"{where}: not a notice item: {line!r}"
            items.append((where, m))
            continue
        if not line.strip() or line.startswith("#"):
            continue
        m = LINE.fullmatch(line)
        assert m, f"{where}: expected YYYY-MM-DD<TAB>holiday|workday<TAB>name"
        date = datetime.date.fromisoformat(m[1])   # raises on 2025-02-30
        kind, name = m[2], m[3]
        assert date.year == year, f"{where}: {date} is not in {year}"
        assert date not in days, f"{where}: {date} listed twice"
        assert set(name.split("、")) <= KNOWN, f"{where}: unknown name {name}"
        days[date] = (kind, name)
    return days, items


def weekday_is(date, char, where):
    assert WEEKDAYS[date.weekday()] == char, (
        f"{where}: the notice says {date} is 周{char}, the calendar says "
        f"周{WEEKDAYS[date.weekday()]}")


def notice_days(year, items):
    """The {date: (kind, name)} the quoted notice items describe, checking
    each weekday and each 共N天 on the way."""
    want = {}
    for where, m in items:
        name = m["name"]
        start = datetime.date(year, int(m["m1"]), int(m["d1"]))
        weekday_is(start, m["w1"], where)
        end = start
        if m["d2"]:
            end = datetime.date(year, int(m["m2"] or m["m1"]), int(m["d2"]))
            weekday_is(end, m["w2"], where)
        length = (end - start).days + 1
        assert length == int(m["n"] or m["n1"]), (
            f"{where}: {start}..{end} is {length} days, not 共{m['n']}天")
        for i in range(length):
            want[start + datetime.timedelta(days=i)] = ("holiday", name)
        for mon, day, wd in WORKED.findall(m["rest"]):
            date = datetime.date(year, int(mon), int(day))
            weekday_is(date, wd, where)
            want[date] = ("workday", name)
    return want


def test_calendars_ship_for_2025_and_2026():
    years = [int(p.stem) for p in calendar_files()]
    assert {2025, 2026} <= set(years)


@pytest.mark.parametrize("path", calendar_files(), ids=lambda p: p.name)
def test_calendar_parses_with_valid_unique_dates_of_its_year(path):
    days, items = parse(path)
    assert days and items
    names = {name for _, name in days.values()}
    # every holiday the notice arranges is there, once a year each
    assert set("、".join(names).split("、")) == KNOWN


@pytest.mark.parametrize("path", calendar_files(), ids=lambda p: p.name)
def test_calendar_says_what_the_quoted_notice_says(path):
    days, items = parse(path)
    assert days == notice_days(int(path.stem), items)


@pytest.mark.parametrize("path", calendar_files(), ids=lambda p: p.name)
def test_make_up_working_days_fall_on_weekends_next_to_their_holiday(path):
    days, _ = parse(path)
    for date, (kind, name) in days.items():
        if kind != "workday":
            continue
        assert date.weekday() >= 5, f"{path}: {date} 调休上班 on a weekday"
        near = [d for d, (k, n) in days.items()
                if k == "holiday" and n == name and abs((d - date).days) <= 14]
        assert near, f"{path}: {date} makes up for no {name} nearby"


@pytest.mark.parametrize("path", calendar_files(), ids=lambda p: p.name)
def test_header_cites_the_notice(path):
    head = path.read_text(encoding="utf-8").split("\n#: ")[0]
    assert f"国务院办公厅关于{path.stem}年部分节假日安排的通知" in head


def test_a_wrong_date_is_caught(tmp_path):
    # the check above can fail: move 春节's last day by one
    src = (HOLIDAYS / "2026.txt").read_text(encoding="utf-8")
    bad = tmp_path / "2026.txt"
    bad.write_text(src.replace("2026-02-23\tholiday", "2026-02-24\tholiday"),
                   encoding="utf-8")
    days, items = parse(bad)
    assert days != notice_days(2026, items)


def test_readme_documents_the_format():
    readme = (HOLIDAYS / "README.md").read_text(encoding="utf-8")
    assert "YYYY-MM-DD<TAB>holiday|workday<TAB>name" in readme
    for p in calendar_files():
        assert f"`{p.name}`" in readme
