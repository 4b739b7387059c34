// Runs a compiled heed bundle in Pyodide under Node and answers annotate requests over stdio.
//
//   node compiler/pyodide/runner.mjs WHEEL_PATH
//
// Prints one ready line, {"ready": true, "version", "rules_hash", "pyodide", "startup_ms"}, then reads
// JSON lines {"id", "text", "lang"?, "context"?, "categories"?, "country"?} from stdin and writes one
// line per request: {"id", "hints": [...]} or {"id", "error": "message"}. If start-up fails it prints
// {"ready": false, "error": "..."} and exits with status 2.
//
// Pyodide comes from the npm package `pyodide` (node_modules, or the directory in HEED_PYODIDE_DIR).
// Nothing is fetched from the network: fetch is replaced by a function that refuses any request that is
// not a local file, so a missing local file fails loudly instead of being downloaded.

import { readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import readline from "node:readline";
import { pathToFileURL } from "node:url";

// The request handling itself lives in protocol.py, shared with the CPython engine so both runtimes
// validate requests and word errors identically.
const PROTOCOL = new URL("./protocol.py", import.meta.url);

function fail(message) {
  process.stdout.write(JSON.stringify({ ready: false, error: message }) + "\n");
  process.stderr.write(`heed runner: ${message}\n`);
  process.exit(2);
}

function pyodideDir() {
  if (process.env.HEED_PYODIDE_DIR) return path.resolve(process.env.HEED_PYODIDE_DIR);
  // Resolve from this file, so the project's node_modules is found whatever the working directory.
  const require = createRequire(import.meta.url);
  try {
    return path.dirname(require.resolve("pyodide/package.json"));
  } catch {
    return null;
  }
}

function blockNetwork() {
  const localFetch = globalThis.fetch;
  globalThis.fetch = async (resource, init) => {
    const url = String(resource instanceof Request ? resource.url : resource);
    if (url.startsWith("file:")) return localFetch(resource, init);
    throw new Error(`heed runner: network access refused (${url}); Pyodide must load from local files`);
  };
}

async function main() {
  const wheelPath = process.argv[2];
  if (!wheelPath) fail("usage: node runner.mjs WHEEL_PATH");
  if (!existsSync(wheelPath)) fail(`wheel not found: ${wheelPath}`);

  const dir = pyodideDir();
  if (!dir || !existsSync(path.join(dir, "pyodide.mjs"))) {
    fail("the npm package 'pyodide' is not installed (no node_modules/pyodide): run `npm ci`");
  }

  blockNetwork();
  // Anything Pyodide logs must not land among the protocol lines on stdout.
  console.log = console.error;
  console.info = console.error;
  const t0 = performance.now();
  const { loadPyodide } = await import(pathToFileURL(path.join(dir, "pyodide.mjs")).href);
  // Python's own output goes to stderr: stdout carries the protocol only.
  const toStderr = (msg) => process.stderr.write(msg + "\n");
  const pyodide = await loadPyodide({
    indexURL: dir + path.sep,
    packageCacheDir: dir + path.sep,
    stdout: toStderr,
    stderr: toStderr,
  });
  const t1 = performance.now();

  const bytes = readFileSync(wheelPath);
  // unpackArchive wants a typed array of exactly the file's bytes; a Node Buffer may be a view
  // into a larger shared pool, so copy it into a fresh Uint8Array.
  pyodide.unpackArchive(new Uint8Array(bytes), "wheel");
  const t2 = performance.now();

  const ns = pyodide.globals.get("dict")();
  pyodide.runPython(readFileSync(PROTOCOL, "utf8"), { globals: ns });
  pyodide.runPython("import heed_bundle as _bundle", { globals: ns });
  const serveLine = ns.get("serve_line");
  const bundle = ns.get("_bundle");
  const version = pyodide.runPython("str(getattr(_bundle, '__version__', ''))", { globals: ns });
  const rulesHash = pyodide.runPython("str(getattr(_bundle, 'RULES_HASH', ''))", { globals: ns });
  const t3 = performance.now();

  process.stdout.write(
    JSON.stringify({
      ready: true,
      version,
      rules_hash: rulesHash,
      pyodide: pyodide.version,
      startup_ms: {
        runtime: Math.round(t1 - t0),
        install: Math.round(t2 - t1),
        import: Math.round(t3 - t2),
        total: Math.round(t3 - t0),
      },
    }) + "\n",
  );

  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line.trim()) continue;
    // serve_line catches every Python exception; a throw here means Pyodide itself broke.
    let out;
    try {
      out = serveLine(bundle, line);
    } catch (err) {
      out = JSON.stringify({ id: null, error: `runner failure: ${err && err.message}` });
    }
    // Parse before writing: the response must be valid JSON, and this also checks annotate_json.
    let response;
    try {
      response = JSON.parse(out);
    } catch (err) {
      response = { id: null, error: `bundle returned invalid JSON: ${err.message}` };
    }
    process.stdout.write(JSON.stringify(response) + "\n");
  }
  serveLine.destroy();
  bundle.destroy();
  ns.destroy();
}

main().catch((err) => fail(err && err.stack ? err.stack : String(err)));
