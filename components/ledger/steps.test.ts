import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { privateKeyToAddress } from "viem/accounts";
import { describe, expect, it } from "vitest";

import { testConfig, TEST_KEYS } from "../config/test-fixtures.js";
import { fundedAccounts } from "./index.js";
import { deployArgs, parseSmokeOutput, railGate, railScript, smokeArgs } from "./steps.js";

const K = [`0x${"a1".repeat(32)}`, `0x${"a2".repeat(32)}`, `0x${"a3".repeat(32)}`] as const;
const A = K.map((k) => privateKeyToAddress(k));
const MEMBERS = JSON.stringify(A.map((address, i) => ({ name: `w-${i}`, address })));

describe("remote/rail.sh", () => {
  it("passes keys into the container by name only, and mounts the bundle and the archive read-only", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "fake-docker-"));
    // A `docker` that prints its arguments and whether the keys reached its environment.
    writeFileSync(
      path.join(dir, "docker"),
      '#!/usr/bin/env bash\nprintf "%s\\n" "$@"\necho "deployer-key-in-env=${ECP_DEPLOYER_KEY:+yes}"\necho "witness-keys=${ECP_WITNESS_KEYS}"\necho "relayer-key=${ECP_RELAYER_KEY}"\n',
    );
    chmodSync(path.join(dir, "docker"), 0o755);
    const archive = path.join(dir, "archive");
    writeFileSync(archive, "");
    const config = testConfig({ "ecp:rail": JSON.stringify({ witnesses: JSON.parse(MEMBERS) as unknown, archiveDir: archive }) });
    const script = railScript({
      bundlePath: "/var/lib/ecp-opstack/rail/rail.mjs",
      nodeImage: "sha256:abc",
      args: smokeArgs(config.rail),
      deployerKey: TEST_KEYS.deployer,
      smokeWitnessKeys: [K[0], K[1]],
      smokeRelayerKey: K[2],
      archivePath: archive,
    });
    const out = execFileSync("bash", ["-s"], { input: script, encoding: "utf8", env: { PATH: `${dir}:${process.env["PATH"] ?? ""}` } });
    const argv = out.split("\n");
    expect(argv.slice(0, 4)).toEqual(["run", "--rm", "--network", "ecp-opstack"]);
    expect(out).toContain(`-v\n/var/lib/ecp-opstack/rail/rail.mjs:/rail/rail.mjs:ro\n-v\n${archive}:/archive/in:ro\n`);
    expect(out).toContain("-e\nECP_DEPLOYER_KEY\n-e\nECP_WITNESS_KEYS\n-e\nECP_RELAYER_KEY\n-e\nECP_L1_RPC_URL\n--entrypoint\nnode\nsha256:abc\n/rail/rail.mjs\nsmoke-network\n");
    expect(out).toContain("--archive\n/archive/in\n--witnesses\n3\n--mode\nrelayed\n--limit\n30\n--json\n");
    expect(out).toContain("deployer-key-in-env=yes");
    expect(out).toContain(`witness-keys=${K[0]},${K[1]}`);
    expect(out).toContain(`relayer-key=${K[2]}`);
    // No key on the docker command line.
    const commandLine = out.slice(0, out.indexOf("deployer-key-in-env"));
    for (const k of [TEST_KEYS.deployer, ...K]) expect(commandLine).not.toContain(k);
  });

  it("refuses an archive the operator cannot read, naming it", () => {
    const config = testConfig({ "ecp:rail": JSON.stringify({ witnesses: JSON.parse(MEMBERS) as unknown }) });
    const script = railScript({ bundlePath: "/x", nodeImage: "i", args: smokeArgs(config.rail), deployerKey: "k", archivePath: "/nope" });
    try {
      execFileSync("bash", ["-s"], { input: script, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
      expect.unreachable();
    } catch (e) {
      expect((e as { stderr: string }).stderr).toContain("the rail archive /nope (ecp:rail.archiveDir) is not readable on this host");
    }
  });
});

describe("the deploy step's arguments", () => {
  it("names every member by address, the quorum, and the accounts to fund; never a key", () => {
    const config = testConfig({ "ecp:rail": JSON.stringify({ witnesses: JSON.parse(MEMBERS) as unknown, quorum: 3 }) });
    const args = deployArgs(config.rail, "0x00000000000000000000000000000000000000aa", ["0x00000000000000000000000000000000000000bb"]);
    expect(args).toEqual([
      "deploy", "--rpc", "http://execution:8545",
      "--witness", A[0], "--witness", A[1], "--witness", A[2],
      "--quorum", "3",
      "--portal", "0x00000000000000000000000000000000000000aa",
      "--fund", "0x00000000000000000000000000000000000000bb",
      "--fund-min", "0.05", "--fund-top-up", "0.25", "--json",
    ]);
  });
});

describe("who the deploy step funds", () => {
  it("the relayer, and ecp-forge's witness only when it sends its own transactions", () => {
    const members = JSON.parse(MEMBERS) as unknown[];
    const relayed = testConfig({ "ecp:rail": JSON.stringify({ witnesses: members, archiveDir: "/a" }), "ecp:railWitnessKey": K[0] }).rail;
    expect(fundedAccounts(relayed, "0xR")).toEqual(["0xR"]);
    expect(fundedAccounts({ ...relayed, mode: "witness-tx" }, "0xR")).toEqual(["0xR", A[0]]);
    expect(fundedAccounts({ ...relayed, mode: "witness-tx", witnessKey: undefined }, "0xR")).toEqual(["0xR"]);
  });
});

