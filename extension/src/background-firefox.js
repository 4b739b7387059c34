// Firefox background page (Firefox has no offscreen documents): it hosts the same engine directly
// and answers the same messages as the Chrome service worker. Built into the Firefox package only.
import "./settings.js";
import { createEngine } from "./engine.js";

let status = { state: "starting" };
const engine = createEngine((s) => {
  status = s;
  browser.storage.session.set({ engine: s }).catch(() => {});
  browser.action.setBadgeText({ text: s.state === "ready" ? "" : s.state === "error" ? "!" : "…" });
});
browser.runtime.onConnect.addListener(engine.onConnect);

browser.runtime.onInstalled.addListener(async () => {
  const H = globalThis.HEED_SETTINGS;
  const stored = await browser.storage.local.get(H.KEY);
  await browser.storage.local.set({ [H.KEY]: H.normalize(stored[H.KEY], browser.i18n.getUILanguage()) });
});

browser.runtime.onMessage.addListener((msg, sender) => {
  if (sender.id !== browser.runtime.id || !msg || typeof msg.type !== "string") return undefined;
  if (msg.type === "ensure-engine") return Promise.resolve({ ok: status.state !== "error" });
  if (msg.type === "open-rule") {
    const rule = String(msg.rule || "").replace(/[^A-Za-z0-9_.-]/g, "");
    browser.tabs.create({ url: browser.runtime.getURL(`rules.html#${rule}`) });
  }
  if (msg.type === "open-options") browser.runtime.openOptionsPage();
  return undefined;
});
