/**
 * Where files live on the host (under `ecp:stateDir`) and inside the containers.
 */

/** Paths inside the containers. Flags only ever name these. */
export const CONTAINER_PATHS = {
  data: "/data",
  configDir: "/config",
  genesis: "/config/genesis.json",
  rollup: "/config/rollup.json",
  jwt: "/secrets/jwt.txt",
  prestatesDir: "/prestates",
} as const;

export interface HostPaths {
  root: string;
  /** The verified op-deployer binaries (scripts/op-stack/download-op-deployer.sh). */
  bin: string;
  /** The bundled rail client the ledger and smoke steps run (components/ledger). */
  rail: string;
  /** ecp-forge's own witness's vote record (`rail witness --state-dir`): survives container replacement. */
  railWitnessState: string;
  /** op-deployer `--workdir`: intent.toml, state.json. */
  deployer: string;
  /** genesis.json and rollup.json from `op-deployer inspect`, mounted read-only at /config. */
  configDir: string;
  genesis: string;
  rollup: string;
  /** Engine API JWT (32 bytes hex), mode 0600, mounted read-only at /secrets/jwt.txt. */
  jwt: string;
  /** Holds `<prestate hash><ext>` for op-challenger, mounted read-only at /prestates. */
  prestatesDir: string;
  opGethData: string;
  opRethData: string;
  opNodeData: string;
  opChallengerData: string;
  /** Generated monitoring config (components/monitoring/bundle.ts), mounted read-only piecewise. */
  monitoringConfig: string;
  prometheusData: string;
  alertmanagerData: string;
  grafanaData: string;
  /** Secret files the monitoring containers read, mode 0600. */
  alertWebhookUrl: string;
  grafanaAdminPassword: string;
}

export function hostPaths(stateDir: string): HostPaths {
  const root = stateDir.replace(/\/+$/, "");
  return {
    root,
    bin: `${root}/bin`,
    rail: `${root}/rail`,
    railWitnessState: `${root}/rail-witness`,
    deployer: `${root}/deployer`,
    configDir: `${root}/config`,
    genesis: `${root}/config/genesis.json`,
    rollup: `${root}/config/rollup.json`,
    jwt: `${root}/secrets/jwt.txt`,
    prestatesDir: `${root}/prestates`,
    opGethData: `${root}/op-geth`,
    opRethData: `${root}/op-reth`,
    opNodeData: `${root}/op-node`,
    opChallengerData: `${root}/op-challenger`,
    monitoringConfig: `${root}/monitoring/config`,
    prometheusData: `${root}/monitoring/prometheus`,
    alertmanagerData: `${root}/monitoring/alertmanager`,
    grafanaData: `${root}/monitoring/grafana`,
    alertWebhookUrl: `${root}/secrets/alert-webhook-url.txt`,
    grafanaAdminPassword: `${root}/secrets/grafana-admin-password.txt`,
  };
}

export interface StateDirectory {
  /** Relative to the state directory. */
  path: string;
  mode: "0700" | "0750";
}

/**
 * The directories under the state directory that the stack writes into, with their modes. The NixOS
 * module creates them (nix/opstack-defaults.json is generated from this) and so does the stack.
 */
export function stateDirectories(paths: HostPaths): StateDirectory[] {
  return directoriesOf(paths, Object.entries(paths).flatMap(([name, p]) => (name === "root" ? [] : [p])));
}

/** A verifier peer's directories: the chain config, the JWT, and the execution client's and op-node's data. */
export function peerStateDirectories(paths: HostPaths): StateDirectory[] {
  return directoriesOf(paths, [paths.configDir, paths.jwt, paths.opGethData, paths.opRethData, paths.opNodeData]);
}

/** The directories that hold `files` (paths under the state directory), each once, sorted, with its mode. */
function directoriesOf(paths: HostPaths, files: readonly string[]): StateDirectory[] {
  const dirs = new Set<string>();
  for (const p of files) {
    const rel = p.slice(paths.root.length + 1);
    // Files (genesis.json, jwt.txt) stand for their parent directory.
    dirs.add(/\.[a-z]+$/.test(rel) ? rel.slice(0, rel.lastIndexOf("/")) : rel);
  }
  return [...dirs].sort().map((path) => ({ path, mode: path === "secrets" ? "0700" : "0750" }));
}
