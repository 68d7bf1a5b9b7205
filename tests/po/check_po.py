#!/usr/bin/python3
"""Checks the translations against the sources, as `make check-po` does.

    check_po.py --xgettext-opts "OPTS" [--pot po/mediawatch.pot] \
        po/zh_CN.po … -- daemon/*.c …

The messages are extracted from the sources afresh (xgettext with the
Makefile's options, not po/mediawatch.pot, which a maintainer regenerates
with `make update-po`) and merged into each catalog in a temporary file.
A finding, one line each, fails the check:

- untranslated: a message of the sources without a translation;
- fuzzy: a message whose translation msgmerge only guessed, or a
  translator marked for review (it is not used at run time);
- format: what `msgfmt --check` refuses (placeholders that differ from
  the msgid's, in number, type or order without %1$s positions);
- prefix: a registry error (daemon/registry/) that starts with a field
  name ("platform_uid: …") must keep it, colon and space included: the
  ledger import reads it to put the error in the column of that field;
- space: a registry error that starts with a space must keep it (it
  follows a FILE:LINE: prefix written without one).
- stale: a catalog still carrying a message the sources no longer have
  (kept obsolete, or not merged since), or po/mediawatch.pot (with
  --pot) differing from the sources' messages: `make update-po` was not
  run after a change of the messages.

Exit status 1 when there is a finding, 0 otherwise.
"""
import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile

# The members a registry error may start with (registry/ledger_import.c
# maps them to the file's columns) and the other record names messages
# start with.
FIELD_PREFIX = re.compile(
    r'^( ?(?:unit_code|unit_name|platform|name|platform_uid|feed_url|'
    r'operator|filing_no|opened_on|status|closed_on|notes|on|id|into|'
    r'channel|unit|account|thresholds|reason|evidence|note|kind|detail|'
    r'due|code|parent|contact|phone|email|display_name|password|at): )')


def unquote(s):
    return re.sub(r'\\(.)', lambda m: {'n': '\n', 't': '\t', '"': '"',
                                       '\\': '\\'}.get(m.group(1), m.group(1)), s)


def parse_po(path):
    """The entries of a PO file: dicts with ctxt, id, plural, strs (list),
    flags (set), refs (list of source references); obsolete ones left
    out."""
    entries, cur, field = [], None, None
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    for line in lines + ['']:
        if line.startswith('#~'):
            continue
        if not line.strip():
            if cur and 'id' in cur:
                entries.append(cur)
            cur, field = None, None
            continue
        if cur is None:
            cur = {'flags': set(), 'refs': [], 'strs': {}}
        if line.startswith('#,'):
            cur['flags'] |= {f.strip() for f in line[2:].split(',')}
        elif line.startswith('#:'):
            cur['refs'] += line[2:].split()
        elif line.startswith('#'):
            pass
        else:
            m = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+"(.*)"$', line)
            if m:
                field = m.group(1)
                text = unquote(m.group(3))
                if field.startswith('msgstr'):
                    field = int(m.group(2) or 0)
                    cur['strs'][field] = text
                else:
                    cur[{'msgctxt': 'ctxt', 'msgid': 'id',
                         'msgid_plural': 'plural'}[field]] = text
            elif line.startswith('"') and field is not None:
                text = unquote(line[1:-1])
                if isinstance(field, int):
                    cur['strs'][field] += text
                else:
                    key = {'msgctxt': 'ctxt', 'msgid': 'id',
                           'msgid_plural': 'plural'}[field]
                    cur[key] += text
    return entries


def shown(e):
    where = (' (%s)' % ', '.join(e['refs'][:2])) if e['refs'] else ''
    ctxt = ('[%s] ' % e['ctxt']) if e.get('ctxt') is not None else ''
    text = e['id'] if len(e['id']) <= 70 else e['id'][:67] + '...'
    return '%s%r%s' % (ctxt, text, where)


