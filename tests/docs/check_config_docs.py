#!/usr/bin/python3
"""Compare the configuration table with the man page and the example file.

usage: check_config_docs.py KEYS.json mediawatch.conf mediawatch.conf.5

KEYS.json is the output of `mediawatchctl --json check-config --defaults`:
every key with its default ("default" is the text written in the file, or
null when the key has none) and whether a reload applies it.  Each problem
is printed as FILE:LINE: key: what, and the exit status is 1 when there is
any:

  - a key of the table missing from a document, or documented twice;
  - a document naming a key the table does not have;
  - a stated default that differs from the table's, or a default stated
    for a key that has none;
  - a key a reload does not apply whose man page entry, or comment in the
    example file, does not say "restart";
  - the built-in platform list differing from the table's;
  - a key of a channel that no example channel shows, or that the table
    does not have.

How the documents are read:

  mediawatch.conf   a key with a default is set ("name = value;"); a key
                    without one is shown commented out with exactly one
                    space after the '#' ("# name = example;").  Example
                    lines inside comments use more spaces ("#   name = …").
  mediawatch.conf.5 in the DESCRIPTION, each key is an ".It Cm name" item,
                    its default after "No =" ("Qq 1h", "10", "[ ]"); a
                    value with "Ar" is a placeholder, not a default.  The
                    group of a .Ss section is named by the lines "The",
                    ".Cm group", "group …"; the items of the list nested in
                    ".It Cm platforms" are the keys of one platform, those
                    in ".It Cm channels" the keys of one channel.

  There is no built-in channel: the example file shows the list commented
  out ("# channels = (" … "# );"), its example channels with their keys
  ("#\t\tname = …;"), which together show every key of a channel.
"""
import json
import re
import sys

problems = []


def problem(where, key, what):
    problems.append(f"{where}: {key}: {what}")


def full(group, name):
    return f"{group}.{name}" if group else name


def unquote(value):
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return re.sub(r"\s+", " ", value)


# ------------------------------------------------------------- the table

