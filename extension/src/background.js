// Service worker (Chrome). It owns no engine itself: Pyodide lives in an offscreen document, because a
// service worker is stopped after ~30 s idle and would have to reload the interpreter. Content scripts
// connect straight to that document with chrome.runtime.connect; this worker only makes sure the
// document exists, keeps the engine status for the popup and opens extension pages.
import "./settings.js";

const OFFSCREEN_URL = "offscreen.html";
let creating = null;

async function engineDocumentExists() {
  const contexts = await chrome.runtime.getContexts({ contextTypes: ["OFFSCREEN_DOCUMENT"] });
  return contexts.length > 0;
}

// Creates the offscreen document once; concurrent callers share the same promise.
async function ensureEngine() {
  if (await engineDocumentExists()) return;
  if (!creating) {
    creating = chrome.offscreen
      .createDocument({
        url: OFFSCREEN_URL,
        reasons: ["WORKERS"],
        justification: "Runs the heed rules (Python in WebAssembly) on this device for every tab.",
      })
      .catch((err) => {
        // A second creation attempt racing the first reports "Only a single offscreen document";
        // that is success for us.
        if (!String(err && err.message).includes("single offscreen")) throw err;
      })
      .finally(() => {
        creating = null;
      });
  }
  await creating;
}

async function setStatus(status) {
  await chrome.storage.session.set({ engine: status });
  const text = status.state === "ready" ? "" : status.state === "error" ? "!" : "…";
  await chrome.action.setBadgeText({ text });
  if (text) await chrome.action.setBadgeBackgroundColor({ color: status.state === "error" ? "#9d174d" : "#6b7280" });
}

async function initSettings() {
  const H = globalThis.HEED_SETTINGS;
  const stored = await chrome.storage.local.get(H.KEY);
  const settings = H.normalize(stored[H.KEY], chrome.i18n.getUILanguage());
  await chrome.storage.local.set({ [H.KEY]: settings });
}

chrome.runtime.onInstalled.addListener(() => {
  initSettings().catch(console.error);
  ensureEngine().catch(console.error);
});
chrome.runtime.onStartup.addListener(() => {
  ensureEngine().catch(console.error);
});

chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  // Only our own content scripts and pages reach onMessage (no externally_connectable), but the
  // offscreen document also hears these broadcasts, so every branch checks the message type.
  if (sender.id !== chrome.runtime.id || !msg || typeof msg.type !== "string") return false;
  switch (msg.type) {
    case "ensure-engine":
      ensureEngine().then(
        () => sendResponse({ ok: true }),
        (err) => sendResponse({ ok: false, error: String(err) }),
      );
      return true;
    case "engine-status":
      setStatus(msg.status).catch(console.error);
      return false;
    case "open-rule": {
      const rule = String(msg.rule || "").replace(/[^A-Za-z0-9_.-]/g, "");
      chrome.tabs.create({ url: chrome.runtime.getURL(`rules.html#${rule}`) });
      return false;
    }
    case "open-options":
      chrome.runtime.openOptionsPage();
      return false;
    default:
      return false;
  }
});

// Whenever the worker wakes up (an event, or the browser starting), make sure the engine is there:
// the offscreen document can be gone after a crash or an update.
ensureEngine().catch(console.error);
