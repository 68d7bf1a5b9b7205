"""The 公文 .docx writer (daemon/paperwork/docx.c) through its test driver
build/tests/docx_sample: the document read back with python3-docx, then
converted to PDF by LibreOffice (Debian's libreoffice-writer-nogui), its
text checked with pdftotext and its first page rendered with pdftoppm and
measured against GB/T 9704-2012 (red mark and separator, centred serial,
margins, line pitch, page numbers at the outer corners).

The machine lacks 仿宋_GB2312, 方正小标宋简体 and the other faces a 公文
names; tests/tools/fonts.conf lets the nearest Noto CJK faces stand in
for them, as an office machine would have the faces themselves.  Metrics
still differ, so positions are checked to a few millimetres and text
widths not at all.

MEDIAWATCH_DOCX_EXAMPLE=PATH also keeps page 1 as a PNG at PATH (how
docs/examples/docx-sample-page1.png is made)."""

import copy
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.shared import Pt

from conftest import BUILD, REPO

SAMPLE_TOOL = BUILD / "tests" / "docx_sample"
SAMPLE = REPO / "tests" / "tools" / "docx_sample.json"
FONTS = REPO / "tests" / "tools" / "fonts.conf"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MM = 72 / 25.4                     # points per millimetre
TWIPS_PER_MM = 1440 / 25.4
TIMEOUT = 180


def description():
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def write_sample(directory, desc, name="sample.docx"):
    """Runs the driver; returns (path, CompletedProcess)."""
    src = directory / (Path(name).stem + ".json")
    src.write_text(json.dumps(desc, ensure_ascii=False), encoding="utf-8")
    out = directory / name
    r = subprocess.run([SAMPLE_TOOL, src, out], capture_output=True,
                       text=True, timeout=60)
    return out, r


def tool(name):
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: run `make deps`")
    return path


def to_pdf(directory, path):
    """LibreOffice, with a profile of its own so runs never share one."""
    if SOFFICE is None:
        pytest.fail("soffice is missing: run `make deps`")
    profile = (directory / "lo-profile").as_uri()
    env = dict(os.environ, FONTCONFIG_FILE=str(FONTS))
    r = subprocess.run([SOFFICE, f"-env:UserInstallation={profile}",
                        "--headless", "--convert-to", "pdf", "--outdir",
                        directory, path], capture_output=True, text=True,
                       timeout=TIMEOUT, env=env)
    pdf = directory / (path.stem + ".pdf")
    assert r.returncode == 0 and pdf.exists(), r.stdout + r.stderr
    return pdf


def pdf_text(pdf, page=None):
    argv = [tool("pdftotext"), "-layout"]
    if page:
        argv += ["-f", str(page), "-l", str(page)]
    r = subprocess.run(argv + [pdf, "-"], capture_output=True, text=True,
                       timeout=60, check=True)
    return r.stdout


def flat(text):
    """Text without the spaces LibreOffice puts between Chinese and digits
    and pdftotext between columns."""
    return re.sub(r"\s+", "", text)


def pdf_pages(pdf):
    r = subprocess.run([tool("pdfinfo"), pdf], capture_output=True,
                       text=True, timeout=60, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", r.stdout, re.M).group(1))


def words(pdf, page):
    """[(text, xmin, ymin, xmax, ymax)] in points from the top left."""
    r = subprocess.run([tool("pdftotext"), "-bbox", "-f", str(page), "-l",
                        str(page), pdf, "-"], capture_output=True, text=True,
                       timeout=60, check=True)
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" '
                       r'xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
                       r.stdout)
    return [(t, float(a), float(b), float(c), float(d))
            for a, b, c, d, t in found]


def render_ppm(pdf, directory, page=1, dpi=72):
    """The page as (width, height, RGB bytes) at dpi (72: a pixel a point)."""
    stem = directory / f"page{page}"
    subprocess.run([tool("pdftoppm"), "-r", str(dpi), "-f", str(page), "-l",
                    str(page), "-singlefile", pdf, stem], check=True,
                   timeout=60)
    data = (directory / f"page{page}.ppm").read_bytes()
    magic, w, h, maxval, pixels = data.split(maxsplit=4)
    assert magic == b"P6" and maxval == b"255"
    return int(w), int(h), pixels


