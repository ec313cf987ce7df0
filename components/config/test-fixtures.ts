/**
 * Shared fixtures for the pure-layer tests. Keys are the well-known test scalars 1..5; never fund them.
 */
import { loadConfig } from "./load.js";
import type { StackConfig } from "./schema.js";

export const TEST_KEYS = {
  deployer: `0x${"1".padStart(64, "0")}`,
  batcher: `0x${"2".padStart(64, "0")}`,
  proposer: `0x${"3".padStart(64, "0")}`,
  challenger: `0x${"4".padStart(64, "0")}`,
  sequencer: `0x${"5".padStart(64, "0")}`,
} as const;

/** Addresses of TEST_KEYS (secp256k1 scalars 1..5). */
export const TEST_ADDRESSES = {
  deployer: "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf",
  batcher: "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF",
  proposer: "0x6813Eb9362372EEF6200f3b1dbC3f819671cBA69",
  challenger: "0x1efF47bc3a10a45D4B230B5d10E37751FE6AA718",
  sequencer: "0xe1AB8145F7E55DC933d51a18c793F901A3A0b276",
} as const;

export const TEST_HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
export const TEST_SHA256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
/** A made-up prestate commitment (starts with the unfinished-VM status byte 0x03). */
export const TEST_PRESTATE = "0x03aa000000000000000000000000000000000000000000000000000000000001";

/** The smallest raw config that loads, shaped like `pulumi.runtime.allConfig()` output. */
export function minimalRawConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    "ecp:host": JSON.stringify({ user: "deploy", hostKey: TEST_HOST_KEY }),
    "ecp:opDeployerSha256": TEST_SHA256,
    "ecp:deployerPrivateKey": TEST_KEYS.deployer,
    ...overrides,
  };
}

/** A full config with one key per role and a prestate, as a real deployment would have. */
export function fullRawConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return minimalRawConfig({
    "ecp:batcherPrivateKey": TEST_KEYS.batcher,
    "ecp:proposerPrivateKey": TEST_KEYS.proposer,
    "ecp:challengerPrivateKey": TEST_KEYS.challenger,
    "ecp:sequencerPrivateKey": TEST_KEYS.sequencer,
    "ecp:l1RpcUrl": "https://sepolia.example.org/v1/secret-token",
    "ecp:l1BeaconUrl": "https://beacon.example.org",
    "ecp:prestate": JSON.stringify({
      hash: TEST_PRESTATE,
      path: "/var/lib/ecp-opstack/prestates/prestate-mt64.bin.gz",
    }),
    "ecp:p2p": JSON.stringify({ advertiseIp: "203.0.113.10" }),
    ...overrides,
  });
}

export function testConfig(overrides: Record<string, unknown> = {}): StackConfig {
  return loadConfig(fullRawConfig(overrides));
}

export const TEST_PEER_HOST_KEYS = [
  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBWjr0hKxQyNkMrWqmR0gqAKnq6xI1VvSlO5GbbTjYpE",
  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKc5x7Vq9Qb1c8mXkqf6bq1b8lC9qv3m0w2c3q8vY6Zr",
] as const;

/** Two verifier peers: one private, one publishing the chain's public RPC and scraped over a private network. */
export const TEST_PEERS = [
  { name: "verifier-1", address: "203.0.113.21", user: "deploy", hostKey: TEST_PEER_HOST_KEYS[0], metricsAddress: "10.0.0.21" },
  {
    name: "rpc-1",
    address: "rpc-1.example.org",
    user: "deploy",
    port: 2222,
    hostKey: TEST_PEER_HOST_KEYS[1],
    advertiseIp: "203.0.113.22",
    publicRpcPort: 8545,
    sequencerHttp: "http://10.0.0.99:8545",
    metricsAddress: "10.0.0.22",
  },
] as const;
