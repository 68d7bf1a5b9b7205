"""One deadline rule: working days on China's holiday calendar (issue 15,
item 5).

Every problem — opened by the monitor or by hand — and the deadline an
alert names are notice.rectify_days working days after the day they open:
Monday to Friday, except the public holidays the State Council arranges,
plus the weekend days worked instead (调休).  The calendar of each year
ships as data (conf/holidays/), built into the programs; calendar.dir
replaces or adds years, notice.holidays and notice.workdays add local
days.  check-config and the daily digest warn when the current year, or
from 1 December the next, has none."""

import calendar
import filecmp
import subprocess
from pathlib import Path

from feedserver import feeds  # noqa: F401  (fixture)
from smtpserver import smtp  # noqa: F401  (fixture)
from test_alerts import (DAY, HOUR, REGISTERED, Scenario, configure, cycle,
                         libconfig, parts, problems)
from conftest import BUILD
from workdays import add_workdays, deadline, end_of_day, local_day

import pytest

REPO = Path(__file__).resolve().parents[2]

# Wednesday 30 September 2026, 10:00 in Asia/Shanghai: the National Day
# holiday (1–7 October) follows, and Saturday 10 October is worked.
EVE = calendar.timegm((2026, 9, 30, 2, 0, 0))


def day_of(t):
    return local_day(t).isoformat()


def add_problem(mw, at, *extra):
    """A problem added by hand at time at; returns its row as JSON."""
    mw.now(at)
    pid = mw.run("problem", "add", "--unit", "GOV", "--detail",
                 "未按期报送整改报告", *extra, check=0).stdout.strip()
    return mw.json("problem", "show", pid)


@pytest.fixture
def gov(mw):
    configure(mw)
    mw.now(REGISTERED)
    mw.add_unit("GOV", "武夷山市人民政府办公室")
    return mw


def test_a_problem_opened_before_national_day_is_due_after_the_holiday(
        mw, feeds, smtp):
    configure(mw, smtp)
    sc = Scenario(mw, feeds)
    sc.unit("GOV", "武夷山市人民政府办公室", "gov@example.gov.cn")
    sc.account("GOV", "武夷山发布", EVE - 15 * DAY)
    cycle(mw, EVE)
    (p,) = problems(mw)
    # 8 Oct (Thu) 1, 9 (Fri) 2, 10 (Sat, worked) 3, 12–16 to 8, 19, 20:
    # Tuesday 20 October; Monday to Friday alone would give 14 October
    assert day_of(p["due_at"]) == "2026-10-20"
    assert p["due_at"] == deadline(EVE) == end_of_day(local_day(p["due_at"]))
    assert day_of(deadline(EVE, marks={})) == "2026-10-14"
    (mail,) = smtp.wait_for(1)
    assert "整改期限 2026年10月20日" in parts(mail.message)["text/plain"]

    # the same rule for a problem added by hand
    manual = add_problem(mw, EVE + HOUR)
    assert manual["due_at"] == p["due_at"]
    # not overdue on its last day, overdue the next morning
    mw.now(p["due_at"])
    assert mw.json("problem", "list", "--overdue") == []
    mw.now(p["due_at"] + 1)
    assert len(mw.json("problem", "list", "--overdue")) == 2


def test_spring_festival_and_its_make_up_saturdays(gov):
    # Friday 13 February 2026: Saturday 14 is worked, 15–23 are off
    p = add_problem(gov, calendar.timegm((2026, 2, 13, 2, 0, 0)))
    assert day_of(p["due_at"]) == "2026-03-05"
    assert p["due_at"] == deadline(calendar.timegm((2026, 2, 13, 2, 0, 0)))


def test_calendar_dir_replaces_a_year_and_local_days_are_added(mw, gov):
    folder = mw.dir / "holidays"
    folder.mkdir()
    (folder / "2026.txt").write_text(
        "# a county's own arrangement, for the test\n"
        "2026-10-01\tholiday\t国庆节\n", encoding="utf-8")
    (folder / "2027.txt").write_text("2027-01-01\tholiday\t元旦\n",
                                     encoding="utf-8")
    (folder / "README.md").write_text("not a calendar\n", encoding="utf-8")
    mw.write_config(mw.extra_config + libconfig("calendar", {
        "dir": str(folder)}))
    r = mw.run("check-config", check=0)
    assert (f"holiday calendar: 2025 (built in), 2026 ({folder}/2026.txt), "
            f"2027 ({folder}/2027.txt)") in r.stdout
    # only 1 October off now: Friday 2 October is day 1, due 15 October
    p = add_problem(mw, EVE)
    marks = {local_day(calendar.timegm((2026, 10, 1, 2, 0, 0))): False}
    assert day_of(p["due_at"]) == "2026-10-15"
    assert p["due_at"] == deadline(EVE, marks=marks)
    # notice.holidays adds a local day off, notice.workdays a worked one
    mw.write_config(mw.extra_config + libconfig("notice", {
        "holidays": ["2026-10-13"], "workdays": ["2026-10-03"]}))
    p = add_problem(mw, EVE)
    assert day_of(p["due_at"]) == "2026-10-15"   # one off, one on
    mw.write_config(mw.extra_config.replace('"2026-10-03"', '"2026-10-05"'))
    p = add_problem(mw, EVE)
    assert day_of(p["due_at"]) == "2026-10-16"
    assert add_workdays(local_day(EVE), 10, marks={
        **marks, local_day(EVE + 13 * DAY): False}).isoformat() == \
        "2026-10-16"


