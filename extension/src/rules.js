// The bundled rule reference: every rule of the compiled bundle (rules.json is written by
// extension/build.py from heed_bundle.rule_table()), grouped by category. The card's
// "About this rule" opens rules.html#RULE-ID.
"use strict";
const H = globalThis.HEED_SETTINGS;

function node(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "text") el.textContent = v;
    else el[k] = v;
  }
  el.append(...children.filter(Boolean));
  return el;
}

async function init() {
  const settings = H.normalize((await chrome.storage.local.get(H.KEY))[H.KEY], chrome.i18n.getUILanguage());
  const t = (key, ...subs) => H.t(settings.lang, key, ...subs);
  const data = await (await fetch("rules.json")).json();
  document.documentElement.lang = settings.lang;
  document.title = t("rules_title");
  document.getElementById("title").textContent = t("rules_title");
  document.getElementById("intro").textContent = t("rules_intro", `${data.version} (${data.rules_hash})`);
  const sections = H.CATEGORIES.map((cat) => {
    const rules = data.rules.filter((r) => r.category === cat.id);
    if (!rules.length) return null;
    return node(
      "section",
      { id: "category-" + cat.id },
      node("h2", {}, node("span", { className: "dot " + cat.severity }), document.createTextNode(t("cat_" + cat.id.replace(/-/g, "_")))),
      ...rules.map((r) => {
        const message = (r.message && (r.message[settings.lang] || r.message.en)) || "";
        return node(
          "article",
          { id: r.id },
          node("h3", { text: r.id }),
          node("p", { text: message }),
          node("p", { className: "muted", text: t("rules_reads", t("lang_" + r.lang)) + ` · ${t("sev_" + r.severity)}` }),
        );
      }),
    );
  });
  document.getElementById("rules").replaceChildren(...sections.filter(Boolean));
  // The anchor did not exist when the page loaded: scroll to it now.
  if (location.hash) document.getElementById(decodeURIComponent(location.hash.slice(1)))?.scrollIntoView();
}

init();
