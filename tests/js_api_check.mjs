// Calls the bundle the way JavaScript does (null / undefined / JS arrays), inside real Pyodide.
// Usage: node tests/js_api_check.mjs WHEEL; prints one JSON line of results.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { loadPyodide } = await import(join(root, "node_modules", "pyodide", "pyodide.mjs"));
const py = await loadPyodide();
await py.unpackArchive(new Uint8Array(readFileSync(process.argv[2])), "wheel");
const b = py.pyimport("heed_bundle");
const run = (...args) => JSON.parse(b.annotate_json(...args));
console.log(JSON.stringify({
  nulls: run("i wish i was dead", null, null, null, "DK").map((h) => [h.rule, h.resources.map((r) => r.id)]),
  undef: run("phew", undefined, "no, not suicidal", ["relief-response"], undefined).map((h) => h.rule),
  utf16: run("😂 he committed suicide").map((h) => [h.start_utf16, h.end_utf16]),
}));
