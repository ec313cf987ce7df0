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
  opNodeData: string;
  opChallengerData: string;
}

export function hostPaths(stateDir: string): HostPaths {
  const root = stateDir.replace(/\/+$/, "");
  return {
    root,
    deployer: `${root}/deployer`,
    configDir: `${root}/config`,
    genesis: `${root}/config/genesis.json`,
    rollup: `${root}/config/rollup.json`,
    jwt: `${root}/secrets/jwt.txt`,
    prestatesDir: `${root}/prestates`,
    opGethData: `${root}/op-geth`,
    opNodeData: `${root}/op-node`,
    opChallengerData: `${root}/op-challenger`,
  };
}
