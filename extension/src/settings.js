// Settings shared by every part of the extension. Written as a plain script that assigns to globalThis
// so content scripts (classic scripts), extension pages and the module service worker can all load it.
// Settings live in chrome.storage.local only: storage.sync would copy them to a server.
"use strict";

globalThis.HEED_SETTINGS = (() => {
  // The fixed category ids of the guidance (CATEGORIES.md), with the severity each one is shown at.
  const CATEGORIES = [
    ["warning-signs", "alert"],
    ["method-details", "alert"],
    ["suicide-language", "warning"],
    ["stigmatizing-labels", "warning"],
    ["mockery", "warning"],
    ["glorification", "warning"],
    ["single-cause", "warning"],
    ["simplistic-reassurance", "warning"],
    ["discouraging-help", "warning"],
    ["privacy-rumour", "warning"],
    ["ed-numbers", "warning"],
    ["ed-behaviours", "warning"],
    ["before-after", "warning"],
    ["relief-response", "warning"],
    ["reply-support", "suggestion"],
    ["helpline-suggestion", "suggestion"],
    ["recovery-hashtag", "suggestion"],
  ].map(([id, severity]) => ({ id, severity }));

  const LANGS = ["da", "en"];
  const COUNTRIES = ["DK", "GB", "IE", "US"];
  const KEY = "settings";

  // First guess from the browser's language: a region we have helplines for wins, else Danish
  // speakers get DK and everyone else GB.
  function guessDefaults(uiLanguage) {
    const tag = String(uiLanguage || "en").replace("_", "-");
    const [base, region] = tag.split("-");
    const lang = LANGS.includes(base.toLowerCase()) ? base.toLowerCase() : "en";
    const upper = (region || "").toUpperCase();
    const country = COUNTRIES.includes(upper) ? upper : lang === "da" ? "DK" : "GB";
    return { lang, country };
  }

  function uniqStrings(value) {
    return Array.isArray(value) ? [...new Set(value.filter((v) => typeof v === "string" && v))].sort() : [];
  }

  // Turns whatever is stored (possibly nothing, possibly from an older version) into a full settings
  // object, so callers never need to check fields.
  function normalize(raw, uiLanguage) {
    const d = guessDefaults(uiLanguage);
    const r = raw && typeof raw === "object" ? raw : {};
    return {
      lang: LANGS.includes(r.lang) ? r.lang : d.lang,
      country: COUNTRIES.includes(r.country) ? r.country : d.country,
      offCategories: uniqStrings(r.offCategories).filter((c) => CATEGORIES.some((k) => k.id === c)),
      offRules: uniqStrings(r.offRules),
      offSites: uniqStrings(r.offSites).map((s) => s.toLowerCase()),
    };
  }

  // A host is off when it, or a parent domain of it, is in the list ("example.com" covers
  // "www.example.com").
  function siteIsOff(settings, host) {
    const h = String(host || "").toLowerCase();
    return settings.offSites.some((s) => h === s || h.endsWith("." + s));
  }

  // Accepts "example.com", "https://example.com/path" or "*.example.com"; returns a bare host or "".
  function cleanSite(input) {
    let s = String(input || "").trim().toLowerCase();
    if (!s) return "";
    if (s.includes("://")) {
      try {
        s = new URL(s).hostname;
      } catch {
        return "";
      }
    }
    s = s.replace(/^\*\./, "").replace(/\/.*$/, "").replace(/:\d+$/, "");
    return /^[a-z0-9.-]+$/.test(s) && !s.startsWith(".") ? s : "";
  }

  // Message lookup in the chosen interface language (HEED_STRINGS is generated from _locales at
  // build time). Substitutes $1, $2 … like chrome.i18n does.
  function t(lang, key, ...subs) {
    const table = globalThis.HEED_STRINGS || {};
    const msg = (table[lang] && table[lang][key]) || (table.en && table.en[key]) || key;
    return msg.replace(/\$(\d)/g, (_, n) => String(subs[Number(n) - 1] ?? ""));
  }

  return { CATEGORIES, LANGS, COUNTRIES, KEY, guessDefaults, normalize, siteIsOff, cleanSite, t };
})();
