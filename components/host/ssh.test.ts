import { execFileSync } from "node:child_process";

import { describe, expect, it } from "vitest";

import { TEST_HOST_KEY } from "../config/test-fixtures.js";
import { exportLines, shellQuote } from "./shell.js";
import { commandConnection, dockerHostUrl, dockerSshOpts, hostKeyWithoutComment, tunnelCommand } from "./ssh.js";

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

  it("through a bastion: Docker's ssh runs a second ssh as ProxyCommand, with the bastion's key pinned the same way", () => {
    const jumpKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJumpJumpJumpJumpJumpJumpJumpJumpJumpJumpJump";
    const viaJump = { ...host, jump: { user: "ci", address: "bastion.example.org", port: 2200, hostKey: `${jumpKey} root@bastion` } };
    const effective = execFileSync("ssh", ["-G", ...dockerSshOpts(viaJump), "-p", "2222", "ecp-operator@ecp-forge"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    // The target stays pinned as before.
    expect(/^knownhostscommand (.*)$/m.exec(effective)?.[1]).toBe(`/usr/bin/env echo %H ${TEST_HOST_KEY}`);
    const proxy = /^proxycommand (.*)$/m.exec(effective)?.[1] ?? "";
    expect(proxy).toContain("-W %h:%p ci@bastion.example.org");
    // The proxy as the outer ssh would run it (%h:%p expanded, %% to %): ssh parses it, and its own
    // KnownHostsCommand answers with exactly the bastion's key.
    const inner = proxy.replace("%h:%p", "ecp-forge:2222").replace("%%H", "%H");
    const innerEffective = execFileSync("bash", ["-c", inner.replace(/^ssh /, "ssh -G ")], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect(innerEffective).toContain("stricthostkeychecking true");
    expect(innerEffective).toMatch(/^hostname bastion\.example\.org$/m);
    expect(innerEffective).toMatch(/^port 2200$/m);
    expect(/^knownhostscommand (.*)$/m.exec(innerEffective)?.[1]).toBe(`/usr/bin/env echo %H ${jumpKey}`);
    expect(commandConnection(viaJump).proxy).toEqual({ host: "bastion.example.org", port: 2200, user: "ci", hostKey: jumpKey, dialErrorLimit: 20, perDialTimeout: 30 });
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

  it("prints the tunnel to the host's loopback ports, through the bastion when there is one, as an ssh that real ssh parses", () => {
    expect(tunnelCommand(host, [3000, 9090])).toBe("ssh -N -p 2222 -L 3000:127.0.0.1:3000 -L 9090:127.0.0.1:9090 ecp-operator@ecp-forge");
    const viaJump = { ...host, jump: { user: "ci", address: "bastion.example.org", port: 2200, hostKey: TEST_HOST_KEY } };
    const cmd = tunnelCommand(viaJump, [8545]);
    expect(cmd).toBe("ssh -N -p 2222 -J ci@bastion.example.org:2200 -L 8545:127.0.0.1:8545 ecp-operator@ecp-forge");
    const effective = execFileSync("ssh", ["-G", ...cmd.split(" ").slice(1)], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect(effective).toContain("proxyjump ci@bastion.example.org:2200");
    expect(effective).toContain("localforward 8545 [127.0.0.1]:8545");
  });
});
