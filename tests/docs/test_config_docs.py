"""The configuration table against its documents, and the checker itself.

check_config_docs.py runs on the real man page and example file (they must
agree with the table), then on copies with one disagreement each (the
checker must name the key).  The table is the output of the built
mediawatchctl, found through MEDIAWATCH_BUILD (default: build/)."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("MEDIAWATCH_BUILD", ROOT / "build"))
CHECKER = ROOT / "tests" / "docs" / "check_config_docs.py"
CONF = ROOT / "conf" / "mediawatch.conf"
MAN = ROOT / "man" / "mediawatch.conf.5"


def ctl(*args):
    return subprocess.run([BUILD / "mediawatchctl", *args],
                          capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    r = ctl("-c", "/dev/null", "--json", "check-config", "--defaults")
    assert r.returncode == 0, r.stderr
    path = tmp_path_factory.mktemp("table") / "keys.json"
    path.write_text(r.stdout)
    return path


def check(table, conf=CONF, man=MAN):
    return subprocess.run([sys.executable, CHECKER, table, conf, man],
                          capture_output=True, text=True, timeout=60)


def edited(tmp_path, src, old, new):
    text = src.read_text()
    assert old in text, f"{old!r} is not in {src}"
    dst = tmp_path / src.name
    dst.write_text(text.replace(old, new, 1))
    return dst


def settings(text):
    """The lines that set something: no comments, no blank lines."""
    return [line for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def test_man_page_and_example_agree_with_the_table(table):
    r = check(table)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""


def test_defaults_output_sets_what_the_example_sets(tmp_path):
    r = ctl("-c", "/dev/null", "check-config", "--defaults")
    assert r.returncode == 0, r.stderr
    assert settings(r.stdout) == settings(CONF.read_text())
    # and it is a configuration file the programs read
    path = tmp_path / "defaults.conf"
    path.write_text(r.stdout)
    r = ctl("-c", path, "check-config")
    assert r.returncode == 0 and "configuration OK" in r.stdout, r.stderr


def test_defaults_json_names_every_key_with_a_doc(table):
    keys = json.loads(table.read_text())["keys"]
    names = [k["key"] for k in keys]
    assert len(names) == len(set(names))
    for key in ("database", "poll.interval", "mail.transport",
                "mail.templates", "platforms.feed_template"):
        assert key in names
    by_name = {k["key"]: k for k in keys}
    assert by_name["mail.transport"]["choices"] == ["maildir", "smtp",
                                                    "sendmail"]
    assert by_name["mail.templates"]["default"] is None
    assert by_name["database"]["reload"] is False
    assert by_name["poll.interval"]["reload"] is True
    assert all(k["doc"] for k in keys)


CONF_CASES = [
    ("missing", "\tjitter = 10;\n", "", "poll.jitter: missing"),
    ("other-default", 'interval = "1h";', 'interval = "2h";',
     "poll.interval: default '2h' differs from the table's '1h'"),
    ("unknown-key", "\tjitter = 10;\n", "\tjitter = 10;\n\tjiter = 10;\n",
     "poll.jiter: not a key"),
    ("twice", "\tjitter = 10;\n", "\tjitter = 10;\n\tjitter = 10;\n",
     "poll.jitter: documented twice"),
    ("no-default-set", '\t# url = "smtp', '\turl = "smtp',
     "mail.url: has no default"),
    ("default-commented-out", '\tsendmail = "', '\t# sendmail = "',
     "mail.sendmail: set commented out"),
    ("restart-unsaid", "takes effect at\n\t# restart, not on reload.",
     "takes effect\n\t# soon.", "poll.concurrency: a reload does not apply"),
    ("platform-label", 'label = "微博";', 'label = "新浪微博";',
     "platforms: the list"),
    ("platform-unknown-key", 'label = "微博";', 'label = "微博";\n\t\tlabels = "x";',
     "platforms.labels: not a key of a platform"),
]


@pytest.mark.parametrize("old, new, expected", [c[1:] for c in CONF_CASES],
                         ids=[c[0] for c in CONF_CASES])
def test_example_disagreeing_with_the_table_fails_naming_the_key(
        table, tmp_path, old, new, expected):
    r = check(table, conf=edited(tmp_path, CONF, old, new))
    assert r.returncode == 1
    assert expected in r.stderr, r.stderr
    assert "mediawatch.conf:" in r.stderr


MAN_CASES = [
    ("missing", ".It Cm jitter No = 10 ;\n", "", "poll.jitter: missing"),
    ("other-default", ".It Cm interval No = Qq 1h ;",
     ".It Cm interval No = Qq 2h ;",
     "poll.interval: default '2h' differs from the table's '1h'"),
    ("unknown-key", ".It Cm jitter No = 10 ;", ".It Cm jiter No = 10 ;",
     "poll.jiter: not a key"),
    ("literal-for-no-default", ".It Cm url No = Qq Ar smtp+starttls://host:587 ;",
     ".It Cm url No = Qq smtp+starttls://host:587 ;",
     "mail.url: states the default 'smtp+starttls://host:587'"),
    ("restart-unsaid",
     "A reload does not change it: a new value takes effect at restart.\n"
     ".It Cm per_host", ".It Cm per_host",
     "poll.concurrency: a reload does not apply"),
    ("platform-label", ".Pq 微博 ,", ".Pq 新浪微博 ,",
     "platforms: the built-in list"),
    ("platform-key", ".It Cm feed_template No", ".It Cm feed_url No",
     "platforms.feed_template: missing"),
]


@pytest.mark.parametrize("old, new, expected", [c[1:] for c in MAN_CASES],
                         ids=[c[0] for c in MAN_CASES])
def test_man_page_disagreeing_with_the_table_fails_naming_the_key(
        table, tmp_path, old, new, expected):
    r = check(table, man=edited(tmp_path, MAN, old, new))
    assert r.returncode == 1
    assert expected in r.stderr, r.stderr
    assert "mediawatch.conf.5" in r.stderr


def test_a_table_change_fails_until_both_documents_follow(table, tmp_path):
    data = json.loads(table.read_text())
    for k in data["keys"]:
        if k["key"] == "poll.interval":
            k["default"] = "2h"
    data["keys"].append({"key": "poll.backoff", "type": "duration",
                         "default": "5m", "reload": True, "doc": "new"})
    changed = tmp_path / "keys.json"
    changed.write_text(json.dumps(data))
    r = check(changed)
    assert r.returncode == 1
    for doc in ("mediawatch.conf", "mediawatch.conf.5"):
        assert re.search(re.escape(doc) + r"(:\d+)?: poll\.interval: default",
                         r.stderr), r.stderr
        assert f"{doc}: poll.backoff: missing" in r.stderr, r.stderr
