// Runs alex (npm `alex`, English only) on JSON lines {"id", "text"} from stdin and prints one line per
// input: {"id", "hints": [{"rule", "source", "actual", "reason"}]}. Used by scripts/quality.py.
import { createInterface } from "node:readline";
import { text } from "alex";

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  const item = JSON.parse(line);
  const file = text(item.text);
  const hints = file.messages.map((m) => ({
    rule: m.ruleId, source: m.source, actual: m.actual, reason: m.reason,
  }));
  process.stdout.write(JSON.stringify({ id: item.id, hints }) + "\n");
}
