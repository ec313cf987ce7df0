/**
 * The rail CLI (rail/cli.ts) as one ES module file, so the exact client the local smoke runs can run on
 * ecp-forge in a plain Node container next to the L2. Built with esbuild at program time; the output is
 * deterministic, so an unchanged client gives an unchanged bundle and no diff.
 */
import { createHash } from "node:crypto";

import { buildSync } from "esbuild";

import { PROJECT_ROOT } from "../preflight/index.js";

/** The Node major the bundle targets and is tested with. */
export const BUNDLE_TARGET = "node20";

export interface RailBundle {
  code: string;
  sha256: string;
}

let cached: RailBundle | undefined;

export function bundleRailCli(): RailBundle {
  if (cached !== undefined) return cached;
  const result = buildSync({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: ["rail/cli.ts"],
    bundle: true,
    platform: "node",
    format: "esm",
    target: BUNDLE_TARGET,
    minify: true,
    legalComments: "none",
    write: false,
    logLevel: "silent",
    // Some bundled CommonJS dependencies call require() for Node built-ins.
    banner: { js: 'import{createRequire as __ecpRequire}from"node:module";const require=__ecpRequire(import.meta.url);' },
  });
  const file = result.outputFiles[0];
  if (file === undefined) throw new Error("esbuild produced no output for rail/cli.ts.");
  cached = { code: file.text, sha256: createHash("sha256").update(file.text).digest("hex") };
  return cached;
}