def red_rows(ppm):
    """For each pixel row, the x of its red pixels (as the first and last
    and the count)."""
    w, h, px = ppm
    rows = []
    for y in range(h):
        line = px[y * w * 3:(y + 1) * w * 3]
        xs = [x for x in range(w) if line[3 * x] > 180 and
              line[3 * x + 1] < 90 and line[3 * x + 2] < 90]
        rows.append((xs[0], xs[-1], len(xs)) if xs else None)
    return rows


# ---- the sample, built and converted once ----

@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    directory = tmp_path_factory.mktemp("docx")
    path, r = write_sample(directory, description())
    assert r.returncode == 0, r.stderr
    return directory, path


@pytest.fixture(scope="module")
def pdf(sample):
    directory, path = sample
    return to_pdf(directory, path)


def by_style(document, style_id):
    return [p for p in document.paragraphs if p.style.style_id == style_id]


def inherited(style, get):
    while style is not None:
        value = get(style)
        if value is not None:
            return value
        style = style.base_style
    return None


def east_asian_font(style):
    def get(s):
        rpr = s.element.rPr
        fonts = rpr.find(W + "rFonts") if rpr is not None else None
        return fonts.get(W + "eastAsia") if fonts is not None else None
    return inherited(style, get)


def size(style):
    return inherited(style, lambda s: s.font.size)


# ---- the document as python-docx reads it ----

def test_header_number_title_and_addressee(sample):
    document = docx.Document(sample[1])
    mark, = by_style(document, "GwMark")
    assert mark.text == "武平县电子政务中心文件"
    assert mark.style.paragraph_format.alignment == 1      # centre
    serial, = by_style(document, "GwSerial")
    assert serial.text == "武政新通〔2026〕3号"
    assert serial.style.paragraph_format.alignment == 1
    title, = by_style(document, "GwTitle")
    assert title.text == "关于县文化和旅游局政务新媒体账号\n存在问题的通报"
    addressee, = by_style(document, "GwAddressee")
    assert addressee.text == "县文化和旅游局："
    # 主送 one line below the title, the body right after it
    texts = [p.text for p in document.paragraphs]
    at = texts.index("县文化和旅游局：")
    assert texts[at - 1] == "" and texts[at - 2].startswith("关于")
    assert texts[at + 1].startswith("经监测，截至2026年12月1日")


def test_headings_signature_and_date(sample):
    document = docx.Document(sample[1])
    assert [p.text for p in by_style(document, "GwHeading1")] == [
        "一、存在问题", "二、整改要求"]
    h2 = by_style(document, "GwHeading2")
    assert [p.runs[0].text for p in h2] == [
        "（一）限期整改。", "（二）书面报送。", "（三）健全长效机制。"]
    assert h2[0].text.endswith("完成整改。账号恢复更新后，相应问题由系统"
                               "自动销号；确无能力维护的账号，请按照国办发"
                               "〔2018〕123号文件要求予以关停或整合，并向"
                               "主管部门办理备案。")
    note, = by_style(document, "GwAttachNote")
    assert note.text == "附件：政务新媒体账号问题清单"
    signature, = by_style(document, "GwSignature")
    assert signature.text == "武平县电子政务中心"
    date, = by_style(document, "GwDate")
    assert date.text == "2026年12月2日"
    # sealed: the date four characters (3号, 16 pt) from the right
    assert date.paragraph_format.right_indent == Pt(64)


def test_problem_table_and_imprint(sample):
    document = docx.Document(sample[1])
    table, imprint = document.tables
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["序号", "平台", "账号名称", "问题", "最后更新", "整改时限"]
    assert len(rows) == 4
    assert rows[1] == ["1", "抖音", "武平文旅", "超期未更新（21天）",
                       "2026年11月10日", "2026年12月16日"]
    assert rows[3][2] == "武平旅游"
    assert rows[3][3].startswith("严重表述错误")
    # the heading row repeats on every page
    assert table.rows[0]._tr.trPr.find(W + "tblHeader") is not None
    assert [c.text for row in imprint.rows for c in row.cells] == [
        "抄送：县委网信办，县政府办公室。",
        "武平县电子政务中心\t2026年12月2日印发"]


