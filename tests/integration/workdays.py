"""Working-day deadlines worked out here, apart from the programs: the
shipped holiday calendars (conf/holidays/YYYY.txt) read line by line,
Monday to Friday for every day they do not list.  A deadline is the last
second of its day in Asia/Shanghai (the tests' zone), shown as that day.

    deadline(t)                  # 10 working days after t's day
    deadline(t, 3, marks={...})  # another calendar: {date: worked?}
"""

from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CST = timezone(timedelta(hours=8))


def shipped_marks():
    """{date: True for a make-up working day, False for a day off}."""
    marks = {}
    for path in sorted((REPO / "conf" / "holidays").glob("[0-9]" * 4 + ".txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line or line.startswith("#"):
                continue
            day, kind, _name = line.split("\t")
            marks[date.fromisoformat(day)] = kind == "workday"
    return marks


SHIPPED = shipped_marks()


def is_workday(day, marks=None):
    marks = SHIPPED if marks is None else marks
    return marks.get(day, day.weekday() < 5)


def add_workdays(day, n, marks=None):
    """The day n working days after day (which never counts itself)."""
    while n > 0:
        day += timedelta(days=1)
        if is_workday(day, marks):
            n -= 1
    return day


def end_of_day(day):
    return int(datetime.combine(day + timedelta(days=1), time(0),
                                CST).timestamp()) - 1


def local_day(t):
    return datetime.fromtimestamp(t, CST).date()


def deadline(t, n=10, marks=None):
    """The deadline of something opened at Unix time t."""
    return end_of_day(add_workdays(local_day(t), n, marks))
