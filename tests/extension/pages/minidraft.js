// A tiny editor in the style of Draft.js / Lexical: the DOM is rebuilt from a model on every change,
// and native editing is intercepted in beforeinput. Used to prove heed copes with editors that
// replace their text nodes on each keystroke and that it edits them the way they expect.
class MiniDraft {
  constructor(root) {
    this.root = root;
    this.blocks = [""];
    this.undoStack = [];
    this.seen = []; // what the "site" saw after each change
    root.contentEditable = "true";
    // Like Draft.js: spaces are kept as typed (no collapsing, no &nbsp;).
    root.style.whiteSpace = "pre-wrap";
    root.setAttribute("data-contents", "true");
    root.addEventListener("beforeinput", (e) => this.onBeforeInput(e));
    root.addEventListener("keydown", (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key === "z") {
        e.preventDefault();
        this.undo();
      }
    });
    this.render(null);
  }

  text() {
    return this.blocks.join("\n");
  }

  // DOM position -> {b, o} in the model.
  point(node, offset) {
    const el = node.nodeType === 1 ? node : node.parentElement;
    const block = el.closest("[data-block]");
    if (!block) return offset === 0 ? { b: 0, o: 0 } : { b: this.blocks.length - 1, o: this.blocks.at(-1).length };
    const b = Number(block.dataset.index);
    if (node.nodeType === 3) return { b, o: offset };
    if (node === block) return { b, o: offset === 0 ? 0 : this.blocks[b].length };
    return { b, o: offset === 0 ? 0 : this.blocks[b].length };
  }

  abs(p) {
    let n = 0;
    for (let i = 0; i < p.b; i++) n += this.blocks[i].length + 1;
    return n + p.o;
  }

  fromAbs(n) {
    for (let b = 0; b < this.blocks.length; b++) {
      if (n <= this.blocks[b].length) return { b, o: n };
      n -= this.blocks[b].length + 1;
    }
    return { b: this.blocks.length - 1, o: this.blocks.at(-1).length };
  }

  replace(a, z, data) {
    this.undoStack.push({ blocks: [...this.blocks], caret: z });
    const text = this.text();
    const s = this.abs(a);
    const e = this.abs(z);
    const next = text.slice(0, s) + data + text.slice(e);
    this.blocks = next.split("\n");
    this.render(this.fromAbs(s + data.length));
  }

  undo() {
    const last = this.undoStack.pop();
    if (!last) return;
    this.blocks = last.blocks;
    this.render(last.caret);
  }

  onBeforeInput(e) {
    e.preventDefault();
    const sel = document.getSelection();
    const range = (e.getTargetRanges && e.getTargetRanges()[0]) || (sel.rangeCount && sel.getRangeAt(0));
    if (!range) return;
    let a = this.point(range.startContainer, range.startOffset);
    let z = this.point(range.endContainer, range.endOffset);
    const collapsed = this.abs(a) === this.abs(z);
    switch (e.inputType) {
      case "insertText":
      case "insertReplacementText":
      case "insertFromPaste":
      case "insertFromDrop": {
        const data = e.data ?? (e.dataTransfer && e.dataTransfer.getData("text/plain")) ?? "";
        this.replace(a, z, data);
        break;
      }
      case "insertParagraph":
      case "insertLineBreak":
        this.replace(a, z, "\n");
        break;
      case "deleteContentBackward":
      case "deleteWordBackward":
        if (collapsed) a = this.fromAbs(Math.max(0, this.abs(a) - 1));
        this.replace(a, z, "");
        break;
      case "deleteContentForward":
        if (collapsed) z = this.fromAbs(this.abs(z) + 1);
        this.replace(a, z, "");
        break;
      default:
        break;
    }
  }

  // Rebuilds every node, like a virtual-DOM re-render with new keys would.
  render(caret) {
    const nodes = this.blocks.map((t, i) => {
      const block = document.createElement("div");
      block.dataset.block = "true";
      block.dataset.index = String(i);
      block.dataset.offsetKey = `k${Math.random().toString(36).slice(2, 7)}-0-0`;
      const span = document.createElement("span");
      span.dataset.offsetKey = block.dataset.offsetKey;
      if (t) {
        const leaf = document.createElement("span");
        leaf.dataset.text = "true";
        leaf.textContent = t;
        span.append(leaf);
      } else {
        span.append(document.createElement("br"));
      }
      block.append(span);
      return block;
    });
    this.root.replaceChildren(...nodes);
    this.seen.push(this.text());
    if (!caret) return;
    const block = this.root.children[caret.b];
    const leaf = block.querySelector("[data-text]");
    const sel = document.getSelection();
    if (leaf) sel.collapse(leaf.firstChild, Math.min(caret.o, leaf.firstChild.length));
    else sel.collapse(block.firstChild, 0);
  }
}
window.MiniDraft = MiniDraft;
