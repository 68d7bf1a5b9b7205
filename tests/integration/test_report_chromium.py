"""The status report and the bulletin's HTML rendered by headless Chromium
(Debian's chromium, installed by `make deps`): the page text is there and
the page renders to a screenshot of the requested size."""

import shutil
import struct
import subprocess

import pytest

import notice_history as history

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WIDTH, HEIGHT = 794, 1123          # A4 at 96 dpi


def chromium(tmp_path, page, *args):
    if CHROMIUM is None:
        pytest.fail("chromium is missing: run `make deps`")
    argv = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update",
            "--disable-sync", f"--user-data-dir={tmp_path / 'chromium'}",
            *args, page.as_uri()]
    r = subprocess.run(argv, capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr.decode("utf-8", "replace")
    return r.stdout.decode("utf-8", "replace")


def png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def check_page(tmp_path, page, texts):
    dom = chromium(tmp_path, page, "--dump-dom")
    for text in texts:
        assert text in dom, f"{text!r} missing from the rendered page"
    assert "<svg" in dom
    shot = tmp_path / (page.stem + ".png")
    chromium(tmp_path, page, f"--screenshot={shot}",
             f"--window-size={WIDTH},{HEIGHT}", "--hide-scrollbars")
    assert png_size(shot) == (WIDTH, HEIGHT)
    assert shot.stat().st_size > 10000      # not a blank page


def test_report_renders_in_chromium(mw, tmp_path):
    history.build(mw, big_problems=3)
    mw.now("2026-04-01T08:00:00")
    page = tmp_path / "status.html"
    mw.run("report", "--format", "html", "--out", page, check=0)
    check_page(tmp_path, page, ["政务新媒体账号监测状态", "市政府办公室",
                                "武夷山发布", "距最近更新天数", "14天",
                                "未整改问题", "市档案馆"])


def test_bulletin_renders_in_chromium(mw, tmp_path):
    history.build(mw, big_problems=3)
    mw.now("2026-04-01T06:00:00")
    folder = tmp_path / "bulletins"
    mw.run("bulletin", "--previous-month", "--format", "html", "--out-dir",
           folder, check=0)
    check_page(tmp_path, folder / "bulletin-2026-03.html",
               ["关于2026年3月政务新媒体监测情况的通报", "合格率60.0%",
                "年度绩效考核扣分名单", "武夷山教育"])
