// Progress for long runs: a bar on a terminal, a line every few seconds otherwise, nothing in --json.
import type { Progress } from './submit.js';

export function progressReporter(opts: { json: boolean; stream?: NodeJS.WriteStream; intervalMs?: number }) {
  const out = opts.stream ?? process.stderr;
  let lastLine = 0;
  let lastPhase = '';
  return (p: Progress) => {
    if (opts.json) return;
    const pct = p.total === 0 ? 100 : Math.floor((p.done / p.total) * 100);
    if (out.isTTY) {
      const width = 30;
      const filled = Math.round((pct / 100) * width);
      out.write(`\r${p.phase.padEnd(11)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${p.total} ${pct}%`);
      if (p.done >= p.total) out.write('\n');
      return;
    }
    const now = Date.now();
    if (p.phase !== lastPhase || now - lastLine >= (opts.intervalMs ?? 5000) || p.done >= p.total) {
      out.write(`${p.phase}: ${p.done}/${p.total} (${pct}%)\n`);
      lastLine = now;
      lastPhase = p.phase;
    }
  };
}
