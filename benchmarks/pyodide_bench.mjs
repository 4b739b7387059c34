// Times heed bundles inside Pyodide under Node, for benchmarks/run.py.
//
//   node benchmarks/pyodide_bench.mjs JOB.json OUT.json   full run: start-up, timing job, round trips
//   node benchmarks/pyodide_bench.mjs --cold WHEEL        start-up only (a fresh process per sample)
//
// The job's timing loops run in Python inside Pyodide (benchmarks/timing.py), so the figures contain
// no JavaScript <-> Python crossing; the round trip from JavaScript (what the extension pays per call)
// is measured separately here with performance.now(). Pyodide comes from node_modules and nothing is
// fetched from the network.

import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PYODIDE_DIR = process.env.HEED_PYODIDE_DIR || path.join(HERE, "..", "node_modules", "pyodide");

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

// Only local files: a missing file must fail, never be downloaded.
const localFetch = globalThis.fetch;
globalThis.fetch = async (resource, init) => {
  const url = String(resource instanceof Request ? resource.url : resource);
  if (url.startsWith("file:")) return localFetch(resource, init);
  throw new Error(`network access refused (${url})`);
};

// Load the runtime and the shipped bundle the way the extension does (extension/src/engine.js).
async function start(wheelPath) {
  const t0 = performance.now();
  const { loadPyodide } = await import(pathToFileURL(path.join(PYODIDE_DIR, "pyodide.mjs")).href);
  const pyodide = await loadPyodide({
    indexURL: PYODIDE_DIR + path.sep,
    packageCacheDir: PYODIDE_DIR + path.sep,
    stdout: (m) => process.stderr.write(m + "\n"),
    stderr: (m) => process.stderr.write(m + "\n"),
  });
  const t1 = performance.now();
  pyodide.unpackArchive(new Uint8Array(readFileSync(wheelPath)), "wheel");
  const bundle = pyodide.pyimport("heed_bundle");
  const t2 = performance.now();
  bundle.annotate_json("warm up: he committed suicide. han begik selvmord.");
  const t3 = performance.now();
  return {
    pyodide,
    bundle,
    startup: { runtime_ms: t1 - t0, bundle_ms: t2 - t1, first_call_ms: t3 - t2, total_ms: t3 - t0 },
  };
}

async function cold(wheelPath) {
  const { startup } = await start(wheelPath);
  process.stdout.write(JSON.stringify(startup) + "\n");
}

// Per-comment round trip from JavaScript: bundle.annotate_json(text, undefined, context) through the proxy
// (undefined arrives as None; null would arrive as a JsNull).
function roundTrips(pyodide, bundle, items, rounds) {
  const clear = pyodide.runPython("lambda b: b.ENGINE._cache.clear()");
  const annotate = bundle.annotate_json;
  const cold = items.map(() => []);
  const warm = items.map(() => []);
  for (let r = 0; r < rounds; r++) {
    items.forEach((item, i) => {
      clear(bundle);
      let t0 = performance.now();
      annotate(item.text, undefined, item.context ?? undefined);
      cold[i].push(performance.now() - t0);
      t0 = performance.now();
      annotate(item.text, undefined, item.context ?? undefined);
      warm[i].push(performance.now() - t0);
    });
  }
  clear.destroy();
  annotate.destroy();
  return { cold_ms: cold.map(median), warm_ms: warm.map(median) };
}

async function full(jobPath, outPath) {
  const job = JSON.parse(readFileSync(jobPath, "utf8"));
  const { pyodide, bundle, startup } = await start(job.shipped_wheel);

  // benchmarks/timing.py and naive.py, and every other bundle under its own folder and module name.
  pyodide.FS.mkdirTree("/bench");
  for (const name of ["timing.py", "naive.py"]) {
    pyodide.FS.writeFile(`/bench/${name}`, readFileSync(path.join(HERE, name), "utf8"));
  }
  const imports = {};
  const ns = pyodide.globals.get("dict")();
  pyodide.runPython("import sys; sys.path.insert(0, '/bench'); import timing; BUNDLES = {}", { globals: ns });
  ns.get("BUNDLES").set("shipped", bundle);
  // The shipped bundle is timed before the synthetic ones are imported: in the extension it runs alone,
  // and a process holding 10,000 more rules runs it measurably slower.
  const runTasks = (shipped) => {
    ns.set("_job", JSON.stringify({ ...job, tasks: job.tasks.filter((t) => (t.bundle === "shipped") === shipped) }));
    return JSON.parse(pyodide.runPython("import json; json.dumps(timing.run_job(json.loads(_job), BUNDLES))",
      { globals: ns }));
  };
  const trips = roundTrips(pyodide, bundle, job.comment_sets[job.roundtrip_set], job.roundtrip_rounds);
  const shippedResults = runTasks(true);
  for (const b of job.bundles) {
    const dir = `/bench/${b.name}`;
    pyodide.unpackArchive(new Uint8Array(readFileSync(b.wheel)), "wheel", { extractDir: dir });
    ns.set("_dir", dir);
    ns.set("_name", b.name);
    const ms = pyodide.runPython(
      "_m, _ns = timing.load_bundle(_dir, '_bench_' + _name.replace('-', '_')); BUNDLES[_name] = _m; _ns / 1e6",
      { globals: ns },
    );
    imports[b.name] = ms;
  }

  const results = [...shippedResults, ...runTasks(false)];
  const version = pyodide.version;
  ns.destroy();
  bundle.destroy();
  writeFileSync(
    outPath,
    JSON.stringify({ pyodide: version, startup, import_ms: imports, roundtrip: trips, tasks: results }),
  );
}

const args = process.argv.slice(2);
const run = args[0] === "--cold" ? cold(args[1]) : full(args[0], args[1]);
run.catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + "\n");
  process.exit(1);
});
