// Runs download-op-deployer.sh for real against a local release directory (file:// base URL), laid out the
// way components/deployer/release.ts says GitHub lays it out.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { beforeAll, describe, expect, it } from "vitest";

import { OP_DEPLOYER_RELEASE_BASE } from "../../components/config/defaults.js";
import { opDeployerRelease } from "../../components/deployer/release.js";
import { installStep } from "../../components/deployer/steps.js";

const SCRIPT = path.resolve("scripts/op-stack/download-op-deployer.sh");
let base: string;
let sha256: string;
let work: string;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), "op-deployer-dl-"));
  const release = opDeployerRelease("v0.7.1", "0".repeat(64));
  // The release URL is <base>/op-deployer%2Fv0.7.1/<asset>; curl decodes %2F for file:// URLs.
  const dir = path.join(work, "releases", "op-deployer", "v0.7.1");
  const staging = path.join(work, "staging", path.dirname(release.binaryPathInArchive));
  mkdirSync(staging, { recursive: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(staging, "op-deployer"), "#!/bin/sh\necho op-deployer version v0.7.1\n");
  chmodSync(path.join(staging, "op-deployer"), 0o755);
  execFileSync("tar", ["-czf", path.join(dir, release.assetName), "-C", path.join(work, "staging"), path.dirname(release.binaryPathInArchive)]);
  sha256 = createHash("sha256").update(readFileSync(path.join(dir, release.assetName))).digest("hex");
  base = `file://${path.join(work, "releases")}`;
  expect(release.url).toBe(`${OP_DEPLOYER_RELEASE_BASE}/op-deployer%2Fv0.7.1/${release.assetName}`);
});

function run(args: string[]) {
  return spawnSync("bash", [SCRIPT, ...args], { encoding: "utf8", env: { ...process.env, OP_DEPLOYER_RELEASE_BASE: base } });
}

describe("download-op-deployer.sh", () => {
  it("installs the release whose sha256 matches, and does nothing on a re-run", () => {
    const dest = path.join(work, "bin-ok");
    const first = run(["v0.7.1", sha256, dest]);
    expect(first.stderr).toContain("downloading op-deployer-0.7.1-linux-amd64.tar.gz");
    expect(first.status).toBe(0);
    expect(first.stdout.trim()).toBe(`${dest}/op-deployer-v0.7.1`);
    expect(execFileSync(`${dest}/op-deployer-v0.7.1`, { encoding: "utf8" })).toBe("op-deployer version v0.7.1\n");
    expect(readlinkSync(`${dest}/op-deployer`)).toBe("op-deployer-v0.7.1");
    const again = run(["v0.7.1", sha256, dest]);
    expect(again.status).toBe(0);
    expect(again.stderr).toBe("");
  });

  it("refuses a tarball whose sha256 differs and installs nothing", () => {
    const dest = path.join(work, "bin-bad");
    const wrong = "f".repeat(64);
    const r = run(["v0.7.1", wrong, dest]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`refusing op-deployer-0.7.1-linux-amd64.tar.gz: its sha256 is ${sha256}, expected ${wrong}. Nothing was installed.`);
    expect(existsSync(dest)).toBe(false);
  });

  it("runs as the stack's install step: the script on stdin, its arguments set in front", () => {
    const dest = path.join(work, "bin-step");
    const step = installStep({ opDeployer: { version: "v0.7.1", sha256 } }, { bin: dest });
    const r = spawnSync("bash", ["-s"], { input: step.stdin, encoding: "utf8", env: { ...process.env, OP_DEPLOYER_RELEASE_BASE: base } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`${dest}/op-deployer-v0.7.1`);
  });

  it("rejects malformed arguments with usage", () => {
    expect(run(["0.7.1", sha256]).stderr).toContain("version must look like v0.7.1, got '0.7.1'.");
    expect(run(["v0.7.1", "abc"]).stderr).toContain("sha256 must be 64 lowercase hex characters");
    expect(run([]).status).toBe(2);
  });
});