def test_fonts_and_sizes_of_key_paragraphs(sample):
    document = docx.Document(sample[1])
    style = {s.style_id: s for s in document.styles}

    def first(style_id):
        return by_style(document, style_id)[0]

    body = first("GwText")
    assert east_asian_font(body.style) == "仿宋_GB2312"
    assert size(body.style) == Pt(16)
    assert body.style.paragraph_format.first_line_indent == Pt(32)
    assert style["Normal"].paragraph_format.line_spacing == Pt(28.95)
    title = first("GwTitle")
    assert (east_asian_font(title.style), size(title.style)) == (
        "方正小标宋简体", Pt(22))
    assert east_asian_font(first("GwHeading1").style) == "黑体"
    assert east_asian_font(first("GwHeading2").style) == "楷体_GB2312"
    mark = first("GwMark")
    assert east_asian_font(mark.style) == "方正小标宋简体"
    assert str(mark.style.font.color.rgb) == "FF0000"
    assert mark.runs[0].font.size == Pt(36)          # fits the line
    rule = style["GwSerial"].element.pPr.find(W + "pBdr").find(W + "bottom")
    assert rule.get(W + "color") == "FF0000"


def test_a4_page_with_the_standards_margins(sample):
    section = docx.Document(sample[1]).sections[0]

    def mm(length):
        return length.emu / 36000

    assert (round(mm(section.page_width)), round(mm(section.page_height))) \
        == (210, 297)
    assert round(mm(section.top_margin)) == 37
    assert round(mm(section.bottom_margin)) == 35
    assert round(mm(section.left_margin)) == 28
    assert round(mm(section.right_margin)) == 26
    grid = section._sectPr.find(W + "docGrid")
    assert grid.get(W + "linePitch") == "579"        # 22 lines of 28.95 pt
    settings = docx.Document(sample[1]).settings.element
    assert settings.find(W + "evenAndOddHeaders") is not None


# ---- LibreOffice's rendering ----

def test_pdf_text(pdf):
    first = flat(pdf_text(pdf, 1))
    for text in ("武平县电子政务中心文件", "武政新通〔2026〕3号",
                 "关于县文化和旅游局政务新媒体账号存在问题的通报",
                 "县文化和旅游局：", "—1—"):
        assert text in first, f"{text} not on page 1"
    pages = pdf_pages(pdf)
    assert pages >= 2
    everything = flat(pdf_text(pdf))
    for text in ("附件：政务新媒体账号问题清单", "2026年12月2日",
                 "超期未更新", "抄送：县委网信办，县政府办公室。",
                 "武平县电子政务中心2026年12月2日印发"):
        assert text in everything, f"{text} not in the PDF"
    # the attachment on a page of its own, the imprint on the last page
    last = flat(pdf_text(pdf, pages))
    assert last.startswith("附件政务新媒体账号问题清单")
    assert "序号" in last and "印发" in last
    assert "附件：" not in last


