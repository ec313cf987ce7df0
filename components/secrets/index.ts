/**
 * The stack's secrets as Pulumi secret Outputs: the deployer key, one key per role (each defaults to the
 * deployer's, see config/schema.ts), the L1 URLs (they can carry API keys), and the engine-API JWT.
 *
 * The JWT and op-node's libp2p key are random.RandomBytes(32).hex: 64 hex characters, held as secrets by the
 * provider itself, and stable across runs (they only change if the resource is replaced).
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { privateKeyToAddress } from "viem/accounts";

import { deriveRoleAddresses, type RoleAddresses } from "../config/roles.js";
import type { StackConfig } from "../config/schema.js";
import { type SecretName, secretValue } from "../services/spec.js";

export interface SecretsArgs {
  config: Pick<StackConfig, "keys" | "signers" | "l1RpcUrl" | "l1BeaconUrl"> & { rail?: StackConfig["rail"] };
}

export class Secrets extends pulumi.ComponentResource {
  readonly deployerPrivateKey: pulumi.Output<string>;
  readonly jwtHex: pulumi.Output<string>;
  /** op-node's libp2p key (32 bytes hex), so its peer id is known before it starts and verifiers can pin it. */
  readonly opNodeP2pKeyHex: pulumi.Output<string>;
  /** Public: safe to output. */
  readonly roles: RoleAddresses;
  /** The rail relayer's key (0x-prefixed): `ecp:railRelayerKey`, else random.RandomBytes(32), kept by the
   *  provider as a secret and stable across runs. Only while the rail is deployed. */
  readonly railRelayerKey?: pulumi.Output<string>;
  /** Its address: public. */
  readonly railRelayerAddress?: pulumi.Output<string>;
  readonly #config: SecretsArgs["config"];

  constructor(name: string, args: SecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ecp:secrets:Secrets", name, {}, opts);
    this.#config = args.config;
    this.deployerPrivateKey = pulumi.secret(args.config.keys.deployer.reveal());
    const jwt = new random.RandomBytes(`${name}-engine-jwt`, { length: 32 }, { parent: this });
    this.jwtHex = pulumi.secret(jwt.hex);
    const p2p = new random.RandomBytes(`${name}-op-node-p2p`, { length: 32 }, { parent: this });
    this.opNodeP2pKeyHex = pulumi.secret(p2p.hex);
    this.roles = deriveRoleAddresses(args.config);
    const rail = args.config.rail;
    if (rail !== undefined && rail.enabled && rail.witnesses.length > 0) {
      const configured = rail.relayerKey;
      this.railRelayerKey = pulumi.secret(
        configured === undefined ? new random.RandomBytes(`${name}-rail-relayer-key`, { length: 32 }, { parent: this }).hex.apply((h) => `0x${h}`) : pulumi.output(configured.reveal() as string),
      );
      this.railRelayerAddress = pulumi.unsecret(this.railRelayerKey.apply((k) => privateKeyToAddress(k as `0x${string}`) as string));
    }
    this.registerOutputs({ roles: this.roles });
  }

  /** A service's secret env value (SecretRef name -> secret Output). */
  get(name: SecretName): pulumi.Output<string> {
    if (name === "opNodeP2pKey") return this.opNodeP2pKeyHex;
    if (name === "railRelayerKey") {
      if (this.railRelayerKey === undefined) throw new Error("the rail relayer's key exists only while the rail is deployed (ecp:rail.witnesses).");
      return this.railRelayerKey;
    }
    return pulumi.secret(secretValue(this.#config, name).reveal());
  }
}