def check_rules(po, entries):
    problems = []
    for e in entries:
        if not e['id'] or not any(r.startswith('daemon/registry/')
                                  for r in e['refs']):
            continue
        for s in e['strs'].values():
            if not s:
                continue
            m = FIELD_PREFIX.match(e['id'])
            if m and not s.startswith(m.group(1)):
                problems.append('%s: prefix: keep %r at the start: %s'
                                % (po, m.group(1), shown(e)))
            if e['id'].startswith(' ') and not s.startswith(' '):
                problems.append('%s: space: keep the leading space: %s'
                                % (po, shown(e)))
    return problems


def keys(entries):
    return {(e.get('ctxt'), e['id'], e.get('plural')) for e in entries
            if e['id']}


def shown_key(k):
    return shown({'ctxt': k[0], 'id': k[1], 'refs': []})


def check_stale(po, pot):
    """Messages of po that the sources (pot, extracted afresh) lack, and
    entries kept obsolete (#~)."""
    with open(po, encoding='utf-8') as f:
        obsolete = sum(1 for line in f if line.startswith('#~ msgid '))
    problems = ['%s: stale: %s' % (po, shown_key(k)) for k in
                sorted(keys(parse_po(po)) - keys(parse_po(pot)),
                       key=lambda k: (k[0] or '', k[1]))]
    if obsolete:
        problems.append('%s: stale: %d obsolete entries (#~)' % (po, obsolete))
    return problems


def check_template(shipped, pot):
    """The shipped template against the messages extracted afresh."""
    have, want = keys(parse_po(shipped)), keys(parse_po(pot))
    order = lambda k: (k[0] or '', k[1])
    return (['%s: stale: lacks %s' % (shipped, shown_key(k))
             for k in sorted(want - have, key=order)] +
            ['%s: stale: still has %s' % (shipped, shown_key(k))
             for k in sorted(have - want, key=order)])


def check_catalog(po, pot, tmp):
    problems = check_stale(po, pot)
    merged = os.path.join(tmp, os.path.basename(po))
    subprocess.run(['msgmerge', '--quiet', '--add-location=file', '-o',
                    merged, po, pot], check=True)
    entries = parse_po(merged)
    for e in entries:
        if not e['id']:
            continue
        if 'fuzzy' in e['flags']:
            problems.append('%s: fuzzy: %s' % (po, shown(e)))
        elif not e['strs'] or any(not s for s in e['strs'].values()):
            problems.append('%s: untranslated: %s' % (po, shown(e)))
    # the catalog into a file of our own: msgfmt replaces its output by
    # renaming, which fails on (or replaces) a /dev/null that is a file
    with tempfile.TemporaryDirectory() as tmp:
        fmt = subprocess.run(['msgfmt', '--check', '-o',
                              os.path.join(tmp, 'check.mo'), po],
                             capture_output=True, text=True)
    if fmt.returncode != 0:
        for line in fmt.stderr.splitlines():
            problems.append('%s: format: %s' % (po, line))
    problems += check_rules(po, parse_po(po))
    return problems


def main():
    argv = sys.argv[1:]
    if '--' not in argv:
        print(__doc__.split('\n\n')[1], file=sys.stderr)
        return 2
    sources = argv[argv.index('--') + 1:]
    ap = argparse.ArgumentParser()
    ap.add_argument('--xgettext-opts', required=True)
    ap.add_argument('--pot', help='the shipped template to compare')
    ap.add_argument('catalogs', nargs='+')
    args = ap.parse_args(argv[:argv.index('--')])
    if not sources:
        print('check_po.py: no source files', file=sys.stderr)
        return 2
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, 'mediawatch.pot')
        subprocess.run(['xgettext'] + shlex.split(args.xgettext_opts) +
                       ['-o', pot] + sources, check=True,
                       stderr=subprocess.DEVNULL)
        if args.pot:
            problems += check_template(args.pot, pot)
        for po in args.catalogs:
            problems += check_catalog(po, pot, tmp)
    for p in problems:
        print(p)
    if problems:
        print('%d finding(s); `make update-po` merges new messages into the '
              'catalogs, then translate them' % len(problems))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
