/**
 * The ecp-forge policy pack's rules, as plain functions over a resource's type and inputs so they can be
 * unit-tested without the Pulumi engine (index.ts registers them in the PolicyPack).
 *
 * A note on secrets: Pulumi hands policies every input decrypted, so no policy can see whether a value
 * was a secret. "Keys only as secrets" is therefore enforced in two halves: this pack refuses key material
 * anywhere Pulumi shows inputs in plain text (command lines, container commands, labels, triggers), and the
 * stack's mocked tests (components/stack.test.ts) check that the fields keys do travel in (container env,
 * command stdin and environment) are secret inputs.
 */
import { CONTAINER_PORTS } from "../components/config/defaults.js";
import { isPrivateIpv4 } from "../components/config/patterns.js";
import { PUBLIC_RPC_LABEL, ROLE_LABEL } from "../components/services/node-role.js";

export interface ResourceLike {
  type: string;
  name: string;
  props: Record<string, unknown>;
  dependencies?: ResourceLike[];
}

export type Report = (message: string) => void;

export const CONTAINER = "docker:index/container:Container";
export const REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage";
export const REMOTE_COMMAND = "command:remote:Command";
export const LOCAL_COMMAND = "command:local:Command";

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);
/** Services whose P2P port may be public. */
const P2P_SERVICES = new Set(["op-reth", "op-geth", "op-node"]);
const EXECUTION_CLIENTS_SERVICES = new Set(["op-reth", "op-geth"]);
/** Every RPC, engine-auth and metrics port the services listen on inside their containers. */
const PRIVATE_CONTAINER_PORTS = new Set<number>(Object.values(CONTAINER_PORTS).flatMap((ports) => Object.values(ports)));

/** Metrics ports, which may also be published on a private address (a peer scraped from ecp-forge). */
const METRICS_PORTS = new Set<number>(Object.values(CONTAINER_PORTS).flatMap((ports) => ("metrics" in ports ? [ports.metrics] : [])));

function labelOf(props: Record<string, unknown>, name: string): string | undefined {
  const labels = Array.isArray(props["labels"]) ? (props["labels"] as { label?: string; value?: string }[]) : [];
  return labels.find((l) => l.label === name)?.value;
}

function serviceOf(props: Record<string, unknown>): string {
  return labelOf(props, "org.every-channel.service") ?? String(props["name"] ?? "");
}

/** A verifier peer's execution client publishing the chain's public RPC: the HTTP port, on the port its
 *  public-RPC label names, on a container labelled as a verifier. The sequencer's RPC never qualifies. */
function isPublicRpc(props: Record<string, unknown>, service: string, p: { internal?: number; external?: number }): boolean {
  return (
    EXECUTION_CLIENTS_SERVICES.has(service) &&
    p.internal === CONTAINER_PORTS.executionClient.http &&
    labelOf(props, ROLE_LABEL) === "verifier" &&
    labelOf(props, PUBLIC_RPC_LABEL) === String(p.external)
  );
}

/**
 * No RPC, auth or metrics port is published beyond loopback, with these exceptions: the execution client's
 * and op-node's P2P ports; a verifier peer's public L2 RPC (ecp:peers[].publicRpcPort, never the sequencer's);
 * and, on a private address only (10/8, 172.16/12, 192.168/16, 100.64/10), metrics ports for the sequencer's
 * Prometheus, the execution client's WebSocket RPC (eth, net, web3) for the peers to forward transactions to,
 * and the rail relayer's API for witnesses on other hosts.
 */
export function noPublicServicePorts(r: ResourceLike, report: Report): void {
  if (r.type !== CONTAINER) return;
  const service = serviceOf(r.props);
  const ports = Array.isArray(r.props["ports"]) ? (r.props["ports"] as { internal?: number; external?: number; ip?: string; protocol?: string }[]) : [];
  for (const p of ports) {
    const ip = p.ip ?? "0.0.0.0";
    if (LOOPBACK.has(ip)) continue;
    const where = `${service} port ${p.internal}/${p.protocol ?? "tcp"} is published on ${ip}`;
    if (p.external === undefined) {
      report(`${where} on a random host port; publish it on 127.0.0.1 or not at all.`);
      continue;
    }
    if (METRICS_PORTS.has(p.internal ?? -1) && isPrivateIpv4(ip)) continue;
    // The sequencer's WebSocket RPC (eth, net, web3) on ecp:host.privateAddress, which the peers forward transactions to.
    if (EXECUTION_CLIENTS_SERVICES.has(service) && p.internal === CONTAINER_PORTS.executionClient.ws && isPrivateIpv4(ip)) continue;
    if (isPublicRpc(r.props, service, p)) continue;
    // The rail relayer's API on ecp:host.privateAddress, for witnesses on other hosts (components/ledger/services.ts).
    if (service === "rail-relayer" && p.internal === CONTAINER_PORTS.railRelayer.http && isPrivateIpv4(ip)) continue;
    if (!P2P_SERVICES.has(service) || PRIVATE_CONTAINER_PORTS.has(p.internal ?? -1) || p.external !== p.internal) {
      report(
        `${where}: only the execution client's (op-reth or op-geth) and op-node's P2P ports, a verifier peer's public L2 RPC (ecp:peers[].publicRpcPort), and the L2 WebSocket RPC, metrics and the rail relayer on a private address may leave loopback. Bind it to 127.0.0.1.`,
      );
    }
  }
}

