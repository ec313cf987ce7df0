// remote/op-deployer-backup.sh run for real in bash over a workdir and config dir like the host's.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { testConfig } from "../config/test-fixtures.js";
import { backupStep } from "./steps.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "ecp-backup-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function host(name: string) {
  const root = path.join(dir, name);
  const deployer = path.join(root, "deployer");
  const configDir = path.join(root, "config");
  mkdirSync(deployer, { recursive: true });
  mkdirSync(configDir, { recursive: true });
  writeFileSync(path.join(deployer, "state.json"), '{"opChainDeployments":[]}\n');
  writeFileSync(path.join(deployer, "intent.toml"), 'configType = "standard-overrides"\n');
  for (const f of ["genesis", "rollup", "l1"]) writeFileSync(path.join(configDir, `${f}.json`), `{"${f}":true}\n`);
  const sha = createHash("sha256").update(readFileSync(path.join(deployer, "state.json"))).digest("hex");
  const backupDir = path.join(root, "backups");
  const run = (stateSha = sha) => {
    const step = backupStep({ ...testConfig(), backupDir }, { deployer, configDir }, { stateSha256: `${stateSha}\n`, genesisSha256: "g", rollupSha256: "r" });
    return spawnSync("bash", ["-s"], { input: step.stdin, encoding: "utf8" });
  };
  return { root, deployer, configDir, backupDir, sha, run };
}

describe("op-deployer-backup.sh", () => {
  it("copies state.json, the intent and the chain config into a timestamped 0700 directory, with checksums", () => {
    const h = host("ok");
    const r = h.run();
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const dest = r.stdout.trim();
    expect(path.dirname(dest)).toBe(h.backupDir);
    expect(path.basename(dest)).toMatch(new RegExp(`^\\d{8}T\\d{6}Z-${h.sha.slice(0, 12)}$`));
    expect(readdirSync(dest).sort()).toEqual(["SHA256SUMS", "genesis.json", "intent.toml", "l1.json", "rollup.json", "state.json"]);
    expect(statSync(dest).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(dest, "state.json")).mode & 0o777).toBe(0o600);
    expect(spawnSync("sha256sum", ["-c", "SHA256SUMS"], { cwd: dest, encoding: "utf8" }).status).toBe(0);
    expect(readFileSync(path.join(dest, "intent.toml"), "utf8")).toBe('configType = "standard-overrides"\n');
  });

  it("refuses, keeping nothing, when a file is missing or state.json is not the one apply reported", () => {
    const h = host("missing");
    rmSync(path.join(h.configDir, "rollup.json"));
    const r = h.run();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`backup: ${path.join(h.configDir, "rollup.json")} is missing; nothing was copied.`);
    const changed = host("changed");
    const c = changed.run("0".repeat(64));
    expect(c.status).toBe(1);
    expect(c.stderr).toContain("state.json changed while it was being copied");
    expect(readdirSync(changed.backupDir)).toEqual([]);
  });
});
