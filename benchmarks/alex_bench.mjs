// Times alex (npm `alex`, plain-text mode, as a comment box would use it) per comment, for
// benchmarks/run.py:  node benchmarks/alex_bench.mjs IN.json OUT.json
// IN.json: {"texts": [...], "rounds": N}. OUT.json: per-text median milliseconds and message counts.

import { readFileSync, writeFileSync } from "node:fs";
import { text as alex } from "alex";

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

const [inPath, outPath] = process.argv.slice(2);
const { texts, rounds } = JSON.parse(readFileSync(inPath, "utf8"));
// One untimed pass first: module loading and JIT warm-up are not per-comment costs.
const messages = texts.map((t) => alex(t).messages.length);
const times = texts.map(() => []);
for (let r = 0; r < rounds; r++) {
  texts.forEach((t, i) => {
    const t0 = performance.now();
    alex(t);
    times[i].push(performance.now() - t0);
  });
}
writeFileSync(outPath, JSON.stringify({ ms: times.map(median), messages, node: process.version }));
