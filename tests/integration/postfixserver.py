"""A real Postfix on 127.0.0.1 for the integration tests.

Debian's postfix package, run by the test from a configuration, queue,
mailboxes and TLS certificate of its own in a private folder
(`postfix -c DIR start`): the system's postfix, if any, is never read,
started or stopped, and nothing listens on port 25.  Postfix needs root
for that (its master process changes to its mail_owner user); the tests
run as root.

    from postfixserver import postfix        # the fixture

    def test_something(mw, postfix):
        url = postfix.submission              # STARTTLS required, then AUTH
        postfix.ca_file, postfix.user, postfix.password_file
        msgs = postfix.wait_delivered("jyj@example.gov.cn", 1)

Its listeners, each on its own free port:

    submission  STARTTLS required, AUTH (PLAIN, LOGIN) offered after it and
                required before MAIL: a typical government mail server
    smtps       TLS from the first byte (port 465 style), AUTH required
    noauth      STARTTLS offered, AUTH never offered; mail to the local
                domain is taken without a login
    plain       no STARTTLS at all, AUTH offered in clear (the server a
                man in the middle who strips STARTTLS would show)

Mail for MAILBOXES is delivered into Maildirs (delivered()); any other
address at example.gov.cn is refused with "550 5.1.1 … User unknown in
virtual mailbox table", and BUSY with "450 4.2.2 … mailbox busy".  The
log (log()) is Postfix's own maillog, e.g. its "disconnect from … ehlo=1
auth=0/1 …" lines count the commands each client sent.

The server is started once per test module; the function fixture empties
the mailboxes and marks the log's end before each test.
"""

import email
import email.policy
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from smtpserver import free_port
from testca import TestCA

POSTFIX = "/usr/sbin/postfix"
SASLPASSWD = "/usr/sbin/saslpasswd2"
HOSTNAME = "mail.example.gov.cn"
DOMAIN = "example.gov.cn"
MAILBOXES = ("jyj@example.gov.cn", "gov@example.gov.cn",
             "dzzw@example.gov.cn", "ops@example.gov.cn")
BUSY = "busy@example.gov.cn"
NOBODY = 65534                 # the Maildirs' owner (virtual_uid_maps)
START_TIMEOUT = 30.0


def _run(*argv, input=None):
    r = subprocess.run([str(a) for a in argv], input=input,
                       capture_output=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, argv))}: exit {r.returncode}"
                           f"\n{r.stdout.decode()}{r.stderr.decode()}")
    return r


def _listening(port):
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _wait(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"Postfix: timed out waiting for {what}")
        time.sleep(0.05)