def test_page_one_layout(pdf, sample):
    directory = sample[0]
    ppm = render_ppm(pdf, directory)
    rows = red_rows(ppm)
    left, right = 28 * MM, (210 - 26) * MM
    # the separator: a red line across the whole text block
    rule = [y for y, r in enumerate(rows) if r and r[2] > 0.95 * (right - left)]
    assert rule, "no red separator"
    assert abs(rows[rule[0]][0] - left) < 2 * MM
    assert abs(rows[rule[0]][1] - right) < 2 * MM
    # the mark: red glyphs above it, centred on the text block, its top
    # edge 35 mm below the text block's (37 mm from the page's top)
    mark = [y for y, r in enumerate(rows[:rule[0]]) if r]
    assert mark and abs(mark[0] - 72 * MM) < 4 * MM
    xs = [(rows[y][0], rows[y][1]) for y in mark]
    centre = (min(a for a, _ in xs) + max(b for _, b in xs)) / 2
    assert abs(centre - (left + right) / 2) < 3 * MM

    found = words(pdf, 1)
    serial = [w for w in found if "〔2026〕" in w[0]]
    assert serial, found
    assert serial[0][4] < rule[0] < serial[0][4] + 8 * MM  # ~4 mm below
    title = [w for w in found if w[0].startswith("关于")][0]
    assert title[2] > rule[0] + 15 * MM                    # two lines down
    # body lines start two characters in, one line pitch apart
    first_line = [w for w in found if w[0].startswith("经监测")][0]
    assert abs(first_line[1] - (left + 32)) < 2 * MM
    body = sorted({round(w[4], 1) for w in found
                   if first_line[2] - 1 < w[2] < (297 - 35) * MM
                   and ord(w[0][0]) > 0x2e80})
    gaps = [b - a for a, b in zip(body, body[1:]) if b - a > 5]
    assert gaps and all(abs(g - 28.95) < 1 for g in gaps), gaps
    # page number "— 1 —" at the right, its dashes (mid-height) 7 mm under
    # the text block
    number = [w for w in found if w[0] == "1" and w[2] > 260 * MM]
    assert number and number[0][3] > right - 12 * MM
    middle = (number[0][2] + number[0][4]) / 2
    assert abs(middle - (297 - 35 + 7) * MM) < 2 * MM
    png = directory / "page1.png"
    subprocess.run([tool("pdftoppm"), "-r", "80", "-f", "1", "-l", "1",
                    "-png", "-singlefile", pdf, directory / "page1"],
                   check=True, timeout=60)
    assert png.stat().st_size > 20000


def test_even_pages_number_at_the_left(pdf):
    found = words(pdf, 2)
    number = [w for w in found if w[0] == "2" and w[2] > 260 * MM]
    assert number and number[0][1] < 28 * MM + 12 * MM


# ---- refusals and text handling through the driver ----

def test_bad_date_is_refused_and_nothing_written(tmp_path):
    desc = description()
    desc["date"] = "2026-02-30"
    out, r = write_sample(tmp_path, desc)
    assert r.returncode == 1
    assert "date: '2026-02-30' is not a date" in r.stderr
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sample.json"]


def test_control_characters_dropped_and_markup_kept_as_text(tmp_path):
    desc = copy.deepcopy(description())
    desc["title"] = "关于<b>账号</b>\u0001的\u007f通报 & 说明"
    desc["addressee"] = "各乡（镇）人民政府，县直各单位"
    out, r = write_sample(tmp_path, desc)
    assert r.returncode == 0, r.stderr
    document = docx.Document(out)
    title, = by_style(document, "GwTitle")
    assert title.text == "关于<b>账号</b>的通报 & 说明"
    addressee, = by_style(document, "GwAddressee")
    assert addressee.text == "各乡（镇）人民政府，县直各单位："


def test_unsealed_preview_without_imprint(tmp_path):
    desc = description()
    del desc["serial"], desc["copy_to"], desc["printer"]
    desc["sealed"] = False
    out, r = write_sample(tmp_path, desc)
    assert r.returncode == 0, r.stderr
    document = docx.Document(out)
    serial, = by_style(document, "GwSerial")
    assert serial.text == ""                 # the line stays, unnumbered
    assert len(document.tables) == 1
    signature, = by_style(document, "GwSignature")
    assert signature.paragraph_format.right_indent == Pt(32)
    pdf = to_pdf(tmp_path, out)
    assert "印发" not in pdf_text(pdf)


if os.environ.get("MEDIAWATCH_DOCX_EXAMPLE"):
    def test_write_example_png(pdf, sample):
        target = Path(os.environ["MEDIAWATCH_DOCX_EXAMPLE"])
        subprocess.run([tool("pdftoppm"), "-r", "80", "-f", "1", "-l", "1",
                        "-png", "-singlefile", pdf, target.with_suffix("")],
                       check=True, timeout=60)
        assert target.exists()
