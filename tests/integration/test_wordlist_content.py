"""The shipped word lists as data (issue 15, item 8): conf/wordlists/
common-errors.tsv finds every wrong form it lists, in a sentence, and raises
no alarm on correct government text — the seed report (in traditional and in
simplified characters) and the corpus under tests/fixtures/wording/.

Everything runs through `mediawatchctl wordcheck` with the shipped lists, so
the tests stay true as the list grows: the sentences are generated from the
list itself."""

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LISTS = REPO / "conf" / "wordlists"
COMMON = LISTS / "common-errors.tsv"
ALLOW = LISTS / "allowlist.txt"
CORPUS = REPO / "tests" / "fixtures" / "wording"

# Frame for the generated sentences: "经查，" puts the wrong form at column 4
# and the tail gives it a following word, as in a real post.
HEAD, TAIL = "经查，", "一处已更正。"


def entries():
    """(line, wrong, correct, severity, note) of each entry of the list."""
    out = []
    text = COMMON.read_text(encoding="utf-8")
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        assert len(fields) in (3, 4), f"{COMMON}:{n}: {line!r}"
        out.append((n, *fields, *([""] * (4 - len(fields)))))
    return out


def allowed_phrases():
    return [line for line in ALLOW.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def corpus_files():
    return sorted(CORPUS.glob("*.txt"))


def configure(mw, allow=True):
    allowlists = f'\tallowlists = ["{ALLOW}"];\n' if allow else ""
    mw.write_config("wording = {\n"
                    f'\tlists = ["{COMMON}"];\n' + allowlists + "};\n")


@pytest.fixture
def ww(mw):
    configure(mw)
    return mw


def wordcheck(mw, path):
    return mw.json("wordcheck", str(path))


# ---------------------------------------------------------------- the list

def test_the_list_has_at_least_300_well_formed_entries():
    got = entries()
    assert len(got) >= 300
    wrongs = [e[1] for e in got]
    assert len(set(wrongs)) == len(wrongs), "a wrong form is listed twice"
    for line, wrong, correct, severity, note in got:
        where = f"{COMMON}:{line}"
        assert severity in ("serious", "typo"), where
        assert note.strip(), f"{where}: every entry says why it is wrong"
        assert wrong != correct and wrong not in correct, where
        assert wrong == wrong.strip() and " " not in wrong, where
    # both kinds of the inspection index: 严重表述错误 and 错别字
    assert sum(e[3] == "serious" for e in got) >= 50
    assert sum(e[3] == "typo" for e in got) >= 200


def test_check_config_accepts_the_shipped_lists(ww):
    r = ww.run("check-config", check=0)
    assert "configuration OK" in r.stdout


def test_check_config_reports_a_broken_copy_of_the_list(mw):
    # the same path through the loader fails loudly, so the test above
    # does prove the list was read
    bad = mw.write("common-errors.tsv", COMMON.read_text(encoding="utf-8")
                   + "再接再励\t再接再历\ttypo\t冲突\n")
    mw.write_config(f'wording = {{ lists = ["{bad}"]; }};\n')
    r = mw.run("check-config", check=1)
    assert f"{bad}:" in r.stderr


# ------------------------------------------- each wrong form is found

def test_every_wrong_form_is_found_in_a_sentence(ww):
    got = entries()
    text = "".join(f"{HEAD}{e[1]}{TAIL}\n" for e in got)
    hits = wordcheck(ww, ww.write("sentences.txt", text))
    by_line = {}
    for h in hits:
        by_line.setdefault(h["line"], []).append(h)
    missed = []
    for i, (line, wrong, correct, severity, note) in enumerate(got, 1):
        mine = [h for h in by_line.get(i, [])
                if h["wrong"] == wrong and h["column"] == len(HEAD) + 1]
        if not mine:
            missed.append(wrong)
            continue
        [h] = mine
        assert (h["correct"], h["severity"], h["note"]) == (
            correct, severity, note)
        assert h["matched"] == wrong
        assert h["list"] == f"{COMMON}:{line}"
    assert missed == []


def test_every_wrong_form_is_found_inside_html_markup(ww):
    # posts arrive as HTML: a tag splitting the wrong form hides nothing
    got = entries()
    rows = []
    for _, wrong, *_ in got:
        half = len(wrong) // 2 or 1
        rows.append(f"<p>{HEAD}<b>{wrong[:half]}</b>{wrong[half:]}{TAIL}</p>")
    hits = wordcheck(ww, ww.write("posts.html", "\n".join(rows) + "\n"))
    found = {(h["line"], h["wrong"]) for h in hits}
    missed = [e[1] for i, e in enumerate(got, 1) if (i, e[1]) not in found]
    assert missed == []


# ------------------------------------------------ no false alarm

def test_the_corpus_is_several_thousand_characters_with_the_seed_report():
    names = [p.name for p in corpus_files()]
    assert "seed-report-traditional.txt" in names
    assert "seed-report-simplified.txt" in names
    chars = sum(len(p.read_text(encoding="utf-8")) for p in corpus_files())
    assert chars >= 10000


@pytest.mark.parametrize("name", [p.name for p in corpus_files()])
def test_correct_text_raises_no_alarm(ww, name):
    hits = wordcheck(ww, CORPUS / name)
    assert [(h["position"], h["wrong"], h["snippet"]) for h in hits] == []


def test_the_corpus_uses_the_correct_form_of_every_entry():
    # each correction appears in correct text somewhere, so the
    # no-false-alarm test above sees it in context, next to other words
    text = "".join(p.read_text(encoding="utf-8") for p in corpus_files())
    missing = sorted({e[2] for e in entries() if e[2] not in text})
    assert missing == [], ("add a sentence using these to "
                           f"tests/fixtures/wording/: {missing}")


# ------------------------------------------------------------ allowlist

def test_each_allowed_phrase_contains_a_wrong_form_and_hides_it(mw):
    phrases = allowed_phrases()
    assert phrases
    text = "".join(f"{HEAD}{p}{TAIL}\n" for p in phrases)
    path = mw.write("allowed.txt", text)
    configure(mw, allow=False)
    bare = {h["line"] for h in wordcheck(mw, path)}
    # an entry that hides nothing is dead weight, or a typo in the phrase
    assert [p for i, p in enumerate(phrases, 1) if i not in bare] == []
    configure(mw)
    assert wordcheck(mw, path) == []


def test_the_boundary_sentences_need_the_allowlist(mw):
    # 12-word-boundaries.txt is correct text in which words meet to spell a
    # listed wrong form, one sentence at least for each allowed phrase;
    # without the allowlist those sentences are flagged
    path = CORPUS / "12-word-boundaries.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    where = {p: [i for i, l in enumerate(lines, 1) if p in l]
             for p in allowed_phrases()}
    assert [p for p, at in where.items() if not at] == []
    configure(mw, allow=False)
    flagged = {h["line"] for h in wordcheck(mw, path)}
    assert [p for p, at in where.items() if not set(at) & flagged] == []
