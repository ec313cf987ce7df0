import { getAddress } from "viem";
import { privateKeyToAddress } from "viem/accounts";

import type { Hex, StackConfig } from "./schema.js";

export type Address = `0x${string}`;

/**
 * Every address the intent needs (mono@op-deployer/v0.7.1:op-deployer/pkg/deployer/state/chain_intent.go:
 * ChainRoles plus the four fee vault recipients), all required non-zero.
 */
export interface RoleAddresses {
  deployer: Address;
  l1ProxyAdminOwner: Address;
  l2ProxyAdminOwner: Address;
  systemConfigOwner: Address;
  unsafeBlockSigner: Address;
  batcher: Address;
  proposer: Address;
  challenger: Address;
  baseFeeVaultRecipient: Address;
  l1FeeVaultRecipient: Address;
  sequencerFeeVaultRecipient: Address;
  operatorFeeVaultRecipient: Address;
}

/**
 * Derives role addresses from the configured keys. Owners and fee vaults go to the deployer: on a testnet
 * that keeps upgrades (e.g. adding game type 0 through the OPCM) in one hand, and op-deployer only deploys
 * `dangerousAdditionalDisputeGames` when the deployer is the L1 ProxyAdmin owner (pipeline/dispute_games.go).
 */
export function deriveRoleAddresses(config: Pick<StackConfig, "keys" | "signers">): RoleAddresses {
  const addressOf = (key: { reveal(): Hex }): Address => privateKeyToAddress(key.reveal());
  // A role with a remote signer has no key here: its address is the one the signer signs for.
  const roleAddress = (role: "batcher" | "proposer" | "challenger"): Address => {
    const signer = config.signers?.[role];
    if (signer !== undefined) return getAddress(signer.address);
    const key = config.keys[role];
    if (key === undefined) throw new Error(`${role}: neither a key nor a remote signer is configured.`);
    return addressOf(key);
  };
  const deployer = addressOf(config.keys.deployer);
  return {
    deployer,
    l1ProxyAdminOwner: deployer,
    l2ProxyAdminOwner: deployer,
    systemConfigOwner: deployer,
    unsafeBlockSigner: addressOf(config.keys.sequencer),
    batcher: roleAddress("batcher"),
    proposer: roleAddress("proposer"),
    challenger: roleAddress("challenger"),
    baseFeeVaultRecipient: deployer,
    l1FeeVaultRecipient: deployer,
    sequencerFeeVaultRecipient: deployer,
    operatorFeeVaultRecipient: deployer,
  };
}
