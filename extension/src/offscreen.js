// Offscreen document (Chrome): hosts the one engine every tab talks to.
import { createEngine } from "./engine.js";

const engine = createEngine((status) => {
  // The service worker keeps the status for the popup and the toolbar badge. It may be asleep; the
  // message wakes it. Errors only mean nobody listened yet.
  chrome.runtime.sendMessage({ type: "engine-status", status }).catch(() => {});
});
chrome.runtime.onConnect.addListener(engine.onConnect);
