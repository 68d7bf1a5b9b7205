#!/usr/bin/python3
"""The layering of daemon/ as README.md's "Code layout" section draws it.

The first fenced block of that section lists the folders of daemon/, top
first; a folder may include headers of its own folder and of folders on
lower lines only, never of a folder on its own line or above.  Every folder
of daemon/ must be listed, and every listed folder must exist.  Modules
(x.c with x.h) must not include each other in a circle.

Exit status 1, one line per finding.
"""
import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DAEMON = os.path.join(ROOT, 'daemon')
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def read_layers(problems):
    text = open(os.path.join(ROOT, 'README.md'), encoding='utf-8').read()
    m = re.search(r'^## Code layout\s*$(.*?)^```[^\n]*\n(.*?)^```', text, re.M | re.S)
    if not m:
        problems.append('README.md: no "## Code layout" section with a fenced block of layers')
        return {}
    lines = [l for l in m.group(2).split('\n') if l.strip()]
    existing = {d for d in os.listdir(DAEMON) if os.path.isdir(os.path.join(DAEMON, d))}
    layer = {}
    for i, line in enumerate(lines):
        names = re.split(r'\s{2,}', line.strip())[0].split(',')
        level = len(lines) - i
        for n in names:
            n = n.strip().rstrip('/')
            if n not in existing:
                problems.append('README.md: layer "%s" is not a folder of daemon/' % n)
            layer[n] = level
    for d in sorted(existing - set(layer)):
        problems.append('README.md: daemon/%s/ is missing from the layers' % d)
    return layer


def modules():
    """module name ("base/util") -> list of (file, line, included module)"""
    deps = {}
    for path in sorted(glob.glob(os.path.join(DAEMON, '*', '*.[ch]'))):
        rel = os.path.relpath(path, DAEMON)
        mod = rel.rsplit('.', 1)[0]
        text = open(path, encoding='utf-8').read()
        for m in INCLUDE.finditer(text):
            line = text.count('\n', 0, m.start()) + 1
            inc = m.group(1).rsplit('.', 1)[0]
            deps.setdefault(mod, []).append(('daemon/' + rel, line, inc))
        deps.setdefault(mod, [])
    return deps


def check_layers(layer, deps, problems):
    for mod, incs in deps.items():
        folder = mod.split('/')[0]
        for path, line, inc in incs:
            if '/' not in inc:
                continue          # a generated file or a system-like header
            target = inc.split('/')[0]
            if target == folder or folder not in layer or target not in layer:
                continue
            if layer[target] >= layer[folder]:
                problems.append('%s:%d: %s/ includes %s.h from %s/, which is not below it'
                                % (path, line, folder, inc, target))


def check_circles(deps, problems):
    graph = {m: sorted({i for _, _, i in incs if i in deps and i != m})
             for m, incs in deps.items()}
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    for comp in out:
        problems.append('daemon/: modules include each other in a circle: ' + ', '.join(comp))


def main():
    problems = []
    layer = read_layers(problems)
    deps = modules()
    check_layers(layer, deps, problems)
    check_circles(deps, problems)
    for p in problems:
        print('check-layers: ' + p)
    if not problems:
        print('check-layers: %d folders, %d modules, every include points down, no circle'
              % (len(layer), len(deps)))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
