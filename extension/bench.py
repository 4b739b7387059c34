#!/usr/bin/env python3
"""Measure the heed extension in Debian's Chromium and print the figures (a benchmark, not a test).

    .venv/bin/python extension/bench.py [--extension build/extension] [--runs 3] [--json]

Figures: cold start (browser start to engine ready, on install and on a later browser start), first
hint in a newly opened tab, keystroke to mark (median and p95) while typing a 300-character comment,
engine memory, and package size. Uses the unpacked extension built by extension/build.py.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--headless=new",
]
# A 300-character comment with a few things heed flags, typed one key at a time.
COMMENT = (
    "I read your post twice. My uncle committed suicide when I was fifteen and for years nobody in our "
    "family talked about it. Cheer up is what people told me, and it did not help at all. What helped was "
    "a friend who just listened. Some nights I still feel like I want the pain to stop, so thank you all!!"
)
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title>
<style>body{font:16px/1.4 sans-serif;margin:40px} textarea{width:560px;height:220px;font:16px/1.5 sans-serif}</style>
</head><body><textarea id="c" aria-label="Comment" %s>%s</textarea></body></html>"""
# Runs in the page (main world) before anything else: timestamps of key presses and of heed's renders
# of fresh answers, read from the overlay's open shadow root.
assert len(COMMENT) == 300
PROBE = """(() => {
  window.__keys = []; window.__fresh = []; window.__marks = [];
  document.addEventListener('keydown', () => window.__keys.push(performance.now()), true);
  const watch = (layer) => new MutationObserver(() => {
    const t = performance.now();
    if (layer.dataset.heedState === 'fresh') window.__fresh.push(t);
    window.__marks.push([t, layer.querySelectorAll('[data-heed-rule]').length]);
  }).observe(layer, { attributes: true, childList: true });
  new MutationObserver((_, obs) => {
    const host = document.querySelector('heed-overlay');
    const layer = host && host.shadowRoot && host.shadowRoot.querySelector('[data-heed-layer]');
    if (layer) { obs.disconnect(); watch(layer); }
  }).observe(document, { childList: true, subtree: true });
})();"""
STATUS = "async () => (await chrome.storage.session.get('engine')).engine || {}"
STATS = """() => new Promise((resolve) => {
  const port = chrome.runtime.connect({ name: 'heed-engine' });
  port.onMessage.addListener((m) => { if (m.t === 'stats') { resolve(m); port.disconnect(); } });
  port.postMessage({ t: 'stats' });
})"""


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def serve(directory: Path) -> tuple[ThreadingHTTPServer, str]:
    handler = partial(_QuietHandler, directory=str(directory))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def launch(pw, extension: Path, profile: Path) -> tuple[BrowserContext, str]:
    context = pw.chromium.launch_persistent_context(
        str(profile), executable_path="/usr/bin/chromium", headless=False,
        args=[*FLAGS, f"--disable-extensions-except={extension}", f"--load-extension={extension}"],
        ignore_default_args=["--disable-extensions"], viewport={"width": 1000, "height": 700}, locale="en-GB",
    )
    worker = context.service_workers[0] if context.service_workers else context.wait_for_event("serviceworker")
    return context, worker.url.split("/")[2]


def wait_ready(context: BrowserContext, ext: str, timeout: float = 120) -> dict:
    page = context.new_page()
    page.goto(f"chrome-extension://{ext}/popup.html")
    end = time.monotonic() + timeout
    try:
        while time.monotonic() < end:
            status = page.evaluate(STATUS)
            if status.get("state") in ("ready", "error"):
                return status
            time.sleep(0.02)
    finally:
        page.close()
    raise RuntimeError("engine not ready")


def cold_start(pw, extension: Path, profile: Path) -> dict:
    t0 = time.monotonic()
    context, ext = launch(pw, extension, profile)
    status = wait_ready(context, ext)
    wall = (time.monotonic() - t0) * 1000
    context.close()
    return {"wall_ms": round(wall), "engine_ms": status.get("ms")}


def first_hint_new_tab(context: BrowserContext, base: str) -> tuple[float, float]:
    """A new tab whose comment box already holds a flagged sentence and has focus: ms from the start
    of navigation, and from the page's DOMContentLoaded, to heed's first mark."""
    page = context.new_page()
    page.add_init_script(PROBE)
    page.goto(f"{base}/prefilled.html")
    page.wait_for_function("() => window.__marks.some(([, n]) => n > 0)", timeout=30_000)
    t, dcl = page.evaluate("""() => [window.__marks.find(([, n]) => n > 0)[0],
                                     performance.getEntriesByType('navigation')[0].domContentLoadedEventStart]""")
    page.close()
    return t, t - dcl


