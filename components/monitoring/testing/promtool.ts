/**
 * Test helper: run Debian's promtool. Tests that need it fail (never skip) when it is missing.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export const PROMTOOL_MISSING =
  "promtool is not on PATH. Install Debian's `prometheus` package, which ships it: `apt-get update && apt-get install -y prometheus`.";

export interface PromtoolResult {
  code: number;
  output: string;
}

/** @throws Error with PROMTOOL_MISSING when promtool cannot be run. */
export function promtool(args: string[], cwd: string): PromtoolResult {
  const r = spawnSync("promtool", args, { cwd, encoding: "utf8", timeout: 60_000 });
  if (r.error !== undefined) {
    if ((r.error as NodeJS.ErrnoException).code === "ENOENT") throw new Error(PROMTOOL_MISSING);
    throw r.error;
  }
  return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

/** A fresh temp dir holding `files` (name -> content). */
export function tempDirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "ecp-monitoring-"));
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  return dir;
}
