// Toolbar popup: heed on/off for the current site and the engine's state. The current site is asked
// from the tab's content script, so the extension needs neither "tabs" nor host access to know it.
"use strict";
const H = globalThis.HEED_SETTINGS;
const $ = (id) => document.getElementById(id);
let settings = null;
let host = "";

const t = (key, ...subs) => H.t(settings.lang, key, ...subs);

async function currentTabId() {
  // Tests (and the keyboard-shortcut page) may open the popup as a page for a given tab: #tab=ID.
  const m = /^#tab=(\d+)$/.exec(location.hash);
  if (m) return Number(m[1]);
  const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
  return tab ? tab.id : null;
}

function renderEngine(status) {
  const state = (status && status.state) || "unknown";
  let text = t("popup_engine", t("state_" + (["starting", "ready", "error"].includes(state) ? state : "unknown")));
  if (state === "ready" && status.ms) text += ` (${(status.ms / 1000).toFixed(1)} s)`;
  $("engine").textContent = text;
  $("engine").dataset.state = state;
}

function render() {
  document.documentElement.lang = settings.lang;
  $("options").textContent = t("popup_options");
  if (host) {
    $("site-row").hidden = false;
    $("no-site").hidden = true;
    $("site-label").textContent = t("popup_site_on", host);
    $("site-on").checked = !H.siteIsOff(settings, host);
  } else {
    $("site-row").hidden = true;
    $("no-site").hidden = false;
    $("no-site").textContent = t("popup_no_site");
  }
}

async function init() {
  settings = H.normalize((await chrome.storage.local.get(H.KEY))[H.KEY], chrome.i18n.getUILanguage());
  const tabId = await currentTabId();
  if (tabId !== null) {
    try {
      const answer = await chrome.tabs.sendMessage(tabId, { type: "heed-site" }, { frameId: 0 });
      host = (answer && answer.host) || "";
    } catch {
      host = ""; // no content script there: a browser page, a file, or the store
    }
  }
  render();
  renderEngine((await chrome.storage.session.get("engine")).engine);
  chrome.storage.onChanged.addListener((changes, area) => {
    if (area === "session" && changes.engine) renderEngine(changes.engine.newValue);
    if (area === "local" && changes[H.KEY]) {
      settings = H.normalize(changes[H.KEY].newValue, chrome.i18n.getUILanguage());
      render();
    }
  });
  $("site-on").addEventListener("change", async (e) => {
    const site = host.toLowerCase();
    // Turning heed on again must also clear a parent-domain entry that covers this host.
    const offSites = e.target.checked
      ? settings.offSites.filter((s) => !(site === s || site.endsWith("." + s)))
      : [...settings.offSites, site];
    settings = H.normalize({ ...settings, offSites }, chrome.i18n.getUILanguage());
    await chrome.storage.local.set({ [H.KEY]: settings });
  });
  $("options").addEventListener("click", () => chrome.runtime.openOptionsPage());
}

init();
