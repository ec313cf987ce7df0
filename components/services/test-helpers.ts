/**
 * Shared assertions for the flags tests.
 */
import { readFileSync } from "node:fs";

import { expect } from "vitest";

import type { StackConfig } from "../config/schema.js";
import { parseDeployment, type Addresses } from "../deployer/deployment.js";
import { isSecretRef, type ServiceSpec } from "./spec.js";

export function fixtureAddresses(): Addresses {
  const read = (name: string) => readFileSync(new URL(`../deployer/fixtures/${name}`, import.meta.url), "utf8");
  return parseDeployment({ stateJson: read("state.json"), rollupJson: read("rollup.json"), l2ChainId: 16584 }).addresses;
}

/** RPC, engine-auth and metrics ports are internal or on 127.0.0.1; P2P ports are public. */
export function expectNothingButP2PIsPublic(spec: ServiceSpec): void {
  for (const port of spec.ports) {
    if (port.kind === "p2p") {
      expect(port, `${spec.name} ${port.name}`).toMatchObject({ ip: "0.0.0.0", external: port.internal });
    } else if (port.external !== undefined) {
      expect(port.ip, `${spec.name} ${port.name} is published beyond loopback`).toBe("127.0.0.1");
    }
  }
  // The engine API is never published at all.
  for (const port of spec.ports.filter((p) => p.kind === "auth")) expect(port.external).toBeUndefined();
}

/** No secret value appears in the command line or as a plain env string; secrets are SecretRefs. */
export function expectNoSecretsInPlainText(spec: ServiceSpec, config: StackConfig): void {
  const secrets = [
    config.l1RpcUrl.reveal(),
    config.l1BeaconUrl.reveal(),
    ...Object.values(config.keys).map((k) => k.reveal()),
  ];
  const plain = [...(spec.entrypoint ?? []), ...spec.command, ...Object.values(spec.env).filter((v) => !isSecretRef(v))].join(" ");
  for (const s of secrets) {
    expect(plain).not.toContain(s);
    expect(plain).not.toContain(s.replace(/^0x/, ""));
  }
  expect(plain).not.toMatch(/private-key|p2p\.sequencer\.key|jwt-secret=[0-9a-f]{64}/);
}