def load_table(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    keys = {k["key"]: k for k in data["keys"]}
    platforms = [(p["key"], p["label"], p["warn"], p["stale"], p["dormant"])
                 for p in data["platforms"]]
    return keys, platforms


# ------------------------------------------------------ mediawatch.conf

SET = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*=\s*(.*?)\s*;\s*$")
DISABLED = re.compile(r"^\s*# ([A-Za-z_][\w-]*) = (.*);\s*$")
OPEN = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*=\s*([{(])\s*$")
CHANNELS_OPEN = re.compile(r"^# channels = \($")
EXAMPLE_KEY = re.compile(r"^#\s+([A-Za-z_][\w-]*) = (.*);\s*$")


def read_conf(path):
    """[(line, group, name, value, active)], the platform entries, each a
    dict name -> (line, value, active), and the example channels, each a
    dict name -> line."""
    settings, platforms, channels = [], [], []
    group, entry, in_channels = None, None, False
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    for n, line in enumerate(lines, 1):
        if CHANNELS_OPEN.match(line):
            in_channels = True
            settings.append((n, None, "channels", "(", False,
                             comment_above(lines, n - 1)))
            continue
        if in_channels:
            in_channels = read_channel_line(line, n, channels)
            continue
        m = OPEN.match(line)
        if m:
            group = m.group(1)
            continue
        stripped = line.strip()
        if group == "platforms" and stripped == "{":
            entry = {}
            platforms.append((n, entry))
            continue
        if entry is not None and stripped in ("}", "},"):
            entry = None
            continue
        if stripped in ("};", ");"):
            group = None
            continue
        for pattern, active in ((SET, True), (DISABLED, False)):
            m = pattern.match(line)
            if not m:
                continue
            name, value = m.group(1), m.group(2)
            if entry is not None:
                if name in entry:
                    problem(f"{path}:{n}", f"platforms.{name}",
                            "set twice in one platform")
                entry[name] = (n, value, active)
            else:
                settings.append((n, group, name, value, active,
                                 comment_above(lines, n - 1)))
            break
    return settings, platforms, channels


def read_channel_line(line, n, channels):
    """One line of the commented-out channels list; False at its end."""
    text = line.lstrip("#").strip()
    if text == ");":
        return False
    if text == "{":
        channels.append({})
    elif text not in ("}", "},"):
        m = EXAMPLE_KEY.match(line)
        if m and channels:
            channels[-1][m.group(1)] = n
    return True


def comment_above(lines, index):
    """The comment lines right above lines[index], as one text."""
    text = []
    while index > 0 and lines[index - 1].strip().startswith("#") and \
            not DISABLED.match(lines[index - 1]):
        index -= 1
        text.insert(0, lines[index].strip().lstrip("#"))
    return " ".join(text)


def check_conf(path, keys, builtin):
    settings, platforms, channels = read_conf(path)
    seen = {}
    for n, group, name, value, active, comment in settings:
        key = full(group, name)
        where = f"{path}:{n}"
        k = keys.get(key)
        if k is None or key.startswith(("platforms.", "channels.")):
            problem(where, key, "not a key of the configuration table")
            continue
        if key in seen:
            problem(where, key, f"documented twice (first on line {seen[key]})")
            continue
        seen[key] = n
        if k["default"] is None and active:
            problem(where, key, "has no default in the table: show it "
                    "commented out ('# " + name + " = …;')")
        elif k["default"] is not None and not active:
            problem(where, key, f"set commented out, but its default is "
                    f"{k['default']!r}")
        elif k["default"] is not None and unquote(value) != k["default"]:
            problem(where, key, f"default {unquote(value)!r} differs from "
                    f"the table's {k['default']!r}")
        if not k["reload"] and "restart" not in comment:
            problem(where, key, "a reload does not apply it: the comment "
                    "above must say it takes effect at restart")
    for key, k in keys.items():
        if key.startswith(("platforms.", "channels.")) or \
                k["type"] == "platforms":
            continue
        if key not in seen:
            problem(path, key, "missing (every key of the table is shown, "
                    "commented out when it has no default)")
    check_conf_platforms(path, keys, builtin, platforms)
    check_conf_channels(path, keys, channels)


def check_conf_channels(path, keys, channels):
    used = set()
    for entry in channels:
        for name, line in entry.items():
            used.add(name)
            if f"channels.{name}" not in keys:
                problem(f"{path}:{line}", f"channels.{name}",
                        "not a key of a channel in the table")
    for key in keys:
        if key.startswith("channels.") and key[9:] not in used:
            problem(path, key, "missing from every example channel")


def check_conf_platforms(path, keys, builtin, platforms):
    used = set()
    listed = []
    for n, entry in platforms:
        for name, (line, _, _) in entry.items():
            used.add(name)
            if f"platforms.{name}" not in keys:
                problem(f"{path}:{line}", f"platforms.{name}",
                        "not a key of a platform in the table")
        listed.append(tuple(unquote(entry[name][1]) if name in entry and
                            entry[name][2] else None
                            for name in ("key", "label", "warn", "stale",
                                         "dormant")))
    for key in keys:
        if key.startswith("platforms.") and key[10:] not in used:
            problem(path, key, "missing from every platform of the list")
    if listed != builtin:
        problem(path, "platforms", f"the list {listed} differs from the "
                f"built-in one {builtin}")


# ---------------------------------------------------- mediawatch.conf.5

MACROS = {"Qq", "Pa", "Dq", "Ql", "Li", "Sy", "Em"}


def man_value(text):
    """The default an item states: (literal, placeholder)."""
    tokens = text.replace("\\&", "").split()
    if tokens and tokens[-1] == ";":
        tokens = tokens[:-1]
    if "Ar" in tokens:
        return None, True
    words = [t for t in tokens if t not in MACROS]
    return (" ".join(words), False) if words else (None, False)


class ManItem:
    def __init__(self, line, group, names, value, placeholder):
        self.line, self.group, self.names = line, group, names
        self.value, self.placeholder = value, placeholder
        self.body = []


def read_man(path):
    """The .It Cm items of the DESCRIPTION and the built-in platform list."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    items, lists, builtin = [], [], None
    group, in_description, last = None, False, None
    for i, line in enumerate(lines):
        n = i + 1
        if line.startswith(".Sh "):
            in_description = line == ".Sh DESCRIPTION"
            continue
        if not in_description:
            continue
        if line.startswith(".Ss "):
            group, last = None, None
            continue
        if (line == "The" and i + 2 < len(lines) and
                lines[i + 1].startswith(".Cm ") and
                lines[i + 2].startswith("group")):
            group = lines[i + 1].split()[1]
            continue
        if line.startswith(".Bl"):
            # a list inside the item of `platforms` holds a platform's
            # keys, one inside `channels` a channel's
            nested = last is not None and last.names in (["platforms"],
                                                         ["channels"])
            lists.append(last.names[0] if nested else
                         lists[-1] if lists else None)
            continue
        if line == ".El":
            if lists:
                lists.pop()
            continue
        if line.startswith(".It Cm "):
            spec = line[len(".It Cm "):]
            names_part, _, value_part = spec.partition(" No = ")
            names = [w for w in re.split(r"\s*,\s*|\s+", names_part) if w]
            value, placeholder = man_value(value_part)
            where = lists[-1] if lists and lists[-1] else group
            last = ManItem(n, where, names, value, placeholder)
            items.append(last)
            continue
        if last is not None:
            last.body.append(line)
        if line.startswith("The built-in list is"):
            builtin = read_man_platforms(lines, i + 1)
    return items, builtin


def read_man_platforms(lines, start):
    """.Cm key / .Pq label pairs up to "all with the thresholds"."""
    found = []
    i = start
    while i < len(lines) and not lines[i].startswith("all with"):
        if lines[i].startswith(".Cm ") and i + 1 < len(lines) and \
                lines[i + 1].startswith(".Pq "):
            label = lines[i + 1][4:].rstrip(" ,")
            found.append((lines[i][4:].strip(), label))
        i += 1
    return found


def check_man(path, keys, builtin):
    items, man_platforms = read_man(path)
    seen = {}
    for item in items:
        for name in item.names:
            key = full(item.group, name)
            where = f"{path}:{item.line}"
            k = keys.get(key)
            if k is None:
                problem(where, key, "not a key of the configuration table")
                continue
            if key in seen:
                problem(where, key,
                        f"documented twice (first on line {seen[key]})")
                continue
            seen[key] = item.line
            if k["default"] is None and item.value is not None:
                problem(where, key, f"states the default {item.value!r}, "
                        "but the table has none (write a placeholder: Ar)")
            elif k["default"] is not None and item.value != k["default"]:
                problem(where, key, f"default {item.value!r} differs from "
                        f"the table's {k['default']!r}")
            if not k["reload"] and "restart" not in " ".join(item.body):
                problem(where, key, "a reload does not apply it: the entry "
                        "must say it takes effect at restart")
    for key in keys:
        if key not in seen:
            problem(path, key, "missing (no .It Cm item for it)")
    want = [(p[0], p[1]) for p in builtin]
    if man_platforms != want:
        problem(path, "platforms", f"the built-in list {man_platforms} "
                f"differs from the table's {want}")


def main(argv):
    if len(argv) != 4:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    keys, builtin = load_table(argv[1])
    check_conf(argv[2], keys, builtin)
    check_man(argv[3], keys, builtin)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"{len(problems)} disagreement(s) between the configuration "
              "table and its documents", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
