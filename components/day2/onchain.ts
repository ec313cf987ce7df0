/**
 * Day-2 truth: after the first deploy, what the chain runs with is read from the chain itself, never from
 * op-deployer's state.json (v0.7.1 `apply` skips a deployed chain but still overwrites `appliedIntent`).
 *
 * - The permissioned game (type 1): `DisputeGameFactory.gameArgs(1)`, 164 packed bytes: absolutePrestate,
 *   vm, anchorStateRegistry, delayedWETH, l2ChainId, proposer, challenger (op-contracts v7.0.0-rc.4
 *   src/dispute/lib/LibGameArgs.sol; op-challenger reads them the same way). `absolutePrestate()`,
 *   `proposer()` and `challenger()` on the implementation do NOT return the chain's values in v7: they read a
 *   clone's immutable args.
 * - The batcher: `SystemConfig.batcherHash()` (an address in a bytes32); the unsafe-block signer:
 *   `SystemConfig.unsafeBlockSigner()` (src/L1/SystemConfig.sol).
 *
 * A config change the chain does not reflect is carried out through the upstream-supported owner calls, when
 * the deployer key owns the contract (it does: the stack makes the deployer the L1 ProxyAdmin owner and the
 * SystemConfig owner, config/roles.ts):
 * - prestate, proposer, challenger: `DisputeGameFactory.setImplementation(1, gameImpls(1), args)` with the
 *   same implementation and the changed args (the implementation is prestate-agnostic; the OPCM's `upgrade`
 *   needs a delegatecalling owner, which an EOA is not);
 * - batcher: `SystemConfig.setBatcherHash(address)`; unsafe-block signer: `SystemConfig.setUnsafeBlockSigner`.
 * Otherwise it is refused before anything is sent, saying who must make the call.
 */
import { encodePacked, getAddress, hexToBigInt, parseAbi, size, slice, type Address, type Hex } from "viem";

export const PERMISSIONED_GAME_TYPE = 1;

export const disputeGameFactoryAbi = parseAbi([
  "function owner() view returns (address)",
  "function gameImpls(uint32 gameType) view returns (address)",
  "function gameArgs(uint32 gameType) view returns (bytes)",
  "function setImplementation(uint32 gameType, address impl, bytes args)",
]);

export const systemConfigAbi = parseAbi([
  "function owner() view returns (address)",
  "function batcherHash() view returns (bytes32)",
  "function unsafeBlockSigner() view returns (address)",
  "function setBatcherHash(address batcher)",
  "function setUnsafeBlockSigner(address signer)",
]);

export interface GameArgs {
  absolutePrestate: Hex;
  vm: Address;
  anchorStateRegistry: Address;
  delayedWETH: Address;
  l2ChainId: bigint;
  proposer: Address;
  challenger: Address;
}

export class Day2Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Day2Error";
  }
}

/** The permissioned game's packed args (164 bytes). */
export function decodeGameArgs(args: Hex): GameArgs {
  if (size(args) !== 164) {
    throw new Day2Error(
      `DisputeGameFactory.gameArgs(${PERMISSIONED_GAME_TYPE}) is ${size(args)} bytes, not the 164 of a permissioned game (op-contracts v7/v8): the factory is not the one this stack deployed, or its contracts are of another version.`,
    );
  }
  return {
    absolutePrestate: slice(args, 0, 32),
    vm: getAddress(slice(args, 32, 52)),
    anchorStateRegistry: getAddress(slice(args, 52, 72)),
    delayedWETH: getAddress(slice(args, 72, 92)),
    l2ChainId: hexToBigInt(slice(args, 92, 124)),
    proposer: getAddress(slice(args, 124, 144)),
    challenger: getAddress(slice(args, 144, 164)),
  };
}

export function encodeGameArgs(a: GameArgs): Hex {
  return encodePacked(
    ["bytes32", "address", "address", "address", "uint256", "address", "address"],
    [a.absolutePrestate, a.vm, a.anchorStateRegistry, a.delayedWETH, a.l2ChainId, a.proposer, a.challenger],
  );
}

/** What the chain runs with. */
export interface Deployed {
  dgfOwner: Address;
  gameImpl: Address;
  gameArgs: GameArgs;
  systemConfigOwner: Address;
  batcher: Address;
  unsafeBlockSigner: Address;
}

