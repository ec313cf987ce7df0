// The files the stack writes for its monitoring containers, as one set: promtool reads prometheus.yml with the
// rule file it names next to it.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import yaml from "js-yaml";
import { describe, expect, it } from "vitest";

import { testConfig } from "../config/test-fixtures.js";
import { stackMonitoringFiles } from "./index.js";
import { toYaml } from "./rules.js";
import { promtool, tempDirWith } from "./testing/promtool.js";

describe("the stack's monitoring files", () => {
  it("pass promtool check config together (prometheus.yml and the rule file it names)", () => {
    const files = stackMonitoringFiles(testConfig(), { challenger: true, disputeMon: true });
    const dir = tempDirWith({});
    for (const f of files) {
      mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
      let content = f.content;
      if (f.path === "prometheus/prometheus.yml") {
        // Debian's promtool is v2.42, older than the `storage.tsdb.retention` section (Prometheus v3.8+,
        // read in v3.13.2's config/config.go); the rest of the file is checked by it.
        const doc = yaml.load(content) as Record<string, unknown>;
        expect(doc["storage"]).toEqual({ tsdb: { retention: { time: "30d" } } });
        delete doc["storage"];
        content = toYaml(doc);
      }
      writeFileSync(path.join(dir, f.path), content);
    }
    const r = promtool(["check", "config", "prometheus/prometheus.yml"], dir);
    expect(r.output).toContain("SUCCESS: 24 rules found");
    expect(r.code, r.output).toBe(0);
  });

  it("route every alert to one receiver, which has a url_file webhook only when one is configured", () => {
    const am = (webhook: boolean) => {
      const config = webhook ? { ...testConfig(), alertWebhookUrl: testConfig({ "ecp:alertWebhookUrl": "https://hooks.example/x" }).alertWebhookUrl } : testConfig();
      const f = stackMonitoringFiles(config, { challenger: false, disputeMon: false }).find((x) => x.path === "alertmanager/alertmanager.yml")!;
      return yaml.load(f.content) as { route: { receiver: string }; receivers: Record<string, unknown>[] };
    };
    expect(am(false).route.receiver).toBe("operator");
    expect(am(false).receivers).toEqual([{ name: "operator" }]);
    expect(am(true).receivers).toEqual([{ name: "operator", webhook_configs: [{ url_file: "/run/secrets/alert-webhook-url", send_resolved: true }] }]);
    expect(JSON.stringify(am(true))).not.toContain("hooks.example");
  });
});
