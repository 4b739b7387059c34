// The heed engine: Pyodide plus the compiled rule bundle, shared by every tab. Hosted by the offscreen
// document in Chrome and by the background page in Firefox. Content scripts connect with
// chrome.runtime.connect({name: "heed-engine"}) and send {t: "check", ed, v, texts, context}, where
// context is the text being replied to (or null) and applies to every text; the answer
// {t: "result", ed, v, results} carries the same editor id and version so the tab can drop stale
// answers. Everything is loaded from the extension package: nothing is fetched from the network (the
// extension pages' CSP, default-src 'self', would refuse it anyway).
import { loadPyodide } from "./pyodide/pyodide.mjs";

export const PORT_NAME = "heed-engine";
// Without 'wasm-unsafe-eval' loadPyodide never settles; a timeout turns that into a visible error.
const LOAD_TIMEOUT_MS = 60_000;
// Generous limits so a hostile page cannot make the engine chew on megabytes.
const MAX_TEXTS = 400;
const MAX_TEXT_CHARS = 20_000;
const MAX_CONTEXT_CHARS = 5_000; // the tab sends at most 1,500
// After start-up the bundle compiles its remaining regexes (seconds in all) in slices of about this
// long, between requests, so the first long comment of a session need not wait for them. A slice can
// overrun by one large pattern (a fifth of a second in Pyodide).
const WARM_SLICE_MS = 25;
// Slices wait until the writer has paused this long: a keystroke then never queues behind one (while
// someone types, the patterns their words need are compiled on first use, as without warming).
const WARM_IDLE_MS = 400;

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function fetchLocal(path, kind) {
  const response = await fetch(chrome.runtime.getURL(path));
  if (!response.ok) throw new Error(`missing ${path} in the extension package`);
  return kind === "json" ? response.json() : response.arrayBuffer();
}

