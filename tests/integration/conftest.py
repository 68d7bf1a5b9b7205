"""Shared fixtures for the integration tests: the real binaries against a
temporary configuration and database.

    def test_something(mw):
        mw.add_unit("GOV", "市政府办公室")
        acc = mw.open_account("GOV", "weibo", "武夷山发布", uid="123")
        r = mw.run("account", "show", str(acc), check=0)
        rows = mw.sql("SELECT name FROM account WHERE id = ?", (acc,))

MEDIAWATCH_BUILD names the build directory (the Makefile sets it; default
build/ of this checkout).  Every process runs with a timeout, with
MEDIAWATCH_NOW, MEDIAWATCH_CONF and SUDO_USER removed from the environment
unless a test sets them.
"""

import json as jsonlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# helpers shared with the unit tests' servers (testca.py)
sys.path.insert(0, str(REPO / "tests" / "fixtures"))
BUILD = Path(os.environ.get("MEDIAWATCH_BUILD", REPO / "build"))
TIMEOUT = float(os.environ.get("MEDIAWATCH_TEST_TIMEOUT", "120"))

# Variables that would make a test depend on the machine it runs on.
_SCRUBBED = ("MEDIAWATCH_NOW", "MEDIAWATCH_CONF", "SUDO_USER", "TZ",
             "LANGUAGE", "LC_MESSAGES", "MEDIAWATCH_LOCALEDIR")


class Mediawatch:
    """One temporary installation: a config file, a database, a state dir."""

    def __init__(self, directory):
        self.dir = Path(directory)
        self.db_path = self.dir / "mw.db"
        self.state_dir = self.dir / "state"
        self.conf_path = self.dir / "mediawatch.conf"
        self.ctl_path = BUILD / "mediawatchctl"
        self.daemon_path = BUILD / "mediawatchd"
        self.repo = REPO
        self.shipped_conf = REPO / "conf" / "mediawatch.conf"
        self.env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
        self.env.setdefault("LC_ALL", "C.UTF-8")
        self.extra_config = ""
        self.write_config()

    # ---- configuration and clock ----

    def write_config(self, extra_text=""):
        """(Re)writes the config file: our database and state dir, then
        extra_text (libconfig syntax) verbatim."""
        self.extra_config = extra_text
        self.state_dir.mkdir(exist_ok=True)
        self.conf_path.write_text(
            f'database = "{self.db_path}";\n'
            f'state_dir = "{self.state_dir}";\n'
            f"{extra_text}\n",
            encoding="utf-8",
        )
        return self.conf_path

    def now(self, value):
        """Fixes the programs' clock (Unix seconds or YYYY-MM-DDTHH:MM:SS
        in the configured zone); None lets it run again."""
        if value is None:
            self.env.pop("MEDIAWATCH_NOW", None)
        else:
            self.env["MEDIAWATCH_NOW"] = str(value)

    # ---- running the programs ----

    def _env(self, env):
        merged = dict(self.env)
        for k, v in (env or {}).items():
            if v is None:
                merged.pop(k, None)
            else:
                merged[k] = str(v)
        return merged

    def exec(self, argv, env=None, input=None, check=None, timeout=TIMEOUT):
        """Runs argv as is.  input may be str or bytes; stdout and stderr
        are always str (undecodable bytes replaced).  check: None accepts
        any status, True means 0, an int means exactly that status."""
        proc = subprocess.run(
            [str(a) for a in argv],
            input=input.encode("utf-8") if isinstance(input, str) else input,
            stdin=None if input is not None else subprocess.DEVNULL,
            capture_output=True,
            env=self._env(env),
            cwd=self.dir,
            timeout=timeout,
        )
        result = subprocess.CompletedProcess(
            proc.args,
            proc.returncode,
            proc.stdout.decode("utf-8", "replace"),
            proc.stderr.decode("utf-8", "replace"),
        )
        if check is not None:
            want = 0 if check is True else check
            assert result.returncode == want, (
                f"{' '.join(result.args)}: exit {result.returncode}, "
                f"expected {want}\nstdout:\n{result.stdout}\n"
                f"stderr:\n{result.stderr}"
            )
        return result

    def run(self, *args, env=None, input=None, check=None, config=True):
        """mediawatchctl -c CONF ARGS (config=False leaves -c out)."""
        argv = [self.ctl_path]
        if config:
            argv += ["-c", self.conf_path]
        return self.exec(argv + list(args), env=env, input=input, check=check)

    def run_daemon(self, *args, env=None, input=None, check=None, config=True,
                   timeout=TIMEOUT):
        """mediawatchd -c CONF ARGS, for tests that need it to finish."""
        argv = [self.daemon_path]
        if config:
            argv += ["-c", self.conf_path]
        r = self.exec(argv + list(args), env=env, input=input, check=check,
                      timeout=timeout)
        # the poll's batches and the evaluation do not enforce foreign
        # keys: every cycle must leave them whole all the same
        if "--once" in args and os.path.exists(self.db_path):
            assert self.sql("PRAGMA foreign_key_check") == []
        return r

    def json(self, *args, env=None, input=None):
        """Runs with --json, requires success, returns the parsed output."""
        r = self.run("--json", *args, env=env, input=input, check=0)
        return jsonlib.loads(r.stdout)

    # ---- the database ----

    def sql(self, query, params=()):
        """Rows of query on a fresh connection to the database."""
        con = sqlite3.connect(self.db_path, timeout=30)
        try:
            return con.execute(query, params).fetchall()
        finally:
            con.close()

    def dump(self, db_path=None):
        """Every table's schema and rows as SQL text (sqlite3 iterdump),
        to prove a refused command changed nothing."""
        con = sqlite3.connect(db_path or self.db_path, timeout=30)
        try:
            return "\n".join(con.iterdump())
        finally:
            con.close()

    def tables(self):
        return {r[0] for r in self.sql(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}

    # ---- registry shortcuts ----

    def add_unit(self, code, name, *options):
        self.run("unit", "add", code, name, *options, check=0)

    def open_account(self, unit, platform, name, *options, uid=None,
                     feed=None):
        """account open; returns the new id.  options: more CLI options."""
        args = ["account", "open", "--unit", unit, "--platform", platform,
                "--name", name]
        if uid is not None:
            args += ["--uid", uid]
        if feed is not None:
            args += ["--feed", feed]
        r = self.run(*args, *options, check=0)
        return int(r.stdout.strip())

    def account(self, account_id):
        return self.json("account", "show", str(account_id))

    def write(self, name, data):
        """Writes data (str as UTF-8, or bytes) to a file in the test dir."""
        path = self.dir / name
        if isinstance(data, str):
            data = data.encode("utf-8")
        path.write_bytes(data)
        return path


@pytest.fixture
def mw(tmp_path):
    ctl = BUILD / "mediawatchctl"
    if not ctl.exists():
        pytest.fail(f"{ctl} is missing: run `make` first "
                    "(or set MEDIAWATCH_BUILD)")
    return Mediawatch(tmp_path)