describe("rail config", () => {
  it("gates the rail on its witness set", () => {
    expect(railGate(testConfig().rail)).toMatchObject({ deploy: false, reason: expect.stringContaining("`ecp:rail.witnesses` is empty") as unknown });
    expect(railGate(testConfig({ "ecp:rail": JSON.stringify({ witnesses: JSON.parse(MEMBERS) as unknown }) }).rail)).toEqual({ deploy: true });
    expect(railGate(testConfig({ "ecp:rail": JSON.stringify({ witnesses: JSON.parse(MEMBERS) as unknown, enabled: false }) }).rail)).toMatchObject({ deploy: false });
  });

  it("defaults the quorum to the smallest majority and refuses a minority, an unreachable quorum, repeats and bad entries", () => {
    const rail = (r: Record<string, unknown>) => testConfig({ "ecp:rail": JSON.stringify(r) }).rail;
    const members = JSON.parse(MEMBERS) as { name: string; address: string }[];
    expect(rail({ witnesses: members }).quorum).toBe(2);
    expect(rail({ witnesses: members }).witnesses.map((w) => w.address)).toEqual(A);
    expect(() => rail({ witnesses: members, quorum: 1 })).toThrow(
      "`ecp:rail.quorum` 1 is not a strict majority of 3 witnesses (two disjoint groups could each finalize); choose from 2 to 3. Run `pulumi config set --path ecp:rail.quorum 2`.",
    );
    expect(() => rail({ witnesses: members, quorum: 4 })).toThrow("`ecp:rail.quorum` 4 is out of reach with 3 witnesses; choose from 2 to 3. Run `pulumi config set --path ecp:rail.quorum 2`.");
    expect(() => rail({ quorum: 2 })).toThrow("`ecp:rail.quorum` is 2 but `ecp:rail.witnesses` is empty.");
    expect(() => rail({ witnesses: [members[0], { ...members[0], name: "other" }] })).toThrow(`("${A[0]}" appears twice)`);
    expect(() => rail({ witnesses: [{ name: "x", address: A[0] }] })).toThrow("[0].name is 2 to 32 lowercase letters");
    expect(() => rail({ witnesses: [{ name: "alice", address: "0x12" }] })).toThrow("[0].address is a 0x-prefixed 20-byte address");
    expect(() => rail({ witnesses: [{ name: "alice", address: A[0], relayer: "ftp://x" }] })).toThrow("[0].relayer is an http(s) URL of a relayer without credentials");
    expect(() => rail({ witnesses: [{ name: "alice", address: A[0], key: K[0] }] })).toThrow('[0] has only the keys name, address, relayer (got "key")');
    expect(() => rail({ nodeImage: { tag: "latest" } })).toThrow("`ecp:rail.nodeImage.tag` must be an exact Node release tag like 22.23.3-bookworm-slim, got \"latest\".");
  });

  it("refuses the retired witnessPrivateKeys with what to set instead, and a host witness key not in the set", () => {
    expect(() => testConfig({ "ecp:witnessPrivateKeys": K.join(",") })).toThrow(
      "`ecp:witnessPrivateKeys` is no longer read: a stack that holds every witness's key can finalize anything by itself, which defeats the quorum.",
    );
    expect(() => testConfig({ "ecp:witnessPrivateKeys": K.join(",") })).toThrow("pulumi config rm ecp:witnessPrivateKeys");
    expect(() => testConfig({ "ecp:rail": JSON.stringify({ archivePath: "/a.jsonl" }) })).toThrow("`ecp:rail.archivePath` is now `ecp:rail.archiveDir`");
    const members = JSON.parse(MEMBERS) as unknown[];
    const outsider = `0x${"b4".repeat(32)}` as const;
    expect(() => testConfig({ "ecp:rail": JSON.stringify({ witnesses: members, archiveDir: "/a" }), "ecp:railWitnessKey": outsider })).toThrow(
      `\`ecp:railWitnessKey\` is ecp-forge's own witness key, but its address ${privateKeyToAddress(outsider)} is not in \`ecp:rail.witnesses\`.`,
    );
    expect(() => testConfig({ "ecp:rail": JSON.stringify({ witnesses: members }), "ecp:railWitnessKey": K[0] })).toThrow("`ecp:railWitnessKey` is set, so ecp-forge runs a witness, but `ecp:rail.archiveDir` is not");
    expect(testConfig({ "ecp:rail": JSON.stringify({ witnesses: members, archiveDir: "/a" }), "ecp:railWitnessKey": K[0] }).rail.witnessKey?.reveal()).toBe(K[0]);
  });

  it("reduces the smoke's JSON to what the stack outputs", () => {
    const s = parseSmokeOutput(
      JSON.stringify({
        ok: false, reason: "relayer exited", chainId: 1, ledger: "0xabc", witnesses: ["0x1", "0x2", "0x3"], quorum: 2, lines: 30, expected: 30, finalized: 12, seconds: 41,
        streams: [{ stream: "a", finalized: 12, pending: 18, conflicting: 0, skipped: 0, headSequence: "11" }], metrics: { witness: [], relayer: [] },
      }),
    );
    expect(s).toEqual({ ok: false, reason: "relayer exited", ledger: "0xabc", witnesses: 3, quorum: 2, expected: 30, finalized: 12, seconds: 41, streams: [{ stream: "a", finalized: 12, pending: 18, headSequence: "11" }] });
    expect(() => parseSmokeOutput("not json")).toThrow("the rail client's smoke-network printed no JSON summary (got 8 characters).");
  });
});
