// What "the site" sees: every input event's value, like a React-controlled box would.
window.__seen = [];
document.addEventListener("input", (e) => {
  const t = e.composedPath()[0];
  window.__seen.push({ id: t.id, value: t.value !== undefined ? t.value : t.textContent, type: e.inputType });
}, true);