const EXACT_TAG = /:(v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?)(@sha256:[0-9a-f]{64})?$/;

/** Images are pulled by an exact release tag (no `latest`, no floating majors), and containers run pulled image IDs. */
export function imagesPinned(r: ResourceLike, report: Report): void {
  if (r.type === REMOTE_IMAGE) {
    const name = String(r.props["name"] ?? "");
    if (!EXACT_TAG.test(name)) report(`image ${JSON.stringify(name)} is not pinned to an exact release tag like :v1.2.3 (optionally @sha256:…).`);
  }
  if (r.type === CONTAINER) {
    const image = String(r.props["image"] ?? "");
    if (!/^sha256:[0-9a-f]{64}$/.test(image)) {
      report(`container ${serviceOf(r.props)} runs ${JSON.stringify(image)}, not the image ID of a pinned RemoteImage.`);
    }
  }
}

/** Advisory: a tag can be moved; a digest cannot. */
export function imagesPinnedByDigest(r: ResourceLike, report: Report): void {
  if (r.type !== REMOTE_IMAGE) return;
  const name = String(r.props["name"] ?? "");
  if (!/@sha256:[0-9a-f]{64}$/.test(name)) report(`image ${name} is pinned by tag only; record its digest (README "Pinning image digests").`);
}

/** Flags and env names that carry keys; none may appear where Pulumi shows values in plain text. */
const KEY_FLAG = /(--private-key|--p2p\.sequencer\.key|[A-Z_]*PRIVATE_KEY=|[A-Z_]*SEQUENCER_KEY=|jwt-secret=[0-9a-fA-F]{64}|mnemonic)/;
/** 32-byte hex not labelled as a hash by our own convention (`sha256 <hex>`, `sha256:<hex>`, `prestate 0x…`). */
const BARE_32_BYTES = /(?<!sha256[ :]|prestate |witnessHash":\s?")\b(0x)?[0-9a-fA-F]{64}\b/;

function plainTextFields(r: ResourceLike): [string, unknown][] {
  switch (r.type) {
    case REMOTE_COMMAND:
    case LOCAL_COMMAND:
      return [["create", r.props["create"]], ["update", r.props["update"]], ["delete", r.props["delete"]], ["triggers", r.props["triggers"]]];
    case CONTAINER:
      return [["command", r.props["command"]], ["entrypoints", r.props["entrypoints"]], ["labels", r.props["labels"]], ["name", r.props["name"]]];
    case REMOTE_IMAGE:
      return [["name", r.props["name"]]];
    default:
      return [];
  }
}

/** Keys never appear in fields Pulumi shows in plain text; they travel only in env, stdin and environment, as secrets. */
export function keysOnlyInSecretFields(r: ResourceLike, report: Report): void {
  for (const [field, value] of plainTextFields(r)) {
    if (value === undefined || value === null) continue;
    const text = typeof value === "string" ? value : JSON.stringify(value);
    if (KEY_FLAG.test(text)) report(`${r.name}: \`${field}\` passes a key in plain text (${KEY_FLAG.exec(text)?.[0]}); pass it through a secret env var or stdin.`);
    else if (BARE_32_BYTES.test(text)) report(`${r.name}: \`${field}\` holds a 32-byte hex value that could be a private key; keys go through secret env or stdin only.`);
  }
}

const VERIFY_PRESTATE = /^bash -s # verify prestate 0x03[0-9a-f]{62} with cannon/;

/** op-challenger runs only after a step that verified the prestate artifact with cannon. */
export function challengerNeedsVerifiedPrestate(resources: ResourceLike[], report: Report): void {
  for (const r of resources) {
    if (r.type !== CONTAINER || serviceOf(r.props) !== "op-challenger") continue;
    const verified = (r.dependencies ?? []).some((d) => d.type === REMOTE_COMMAND && VERIFY_PRESTATE.test(String(d.props["create"] ?? "")));
    if (!verified) report(`op-challenger (${r.name}) does not depend on a prestate verification step; it would play games with an unchecked prestate.`);
  }
}
