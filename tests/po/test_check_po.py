"""check_po.py fails when it should: a catalog lacking a translation of a
message the sources have, a fuzzy one, a broken placeholder, a field name
or leading space a registry error must keep, a catalog or template stale
against the sources; and passes the catalog and template as shipped.
Run by `make check-po`."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHECK = REPO / "tests" / "po" / "check_po.py"
CATALOG = REPO / "po" / "zh_CN.po"
TEMPLATE = REPO / "po" / "mediawatch.pot"


def xgettext_opts():
    """XGETTEXT_OPTS of mk/po.mk, its continuation lines joined."""
    text = (REPO / "mk" / "po.mk").read_text(encoding="utf-8")
    m = re.search(r"^XGETTEXT_OPTS\s*:=\s*((?:.*\\\n)*.*)$", text, re.M)
    return " ".join(m.group(1).replace("\\\n", " ").split())


def sources():
    return sorted(str(p) for p in (REPO / "daemon").glob("**/*.[ch]"))


def check(catalog, extra_sources=(), pot=TEMPLATE):
    return subprocess.run(
        [sys.executable, CHECK, "--xgettext-opts", xgettext_opts(),
         "--pot", str(pot), str(catalog), "--"] + sources() +
        [str(s) for s in extra_sources],
        capture_output=True, text=True, cwd=REPO, timeout=120)


def entry_span(text, msgid, ctxt=None):
    """Start and end of the entry of msgid (a one-line msgid)."""
    head = (f'msgctxt "{ctxt}"\n' if ctxt else "") + f'msgid "{msgid}"\n'
    start = text.index(head)
    end = text.find("\n\n", start)
    return start, end if end != -1 else len(text)


def edited(tmp_path, fn):
    text = CATALOG.read_text(encoding="utf-8")
    path = tmp_path / "zh_CN.po"
    path.write_text(fn(text), encoding="utf-8")
    return path


def test_the_shipped_catalog_passes():
    r = check(CATALOG)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout == ""


def test_an_untranslated_message_fails(tmp_path):
    def drop(text):
        s, e = entry_span(text, "configuration OK\\n")
        entry = re.sub(r'msgstr ".*"', 'msgstr ""', text[s:e])
        return text[:s] + entry + text[e:]
    r = check(edited(tmp_path, drop))
    assert r.returncode == 1
    assert "untranslated: 'configuration OK\\n'" in r.stdout, r.stdout


def test_a_message_new_in_the_sources_fails(tmp_path):
    src = tmp_path / "new.c"
    src.write_text('#include "base/i18n.h"\n'
                   'const char *f(void) { return _("a message nobody '
                   'translated"); }\n')
    r = check(CATALOG, [src])
    assert r.returncode == 1
    assert "untranslated: 'a message nobody translated'" in r.stdout, r.stdout


def test_a_fuzzy_translation_fails(tmp_path):
    def fuzz(text):
        s, _ = entry_span(text, "active", ctxt="account status")
        return text[:s] + "#, fuzzy\n" + text[s:]
    r = check(edited(tmp_path, fuzz))
    assert r.returncode == 1
    assert "fuzzy: [account status] 'active'" in r.stdout, r.stdout


def test_a_broken_placeholder_fails(tmp_path):
    def swap(text):
        s, e = entry_span(text, "account %lld suspended\\n")
        entry = text[s:e].replace("账号 %lld 已暂停监测", "账号 %s 已暂停监测")
        assert entry != text[s:e]
        return text[:s] + entry + text[e:]
    r = check(edited(tmp_path, swap))
    assert r.returncode == 1
    assert ": format: " in r.stdout, r.stdout


def test_a_registry_error_must_keep_its_field_and_space(tmp_path):
    def unprefix(text):
        text = text.replace('msgstr "id: 没有账号 %lld"',
                            'msgstr "编号：没有账号 %lld"')
        return text.replace('msgstr " 文件为空（需要一个标题行）"',
                            'msgstr "文件为空（需要一个标题行）"')
    r = check(edited(tmp_path, unprefix))
    assert r.returncode == 1
    assert "prefix: keep 'id: ' at the start: 'id: no account %lld'" \
        in r.stdout, r.stdout
    assert "space: keep the leading space: ' the file is empty" \
        in r.stdout, r.stdout


def test_a_translation_of_a_message_gone_from_the_sources_fails(tmp_path):
    def add(text):
        return text + ('\nmsgid "a message the sources dropped"\n'
                       'msgstr "已删除的提示"\n')
    r = check(edited(tmp_path, add))
    assert r.returncode == 1
    assert "stale: 'a message the sources dropped'" in r.stdout, r.stdout


def test_an_obsolete_entry_fails(tmp_path):
    def add(text):
        return text + ('\n#~ msgid "an old message"\n'
                       '#~ msgstr "旧提示"\n')
    r = check(edited(tmp_path, add))
    assert r.returncode == 1
    assert "stale: 1 obsolete entries (#~)" in r.stdout, r.stdout


def test_a_template_not_regenerated_fails(tmp_path):
    """A message added to the sources and translated, but `make update-po`
    not run: po/mediawatch.pot lacks it."""
    src = tmp_path / "new.c"
    src.write_text('#include "base/i18n.h"\n'
                   'const char *f(void) { return _("a newer message"); }\n')
    po = edited(tmp_path, lambda text: text + (
        '\nmsgid "a newer message"\nmsgstr "较新的提示"\n'))
    r = check(po, [src])
    assert r.returncode == 1
    assert "mediawatch.pot: stale: lacks 'a newer message'" in r.stdout, \
        r.stdout
    assert "untranslated" not in r.stdout, r.stdout
    # and one that still lists a message the sources dropped
    pot = tmp_path / "mediawatch.pot"
    pot.write_text(TEMPLATE.read_text(encoding="utf-8") +
                   '\nmsgid "a dropped message"\nmsgstr ""\n',
                   encoding="utf-8")
    r = check(CATALOG, pot=pot)
    assert r.returncode == 1
    assert "stale: still has 'a dropped message'" in r.stdout, r.stdout