def keystroke_latencies(page: Page) -> tuple[list[float], list[float]]:
    """ms from each keydown to heed's next render of a fresh answer, for every key and for the keys
    that made a new mark appear."""
    page.locator("#c").click()
    page.keyboard.type(COMMENT, delay=60)
    page.wait_for_timeout(500)
    keys, fresh, mark_log = page.evaluate("() => [window.__keys, window.__fresh, window.__marks]")
    latencies = []
    for i, k in enumerate(keys):
        nxt = keys[i + 1] if i + 1 < len(keys) else float("inf")
        after = [f for f in fresh if k <= f < nxt]
        if after:
            latencies.append(after[0] - k)
    # Keys after which the number of marks grew: the moment a flagged phrase is completed.
    new_marks = []
    for i, k in enumerate(keys):
        nxt = keys[i + 1] if i + 1 < len(keys) else float("inf")
        before = [n for t, n in mark_log if t < k]
        grown = [t for t, n in mark_log if k <= t < nxt and n > (before[-1] if before else 0)]
        if grown:
            new_marks.append(grown[0] - k)
    return latencies, new_marks


def renderer_rss_mb(ext: str) -> float | None:
    """Resident memory of the renderer process that hosts the extension (offscreen document with the
    engine, and the service worker when awake)."""
    out = subprocess.run(["ps", "-eo", "rss,args"], capture_output=True, text=True).stdout
    total = 0
    for line in out.splitlines()[1:]:
        rss, _, args = line.strip().partition(" ")
        if "--type=renderer" in args and "--extension-process" in args:
            total += int(rss)
    return round(total / 1024, 1) if total else None


def package_size(extension: Path, dist_dir: Path) -> dict:
    dist = sorted(dist_dir.glob("heed-chrome-*.zip"))
    files = [p for p in extension.rglob("*") if p.is_file()]
    sizes = {
        "unpacked_mb": round(sum(p.stat().st_size for p in files) / 1e6, 2),
        "pyodide_mb": round(sum(p.stat().st_size for p in (extension / "pyodide").iterdir()) / 1e6, 2),
        "bundle_wheel_kb": round(sum(p.stat().st_size for p in (extension / "bundle").glob("*.whl")) / 1e3, 1),
    }
    if dist:
        sizes["chrome_zip_mb"] = round(dist[-1].stat().st_size / 1e6, 2)
    return sizes


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extension", type=Path, default=ROOT / "build" / "extension")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the built zips are")
    parser.add_argument("--runs", type=int, default=3, help="browser starts per cold-start figure")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    if not (args.extension / "manifest.json").is_file():
        print(f"no built extension in {args.extension}: run extension/build.py first", file=sys.stderr)
        return 1
    extension = args.extension.resolve()
    results: dict = {"comment_chars": len(COMMENT), "cpus": len(__import__("os").sched_getaffinity(0))}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        site = Path(tmp) / "site"
        site.mkdir()
        (site / "prefilled.html").write_text(PAGE % ("autofocus", "He committed suicide last year."))
        (site / "empty.html").write_text(PAGE % ("", ""))
        httpd, base = serve(site)
        try:
            installs, restarts = [], []
            for i in range(args.runs):
                profile = Path(tmp) / f"profile{i}"
                installs.append(cold_start(pw, extension, profile))  # first start: install
                restarts.append(cold_start(pw, extension, profile))  # later browser start
            results["cold_start_install_ms"] = statistics.median(r["wall_ms"] for r in installs)
            results["cold_start_browser_start_ms"] = statistics.median(r["wall_ms"] for r in restarts)
            results["engine_load_ms"] = statistics.median(r["engine_ms"] for r in installs + restarts)

            context, ext = launch(pw, extension, Path(tmp) / "warm")
            wait_ready(context, ext)
            firsts = [first_hint_new_tab(context, base) for _ in range(7)]
            results["first_hint_new_tab_ms"] = {
                "from_navigation": round(statistics.median(f[0] for f in firsts), 1),
                "from_dom_ready": round(statistics.median(f[1] for f in firsts), 1),
            }

            page = context.new_page()
            page.add_init_script(PROBE)
            page.goto(f"{base}/empty.html")
            latencies, new_marks = keystroke_latencies(page)
            results["keystroke_to_render_ms"] = {
                "keys": len(latencies), "median": round(statistics.median(latencies), 1),
                "p95": round(pct(latencies, 0.95), 1), "max": round(max(latencies), 1),
            }
            results["keystroke_to_new_mark_ms"] = [round(x, 1) for x in new_marks]
            stats_page = context.new_page()
            stats_page.goto(f"chrome-extension://{ext}/popup.html")
            stats = stats_page.evaluate(STATS)
            # The engine compiles its remaining regexes in slices after ready (the figures above were
            # taken while it did): wait for it to finish and report how long it took.
            end = time.monotonic() + 180
            while stats.get("warmedMs") is None and time.monotonic() < end:
                time.sleep(0.5)
                stats = stats_page.evaluate(STATS)
            results["warm_up_after_ready_ms"] = {"wall": stats.get("warmedMs"), "busy": stats.get("warmBusyMs")}
            results["engine"] = {
                "pyodide": stats.get("pyodide"), "load_ms": stats.get("loadMs"),
                "wasm_heap_mb": round(stats.get("wasmHeapBytes", 0) / 1e6, 1),
                "js_heap_mb": round((stats.get("jsHeapBytes") or 0) / 1e6, 1),
                "extension_process_rss_mb": renderer_rss_mb(ext),
            }
            context.close()
        finally:
            httpd.shutdown()
    results["package"] = package_size(extension, args.dist)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for key, value in results.items():
            print(f"{key:32} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
