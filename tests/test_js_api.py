"""The bundle called from JavaScript in real Pyodide: null and undefined arguments, JS arrays."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from compiler.bundle import compile_bundle

HERE = Path(__file__).parent


def test_annotate_json_accepts_javascript_arguments(tmp_path: Path) -> None:
    bundle = compile_bundle([HERE / "fixtures" / "good"], tmp_path)
    out = subprocess.run(["node", str(HERE / "js_api_check.mjs"), str(bundle.wheel)], capture_output=True,
                         text=True, timeout=180, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["nulls"] == [["wish-dead-en", ["line-dk"]]]
    assert result["undef"] == ["relief-en"]
    text = "😂 he committed suicide"
    start = text.index("committed")
    assert result["utf16"] == [[start + 1, start + 1 + len("committed suicide")]]
