import { execFileSync } from "node:child_process";

import { describe, expect, it } from "vitest";

import { TEST_HOST_KEY } from "../config/test-fixtures.js";
import { exportLines, shellQuote } from "./shell.js";
import { commandConnection, dockerHostUrl, dockerSshOpts, hostKeyWithoutComment } from "./ssh.js";

const host = { address: "ecp-forge", user: "ecp-operator", port: 2222, hostKey: `${TEST_HOST_KEY} root@ecp-forge` };

describe("SSH to ecp-forge", () => {
  it("pins the host key for Docker: ssh itself resolves the KnownHostsCommand to exactly that key", () => {
    expect(dockerHostUrl(host)).toBe("ssh://ecp-operator@ecp-forge:2222");
    const opts = dockerSshOpts(host);
    // `ssh -G` prints the effective configuration without connecting.
    const effective = execFileSync("ssh", ["-G", ...opts, "-p", "2222", "ecp-operator@ecp-forge"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect(effective).toContain("stricthostkeychecking true");
    expect(effective).toContain("userknownhostsfile /dev/null");
    const cmd = /^knownhostscommand (.*)$/m.exec(effective)?.[1];
    expect(cmd).toBe(`/usr/bin/env echo %H ${TEST_HOST_KEY}`);
    // What ssh would run, with %H as it expands it for a non-default port: one known_hosts line.
    const line = execFileSync("bash", ["-c", (cmd ?? "").replace("%H", "[ecp-forge]:2222")], { encoding: "utf8" });
    expect(line).toBe(`[ecp-forge]:2222 ${TEST_HOST_KEY}\n`);
  });

  it("gives remote commands the key without its comment", () => {
    expect(commandConnection(host)).toMatchObject({ host: "ecp-forge", port: 2222, user: "ecp-operator", hostKey: TEST_HOST_KEY });
    expect(() => hostKeyWithoutComment("ssh-ed25519")).toThrow('host key must look like "ssh-ed25519 AAAA…"');
  });
});

describe("remote scripts", () => {
  it("quotes any value so bash reads it back unchanged", () => {
    const nasty = "a'b\"c $(rm -rf /) `x`\nnew line \\ end";
    const out = execFileSync("bash", ["-c", `${exportLines({ V: nasty })}printf '%s' "$V"`], { encoding: "utf8" });
    expect(out).toBe(nasty);
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(() => exportLines({ "bad-name": "x" })).toThrow('environment variable name "bad-name" must match');
  });
});