def test_a_broken_calendar_file_is_refused_naming_each_line(mw, gov):
    folder = mw.dir / "holidays"
    folder.mkdir()
    (folder / "2026.txt").write_text(
        "2026-10-01\tholiday\t国庆节\n"
        "2026-10-01\tholiday\t国庆节\n"             # 2: twice
        "2026-10-12\tworkday\t国庆节\n"             # 3: a Monday
        "2025-10-02\tholiday\t国庆节\n"             # 4: another year
        "2026-10-03 holiday 国庆节\n"               # 5: no TABs
        "2026-02-30\tholiday\t春节\n"               # 6: no such day
        "2026-10-04\tday off\t国庆节\n",            # 7: unknown kind
        encoding="utf-8")
    mw.write_config(mw.extra_config + libconfig("calendar", {
        "dir": str(folder)}))
    before = mw.dump()
    r = mw.run("check-config", check=1)
    path = f"{folder}/2026.txt"
    for line, words in ((2, "listed twice (first on line 1)"),
                        (3, "is a weekday"), (4, "not in 2026"),
                        (5, "expected DATE<TAB>"), (6, "not a date"),
                        (7, "holiday or workday")):
        assert f"{path}:{line}: " in r.stderr and words in r.stderr, (
            line, r.stderr)
    assert "calendar.dir" in r.stderr
    r = mw.run_daemon("-n", check=1)
    assert f"{path}:3: " in r.stderr
    # nothing was counted on a half-read calendar
    r = mw.run("problem", "add", "--unit", "GOV", "--detail", "x", check=1)
    assert mw.dump() == before
    (folder / "2026.txt").unlink()
    mw.write_config(mw.extra_config.replace(str(folder), str(mw.dir / "no")))
    r = mw.run("check-config", check=1)
    assert str(mw.dir / "no") in r.stderr


def test_the_retired_problem_due_key_says_what_replaced_it(mw):
    mw.write_config('monitor = { problem_due = "10d"; };\n')
    r = mw.run("check-config", check=1)
    assert "mediawatch.conf:3: monitor.problem_due is no longer used" \
        in r.stderr
    assert "notice.rectify_days" in r.stderr


@pytest.mark.parametrize("now, missing", [
    ("2026-11-30T10:00:00", None),
    ("2026-12-01T10:00:00", "2027"),
    ("2027-03-01T10:00:00", "2027"),
])
def test_check_config_warns_of_a_missing_year(mw, now, missing):
    configure(mw)
    for program in (mw.run, mw.run_daemon):
        args = ["check-config"] if program == mw.run else ["-n"]
        r = program(*args, env={"MEDIAWATCH_NOW": now}, check=0)
        if missing is None:
            assert "holiday calendar has no" not in r.stderr
        else:
            assert (f"warning: the holiday calendar has no {missing}: "
                    "deadlines in it count Monday to Friday only") \
                in r.stderr
        assert "configuration OK" in r.stdout


def test_the_daily_digest_warns_of_next_years_missing_calendar(
        mw, feeds, smtp):
    configure(mw, smtp, mail={"digest_time": "08:00"})
    sc = Scenario(mw, feeds)
    sc.unit("GOV", "武夷山市人民政府办公室", "gov@example.gov.cn")
    sc.account("GOV", "武夷山发布", calendar.timegm((2026, 11, 28, 2, 0, 0)))
    cycle(mw, calendar.timegm((2026, 11, 30, 2, 0, 0)))
    cycle(mw, calendar.timegm((2026, 12, 2, 2, 0, 0)))
    digests = [d for d in smtp.wait_for(2)
               if "监测日报" in str(d.message["Subject"])]
    assert len(digests) == 2
    november, december = (parts(d.message)["text/plain"] for d in digests)
    assert "节假日安排" not in november
    assert "2027年的节假日安排尚未载入" in december
    assert "calendar.dir" in december
    assert "2027年的节假日安排尚未载入" in parts(digests[1].message)["text/html"]


def test_make_install_puts_the_calendars_beside_the_templates(tmp_path):
    dest = tmp_path / "root"
    args = ["make", "-s", "-C", str(REPO), "install", f"DESTDIR={dest}",
            "PREFIX=/usr"]
    if BUILD.name == "build-san":
        args.append("SAN=1")
    subprocess.run(args, check=True, capture_output=True, timeout=300)
    installed = dest / "usr" / "share" / "mediawatch" / "holidays"
    shipped = sorted(p.name for p in (REPO / "conf" / "holidays").iterdir())
    assert sorted(p.name for p in installed.iterdir()) == shipped
    for name in shipped:
        assert filecmp.cmp(installed / name, REPO / "conf" / "holidays" / name,
                           shallow=False)
