"""vnextract diff (semantic, keyed by content) and vnextract show (HTML), checked in a real browser."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CORPUS, OUTPUTS, ROOT
from extractor.review import diff_paths, format_diff, render_html

SEED = CORPUS / "hcmc-industry-2021-01.txt"
ARTIFACTS = ROOT / "test-artifacts"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "extractor", *args], capture_output=True, text=True)


def test_diff_ignores_positions_and_order(tmp_path) -> None:
    doc = json.loads((OUTPUTS / "hcmc-industry-2021-01.json").read_text(encoding="utf-8"))
    moved = json.loads(json.dumps(doc))
    for q in moved["quantities"]:
        q["start"] += 1
        q["end"] += 1
    moved["quantities"].reverse()
    moved["indicators"].reverse()
    (tmp_path / "a.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps(moved, ensure_ascii=False), encoding="utf-8")
    r = run("diff", str(tmp_path / "a.json"), str(tmp_path / "b.json"))
    assert r.returncode == 0 and "no differences" in r.stdout


def test_diff_reports_what_was_added_and_lost(tmp_path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(OUTPUTS, old)
    shutil.copytree(OUTPUTS, new)
    p = new / "hcmc-industry-2021-01.json"
    doc = json.loads(p.read_text(encoding="utf-8"))
    lost = doc["indicators"][0]["changes"].pop()
    doc["officials"] = doc["officials"][1:]
    p.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    (new / "extra.json").write_text(json.dumps({"quantities": [{"text": "5%", "number": 5, "unit": "%", "kind": "percent"}]}), encoding="utf-8")
    r = run("diff", str(old), str(new))
    assert r.returncode == 1
    assert r.stdout.splitlines()[0].startswith("added 1 quantities, lost 1 changes")
    assert "in 2 articles; 1 new articles" in r.stdout.splitlines()[0]
    assert f"- change: Chỉ số sản xuất công nghiệp [2021-01] (est.): increase 34.5 % vs same_period_last_year 2020-01" in r.stdout
    md = run("diff", str(old), str(new), "--format", "markdown").stdout
    assert md.startswith("## ") and "```diff" in md
    js = json.loads(run("diff", str(old), str(new), "--format", "json").stdout)
    assert {d["doc"] for d in js["documents"]} == {"hcmc-industry-2021-01.json", "extra.json"}
    assert lost["amount"]["text"] == "34,5%"


def test_show_writes_self_contained_page_and_index(tmp_path) -> None:
    r = run("show", str(SEED), "--html", str(tmp_path / "seed.html"))
    assert r.returncode == 0, r.stderr
    page = (tmp_path / "seed.html").read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page  # no network
    assert 'id="indicators"' in page and "QUANTITY" in page
    r = run("show", str(CORPUS), "--html", str(tmp_path / "site"))
    assert r.returncode == 0, r.stderr
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert 'href="hcmc-industry-2021-01.html"' in index and (tmp_path / "site" / "hcmc-industry-2021-01.html").exists()


def _driver():
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver):
        if os.environ.get("CI"):
            pytest.fail("chromium and chromedriver must be installed in CI (make test installs them)")
        pytest.skip("chromium/chromedriver not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--window-size=1400,1000"):
        opts.add_argument(a)
    return webdriver.Chrome(service=Service(driver), options=opts)


def test_html_in_a_real_browser(tmp_path, extractor) -> None:
    from selenium.webdriver.common.by import By

    text = SEED.read_text(encoding="utf-8")
    doc = extractor.extract(text, doc_id="seed").to_dict()
    page = tmp_path / "seed.html"
    page.write_text(render_html(text, doc, "seed"), encoding="utf-8")
    drv = _driver()
    try:
        drv.get(page.as_uri())
        labels = [e.text.strip() for e in drv.find_elements(By.CSS_SELECTOR, "#spans span span span")]
        assert labels.count("QUANTITY") == len(doc["quantities"])
        assert labels.count("COMPARISON") == len(doc["comparisons"])
        assert labels.count("INDICATOR") == len(doc["indicators"])
        assert labels.count("OFFICIAL") == sum(len(p["mentions"]) for p in doc["officials"])
        rows = drv.find_elements(By.CSS_SELECTOR, "#indicators tbody tr")
        assert len(rows) == sum(max(1, len(i["changes"])) for i in doc["indicators"])
        first = [c.text for c in rows[0].find_elements(By.TAG_NAME, "td")]
        assert first[1] == "Chỉ số sản xuất công nghiệp" and first[5] == "decrease" and first[7] == "previous_period"
        words = drv.find_element(By.ID, "article").text.split()
        assert words[words.index("Sở") + 1] == "ORG"  # the organization's highlight starts at "Sở"
        ARTIFACTS.mkdir(exist_ok=True)
        assert drv.save_screenshot(str(ARTIFACTS / "seed.png"))
    finally:
        drv.quit()