/** What the config asks for. `absolutePrestate` is absent when `ecp:prestate` is not set (then the chain's
 *  prestate is left as it is). */
export interface Desired {
  absolutePrestate?: Hex;
  proposer: Address;
  challenger: Address;
  batcher: Address;
  unsafeBlockSigner: Address;
}

export type Day2Action =
  | { call: "DisputeGameFactory.setImplementation"; gameType: number; impl: Address; args: Hex; changes: string[] }
  | { call: "SystemConfig.setBatcherHash"; batcher: Address; changes: string[] }
  | { call: "SystemConfig.setUnsafeBlockSigner"; signer: Address; changes: string[] };

export interface Day2Plan {
  actions: Day2Action[];
  /** Changes that cannot be made with the key the stack holds; nothing is sent when there are any. */
  refusals: string[];
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Compares what the config asks for with what the chain runs, and plans the owner calls that bring the chain
 *  there, sent by `signer` (the deployer). Pure. */
export function planDay2(desired: Desired, deployed: Deployed, signer: Address, configKeys: Record<"prestate" | "proposer" | "challenger" | "batcher" | "unsafeBlockSigner", string>): Day2Plan {
  const actions: Day2Action[] = [];
  const refusals: string[] = [];
  const game = deployed.gameArgs;
  const changes: string[] = [];
  const next: GameArgs = { ...game };
  if (desired.absolutePrestate !== undefined && !same(desired.absolutePrestate, game.absolutePrestate)) {
    changes.push(`absolute prestate ${game.absolutePrestate} -> ${desired.absolutePrestate} (${configKeys.prestate})`);
    next.absolutePrestate = desired.absolutePrestate;
  }
  if (!same(desired.proposer, game.proposer)) {
    changes.push(`proposer ${game.proposer} -> ${desired.proposer} (${configKeys.proposer})`);
    next.proposer = getAddress(desired.proposer);
  }
  if (!same(desired.challenger, game.challenger)) {
    changes.push(`challenger ${game.challenger} -> ${desired.challenger} (${configKeys.challenger})`);
    next.challenger = getAddress(desired.challenger);
  }
  if (changes.length > 0) {
    if (same(deployed.dgfOwner, signer)) {
      actions.push({ call: "DisputeGameFactory.setImplementation", gameType: PERMISSIONED_GAME_TYPE, impl: deployed.gameImpl, args: encodeGameArgs(next), changes });
    } else {
      refusals.push(
        `the permissioned game needs ${changes.join(", ")}, but the DisputeGameFactory is owned by ${deployed.dgfOwner}, not the deployer ${signer}. ` +
          `Have the owner call setImplementation(1, ${deployed.gameImpl}, <args with the new values>), or restore the previous config values.`,
      );
    }
  }
  const systemConfig = (what: string, key: string, from: Address, to: Address, action: Day2Action) => {
    if (same(from, to)) return;
    const change = `${what} ${from} -> ${to} (${key})`;
    if (same(deployed.systemConfigOwner, signer)) actions.push({ ...action, changes: [change] });
    else {
      refusals.push(
        `SystemConfig needs ${change}, but it is owned by ${deployed.systemConfigOwner}, not the deployer ${signer}. ` +
          `Have the owner call ${action.call.split(".")[1]}(${to}), or restore the previous key: until then op-node ignores the new ${what}.`,
      );
    }
  };
  systemConfig("batcher", configKeys.batcher, deployed.batcher, desired.batcher, { call: "SystemConfig.setBatcherHash", batcher: getAddress(desired.batcher), changes: [] });
  systemConfig("unsafe-block signer", configKeys.unsafeBlockSigner, deployed.unsafeBlockSigner, desired.unsafeBlockSigner, {
    call: "SystemConfig.setUnsafeBlockSigner",
    signer: getAddress(desired.unsafeBlockSigner),
    changes: [],
  });
  return { actions, refusals };
}

/** The chain's view of the values above, as one JSON-friendly object. */
export function summary(d: Deployed) {
  return {
    absolutePrestate: d.gameArgs.absolutePrestate,
    proposer: d.gameArgs.proposer,
    challenger: d.gameArgs.challenger,
    batcher: d.batcher,
    unsafeBlockSigner: d.unsafeBlockSigner,
  };
}
