// heed content script: watches text boxes, asks the shared engine about their text and
// draws marks, the hint card and the support panel. It never blocks typing: checking is asynchronous
// and everything it draws lives in one overlay (an open shadow root) outside the page's layout.
// Text from the page only ever reaches the DOM through textContent / text nodes.
(() => {
  "use strict";
  if (globalThis.__heedContent) return; // injected twice (e.g. extension reload): keep the first
  globalThis.__heedContent = true;

  const H = globalThis.HEED_SETTINGS;
  const PORT_NAME = "heed-engine";
  // The answer cache is kept under this many characters of checked text (least recently used go).
  const CACHE_MAX_CHARS = 2_000_000;
  const MAX_EDITOR_CHARS = 1_000_000; // a box holding more than this is not checked at all
  const MAX_TEXTS = 400; // per request, and
  const MAX_TEXT_CHARS = 20_000; // per text: the engine's limits (engine.js)
  // Up to this length (UTF-16 units) the whole text is checked on every change: many rules look at
  // the whole text ("when text has …", "once"), and a 3,000-character text takes about 5 ms in the
  // engine. Longer texts are checked paragraph by paragraph, and only edited paragraphs are sent.
  const WHOLE_TEXT_MAX = 3000;
  const MAX_EDITORS = 60;
  const TICK_MS = 500;
  const HOVER_DELAY_MS = 250;
  const TEXT_INPUT_TYPES = new Set(["text", "search"]);
  // Cards that list the chosen country's lines of their rule, under which heading (alerts show theirs in
  // the support panel): helplines to share, and eating-disorder support for hints about eating and bodies.
  const CARD_LINES = new Map([
    ["reply-support", "card_helplines"], ["helpline-suggestion", "card_helplines"],
    ["ed-numbers", "card_ed_support"], ["ed-behaviours", "card_ed_support"], ["before-after", "card_ed_support"],
    ["recovery-hashtag", "card_ed_support"],
  ]);
  const NAV_KEYS = new Set(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End", "PageUp", "PageDown"]);
  const BLOCK_TAGS = new Set([
    "ADDRESS", "ARTICLE", "ASIDE", "BLOCKQUOTE", "DD", "DETAILS", "DIV", "DL", "DT", "FIELDSET", "FIGCAPTION",
    "FIGURE", "FOOTER", "FORM", "H1", "H2", "H3", "H4", "H5", "H6", "HEADER", "HR", "LI", "MAIN", "NAV", "OL",
    "P", "PRE", "SECTION", "SUMMARY", "TABLE", "TD", "TH", "TR", "UL",
  ]);
  const SKIP_TAGS = new Set(["SCRIPT", "STYLE", "TEMPLATE", "NOSCRIPT", "TEXTAREA", "INPUT", "SELECT"]);
  // What a mirror must share with a textarea for its text to wrap at the same places.
  const MIRROR_PROPS = [
    "fontFamily", "fontSize", "fontWeight", "fontStyle", "fontVariant", "fontStretch", "fontKerning",
    "fontFeatureSettings", "fontVariationSettings", "lineHeight", "letterSpacing", "wordSpacing",
    "textTransform", "textIndent", "tabSize", "whiteSpace", "wordBreak", "overflowWrap", "direction",
    "textAlign", "textRendering", "hyphens",
  ];

  let settings = H.normalize(null, navigator.language);
  let running = false;
  let engine = { state: "unknown" };
  let port = null;
  let reconnecting = false;
  let nextEditorId = 1;
  const editors = new Map(); // element -> editor state
  const editorsById = new Map();
  // Context tag + checked text (whole or paragraph) -> hints with offsets relative to the text. The tag
  // ("0:" for no context, else the context's id and ":") keeps answers for different contexts apart.
  const cache = new Map();
  let ui = null;
  let renderQueued = false;
  let boxes = []; // laid-out marks for hit testing: {left, top, right, bottom, ed, g}
  let card = null; // {ed, g, why: "hover" | "caret" | "click" | "key"}
  let hoverTimer = 0;
  let hideTimer = 0;
  let panelState = { key: "", hidden: false };
  let lastFocused = null;
  let tickTimer = 0;
  let renderCount = 0;

  const t = (key, ...subs) => H.t(settings.lang, key, ...subs);
  const catKey = (id) => "cat_" + id.replace(/-/g, "_");

  // ---------------------------------------------------------------- editors

  function deepTarget(event) {
    const path = event.composedPath ? event.composedPath() : [];
    return path.length ? path[0] : event.target;
  }

  // The editable element an event target belongs to, or null. Works inside open shadow roots because
  // callers pass composedPath()[0].
  function editorFor(node) {
    if (!node || node.nodeType !== 1) node = node && node.parentElement;
    if (!node || (ui && ui.host.contains(node))) return null;
    if (node instanceof HTMLTextAreaElement) return node.readOnly || node.disabled ? null : node;
    if (node instanceof HTMLInputElement) {
      return TEXT_INPUT_TYPES.has(node.type) && !node.readOnly && !node.disabled ? node : null;
    }
    if (!node.isContentEditable) return null;
    let host = node;
    while (host.parentElement && host.parentElement.isContentEditable) host = host.parentElement;
    return host;
  }

  // A box resized (by its handle, the page or the window) rewraps its text: redraw.
  const resizeObserver = new ResizeObserver(() => scheduleRender());

  function track(el) {
    let ed = editors.get(el);
    if (ed) return ed;
    if (editors.size >= MAX_EDITORS) untrack(editors.values().next().value);
    const kind = el instanceof HTMLTextAreaElement ? "textarea" : el instanceof HTMLInputElement ? "input" : "rich";
    ed = {
      id: nextEditorId++, el, kind, text: "", version: 0, hints: [], visible: [], pending: false,
      requests: new Map(), model: null, mirror: null, observer: null, ignored: new Set(), sig: "",
      lastCount: 0, context: undefined, ctxTag: "0:",
    };
    if (kind === "rich") {
      // Rich editors (React/Draft.js style) may rebuild their DOM without an input event; watching
      // mutations catches every change, including ones the site makes itself.
      ed.observer = new MutationObserver(() => refresh(ed));
      ed.observer.observe(el, { childList: true, characterData: true, subtree: true });
    }
    editors.set(el, ed);
    editorsById.set(ed.id, ed);
    resizeObserver.observe(el);
    return ed;
  }

  function untrack(ed) {
    if (!ed) return;
    if (ed.observer) ed.observer.disconnect();
    if (ed.mirror) ed.mirror.remove();
    resizeObserver.unobserve(ed.el);
    editors.delete(ed.el);
    editorsById.delete(ed.id);
    if (card && card.ed === ed) closeCard(false);
  }

  // ---------------------------------------------------------------- reply context

  // Some rules depend on the text being replied to (the bundle's `context`): support steps when it
  // shows warning signs, and no relief when it denies thoughts of suicide. The context is found on the
  // page, conservatively (no context is the safe answer: those rules then stay silent), and goes only
  // to the engine, with the reply.
  const CONTEXT_MAX_CHARS = 1500; // the end of a long post is the part nearest the reply box
  const CONTEXT_MIN_WORDS = 3; // less than this above the box is a label or a name, not a post
  const CONTEXT_MAX_DEPTH = 12; // ancestors looked at above the box
  const CONTEXT_SCAN_MAX = 20_000; // a unit with more text than this is a page or a thread, not a post
  // Page furniture whose text is not part of a post: names and times are links, actions are buttons,
  // headings name the section ("Leave a reply"), other forms and boxes are someone's draft.
  const CONTEXT_SKIP_TAGS = new Set([
    "script", "style", "template", "noscript", "textarea", "input", "select", "option", "button", "label",
    "a", "h1", "h2", "h3", "h4", "h5", "h6", "nav", "header", "footer", "form", "svg", "math", "iframe",
    "object", "audio", "video", "canvas", "dialog", "heed-overlay",
  ]);
  const CONTEXT_SKIP_ROLES = new Set([
    "button", "link", "navigation", "banner", "contentinfo", "toolbar", "menu", "menubar", "tablist",
    "search", "form", "status", "tooltip", "heading", "textbox", "dialog", "alertdialog",
  ]);
  // Beyond these the box belongs to the page, not to any one post.
  const CONTEXT_STOP_TAGS = new Set(["body", "html", "main"]);
  const CONTEXT_STOP_ROLES = new Set(["main", "feed", "document", "application", "dialog"]);
  const isPostUnit = (n) => n.localName === "article" || ["article", "comment"].includes(n.getAttribute("role"));

  // The element above `node`, stepping out of shadow roots to their host.
  function parentAcross(node) {
    if (node.parentElement) return node.parentElement;
    const root = node.getRootNode();
    return root instanceof ShadowRoot ? root.host : null;
  }

  const wordCount = (s) => s.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;

  // Whitespace collapsed, blocks on their own lines, and only the last CONTEXT_MAX_CHARS characters
  // (cut at a space, never inside a word or a surrogate pair).
  function tidyContext(raw) {
    let text = raw
      .split("\n")
      .map((line) => line.replace(/\s+/g, " ").trim())
      .filter(Boolean)
      .join("\n");
    if (text.length > CONTEXT_MAX_CHARS) {
      text = text.slice(-CONTEXT_MAX_CHARS);
      const cut = text.search(/\s/);
      text = cut >= 0 ? text.slice(cut + 1) : text.replace(/^[\udc00-\udfff]/, "");
    }
    return text;
  }

  // Text shown inside `unit` before the editor, without page furniture. `nested` is "drop" (a post's
  // own text without the replies nested in it) or "keep". Also notes whole posts and lists met on the
  // way: a box below a list of posts (or of plain list items) answers none of them in particular.
  // `path` holds the editor's ancestors and the shadow roots between them.
  function textBefore(unit, editor, path, nested) {
    const out = { text: "", posts: 0, lists: 0 };
    let done = false;
    const inside = (n) => (n.shadowRoot && path.has(n.shadowRoot) ? n.shadowRoot : n);
    const walk = (node, inList) => {
      for (let c = node.firstChild; c && !done; c = c.nextSibling) {
        if (c === editor) {
          done = true;
          return;
        }
        if (c.nodeType === Node.TEXT_NODE) {
          out.text += c.data;
          continue;
        }
        if (c.nodeType !== Node.ELEMENT_NODE) continue;
        if (c.localName === "br") {
          out.text += "\n";
          continue;
        }
        if (path.has(c)) {
          // The box's own form holds labels and instructions, not the post.
          if (c.localName === "form" || c.getAttribute("role") === "form") {
            done = true;
            return;
          }
          walk(inside(c), inList);
          continue;
        }
        if (CONTEXT_SKIP_TAGS.has(c.localName) || CONTEXT_SKIP_ROLES.has(c.getAttribute("role"))) continue;
        if (c.hidden || c.getAttribute("aria-hidden") === "true" || c.isContentEditable) continue;
        // Hidden text is no part of the post (display: contents has no box but shows its children).
        if (c.checkVisibility && !c.checkVisibility() && getComputedStyle(c).display !== "contents") continue;
        if (isPostUnit(c)) {
          out.posts++;
          if (inList) out.lists++;
          if (nested === "drop") continue;
        }
        const list = c.localName === "ul" || c.localName === "ol";
        if (list && c.children.length > 1) out.lists++;
        const block = BLOCK_TAGS.has(c.tagName);
        if (block) out.text += "\n";
        // A component's own (shadow) text is shown only where it has no light children to slot.
        walk(c.shadowRoot && !c.firstChild ? c.shadowRoot : c, inList || list);
        if (block) out.text += "\n";
      }
    };
    walk(inside(unit), false);
    return out;
  }

  // The nearest post that holds the box: an <article> or role=article/comment (its own text, without
  // replies nested in it), or a <div>/<li> with a post's worth of text above the box. Null when there
  // is none, or when a <div>/<li> has several posts or a list above the box (a thread).
  function guessContext(editor) {
    const units = [];
    const path = new Set();
    for (let n = editor; n && units.length < CONTEXT_MAX_DEPTH; ) {
      if (n.parentElement) n = n.parentElement;
      else {
        const root = n.getRootNode();
        if (!(root instanceof ShadowRoot)) break;
        path.add(root);
        n = root.host;
      }
      units.push(n);
      path.add(n);
    }
    for (const unit of units) {
      if (CONTEXT_STOP_TAGS.has(unit.localName) || CONTEXT_STOP_ROLES.has(unit.getAttribute("role"))) return null;
      const post = isPostUnit(unit);
      if (!post && unit.localName !== "div" && unit.localName !== "li") continue;
      if ((unit.textContent || "").length > CONTEXT_SCAN_MAX) return null;
      const found = textBefore(unit, editor, path, post ? "drop" : "keep");
      if (!post && (found.posts > 1 || found.lists)) return null;
      const text = tidyContext(found.text);
      if (wordCount(text) >= CONTEXT_MIN_WORDS) return text;
      if (post) return null; // the post that holds the box has nothing above it
    }
    return null;
  }

  // What the box replies to. Explicit hooks first, for sites and site adapters:
  //   data-heed-context="text" on the box or an ancestor ("" means: no context, do not guess);
  //   data-heed-context-for="id …" on the box: the elements whose text is the post.
  // Then the guess above, and last aria-describedby="id …" on the box: it more often names a hint
  // ("Markdown is supported") than the post, so it only counts when the page shows no post around
  // the box, and never for text inside the box's own form.
  function findContext(editor) {
    for (let n = editor; n; n = parentAcross(n)) {
      if (n.hasAttribute("data-heed-context")) return tidyContext(n.getAttribute("data-heed-context")) || null;
    }
    const root = editor.getRootNode();
    const byIds = (attr) =>
      (editor.getAttribute(attr) || "")
        .split(/\s+/)
        .filter(Boolean)
        .map((id) => (root.getElementById ? root.getElementById(id) : document.getElementById(id)))
        .filter((n) => n && n !== editor && !n.contains(editor) && !editor.contains(n));
    const named = byIds("data-heed-context-for");
    if (named.length) return tidyContext(named.map((n) => n.textContent).join("\n")) || null;
    const guess = guessContext(editor);
    if (guess) return guess;
    const form = editor.closest("form");
    const described = byIds("aria-describedby").filter((n) => !(form && form.contains(n)));
    const text = tidyContext(described.map((n) => n.textContent).join("\n"));
    return wordCount(text) >= CONTEXT_MIN_WORDS ? text : null;
  }

  // Context ids keep cache keys short: a checked text is cached under its context's id.
  const contextIds = new Map();
  let nextContextId = 1;

  // Recomputes the editor's context (on tracking and on every focus); true when it changed.
  function updateContext(ed) {
    let context = null;
    try {
      context = findContext(ed.el);
    } catch (err) {
      console.warn("heed: reply context", err); // a strange page must not stop the checking
    }
    if (context === ed.context) return false;
    ed.context = context;
    if (context && !contextIds.has(context)) {
      contextIds.set(context, nextContextId++);
      if (contextIds.size > 200) contextIds.delete(contextIds.keys().next().value);
    }
    ed.ctxTag = context ? contextIds.get(context) + ":" : "0:";
    return true;
  }

  // ---------------------------------------------------------------- text model

  // A contenteditable's text as one string with "\n" between blocks, plus the text nodes it came
  // from so offsets can be turned back into DOM positions.
  function buildModel(root) {
    const segs = [];
    const byNode = new Map();
    let text = "";
    const newline = () => {
      if (text && !text.endsWith("\n")) text += "\n";
    };
    const walk = (node) => {
      for (let c = node.firstChild; c; c = c.nextSibling) {
        if (c.nodeType === Node.TEXT_NODE) {
          if (!c.data) continue;
          const seg = { node: c, start: text.length, len: c.data.length };
          segs.push(seg);
          byNode.set(c, seg);
          text += c.data;
        } else if (c.nodeType === Node.ELEMENT_NODE) {
          if (c.tagName === "BR") {
            text += "\n";
            continue;
          }
          if (SKIP_TAGS.has(c.tagName)) continue;
          const block = BLOCK_TAGS.has(c.tagName);
          if (block) newline();
          walk(c);
          if (block) newline();
        }
      }
    };
    walk(root);
    return { text: text.replace(/\n$/, ""), segs, byNode };
  }

  function readText(ed) {
    if (ed.kind !== "rich") return ed.el.value;
    ed.model = buildModel(ed.el);
    return ed.model.text;
  }

  // Text-node ranges covering [s, e) of the model, one per text node, so that rectangles come from
  // text only (a Range across elements would also report whole element boxes).
  function modelRanges(model, s, e) {
    const out = [];
    for (const seg of model.segs) {
      const a = Math.max(s, seg.start);
      const b = Math.min(e, seg.start + seg.len);
      if (a >= b) continue;
      if (!seg.node.isConnected) return null;
      const r = document.createRange();
      r.setStart(seg.node, a - seg.start);
      r.setEnd(seg.node, b - seg.start);
      out.push(r);
    }
    return out;
  }

  function modelPoint(model, offset, preferNext) {
    for (let i = 0; i < model.segs.length; i++) {
      const seg = model.segs[i];
      const end = seg.start + seg.len;
      if (offset < end || (offset === end && !(preferNext && model.segs[i + 1]?.start === end))) {
        if (offset >= seg.start) return { node: seg.node, offset: offset - seg.start };
      }
    }
    const last = model.segs[model.segs.length - 1];
    return last ? { node: last.node, offset: last.len } : null;
  }

  function modelOffset(model, node, offset) {
    if (!node) return -1;
    const seg = model.byNode.get(node);
    if (seg) return seg.start + Math.min(offset, seg.len);
    const probe = document.createRange();
    try {
      probe.setStart(node, offset);
    } catch {
      return -1;
    }
    for (const s of model.segs) if (probe.comparePoint(s.node, 0) >= 0) return s.start;
    return model.text.length;
  }

  function selectionFor(el) {
    const root = el.getRootNode();
    return (root.getSelection && root.getSelection()) || document.getSelection();
  }

  function caretOffset(ed) {
    if (ed.kind !== "rich") {
      return ed.el.selectionStart === ed.el.selectionEnd ? ed.el.selectionStart : -1;
    }
    const sel = selectionFor(ed.el);
    if (!sel || !sel.rangeCount || !sel.isCollapsed || !ed.model) return -1;
    return modelOffset(ed.model, sel.anchorNode, sel.anchorOffset);
  }

  // ---------------------------------------------------------------- checking

  // The pieces of a text that are checked (and cached) separately: the whole text when it is short,
  // else its paragraphs.
  function paragraphs(text) {
    // No-break spaces (contenteditable inserts them while typing) are plain spaces to the rules;
    // same length, so offsets are unchanged.
    if (text.length <= WHOLE_TEXT_MAX) return [{ start: 0, text: text.replace(/\u00a0/g, " ") }];
    const out = [];
    let start = 0;
    for (const line of text.split("\n")) {
      out.push({ start, text: line.replace(/\u00a0/g, " ") });
      start += line.length + 1;
    }
    return out;
  }

  let cacheChars = 0;
  function cachePut(text, hints) {
    if (cache.has(text)) return;
    cache.set(text, hints);
    cacheChars += text.length;
    while (cacheChars > CACHE_MAX_CHARS && cache.size > 1) {
      const oldest = cache.keys().next().value;
      cache.delete(oldest);
      cacheChars -= oldest.length;
    }
  }

  // A cache read that also marks the entry as recently used.
  function cacheGet(text) {
    const hints = cache.get(text);
    if (hints) {
      cache.delete(text);
      cache.set(text, hints);
    }
    return hints;
  }

  // Keeps earlier marks usable while a new answer is on its way: marks before the edit stay, marks
  // after it move with the text, marks touching it go.
  function shiftHints(hints, before, after) {
    const max = Math.min(before.length, after.length);
    let p = 0;
    while (p < max && before.charCodeAt(p) === after.charCodeAt(p)) p++;
    let q = 0;
    while (q < max - p && before.charCodeAt(before.length - 1 - q) === after.charCodeAt(after.length - 1 - q)) q++;
    const editEnd = before.length - q;
    const delta = after.length - before.length;
    return hints
      .filter((g) => g.e <= p || g.s >= editEnd)
      .map((g) => (g.s >= editEnd ? { ...g, s: g.s + delta, e: g.e + delta } : g));
  }

  function hintsFromCache(ed, paras) {
    const out = [];
    for (const p of paras) {
      if (!p.text.trim()) continue;
      for (const raw of cacheGet(ed.ctxTag + p.text) || []) {
        const s = p.start + raw.start_utf16;
        const e = p.start + raw.end_utf16;
        out.push({ raw, s, e, key: raw.rule + "|" + p.text.slice(raw.start_utf16, raw.end_utf16).toLowerCase() });
      }
    }
    return out;
  }

  // Called on every change of an editor. Cheap when nothing changed; only pieces that are not
  // cached go to the engine.
  function refresh(ed, force = false) {
    if (!running) return;
    if (ed.context === undefined) updateContext(ed);
    const full = readText(ed);
    const text = full.length > MAX_EDITOR_CHARS ? "" : full;
    if (text === ed.text && !force) return;
    if (text !== ed.text) {
      ed.hints = shiftHints(ed.hints, ed.text, text);
      ed.text = text;
    }
    ed.version++;
    const paras = paragraphs(text);
    const tag = ed.ctxTag;
    for (const p of paras) if (p.text.length > MAX_TEXT_CHARS) cachePut(tag + p.text, []); // beyond the engine's limit
    // At most MAX_TEXTS per request; the rest go once the answer is in (see onEngineMessage).
    const missing = [...new Set(paras.map((p) => p.text).filter((s) => s.trim() && !cache.has(tag + s)))].slice(0, MAX_TEXTS);
    if (missing.length) {
      ed.pending = true;
      // Said at once (not at the next frame) so that nobody mistakes the old marks for the answer.
      if (ui) ui.layer.setAttribute("data-heed-state", "pending");
      send(ed, missing);
    } else {
      ed.pending = false;
      ed.hints = hintsFromCache(ed, paras);
    }
    scheduleRender();
  }

  function send(ed, texts) {
    // The context goes with the texts (to the engine only) and its tag files the answers.
    ed.requests.set(ed.version, { texts, tag: ed.ctxTag });
    // Requests older than the newest few can never be used for rendering; their texts still fill
    // the cache if answered, but we do not need to remember them.
    for (const v of ed.requests.keys()) if (v < ed.version - 8) ed.requests.delete(v);
    const p = connect();
    if (!p) return;
    try {
      p.postMessage({ t: "check", ed: ed.id, v: ed.version, texts, context: ed.context || null });
    } catch {
      port = null;
    }
  }

  function onEngineMessage(msg) {
    if (!msg || typeof msg !== "object") return;
    if (msg.t === "status") {
      engine = { state: msg.state, error: msg.error };
      scheduleRender();
      return;
    }
    if (msg.t !== "result") return;
    const ed = editorsById.get(msg.ed);
    if (!ed) return;
    const sent = ed.requests.get(msg.v);
    ed.requests.delete(msg.v);
    if (msg.error || !sent || !Array.isArray(msg.results)) {
      if (msg.error) console.warn("heed: engine error", msg.error);
      return;
    }
    engine = { state: "ready" };
    retryDelay = 0;
    sent.texts.forEach((text, i) => {
      try {
        cachePut(sent.tag + text, JSON.parse(msg.results[i]));
      } catch {
        /* a malformed answer is treated as no hints for that paragraph */
      }
    });
    if (msg.v !== ed.version) return; // stale: a newer request is on its way
    const paras = paragraphs(ed.text);
    if (paras.every((p) => !p.text.trim() || cache.has(ed.ctxTag + p.text))) {
      ed.pending = false;
      ed.hints = hintsFromCache(ed, paras);
      // Draw now rather than at the next animation frame: the marks are then ready for the very
      // next paint, which keeps keystroke-to-mark within a frame.
      render();
    } else {
      refresh(ed, true);
    }
  }

  // One port per frame to the engine (the offscreen document). If the engine is not there yet the
  // port closes at once; the service worker is then asked to start it and we reconnect.
  function connect() {
    if (port) return port;
    if (!chrome.runtime || !chrome.runtime.id) {
      stop(); // the extension was reloaded or removed: this script is orphaned
      return null;
    }
    try {
      port = chrome.runtime.connect({ name: PORT_NAME });
    } catch {
      port = null;
      return null;
    }
    const mine = port;
    mine.onMessage.addListener(onEngineMessage);
    mine.onDisconnect.addListener(() => {
      void chrome.runtime.lastError;
      if (port === mine) port = null;
      if (!running) return;
      engine = { state: "starting" };
      scheduleRender();
      wakeEngine();
    });
    return port;
  }

  // Retries wait longer each time the engine cannot be reached (up to 10 s), so a broken engine
  // does not turn into a busy loop; an answer resets the wait.
  let retryDelay = 0;
  function wakeEngine() {
    if (reconnecting) return;
    reconnecting = true;
    const retry = () => {
      reconnecting = false;
      if (!running) return;
      for (const ed of editors.values()) if (ed.pending) refresh(ed, true);
    };
    const later = () => setTimeout(retry, retryDelay);
    retryDelay = Math.min(10_000, retryDelay ? retryDelay * 2 : 50);
    chrome.runtime.sendMessage({ type: "ensure-engine" }).then(later, later);
  }

  // ---------------------------------------------------------------- overlay

  const CSS = `
    :host { all: initial; }
    .layer, .mirrors { position: fixed; left: 0; top: 0; width: 0; height: 0; pointer-events: none; }
    .mirror { position: fixed; left: 0; top: 0; visibility: hidden; pointer-events: none; margin: 0;
      padding: 0; border: 0; box-sizing: content-box; overflow: hidden; }
    .mark { position: fixed; pointer-events: none; box-sizing: border-box; border-radius: 1px; }
    .mark.sev-warning { border-bottom: 2px solid #b45309; background: rgba(217, 119, 6, 0.10); }
    .mark.sev-alert { border-bottom: 2px solid #9d174d; background: rgba(190, 24, 93, 0.10); }
    .mark.sev-suggestion { border-bottom: 2px dotted #1d4ed8; }
    .mark.current { outline: 2px solid #2563eb; outline-offset: 1px; }
    .card, .panel, .pill, .status { position: fixed; pointer-events: auto; box-sizing: border-box;
      font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2937;
      background: #ffffff; border: 1px solid #cbd5e1; border-radius: 10px;
      box-shadow: 0 6px 24px rgba(15, 23, 42, 0.18); text-align: left; direction: ltr; }
    .card { width: 340px; max-width: calc(100vw - 16px); padding: 12px 14px; }
    .card[hidden], .panel[hidden], .pill[hidden], .status[hidden] { display: none; }
    .head { display: flex; align-items: center; gap: 8px; margin: 0 0 6px; }
    .dot { width: 10px; height: 10px; border-radius: 50%; flex: none; }
    .dot.sev-warning { background: #b45309; } .dot.sev-alert { background: #9d174d; }
    .dot.sev-suggestion { background: #1d4ed8; }
    h2, h3 { font-family: inherit; font-size: 15px; font-weight: 600; line-height: 1.3; margin: 0; flex: 1; color: #111827; }
    p { margin: 0 0 8px; }
    .label { font-size: 13px; color: #4b5563; margin: 6px 0 4px; }
    .sugs { display: flex; flex-wrap: wrap; gap: 6px; margin-bottom: 8px; }
    .actions { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
    button { font: inherit; font-size: 13px; cursor: pointer; border-radius: 6px; padding: 4px 10px;
      border: 1px solid #94a3b8; background: #f8fafc; color: #1f2937; }
    button:hover { background: #eef2f7; }
    button.sug { background: #0f766e; border-color: #0f766e; color: #ffffff; font-weight: 600; }
    button.sug:hover { background: #115e59; }
    button.link { border: 0; background: none; color: #1d4ed8; text-decoration: underline; padding: 4px 2px; }
    button.close { border: 0; background: none; font-size: 18px; line-height: 1; padding: 2px 6px; color: #4b5563; }
    button:focus-visible, a:focus-visible { outline: 2px solid #2563eb; outline-offset: 2px; }
    .keys { font-size: 12px; color: #4b5563; margin: 8px 0 0; }
    .panel { width: 320px; max-width: calc(100vw - 16px); padding: 14px 16px; background: #f0fdfa;
      border-color: #99f6e4; }
    ul.lines { list-style: none; margin: 6px 0 10px; padding: 0; }
    ul.lines li { margin: 0 0 8px; padding: 8px 10px; background: #ffffff; border-radius: 8px; border: 1px solid #ccfbf1; }
    .card ul.lines li { background: #f0fdfa; padding: 6px 10px; }
    .lines .name { font-weight: 600; display: block; }
    .lines a { color: #0f5f58; font-weight: 600; margin-right: 10px; }
    .panel .small, .lines .small { font-size: 12px; color: #374151; }
    .pill { border-radius: 999px; padding: 4px 12px; background: #f0fdfa; border-color: #5eead4; color: #0f5f58;
      font-weight: 600; font-size: 13px; }
    .status { border-radius: 999px; padding: 2px 10px; font-size: 12px; color: #374151; pointer-events: none;
      background: #f8fafc; box-shadow: none; }
    .sr { position: fixed; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
  `;

  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("data-") || k.startsWith("aria-") || k === "role") node.setAttribute(k, v);
      else node[k] = v;
    }
    for (const c of children) if (c) node.append(c);
    return node;
  }

  function ensureUI() {
    if (ui) {
      if (!ui.host.isConnected) document.documentElement.append(ui.host);
      return ui;
    }
    const host = document.createElement("heed-overlay");
    // Inline styles through the CSSOM (not a style attribute), so strict-CSP pages allow them.
    for (const [k, v] of [["position", "fixed"], ["left", "0"], ["top", "0"], ["width", "0"], ["height", "0"],
      ["z-index", "2147483647"], ["pointer-events", "none"], ["display", "block"], ["contain", "none"]]) {
      host.style.setProperty(k, v, "important");
    }
    const root = host.attachShadow({ mode: "open" });
    // A constructed stylesheet is not an inline <style>, so a page's style-src CSP does not block it.
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
    const layer = el("div", { class: "layer", "data-heed-layer": "" });
    const mirrors = el("div", { class: "mirrors", "aria-hidden": "true" });
    const cardEl = el("div", { class: "card", role: "dialog", "aria-modal": "false", hidden: true, "data-heed-card": "" });
    const panel = el("aside", { class: "panel", hidden: true, "data-heed-panel": "" });
    const pill = el("button", { class: "pill", hidden: true, "data-heed-pill": "" });
    const status = el("div", { class: "status", role: "status", hidden: true, "data-heed-status": "" });
    const live = el("div", { class: "sr", "aria-live": "polite", "data-heed-live": "" });
    root.append(mirrors, layer, cardEl, panel, pill, status, live);
    // Clicks on our controls must not take the focus (and the selection) away from the editor.
    for (const box of [cardEl, panel, pill]) {
      box.addEventListener("mousedown", (e) => {
        if (!(e.target instanceof HTMLAnchorElement)) e.preventDefault();
      });
    }
    cardEl.addEventListener("keydown", onCardKey);
    panel.addEventListener("keydown", onCardKey);
    cardEl.addEventListener("mouseenter", () => clearTimeout(hideTimer));
    cardEl.addEventListener("mouseleave", () => {
      if (card && card.why === "hover") hideTimer = setTimeout(() => closeCard(false), 400);
    });
    cardEl.addEventListener("focusout", (e) => {
      if (!cardEl.contains(e.relatedTarget) && card && card.why === "key") closeCard(false);
    });
    pill.addEventListener("click", () => {
      panelState.hidden = false;
      scheduleRender();
    });
    document.documentElement.append(host);
    ui = { host, root, layer, mirrors, card: cardEl, panel, pill, status, live };
    return ui;
  }

  function announce(text) {
    if (!ui) return;
    ui.live.textContent = "";
    // A fresh text node after a tick makes screen readers announce even a repeated message.
    setTimeout(() => {
      if (ui) ui.live.textContent = text;
    }, 50);
  }

  // ---------------------------------------------------------------- layout

  function innerRect(node) {
    const r = node.getBoundingClientRect();
    if (!node.clientWidth && !node.clientHeight) return r;
    const left = r.left + node.clientLeft;
    const top = r.top + node.clientTop;
    return { left, top, right: left + node.clientWidth, bottom: top + node.clientHeight };
  }

  function clip(rect, box) {
    const left = Math.max(rect.left, box.left, 0);
    const top = Math.max(rect.top, box.top, 0);
    const right = Math.min(rect.right, box.right, window.innerWidth);
    const bottom = Math.min(rect.bottom, box.bottom, window.innerHeight);
    return right - left >= 1 && bottom - top >= 1 ? { left, top, right, bottom } : null;
  }

  // Rectangles of each hint in a textarea or text input, measured on a hidden mirror that wraps its
  // text exactly like the field does, then moved by the field's position and scroll.
  function mirrorRects(ed, hints) {
    const field = ed.el;
    const cs = getComputedStyle(field);
    if (!ed.mirror) {
      ed.mirror = el("div", { class: "mirror" });
      ui.mirrors.append(ed.mirror);
    }
    const m = ed.mirror;
    for (const p of MIRROR_PROPS) m.style[p] = cs[p];
    const padL = parseFloat(cs.paddingLeft) || 0;
    const padR = parseFloat(cs.paddingRight) || 0;
    const padT = parseFloat(cs.paddingTop) || 0;
    const padB = parseFloat(cs.paddingBottom) || 0;
    const single = ed.kind === "input";
    if (single) m.style.whiteSpace = "pre";
    m.style.width = single ? "auto" : Math.max(0, field.clientWidth - padL - padR) + "px";
    const text = ed.text;
    if (!m.firstChild || m.firstChild.data !== text) m.textContent = text;
    const node = m.firstChild;
    const fr = field.getBoundingClientRect();
    const mr = m.getBoundingClientRect();
    const contentLeft = fr.left + field.clientLeft + padL - field.scrollLeft;
    const contentTop = fr.top + field.clientTop + padT - field.scrollTop;
    const contentH = field.clientHeight - padT - padB;
    const range = document.createRange();
    return hints.map((g) => {
      if (!node || g.e > node.length) return [];
      range.setStart(node, g.s);
      range.setEnd(node, g.e);
      return [...range.getClientRects()]
        .filter((r) => r.width > 0)
        .map((r) => {
          const left = contentLeft + (r.left - mr.left);
          // A text input centres its single line vertically in its content box.
          const top = single ? fr.top + field.clientTop + padT + (contentH - r.height) / 2 : contentTop + (r.top - mr.top);
          return { left, top, right: left + r.width, bottom: top + r.height };
        });
    });
  }

  function richRects(ed, hints) {
    let model = ed.model;
    if (!model || model.segs.some((s) => !s.node.isConnected)) model = ed.model = buildModel(ed.el);
    if (model.text !== ed.text) {
      queueMicrotask(() => refresh(ed));
      return hints.map(() => []);
    }
    return hints.map((g) => {
      const ranges = modelRanges(model, g.s, g.e) || [];
      return ranges.flatMap((r) => [...r.getClientRects()].filter((x) => x.width > 0));
    });
  }

  // Several rules of one category often find the same words (a wish to die is also a goodbye to
  // another rule): the writer gets one mark and card per category and spot, the first the engine
  // gives, which stands for the rest; ignoring it ignores them too.
  function visibleHints(ed) {
    const shown = [];
    const keeper = new Map(); // category -> its last hint shown
    for (const g of ed.hints) {
      if (settings.offCategories.includes(g.raw.category) || settings.offRules.includes(g.raw.rule)) continue;
      const last = keeper.get(g.raw.category);
      if (last && g.s < last.e && last.s < g.e) {
        last.folded.push(g); // its helplines still reach the card and the support panel
        continue;
      }
      g.folded = [];
      keeper.set(g.raw.category, g);
      shown.push(g);
    }
    return shown.filter((g) => !ed.ignored.has(g.key));
  }

  function scheduleRender() {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(render);
  }

  function render() {
    renderQueued = false;
    if (!running) return;
    ensureUI();
    const marks = [];
    const nextBoxes = [];
    let pending = false;
    for (const ed of [...editors.values()]) {
      if (!ed.el.isConnected) {
        untrack(ed);
        continue;
      }
      pending = pending || ed.pending;
      ed.visible = visibleHints(ed);
      if (!ed.visible.length) continue;
      const box = innerRect(ed.el);
      if (box.bottom < 0 || box.top > window.innerHeight || box.right < 0 || box.left > window.innerWidth) continue;
      const rects = ed.kind === "rich" ? richRects(ed, ed.visible) : mirrorRects(ed, ed.visible);
      ed.visible.forEach((g, i) => {
        for (const r of rects[i]) {
          const c = clip(r, box);
          if (!c) continue;
          // Overlapping marks on a line get their underlines stacked, so each stays visible.
          const level = marks.filter((m) => Math.abs(m.c.top - c.top) < 2 && m.c.left < c.right && c.left < m.c.right).length;
          marks.push({ c, g, level });
          nextBoxes.push({ ...c, ed, g });
        }
      });
    }
    boxes = nextBoxes;
    drawMarks(marks);
    renderCount++;
    ui.layer.setAttribute("data-heed-renders", String(renderCount));
    ui.layer.setAttribute("data-heed-state", pending ? "pending" : "fresh");
    renderStatus();
    renderCard();
    renderPanel();
    announceCounts();
  }

  // Updates the mark elements in place (rather than rebuilding them) so that an element stays the
  // same while its hint does: less work per keystroke, and nothing flickers.
  function drawMarks(list) {
    const layer = ui.layer;
    while (layer.children.length > list.length) layer.lastElementChild.remove();
    list.forEach(({ c, g, level }, i) => {
      let mark = layer.children[i];
      if (!mark) {
        mark = el("div");
        layer.append(mark);
      }
      const cls = `mark sev-${g.raw.severity}` + (card && card.g === g ? " current" : "");
      if (mark.className !== cls) mark.className = cls;
      for (const [k, v] of [["data-heed-rule", g.raw.rule], ["data-heed-category", g.raw.category], ["data-heed-severity", g.raw.severity]]) {
        if (mark.getAttribute(k) !== v) mark.setAttribute(k, v);
      }
      mark.style.left = c.left + "px";
      mark.style.top = c.top + "px";
      mark.style.width = c.right - c.left + "px";
      mark.style.height = c.bottom - c.top + Math.min(level, 3) * 3 + "px";
    });
  }

  // "heed is starting…" next to the box being written in, while the engine is cold.
  function renderStatus() {
    const ed = focusedEditor();
    const show = ed && ed.pending && engine.state !== "ready";
    ui.status.hidden = !show;
    if (!show) return;
    ui.status.textContent = engine.state === "error" ? t("engine_error") : t("starting");
    const r = ed.el.getBoundingClientRect();
    const w = ui.status.offsetWidth;
    ui.status.style.left = Math.max(4, Math.min(r.right - w - 6, window.innerWidth - w - 4)) + "px";
    ui.status.style.top = Math.max(4, Math.min(r.bottom - 26, window.innerHeight - 26)) + "px";
  }

  function announceCounts() {
    const ed = focusedEditor();
    if (!ed || ed.pending) return;
    const n = ed.visible.length;
    if (n > ed.lastCount) announce(n === 1 ? t("live_one") : t("live_hints", n));
    ed.lastCount = n;
  }

  // ---------------------------------------------------------------- card

  function placeNear(box, anchor) {
    const w = box.offsetWidth;
    const h = box.offsetHeight;
    let left = Math.min(anchor.left, window.innerWidth - w - 8);
    let top = anchor.bottom + 6;
    if (top + h > window.innerHeight - 8 && anchor.top - h - 6 > 8) top = anchor.top - h - 6;
    left = Math.max(8, left);
    top = Math.max(8, Math.min(top, window.innerHeight - h - 8));
    box.style.left = left + "px";
    box.style.top = top + "px";
  }

  // group: every hint at that spot (marks can overlap), most important first; index: the one shown.
  function openCard(ed, group, why, index = 0) {
    clearTimeout(hideTimer);
    if (why !== "hover") clearTimeout(hoverTimer); // a click or a key wins over a pending hover
    const g = group[index % group.length];
    const same = card && card.ed === ed && card.g.key === g.key && card.g.s === g.s;
    card = { ed, g, group, why: same && card.why === "key" ? "key" : why };
    if (!same) buildCard(ed, g, group);
    scheduleRender();
    if (why === "key") {
      render();
      const first = ui.card.querySelector("button.sug") || ui.card.querySelector("button");
      if (first) first.focus();
    }
  }

  function closeCard(restoreFocus) {
    const was = card;
    card = null;
    if (ui) ui.card.hidden = true;
    scheduleRender();
    if (restoreFocus && was && was.ed.el.isConnected) restoreEditorFocus(was.ed);
  }

  function restoreEditorFocus(ed) {
    const saved = ed.savedRange;
    ed.el.focus();
    if (saved && ed.kind === "rich") {
      const sel = selectionFor(ed.el);
      sel.removeAllRanges();
      sel.addRange(saved);
    }
  }

  function buildCard(ed, g, group = [g]) {
    const raw = g.raw;
    const box = ui.card;
    const msg = (raw.message && (raw.message[settings.lang] || raw.message.en || raw.message.da)) || "";
    const title = el("h2", { id: "heed-card-title", text: t(catKey(raw.category)) });
    const close = el("button", { class: "close", text: "×", "aria-label": t("card_close") });
    close.addEventListener("click", () => closeCard(true));
    const head = el("div", { class: "head" }, el("span", { class: `dot sev-${raw.severity}`, "aria-hidden": "true" }), title, close);
    const children = [head, el("p", { id: "heed-card-msg", class: "msg", text: msg })];
    const suggestions = Array.isArray(raw.suggestions) ? raw.suggestions.filter((s) => typeof s === "string") : [];
    if (suggestions.length) {
      children.push(el("p", { class: "label", text: t("card_try") }));
      const row = el("div", { class: "sugs" });
      const original = ed.text.slice(g.s, g.e);
      for (const s of suggestions.slice(0, 4)) {
        const b = el("button", { class: "sug", text: s, "aria-label": t("card_replace", original, s), "data-heed-suggestion": s });
        b.addEventListener("click", () => applySuggestion(ed, g, s));
        row.append(b);
      }
      children.push(row);
    }
    const heading = raw.severity !== "alert" && CARD_LINES.get(raw.category);
    if (heading) {
      const lines = resourcesFor([g]);
      if (lines.length) children.push(el("p", { class: "label", text: t(heading) }), helplineList(lines));
    }
    const ignore = el("button", { text: t("card_ignore"), "data-heed-action": "ignore" });
    ignore.addEventListener("click", () => {
      ed.ignored.add(g.key);
      closeCard(true);
    });
    const off = el("button", { text: t("card_rule_off"), "data-heed-action": "rule-off" });
    off.addEventListener("click", () => turnOffRule(raw.rule));
    const about = el("button", { class: "link", text: t("card_about"), "data-heed-action": "about" });
    about.addEventListener("click", () => chrome.runtime.sendMessage({ type: "open-rule", rule: raw.rule }).catch(() => {}));
    const actions = el("div", { class: "actions" }, ignore, off, about);
    if (raw.severity === "alert") {
      // Keyboard and screen-reader users reach the helplines from the card.
      const support = el("button", { class: "sug", text: t("card_support"), "data-heed-action": "support" });
      support.addEventListener("click", () => {
        panelState.hidden = false;
        closeCard(false);
        render();
        ui.panel.querySelector("a, button")?.focus();
      });
      actions.prepend(support);
    }
    if (group.length > 1) {
      // Marks can overlap: the card shows one hint at a time and offers the next.
      const i = group.indexOf(g);
      const next = el("button", { class: "link", text: t("card_next", i + 1, group.length), "data-heed-action": "next" });
      next.addEventListener("click", () => {
        const why = card ? card.why : "click";
        openCard(ed, group, why, i + 1);
        if (why === "key") ui.card.querySelector("[data-heed-action=next]")?.focus();
      });
      actions.append(next);
    }
    children.push(actions);
    children.push(el("p", { class: "keys", text: t("card_keys") }));
    box.replaceChildren(...children);
    box.setAttribute("aria-labelledby", "heed-card-title");
    box.setAttribute("aria-describedby", "heed-card-msg");
    box.setAttribute("data-heed-card-rule", raw.rule);
  }

  function renderCard() {
    if (!card) {
      ui.card.hidden = true;
      return;
    }
    // The hint may have moved or gone with the last edit: follow it by rule and words.
    const ed = card.ed;
    const g = ed.visible.find((x) => x.key === card.g.key && x.s === card.g.s) || ed.visible.find((x) => x.key === card.g.key);
    if (!g) {
      closeCard(card.why === "key");
      return;
    }
    card.g = g;
    const anchor = boxes.find((b) => b.g === g);
    if (!anchor) {
      ui.card.hidden = true;
      return;
    }
    ui.card.hidden = false;
    placeNear(ui.card, anchor);
  }

  function onCardKey(e) {
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      if (e.currentTarget === ui.panel) {
        panelState.hidden = true;
        scheduleRender();
        const ed = focusedEditor() || lastEditor();
        if (ed) restoreEditorFocus(ed);
      } else {
        closeCard(true);
      }
    }
  }

  async function turnOffRule(rule) {
    const stored = await chrome.storage.local.get(H.KEY);
    const next = H.normalize(stored[H.KEY], navigator.language);
    next.offRules = [...new Set([...next.offRules, rule])].sort();
    await chrome.storage.local.set({ [H.KEY]: next });
    const was = card;
    closeCard(true);
    announce(t("live_rule_off"));
    if (was) was.ed.lastCount = 0;
  }

  // Replaces the hint's words the way a user would: select them and insert text, so the editor gets
  // beforeinput/input events (React, Draft.js and friends update their state) and undo works.
  function applySuggestion(ed, g, replacement) {
    const field = ed.el;
    const current = readText(ed);
    const original = ed.text.slice(g.s, g.e);
    if (current.slice(g.s, g.e) !== original) {
      refresh(ed);
      closeCard(true);
      return;
    }
    closeCard(false);
    field.focus();
    let done = false;
    if (ed.kind !== "rich") {
      field.setSelectionRange(g.s, g.e);
      done = document.execCommand("insertText", false, replacement);
      if (!done || field.value.slice(g.s, g.s + replacement.length) !== replacement) {
        if (field.value === current) {
          field.setRangeText(replacement, g.s, g.e, "end");
          field.dispatchEvent(new InputEvent("input", { bubbles: true, composed: true, inputType: "insertReplacementText", data: replacement }));
        }
      }
    } else {
      const a = modelPoint(ed.model, g.s, true);
      const b = modelPoint(ed.model, g.e, false);
      if (!a || !b) return;
      const sel = selectionFor(field);
      sel.setBaseAndExtent(a.node, a.offset, b.node, b.offset);
      // Editors that own their model (Draft.js, Lexical, Slate, ProseMirror) take edits through
      // beforeinput, and execCommand does not fire it. Offer the replacement the way a spell checker
      // does first; an editor that handles it cancels the event.
      const transfer = new DataTransfer();
      transfer.setData("text/plain", replacement);
      const before = new InputEvent("beforeinput", {
        inputType: "insertReplacementText", data: replacement, dataTransfer: transfer, bubbles: true,
        cancelable: true, composed: true,
        targetRanges: [new StaticRange({ startContainer: a.node, startOffset: a.offset, endContainer: b.node, endOffset: b.offset })],
      });
      const handled = !field.dispatchEvent(before) || readText(ed) !== current;
      // Otherwise a native edit: the browser fires input and keeps undo.
      done = handled || document.execCommand("insertText", false, replacement);
      if (!done && readText(ed) === current) {
        const r = document.createRange();
        r.setStart(a.node, a.offset);
        r.setEnd(b.node, b.offset);
        r.deleteContents();
        r.insertNode(document.createTextNode(replacement));
        field.dispatchEvent(new InputEvent("input", { bubbles: true, composed: true, inputType: "insertReplacementText", data: replacement }));
      }
    }
    announce(t("live_applied", replacement));
    refresh(ed);
  }

  // ---------------------------------------------------------------- support panel

  function lastEditor() {
    return lastFocused && editors.get(lastFocused);
  }

  function resourcesFor(hints) {
    const seen = new Map();
    for (const g of hints.flatMap((h) => [h, ...(h.folded || [])])) for (const r of g.raw.resources || []) if (r && r.name && !seen.has(r.id || r.name)) seen.set(r.id || r.name, r);
    const all = [...seen.values()];
    // The bundle lists a line's countries. With no line for the chosen country, an alert shows them all
    // (better than none for someone who may be in danger); other hints only show lines the writer can use.
    const local = all.filter((r) => (Array.isArray(r.countries) ? r.countries : [r.country]).includes(settings.country));
    return local.length || !hints.some((g) => g.raw.severity === "alert") ? local : all;
  }

  // The helplines as a list: name, phone (a tel: link), text line, web address (https only), hours.
  function helplineList(resources) {
    const list = el("ul", { class: "lines" });
    for (const r of resources) {
      const item = el("li", { "data-heed-resource": r.id || r.name }, el("span", { class: "name", text: r.name }));
      const line = el("div");
      if (r.phone) {
        line.append(el("a", { href: "tel:" + String(r.phone).replace(/[^\d+]/g, ""), text: t("panel_call", r.phone) }));
      }
      if (r.sms) line.append(el("span", { class: "small", text: t("panel_sms", r.sms) + " " }));
      if (line.childNodes.length) item.append(line);
      if (typeof r.web === "string" && /^https:\/\//.test(r.web)) {
        const a = el("a", { href: r.web, target: "_blank", rel: "noopener noreferrer", text: r.web.replace(/^https:\/\/(www\.)?/, "").replace(/\/$/, "") });
        a.setAttribute("aria-label", t("panel_web", r.web));
        item.append(el("div", { class: "small" }, a));
      }
      if (r.hours) item.append(el("div", { class: "small", text: String(r.hours) }));
      list.append(item);
    }
    return list;
  }

  function renderPanel() {
    const ed = focusedEditor() || lastEditor();
    const alerts = ed ? ed.visible.filter((g) => g.raw.severity === "alert") : [];
    if (!alerts.length) {
      ui.panel.hidden = true;
      ui.pill.hidden = true;
      return;
    }
    const key = ed.id + ":" + alerts.map((g) => g.key).join(",");
    if (key !== panelState.key) {
      const isNew = alerts.some((g) => !panelState.key.includes(g.key));
      panelState = { key, hidden: panelState.hidden && !isNew };
      buildPanel(alerts);
      if (isNew) announce(t("live_support"));
    }
    ui.panel.hidden = panelState.hidden;
    ui.pill.hidden = !panelState.hidden;
    ui.pill.textContent = t("panel_show");
    placePanel(ed, panelState.hidden ? ui.pill : ui.panel);
  }

  function buildPanel(alerts) {
    const g = alerts[alerts.length - 1];
    const msg = (g.raw.message && (g.raw.message[settings.lang] || g.raw.message.en)) || "";
    const list = helplineList(resourcesFor(alerts));
    const hide = el("button", { text: t("panel_hide"), "data-heed-action": "hide-panel" });
    hide.addEventListener("click", () => {
      panelState.hidden = true;
      scheduleRender();
    });
    ui.panel.setAttribute("aria-labelledby", "heed-panel-title");
    ui.panel.replaceChildren(
      el("div", { class: "head" }, el("span", { class: "dot sev-alert", "aria-hidden": "true" }), el("h3", { id: "heed-panel-title", text: t("panel_title") })),
      el("p", { text: msg }),
      el("p", { class: "small", text: t("panel_lead") }),
      list,
      el("p", { class: "small", text: t("panel_note") }),
      hide,
    );
  }

  // Beside the box if there is room (so it never covers the text or the site's send button), else
  // above or below it, else in the corner.
  function placePanel(ed, box) {
    const r = ed.el.getBoundingClientRect();
    const w = box.offsetWidth;
    const h = box.offsetHeight;
    const vw = window.innerWidth;
    const vh = window.innerHeight;
    const top = Math.max(8, Math.min(r.top, vh - h - 8));
    let pos;
    if (vw - r.right >= w + 16) pos = [r.right + 12, top];
    else if (r.left >= w + 16) pos = [r.left - w - 12, top];
    else if (r.top >= h + 16) pos = [Math.max(8, Math.min(r.left, vw - w - 8)), r.top - h - 10];
    else pos = [vw - w - 12, vh - h - 12];
    box.style.left = pos[0] + "px";
    box.style.top = pos[1] + "px";
  }

  // ---------------------------------------------------------------- events

  function deepActiveElement() {
    let a = document.activeElement;
    while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
    return a;
  }

  function focusedEditor() {
    const a = deepActiveElement();
    const host = a && editorFor(a);
    return host ? editors.get(host) : null;
  }

  function onFocusIn(e) {
    const host = editorFor(deepTarget(e));
    if (!host) return;
    lastFocused = host;
    // The context is read again on every focus: the page may have changed around the box (a reply
    // box moved under another post, a site adapter set data-heed-context).
    const known = editors.has(host);
    const ed = track(host);
    refresh(ed, known && updateContext(ed));
    scheduleRender();
    startTick();
  }

  function onInput(e) {
    const host = editorFor(deepTarget(e));
    if (!host) return;
    lastFocused = host;
    refresh(track(host));
    startTick();
  }

  const RANK = { alert: 0, warning: 1, suggestion: 2 };
  const byImportance = (a, b) => (RANK[a.raw.severity] ?? 3) - (RANK[b.raw.severity] ?? 3) || a.s - b.s;

  // Every visible hint around a caret offset, most important first (empty when none).
  function hintsAt(ed, offset) {
    if (offset < 0) return [];
    return ed.visible.filter((g) => g.s <= offset && offset <= g.e).sort(byImportance);
  }

  function onKeyDown(e) {
    clearTimeout(hoverTimer); // typing: a card must not pop up under the pointer now
    if (e.key === "Escape" && card && card.why !== "key" && focusedEditor()) {
      closeCard(false); // the page still gets its Escape
      return;
    }
    if (e.altKey && e.shiftKey && e.code === "KeyH") {
      const ed = focusedEditor() || (card && card.ed);
      if (!ed && !(ui && !ui.panel.hidden)) return;
      e.preventDefault();
      e.stopPropagation();
      if (ed && ed.kind === "rich") {
        const sel = selectionFor(ed.el);
        if (sel && sel.rangeCount) ed.savedRange = sel.getRangeAt(0).cloneRange();
      }
      const caret = ed ? caretOffset(ed) : -1;
      const here = ed ? hintsAt(ed, caret) : [];
      const g = ed && (here[0] || ed.visible.find((x) => x.s >= caret) || ed.visible[0]);
      // The hints overlapping that one travel with it, the most important first.
      const group = here.length ? here : g ? ed.visible.filter((x) => x.s < g.e && g.s < x.e).sort(byImportance) : [];
      if (g) openCard(ed, group, "key");
      else if (ui && !ui.panel.hidden) ui.panel.querySelector("a, button")?.focus();
    }
  }

  function onKeyUp(e) {
    if (!NAV_KEYS.has(e.key)) return;
    caretCard();
  }

  // Moving the caret into a marked word (arrow keys or a click) opens its card without taking focus.
  function caretCard() {
    const ed = focusedEditor();
    if (!ed) return;
    const here = hintsAt(ed, caretOffset(ed));
    if (here.length) openCard(ed, here, "caret");
    else if (card && card.why === "caret") closeCard(false);
  }

  // The marks under a point: {ed, group} with the hints most important first, or null.
  function boxAt(x, y) {
    const hit = boxes.filter((b) => x >= b.left && x <= b.right && y >= b.top - 2 && y <= b.bottom + 2);
    if (!hit.length) return null;
    return { ed: hit[0].ed, g: hit[0].g, group: [...new Set(hit.filter((b) => b.ed === hit[0].ed).map((b) => b.g))].sort(byImportance) };
  }

  let lastPointer = "";
  function onMouseMove(e) {
    // Chrome sends a synthetic mousemove when the content under a still pointer changes (a card
    // closing, say); only a real move may open a card.
    const at = e.clientX + "," + e.clientY;
    if (at === lastPointer) return;
    lastPointer = at;
    const b = boxAt(e.clientX, e.clientY);
    if (b) {
      clearTimeout(hideTimer);
      if (card && b.group.includes(card.g)) return;
      clearTimeout(hoverTimer);
      hoverTimer = setTimeout(() => openCard(b.ed, b.group, "hover"), HOVER_DELAY_MS);
    } else {
      clearTimeout(hoverTimer);
      if (card && card.why === "hover" && !hideTimer) {
        hideTimer = setTimeout(() => {
          hideTimer = 0;
          if (card && card.why === "hover" && !ui.card.matches(":hover")) closeCard(false);
        }, 400);
      }
    }
  }

  // A click on a mark, or one that puts the caret inside a marked word, opens its card.
  function onClick(e) {
    if (ui && e.composedPath().includes(ui.host)) return;
    const b = boxAt(e.clientX, e.clientY);
    if (b) {
      openCard(b.ed, b.group, "click");
      return;
    }
    const ed = focusedEditor();
    const here = ed ? hintsAt(ed, caretOffset(ed)) : [];
    if (here.length) openCard(ed, here, "caret");
    else if (card && card.why !== "key") closeCard(false);
  }

  function onViewportChange() {
    if (editors.size) scheduleRender();
  }

  // Catches what no event reports: a site clearing a textarea after posting, font or class changes,
  // and boxes removed from the page.
  function tick() {
    tickTimer = 0;
    if (!running || !editors.size) return;
    let layoutChanged = false;
    for (const ed of [...editors.values()]) {
      if (!ed.el.isConnected) {
        untrack(ed);
        layoutChanged = true;
        continue;
      }
      if (ed.kind !== "rich" && ed.el.value !== ed.text) refresh(ed);
      const r = ed.el.getBoundingClientRect();
      const cs = getComputedStyle(ed.el);
      const sig = [r.left, r.top, r.width, r.height, ed.el.scrollTop, ed.el.scrollLeft, cs.font, cs.letterSpacing].join();
      if (sig !== ed.sig) {
        ed.sig = sig;
        layoutChanged = true;
      }
    }
    if (layoutChanged) scheduleRender();
    startTick();
  }

  function startTick() {
    if (!tickTimer && running) tickTimer = setTimeout(tick, TICK_MS);
  }

  const listeners = [
    [document, "focusin", onFocusIn, true],
    [document, "input", onInput, true],
    [document, "keydown", onKeyDown, true],
    [document, "keyup", onKeyUp, true],
    [document, "click", onClick, true],
    [document, "mousemove", onMouseMove, { capture: true, passive: true }],
    [window, "scroll", onViewportChange, { capture: true, passive: true }],
    [window, "resize", onViewportChange, { passive: true }],
  ];

  function start() {
    if (running) return;
    running = true;
    for (const [target, type, fn, opts] of listeners) target.addEventListener(type, fn, opts);
    if (document.fonts) document.fonts.addEventListener("loadingdone", onViewportChange);
    // A box that already had focus before this script ran (autofocus) gets checked too.
    const a = deepActiveElement();
    const host = a && editorFor(a);
    if (host) {
      lastFocused = host;
      refresh(track(host));
      startTick();
    }
  }

  function stop() {
    if (!running) return;
    running = false;
    for (const [target, type, fn, opts] of listeners) target.removeEventListener(type, fn, opts);
    if (document.fonts) document.fonts.removeEventListener("loadingdone", onViewportChange);
    for (const ed of [...editors.values()]) untrack(ed);
    card = null;
    boxes = [];
    if (ui) ui.host.remove();
    ui = null;
    if (port) {
      try {
        port.disconnect();
      } catch {
        /* already gone */
      }
      port = null;
    }
  }

  // ---------------------------------------------------------------- settings and popup

  function topHost() {
    try {
      return window.top.location.hostname;
    } catch {
      const origins = location.ancestorOrigins;
      if (origins && origins.length) {
        try {
          return new URL(origins[origins.length - 1]).hostname;
        } catch {
          /* fall through */
        }
      }
      return location.hostname;
    }
  }

  function apply(raw) {
    const before = settings;
    settings = H.normalize(raw, navigator.language);
    if (H.siteIsOff(settings, topHost())) {
      stop();
      return;
    }
    start();
    if (before.lang !== settings.lang && card) buildCard(card.ed, card.g, card.group);
    panelState.key = ""; // rebuild in the new language / country
    for (const ed of editors.values()) ed.lastCount = 0;
    scheduleRender();
  }

  // A box that already has focus (autofocus) will be checked as soon as the settings are read:
  // open the port meanwhile, so the first hint does not wait for both one after the other.
  if (editorFor(deepActiveElement())) connect();
  chrome.storage.local.get(H.KEY).then((stored) => apply(stored[H.KEY]), () => apply(null));
  chrome.storage.onChanged.addListener((changes, area) => {
    if (area === "local" && changes[H.KEY]) apply(changes[H.KEY].newValue);
  });
  if (window === window.top) {
    // The popup asks which site this tab shows (so it needs no "tabs" permission).
    chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
      if (!msg || msg.type !== "heed-site" || sender.id !== chrome.runtime.id) return false;
      let hints = 0;
      for (const ed of editors.values()) hints += ed.visible.length;
      sendResponse({ host: location.hostname, running, hints });
      return false;
    });
  }
})();
