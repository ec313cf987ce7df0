// The state-directory steps run for real on a temporary "state directory", with a stand-in `docker` that
// performs the container's `find … -delete` on the bind-mounted host path.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { hostPaths } from "../services/paths.js";
import { stateDirsStep } from "./state.js";

const FAKE_DOCKER = `#!/usr/bin/env bash
# docker run --rm --network none -v <host>:/target --entrypoint find <image> /target -mindepth 1 -delete
set -euo pipefail
while [ "$1" != "-v" ]; do shift; done
host=\${2%%:*}
find "$host" -mindepth 1 -delete
`;

describe("state directories", () => {
  it("creates every directory with its mode, and a re-run keeps the data", () => {
    const root = path.join(mkdtempSync(path.join(tmpdir(), "state-")), "ecp");
    const step = stateDirsStep(hostPaths(root), false, "img");
    execFileSync("bash", ["-s"], { input: step.stdin });
    expect(readdirSync(root).sort()).toEqual(["bin", "config", "deployer", "monitoring", "op-challenger", "op-geth", "op-node", "op-reth", "prestates", "rail", "rail-witness", "secrets"]);
    expect(readdirSync(path.join(root, "monitoring")).sort()).toEqual(["alertmanager", "config", "grafana", "prometheus"]);
    expect(statSync(path.join(root, "monitoring", "prometheus")).mode & 0o777).toBe(0o750);
    expect(statSync(path.join(root, "secrets")).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(root, "op-geth")).mode & 0o777).toBe(0o750);
    writeFileSync(path.join(root, "op-geth", "chaindata"), "blocks");
    execFileSync("bash", ["-s"], { input: step.stdin });
    expect(existsSync(path.join(root, "op-geth", "chaindata"))).toBe(true);
    expect(step.delete).toBeUndefined();
  });

  it("with destroyRemovesState, removes the data but moves op-deployer's workdir aside", () => {
    const base = mkdtempSync(path.join(tmpdir(), "state-"));
    const root = path.join(base, "ecp");
    const step = stateDirsStep(hostPaths(root), true, "img");
    execFileSync("bash", ["-s"], { input: step.stdin });
    writeFileSync(path.join(root, "deployer", "state.json"), "{}");
    mkdirSync(path.join(root, "op-geth", "geth"), { recursive: true });
    writeFileSync(path.join(root, "op-geth", "geth", "chaindata"), "blocks");
    const bin = path.join(base, "fake-bin");
    mkdirSync(bin);
    writeFileSync(path.join(bin, "docker"), FAKE_DOCKER);
    chmodSync(path.join(bin, "docker"), 0o755);
    execFileSync("sh", ["-c", step.delete ?? "false"], { env: { PATH: `${bin}:${process.env["PATH"] ?? ""}` } });
    const left = readdirSync(root);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/^deployer\.destroyed-\d{8}T\d{6}$/);
    expect(existsSync(path.join(root, left[0] ?? "", "state.json"))).toBe(true);
  });
});
