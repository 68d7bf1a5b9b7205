#!/usr/bin/python3
"""One owner per table.

Every table created by the migrations in sql/ is named by exactly one
header under daemon/, in a comment line "Owns table: T." or "Owns tables:
T1, T2."; the module of that header (the .c file of the same name) is the
only C source that may write the table (INSERT, UPDATE, DELETE, REPLACE).
SQL is read from the string literals of each source file, adjacent
literals joined as the compiler joins them.

Exit status 1, with one line per finding, when a table has no owner or
two, when a header names a table that does not exist, or when SQL writing a
table appears outside its owner.
"""
import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DAEMON = os.path.join(ROOT, 'daemon')

CREATE = re.compile(r'CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([A-Za-z_][A-Za-z0-9_]*)', re.I)
DROP = re.compile(r'DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?([A-Za-z_][A-Za-z0-9_]*)', re.I)
RENAME = re.compile(r'ALTER\s+TABLE\s+([A-Za-z_]\w*)\s+RENAME\s+TO\s+([A-Za-z_]\w*)', re.I)
OWNS = re.compile(r'Owns tables?:\s*([a-z_][a-z0-9_]*(?:\s*,\s*[a-z_][a-z0-9_]*)*)\s*\.')
WRITE = re.compile(r'\b(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|'
                   r'UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+([A-Za-z_][A-Za-z0-9_]*)', re.I)
LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
COMMENT = re.compile(r'/\*.*?\*/|//[^\n]*', re.S)


def tables():
    found = set()
    for path in sorted(glob.glob(os.path.join(ROOT, 'sql', '[0-9]*.sql'))):
        sql = re.sub(r'--[^\n]*', '', open(path, encoding='utf-8').read())
        for m in CREATE.finditer(sql):
            found.add(m.group(1).lower())
        for m in RENAME.finditer(sql):
            found.discard(m.group(1).lower())
            found.add(m.group(2).lower())
        for m in DROP.finditer(sql):
            found.discard(m.group(1).lower())
    return found


def owners(problems):
    owner = {}
    for path in sorted(glob.glob(os.path.join(DAEMON, '*', '*.h'))):
        rel = os.path.relpath(path, ROOT)
        for m in OWNS.finditer(open(path, encoding='utf-8').read()):
            for t in re.split(r'\s*,\s*', m.group(1)):
                if t in owner:
                    problems.append('%s: table %s is owned by %s already'
                                    % (rel, t, owner[t]))
                else:
                    owner[t] = rel[:-2] + '.c'
    return owner


def sql_strings(text):
    """The program's string literals, adjacent ones joined."""
    text = COMMENT.sub(' ', text)
    out, last_end, current = [], None, None
    for m in LITERAL.finditer(text):
        between = text[last_end:m.start()] if last_end is not None else None
        if current is not None and between is not None and between.strip() == '':
            current[1] += m.group(1)
        else:
            current = [text.count('\n', 0, m.start()) + 1, m.group(1)]
            out.append(current)
        last_end = m.end()
    return out


def main():
    problems = []
    known = tables()
    owner = owners(problems)
    for t in sorted(known - set(owner)):
        problems.append('sql: table %s has no owner (no header says "Owns table: %s.")' % (t, t))
    for t in sorted(set(owner) - known):
        problems.append('%s: owns table %s, which no migration creates'
                        % (owner[t][:-2] + '.h', t))
    sources = sorted(glob.glob(os.path.join(DAEMON, '*.c')) +
                     glob.glob(os.path.join(DAEMON, '*', '*.c')))
    for path in sources:
        rel = os.path.relpath(path, ROOT)
        for line, s in sql_strings(open(path, encoding='utf-8').read()):
            for m in WRITE.finditer(s):
                t = m.group(1).lower()
                if t not in known:
                    continue
                if owner.get(t) != rel:
                    problems.append('%s:%d: writes table %s, owned by %s'
                                    % (rel, line, t, owner.get(t, 'nobody')))
    for p in problems:
        print('check-owners: ' + p)
    if not problems:
        print('check-owners: %d tables, each written by its owner only' % len(known))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
