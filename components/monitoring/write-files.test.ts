// remote/write-files.sh run for real in bash: what the stack writes for the monitoring containers.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { opStackScript, remoteScript } from "../host/shell.js";
import { filesLines } from "./index.js";

const dir = mkdtempSync(path.join(tmpdir(), "ecp-write-files-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(target: string, files: { path: string; content: string }[]) {
  return spawnSync("bash", ["-s"], { input: remoteScript({ DIR: target, FILES: filesLines(files) }, opStackScript("remote/write-files.sh")), encoding: "utf8" });
}

describe("write-files.sh", () => {
  it("writes each file byte for byte (quotes, newlines, unicode), 0640 under 0750 folders, and removes files no longer listed", () => {
    const target = path.join(dir, "config");
    const tricky = "a: 'quoted' \"double\" $HOME `cmd`\nsecond line — ünïcode\n";
    const first = write(target, [
      { path: "prometheus/prometheus.yml", content: tricky },
      { path: "grafana/dashboards/old.json", content: "{}\n" },
    ]);
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    expect(readFileSync(path.join(target, "prometheus/prometheus.yml"), "utf8")).toBe(tricky);
    expect(statSync(path.join(target, "prometheus/prometheus.yml")).mode & 0o777).toBe(0o640);
    expect(statSync(path.join(target, "grafana/dashboards")).mode & 0o777).toBe(0o750);

    writeFileSync(path.join(target, "grafana/dashboards/stray.json"), "{}");
    const second = write(target, [{ path: "prometheus/prometheus.yml", content: "v2\n" }, { path: "grafana/dashboards/new.json", content: "{}\n" }]);
    expect(second.status).toBe(0);
    expect(readFileSync(path.join(target, "prometheus/prometheus.yml"), "utf8")).toBe("v2\n");
    expect(existsSync(path.join(target, "grafana/dashboards/old.json"))).toBe(false);
    expect(existsSync(path.join(target, "grafana/dashboards/stray.json"))).toBe(false);
    expect(existsSync(path.join(target, "grafana/dashboards/new.json"))).toBe(true);
  });

  it("refuses a path that leaves the folder, and writes nothing after it", () => {
    const target = path.join(dir, "escape");
    const r = write(target, [{ path: "../outside.yml", content: "x" }, { path: "after.yml", content: "y" }]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("refusing to write ../outside.yml: not a relative path inside");
    expect(existsSync(path.join(dir, "outside.yml"))).toBe(false);
    expect(existsSync(path.join(target, "after.yml"))).toBe(false);
  });
});