// onStatus(status) is called on every state change: {state: "starting" | "ready" | "error", ...}.
export function createEngine(onStatus) {
  let status = { state: "starting" };
  let annotate = null;
  let warm = null; // the bundle's warm(), until it reports everything compiled
  let warmTimer = null;
  let warmStart = 0;
  let warmBusyMs = 0;
  let lastRequest = -Infinity; // when the last request came in (performance.now())
  let stats = {};
  const ports = new Set();
  const portIds = new WeakMap();
  let nextPortId = 1;
  // Only the newest request per editor is worth answering: older ones are replaced before they run.
  const pending = new Map();
  let scheduled = false;

  function post(port, msg) {
    try {
      port.postMessage(msg);
    } catch {
      ports.delete(port); // the tab went away between request and answer
    }
  }

  function setStatus(next) {
    status = next;
    onStatus(next);
    for (const port of ports) post(port, { t: "status", ...next });
  }

  async function start() {
    const t0 = performance.now();
    const meta = await fetchLocal("bundle/bundle.json", "json");
    const indexURL = chrome.runtime.getURL("pyodide/");
    const pyodide = await withTimeout(
      loadPyodide({
        indexURL,
        // Package loading is never used; pointing it at the package keeps any default CDN out.
        packageBaseUrl: indexURL,
        stdout: () => {},
        stderr: (line) => console.warn("[heed python]", line),
      }),
      LOAD_TIMEOUT_MS,
      "loadPyodide",
    );
    const t1 = performance.now();
    const wheel = await fetchLocal(`bundle/${meta.wheel}`, "bytes");
    pyodide.unpackArchive(new Uint8Array(wheel), "wheel");
    const bundle = pyodide.pyimport("heed_bundle");
    const t2 = performance.now();
    annotate = bundle.annotate_json;
    // Warm the regular expressions of both languages so the first real keystroke is fast.
    annotate("warm up: he committed suicide. han begik selvmord.");
    const t3 = performance.now();
    stats = {
      version: String(bundle.__version__ ?? meta.version),
      rulesHash: String(bundle.RULES_HASH ?? ""),
      pyodide: pyodide.version,
      loadMs: { runtime: Math.round(t1 - t0), bundle: Math.round(t2 - t1), warm: Math.round(t3 - t2) },
      readyMs: Math.round(t3 - t0),
      heap: () => pyodide._module?.HEAPU8?.length ?? 0,
      warmedMs: null, // from ready until warm() reported everything compiled
      warmBusyMs: 0, // of which spent compiling
    };
    // Older bundles have no warm(): they compile on first use only.
    if (typeof bundle.warm === "function") {
      warm = bundle.warm;
      warmStart = performance.now();
    }
    setStatus({ state: "ready", ms: stats.readyMs });
  }

  // One slice of warming, unless a request is waiting: requests are always answered first.
  function warmStep() {
    warmTimer = null;
    if (!warm) return;
    if (pending.size) return; // drain() runs next and schedules warming again
    if (performance.now() - lastRequest < WARM_IDLE_MS) return scheduleWarm(); // still typing
    const t0 = performance.now();
    let done = true;
    try {
      done = warm(WARM_SLICE_MS);
    } catch (err) {
      console.warn("heed engine: warming stopped", err); // hints still work, compiled on first use
    }
    warmBusyMs += performance.now() - t0;
    if (done) {
      warm.destroy?.();
      warm = null;
      stats.warmedMs = Math.round(performance.now() - warmStart);
      stats.warmBusyMs = Math.round(warmBusyMs);
      return;
    }
    scheduleWarm();
  }

  function scheduleWarm() {
    if (warm && warmTimer === null) {
      warmTimer = setTimeout(warmStep, Math.max(0, lastRequest + WARM_IDLE_MS - performance.now()));
    }
  }

  function drain() {
    scheduled = false;
    if (!annotate) return; // answered once the engine is ready
    const jobs = [...pending.values()];
    pending.clear();
    for (const { port, msg } of jobs) {
      const t0 = performance.now();
      try {
        // The text replied to, for these texts only. Passed by keyword: Pyodide turns a JS null into
        // jsnull, not None, so "no context" means leaving the argument out.
        const results = msg.context
          ? msg.texts.map((text) => annotate.callKwargs(text, { context: msg.context }))
          : msg.texts.map((text) => annotate(text));
        post(port, { t: "result", ed: msg.ed, v: msg.v, results, ms: performance.now() - t0 });
      } catch (err) {
        post(port, { t: "result", ed: msg.ed, v: msg.v, error: String(err && err.message) });
      }
    }
    scheduleWarm();
  }

  function schedule() {
    lastRequest = performance.now();
    if (scheduled || !annotate) return;
    scheduled = true;
    setTimeout(drain, 0);
  }

  function valid(msg) {
    return (
      msg &&
      msg.t === "check" &&
      Number.isSafeInteger(msg.ed) &&
      Number.isSafeInteger(msg.v) &&
      Array.isArray(msg.texts) &&
      msg.texts.length <= MAX_TEXTS &&
      msg.texts.every((s) => typeof s === "string" && s.length <= MAX_TEXT_CHARS) &&
      (msg.context == null || (typeof msg.context === "string" && msg.context.length <= MAX_CONTEXT_CHARS))
    );
  }

  function onConnect(port) {
    if (port.name !== PORT_NAME) return;
    // runtime.onConnect only fires for our own extension's contexts; check anyway.
    if (!port.sender || port.sender.id !== chrome.runtime.id) {
      port.disconnect();
      return;
    }
    const id = nextPortId++;
    portIds.set(port, id);
    ports.add(port);
    post(port, { t: "status", ...status });
    port.onMessage.addListener((msg) => {
      if (msg && msg.t === "stats") {
        post(port, {
          t: "stats",
          ...status,
          version: stats.version,
          rulesHash: stats.rulesHash,
          pyodide: stats.pyodide,
          loadMs: stats.loadMs,
          readyMs: stats.readyMs,
          warmedMs: stats.warmedMs ?? null,
          warmBusyMs: stats.warmBusyMs ?? 0,
          wasmHeapBytes: stats.heap ? stats.heap() : 0,
          jsHeapBytes: performance.memory ? performance.memory.usedJSHeapSize : null,
        });
        return;
      }
      if (!valid(msg)) return;
      pending.set(`${id}:${msg.ed}`, { port, msg });
      schedule();
    });
    port.onDisconnect.addListener(() => {
      ports.delete(port);
      for (const key of [...pending.keys()]) if (key.startsWith(`${id}:`)) pending.delete(key);
    });
  }

  onStatus(status);
  start().then(schedule, (err) => {
    console.error("heed engine failed to start", err);
    setStatus({ state: "error", error: String(err && err.message) });
  });

  return { onConnect, getStatus: () => status };
}
