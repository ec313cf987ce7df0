/**
 * The rail CLI (rail/cli.ts) as one ES module file, so the exact client the local smoke runs can run on
 * ecp-forge in a plain Node container next to the L2. Built with esbuild at program time; the output is
 * deterministic, so an unchanged client gives an unchanged bundle and no diff.
 */
import { createHash } from "node:crypto";
import path from "node:path";

import { build, type Plugin } from "esbuild";

import { PROJECT_ROOT } from "../preflight/index.js";

/** The Node major the bundle targets and is tested with. */
export const BUNDLE_TARGET = "node20";

export interface RailBundle {
  code: string;
  sha256: string;
}

/**
 * tiny-secp256k1 reads its WebAssembly file from next to its own module at load time. In the bundle
 * that would be next to rail.mjs, where nothing is, so its loader is built instead from the same
 * imports with the file's bytes inside the bundle (esbuild's binary loader): rail.mjs stays one file.
 */
const embedSecp256k1Wasm: Plugin = {
  name: "embed-secp256k1-wasm",
  setup(b) {
    b.onLoad({ filter: /[\\/]tiny-secp256k1[\\/]lib[\\/]wasm_loader\.js$/ }, (args) => ({
      resolveDir: path.dirname(args.path),
      loader: "js",
      contents: [
        'import * as rand from "./rand.js";',
        'import * as validate_error from "./validate_error.js";',
        'import binary from "./secp256k1.wasm";',
        'const instance = new WebAssembly.Instance(new WebAssembly.Module(binary), { "./rand.js": rand, "./validate_error.js": validate_error });',
        "export default instance.exports;",
      ].join("\n"),
    }));
  },
};

let cached: Promise<RailBundle> | undefined;

export function bundleRailCli(): Promise<RailBundle> {
  cached ??= build({
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
    loader: { ".wasm": "binary" },
    plugins: [embedSecp256k1Wasm],
    // Some bundled CommonJS dependencies call require() for Node built-ins.
    banner: { js: 'import{createRequire as __ecpRequire}from"node:module";const require=__ecpRequire(import.meta.url);' },
  }).then((result) => {
    const file = result.outputFiles[0];
    if (file === undefined) throw new Error("esbuild produced no output for rail/cli.ts.");
    return { code: file.text, sha256: createHash("sha256").update(file.text).digest("hex") };
  });
  return cached;
}
