import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { testConfig, TEST_KEYS } from "../config/test-fixtures.js";
import { parseSmokeOutput, railGate, railScript, smokeArgs } from "./steps.js";

const W = [`0x${"a1".repeat(32)}`, `0x${"a2".repeat(32)}`, `0x${"a3".repeat(32)}`];

describe("remote/rail.sh", () => {
  it("passes keys into the container by name only, and mounts the bundle and the archive read-only", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "fake-docker-"));
    // A `docker` that prints its arguments and whether the keys reached its environment.
    writeFileSync(
      path.join(dir, "docker"),
      '#!/usr/bin/env bash\nprintf "%s\\n" "$@"\necho "deployer-key-in-env=${ECP_DEPLOYER_KEY:+yes}"\necho "witness-keys=${ECP_WITNESS_KEYS}"\n',
    );
    chmodSync(path.join(dir, "docker"), 0o755);
    const archive = path.join(dir, "archive.jsonl");
    writeFileSync(archive, "");
    const config = testConfig({ "ecp:witnessPrivateKeys": W.join(","), "ecp:rail": JSON.stringify({ archivePath: archive }) });
    const script = railScript({
      bundlePath: "/var/lib/ecp-opstack/rail/rail.mjs",
      nodeImage: "sha256:abc",
      args: smokeArgs(config.rail),
      deployerKey: TEST_KEYS.deployer,
      witnessKeys: W,
      archivePath: archive,
    });
    const out = execFileSync("bash", ["-s"], { input: script, encoding: "utf8", env: { PATH: `${dir}:${process.env["PATH"] ?? ""}` } });
    const argv = out.split("\n");
    expect(argv.slice(0, 4)).toEqual(["run", "--rm", "--network", "ecp-opstack"]);
    expect(out).toContain(`-v\n/var/lib/ecp-opstack/rail/rail.mjs:/rail/rail.mjs:ro\n-v\n${archive}:/archive/archive.jsonl:ro\n`);
    expect(out).toContain("-e\nECP_DEPLOYER_KEY\n-e\nECP_WITNESS_KEYS\n-e\nECP_L1_RPC_URL\n--entrypoint\nnode\nsha256:abc\n/rail/rail.mjs\nsmoke\n");
    expect(out).toContain("--dissent-every\n0\n--json\n");
    expect(out).toContain("deployer-key-in-env=yes");
    expect(out).toContain(`witness-keys=${W.join(",")}`);
    // No key on the docker command line.
    const commandLine = out.slice(0, out.indexOf("deployer-key-in-env"));
    for (const k of [TEST_KEYS.deployer, ...W]) expect(commandLine).not.toContain(k);
  });

  it("refuses an archive path the operator cannot read, naming it", () => {
    const config = testConfig({ "ecp:witnessPrivateKeys": W.join(",") });
    const script = railScript({ bundlePath: "/x", nodeImage: "i", args: smokeArgs({ ...config.rail, archivePath: "/nope.jsonl" }), deployerKey: "k", witnessKeys: W, archivePath: "/nope.jsonl" });
    try {
      execFileSync("bash", ["-s"], { input: script, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
      expect.unreachable();
    } catch (e) {
      expect((e as { stderr: string }).stderr).toContain("ecp:rail.archivePath /nope.jsonl is not readable on this host");
    }
  });
});

describe("rail config", () => {
  it("gates the rail on witness keys and the smoke on the archive path", () => {
    expect(railGate(testConfig().rail)).toMatchObject({ deploy: false, reason: expect.stringContaining("`ecp:witnessPrivateKeys` is not set") as unknown });
    expect(railGate(testConfig({ "ecp:witnessPrivateKeys": W.join(",") }).rail)).toMatchObject({
      deploy: true,
      smoke: false,
      reason: expect.stringContaining("`ecp:rail.archivePath` is not set") as unknown,
    });
    expect(railGate(testConfig({ "ecp:witnessPrivateKeys": W.join(","), "ecp:rail": JSON.stringify({ archivePath: "/a.jsonl" }) }).rail)).toEqual({ deploy: true, smoke: true });
    expect(railGate(testConfig({ "ecp:witnessPrivateKeys": W.join(","), "ecp:rail": JSON.stringify({ enabled: false }) }).rail)).toMatchObject({ deploy: false });
  });

  it("defaults the quorum to the smallest majority and refuses a minority, a repeated key or a bad list", () => {
    expect(testConfig({ "ecp:witnessPrivateKeys": W.join(",") }).rail.quorum).toBe(2);
    expect(testConfig({ "ecp:witnessPrivateKeys": JSON.stringify(W) }).rail.witnessKeys).toHaveLength(3);
    expect(() => testConfig({ "ecp:witnessPrivateKeys": W.join(","), "ecp:rail": JSON.stringify({ quorum: 1 }) })).toThrow(
      "`ecp:rail.quorum` must be a strict majority of the 3 witness keys (2 to 3), got 1. Run `pulumi config set --path ecp:rail.quorum 2`.",
    );
    expect(() => testConfig({ "ecp:witnessPrivateKeys": `${W[0]},${W[0]}` })).toThrow(
      "`ecp:witnessPrivateKeys` must be a list of distinct private keys (one key is repeated), got a value of 133 characters (hidden).",
    );
    expect(() => testConfig({ "ecp:witnessPrivateKeys": "0x12" })).toThrow("`ecp:witnessPrivateKeys` must be a comma-separated list of 0x-prefixed 32-byte hex private keys, got a value of 4 characters (hidden).");
    expect(() => testConfig({ "ecp:rail": JSON.stringify({ nodeImage: { tag: "latest" } }) })).toThrow("`ecp:rail.nodeImage.tag` must be an exact Node release tag like 22.23.3-bookworm-slim, got \"latest\".");
  });

  it("reduces the smoke's JSON to what the stack outputs", () => {
    const s = parseSmokeOutput(
      JSON.stringify({ ok: true, deployment: { ledger: "0xabc" }, observations: 3, lines: 4, skipped: [{ line: 2 }], notFinalized: [], streams: [{ stream: "a", finalized: 3, pending: 0, conflicting: 0, headSequence: "2", chainIntact: true, streamHash: "0x1" }] }),
    );
    expect(s).toEqual({ ok: true, ledger: "0xabc", observations: 3, lines: 4, skipped: 1, notFinalized: 0, streams: [{ stream: "a", finalized: 3, pending: 0, headSequence: "2", chainIntact: true }] });
    expect(() => parseSmokeOutput("not json")).toThrow("the rail client's smoke printed no JSON summary (got 8 characters).");
  });
});
