// Options page: every change is saved at once to chrome.storage.local; content scripts pick it up
// through storage.onChanged.
"use strict";
const H = globalThis.HEED_SETTINGS;
let settings = null;
let rules = [];

const $ = (id) => document.getElementById(id);
const t = (key, ...subs) => H.t(settings.lang, key, ...subs);

function node(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "text") el.textContent = v;
    else if (k.startsWith("aria-") || k.startsWith("data-")) el.setAttribute(k, v);
    else el[k] = v;
  }
  el.append(...children.filter(Boolean));
  return el;
}

async function save(next) {
  settings = H.normalize(next, chrome.i18n.getUILanguage());
  await chrome.storage.local.set({ [H.KEY]: settings });
  render();
  $("status").textContent = t("opt_saved");
}

function render() {
  document.documentElement.lang = settings.lang;
  document.title = t("opt_title");
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  $("lang").value = settings.lang;

  const country = $("country");
  country.replaceChildren(...H.COUNTRIES.map((c) => node("option", { value: c, text: t("country_" + c) })));
  country.value = settings.country;

  // Categories grouped by how they are shown.
  const groups = ["alert", "warning", "suggestion"].map((sev) => {
    const items = H.CATEGORIES.filter((c) => c.severity === sev).map((c) => {
      const box = node("input", { type: "checkbox", id: "cat-" + c.id, checked: !settings.offCategories.includes(c.id) });
      box.dataset.category = c.id;
      box.addEventListener("change", () => {
        const off = new Set(settings.offCategories);
        if (box.checked) off.delete(c.id);
        else off.add(c.id);
        save({ ...settings, offCategories: [...off] });
      });
      return node("div", { className: "row" }, box, node("label", { htmlFor: box.id, text: t("cat_" + c.id.replace(/-/g, "_")) }));
    });
    return node(
      "fieldset",
      {},
      node("legend", {}, node("span", { className: "dot " + sev, "aria-hidden": "true" }), document.createTextNode(t("sev_" + sev))),
      node("p", { className: "sev", text: t("sev_" + sev + "_long") }),
      ...items,
    );
  });
  $("categories").replaceChildren(...groups);

  const off = settings.offRules.map((id) => {
    const rule = rules.find((r) => r.id === id);
    const label = rule ? `${t("cat_" + rule.category.replace(/-/g, "_"))}: ${id}` : id;
    const on = node("button", { type: "button", text: t("opt_rule_on"), "aria-label": `${t("opt_rule_on")}: ${id}` });
    on.dataset.rule = id;
    on.addEventListener("click", () => save({ ...settings, offRules: settings.offRules.filter((r) => r !== id) }));
    return node("li", {}, node("span", { text: label }), on);
  });
  $("rules-off").replaceChildren(...(off.length ? off : [node("li", { className: "muted", text: t("opt_none") })]));

  const sites = settings.offSites.map((site) => {
    const remove = node("button", { type: "button", text: "×", "aria-label": t("opt_site_remove", site) });
    remove.dataset.site = site;
    remove.addEventListener("click", () => save({ ...settings, offSites: settings.offSites.filter((s) => s !== site) }));
    return node("li", {}, node("span", { text: site }), remove);
  });
  $("sites").replaceChildren(...(sites.length ? sites : [node("li", { className: "muted", text: t("opt_none") })]));
}

async function init() {
  const stored = await chrome.storage.local.get(H.KEY);
  settings = H.normalize(stored[H.KEY], chrome.i18n.getUILanguage());
  try {
    rules = (await (await fetch("rules.json")).json()).rules || [];
  } catch {
    rules = [];
  }
  render();
  $("lang").addEventListener("change", (e) => save({ ...settings, lang: e.target.value }));
  $("country").addEventListener("change", (e) => save({ ...settings, country: e.target.value }));
  $("site-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const site = H.cleanSite($("site-input").value);
    if (!site) {
      $("site-error").textContent = t("opt_site_invalid");
      return;
    }
    $("site-error").textContent = "";
    $("site-input").value = "";
    save({ ...settings, offSites: [...settings.offSites, site] });
  });
  chrome.storage.onChanged.addListener((changes, area) => {
    if (area === "local" && changes[H.KEY]) {
      settings = H.normalize(changes[H.KEY].newValue, chrome.i18n.getUILanguage());
      render();
    }
  });
  // The controls are disabled in the page until now: a change made before the stored settings were
  // read would have had no listener, and render() would have put the stored value back over it.
  for (const id of ["lang", "country", "site-input"]) $(id).disabled = false;
  $("site-form").querySelector("button").disabled = false;
}

init();