class Postfix:
    """See the module docstring."""

    def __init__(self):
        # not under pytest's tmp_path: its parents are 0700 root, and the
        # Maildirs are written as nobody
        self.base = Path(tempfile.mkdtemp(prefix="mw-postfix-"))
        self.base.chmod(0o755)
        self.conf = self.base / "conf"
        self.ports = {name: free_port() for name in
                      ("submission", "smtps", "noauth", "plain")}
        self.submission = f"smtp+starttls://127.0.0.1:{self.ports['submission']}"
        self.smtps = f"smtps://127.0.0.1:{self.ports['smtps']}"
        self.noauth = f"smtp+starttls://127.0.0.1:{self.ports['noauth']}"
        self.plain = f"smtp://127.0.0.1:{self.ports['plain']}"
        self.user = "mediawatch"
        self.password = "Gov-Mail-pa55 口令"
        self.password_file = self.base / "smtp-password"
        self.ca = TestCA(self.base / "tls", "postfix test CA")
        self.ca_file = str(self.ca.cert)
        self._log_mark = 0
        self._write_files()

    # ---- configuration

    def _main_cf(self, cert, key):
        b = self.base
        return f"""\
compatibility_level = 3.6
queue_directory = {b}/queue
data_directory = {b}/data
maillog_file = {b}/maillog
maillog_file_prefixes = {b}
myhostname = {HOSTNAME}
mydomain = {DOMAIN}
mydestination =
relay_domains =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
smtpd_peername_lookup = no
virtual_mailbox_domains = {DOMAIN}
virtual_mailbox_base = {b}/vmail
virtual_mailbox_maps = texthash:{self.conf}/mailboxes
virtual_uid_maps = static:{NOBODY}
virtual_gid_maps = static:{NOBODY}
smtpd_tls_cert_file = {cert}
smtpd_tls_key_file = {key}
smtpd_tls_security_level = may
smtpd_sasl_auth_enable = no
smtpd_sasl_path = smtpd
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions =
    check_recipient_access texthash:{self.conf}/recipient_access,
    permit_sasl_authenticated, reject_unauth_destination
"""

    def _master_cf(self):
        p = self.ports
        need_login = ("-o smtpd_sasl_auth_enable=yes "
                      "-o smtpd_client_restrictions=permit_sasl_authenticated,reject")
        return f"""\
127.0.0.1:{p['submission']} inet n - n - - smtpd -o smtpd_tls_security_level=encrypt -o smtpd_tls_auth_only=yes {need_login}
127.0.0.1:{p['smtps']} inet n - n - - smtpd -o smtpd_tls_wrappermode=yes {need_login}
127.0.0.1:{p['noauth']} inet n - n - - smtpd
127.0.0.1:{p['plain']} inet n - n - - smtpd -o smtpd_tls_security_level=none -o smtpd_tls_auth_only=no {need_login}
cleanup   unix n - n - 0 cleanup
qmgr      unix n - n 300 1 qmgr
rewrite   unix - - n - - trivial-rewrite
bounce    unix - - n - 0 bounce
defer     unix - - n - 0 bounce
trace     unix - - n - 0 bounce
verify    unix - - n - 1 verify
flush     unix n - n 1000? 0 flush
proxymap  unix - - n - - proxymap
smtp      unix - - n - - smtp
relay     unix - - n - - smtp
error     unix - - n - - error
retry     unix - - n - - error
discard   unix - - n - - discard
virtual   unix - n n - - virtual
anvil     unix - - n - 1 anvil
scache    unix - - n - 1 scache
tlsmgr    unix - - n 1000? 1 tlsmgr
showq     unix n - n - - showq
postlog   unix-dgram n - n - 1 postlogd
"""

    def _write_files(self):
        b = self.base
        cert, key = self.ca.server_cert("postfix", names=("localhost", HOSTNAME))
        (self.conf / "sasl").mkdir(parents=True)
        for d in ("queue", "data", "vmail"):
            (b / d).mkdir()
        shutil.chown(b / "data", "postfix")
        os.chown(b / "vmail", NOBODY, NOBODY)
        os.chown(key, 0, 0)
        (self.conf / "main.cf").write_text(self._main_cf(cert, key))
        (self.conf / "master.cf").write_text(self._master_cf())
        (self.conf / "mailboxes").write_text("".join(
            f"{a} {a.split('@')[0]}/\n" for a in MAILBOXES))
        (self.conf / "recipient_access").write_text(
            f"{BUSY} 450 4.2.2 <{BUSY}>: mailbox busy, try again later\n")
        # Cyrus SASL with its own user database; Debian's postfix reads
        # CONFIG_DIR/sasl/smtpd.conf
        sasldb = b / "sasldb2"
        (self.conf / "sasl" / "smtpd.conf").write_text(
            f"pwcheck_method: auxprop\nauxprop_plugin: sasldb\n"
            f"sasldb_path: {sasldb}\nmech_list: PLAIN LOGIN\n")
        _run(SASLPASSWD, "-f", sasldb, "-c", "-p", "-u", HOSTNAME, self.user,
             input=self.password.encode())
        shutil.chown(sasldb, "postfix")
        self.password_file.write_text(self.password + "\n")
        self.password_file.chmod(0o600)

    # ---- lifecycle

    def _postfix(self, *args):
        return _run(POSTFIX, "-c", self.conf, *args)

    def start(self):
        self._postfix("check")
        self._postfix("start")
        _wait(lambda: all(_listening(p) for p in self.ports.values()),
              START_TIMEOUT, "its listeners")

    def _master_pid(self):
        try:
            return int((self.base / "queue" / "pid" / "master.pid")
                       .read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def stop(self):
        pid = self._master_pid()
        self._postfix("stop")

        def gone():
            try:
                state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
            except (OSError, IndexError):
                return True
            return state == "Z"
        if pid:
            _wait(gone, START_TIMEOUT, "its master process to stop")
        _wait(lambda: not any(_listening(p) for p in self.ports.values()),
              START_TIMEOUT, "its listeners to close")

    def cleanup(self):
        shutil.rmtree(self.base, ignore_errors=True)

    # ---- what it did

    def reset(self):
        """Empties the mailboxes; log() shows only what comes after."""
        for f in (self.base / "vmail").glob("*/*/*"):
            if f.is_file():
                f.unlink()
        self._log_mark = len(self._log_bytes())

    def _log_bytes(self):
        try:
            return (self.base / "maillog").read_bytes()
        except FileNotFoundError:
            return b""

    def log(self):
        return self._log_bytes()[self._log_mark:].decode("utf-8", "replace")

    def delivered(self, address):
        """The messages in address's Maildir, oldest first."""
        box = self.base / "vmail" / address.split("@")[0] / "new"
        files = sorted(box.glob("*"), key=lambda p: p.stat().st_mtime_ns) \
            if box.exists() else []
        return [email.message_from_bytes(f.read_bytes(),
                                         policy=email.policy.default)
                for f in files]

    def wait_delivered(self, address, count, timeout=30.0):
        _wait(lambda: len(self.delivered(address)) >= count, timeout,
              f"{count} messages for {address}")
        return self.delivered(address)

    def wait_log(self, text, timeout=30.0):
        _wait(lambda: text in self.log(), timeout, f"'{text}' in its log")
        return self.log()


@pytest.fixture(scope="module")
def postfix_server():
    if not os.path.exists(POSTFIX) or not os.path.exists(SASLPASSWD):
        pytest.fail("postfix and sasl2-bin are needed: run `make deps`")
    server = Postfix()
    try:
        server.start()
        yield server
        server.stop()
    finally:
        server.cleanup()


@pytest.fixture
def postfix(postfix_server):
    """The module's running Postfix, mailboxes emptied."""
    postfix_server.reset()
    return postfix_server
