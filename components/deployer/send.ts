/**
 * The chain's one L1 deploy transaction, sent by the stack instead of by op-deployer.
 *
 * op-deployer v0.7.1 sizes its transactions from a Cancun-era simulation (about 10.7M gas for OPCM.deploy),
 * while post-Glamsterdam Sepolia charges state creation by EIP-8037 (about 55.7M for the same call), and it
 * has no flag to change that (docs/research/2026-12-op-deployer-gas.md). So a first deploy runs
 * `apply --deployment-target calldata` on a copy of the workdir (remote/op-deployer-calldata.sh), which
 * records the transaction and the addresses it will create; this module sends that transaction with a gas
 * limit from L1's own `eth_estimateGas`, waits for it, and checks that code now sits at every address the
 * simulation recorded. remote/op-deployer-apply.sh then finishes the deploy on that copy.
 *
 * Resumable: contracts already on L1 mean the transaction landed (nothing is sent); a pending transaction
 * from the deployer is waited for, never replaced.
 */
import {
  type Address,
  BaseError,
  createPublicClient,
  createWalletClient,
  ExecutionRevertedError,
  formatEther,
  formatGwei,
  getAddress,
  type Hex,
  http,
  isAddressEqual,
  type PrivateKeyAccount,
  type PublicClient,
  WaitForTransactionReceiptTimeoutError,
} from "viem";
import { z } from "zod";

const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "a 0x-prefixed 20-byte address")
  .transform((s) => s as Address);
const hexData = z
  .string()
  .regex(/^0x([0-9a-fA-F]{2})*$/, "0x-prefixed hex bytes")
  .transform((s) => s as Hex);
const quantity = z.string().regex(/^0x[0-9a-fA-F]+$/, "a 0x-prefixed hex quantity");

/** What remote/op-deployer-calldata.sh prints: the chain is deployed already, or what to send. */
export const deployPlanSchema = z.discriminatedUnion("status", [
  z.object({ status: z.literal("deployed") }),
  z.object({
    status: z.literal("send"),
    l1ChainId: z.number().int().positive(),
    deployer: address,
    /** state.json `DeploymentCalldata`, as op-deployer's CalldataDump writes it. */
    transactions: z.array(z.object({ to: address.nullable(), data: hexData, value: quantity.nullable() })),
    /** The chain's proxies as the simulation recorded them, by state.json's names. */
    contracts: z.record(z.string(), address),
  }),
]);
export type DeployPlan = z.infer<typeof deployPlanSchema>;

export class DeploySendError extends Error {}

/** The block the deploy landed in, from deploy-send's report; 0 when it sent nothing. */
export function deployBlockOf(reportJson: string): bigint {
  const r = JSON.parse(reportJson.trim().split("\n").at(-1) ?? "{}") as { status?: string; block?: string };
  return r.status === "sent" && typeof r.block === "string" && /^\d+$/.test(r.block) ? BigInt(r.block) : 0n;
}

export function parseDeployPlan(stdout: string): DeployPlan {
  const last = stdout.trim().split("\n").at(-1) ?? "";
  let doc: unknown;
  try {
    doc = JSON.parse(last);
  } catch {
    throw new DeploySendError(`remote/op-deployer-calldata.sh printed something that is not JSON: ${JSON.stringify(last.slice(0, 200))}`);
  }
  const parsed = deployPlanSchema.safeParse(doc);
  if (!parsed.success) {
    throw new DeploySendError(`remote/op-deployer-calldata.sh printed an unexpected plan: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
  }
  return parsed.data;
}

export interface SendOptions {
  rpcUrl: string;
  account: PrivateKeyAccount;
  /** The contracts manager the intent names: the only address a deploy transaction may go to. */
  opcm: Address;
  log?: (line: string) => void;
  /** How long to wait for a pending transaction of the deployer, and for the receipt (default 15 min). */
  waitMs?: number;
  pollMs?: number;
  /** The RPC's fee cap and the operator's max fee (default: a 1 ETH cap, no max fee of its own). */
  feeLimits?: FeeLimits;
  /** How long to wait for L1's base fee to fall until the deploy fits the limits (default 30 min). */
  feeWaitMs?: number;
}

export type SendReport =
  | { status: "deployed" }
  | { status: "already-on-l1"; contracts: number }
  | { status: "sent"; transaction: Hex; block: string; blockHash: Hex; gasUsed: string; gasLimit: string; gasSource: "estimate" | "block-limit"; contracts: number };

/** Fees that survive a base-fee rise while the one transaction waits (it is never replaced): twice the
 *  latest base fee plus the tip. Only what the block needs is charged. */
export function deployFees(baseFeePerGas: bigint, maxPriorityFeePerGas: bigint): { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } {
  return { maxFeePerGas: 2n * baseFeePerGas + maxPriorityFeePerGas, maxPriorityFeePerGas };
}

/**
 * What the L1 RPC and the operator allow the deploy to carry.
 * - geth and op-geth refuse a transaction sent through their RPC whose `maxFeePerGas × gas` exceeds `--rpc.txfeecap`,
 *   1 ether by default (`internal/ethapi/api.go` checkTxFee, called from SubmitTransaction; `eth/ethconfig/config.go`
 *   RPCTxFeeCap; `tx.GasPrice()` of a dynamic-fee transaction is its fee cap). reth does the same with
 *   `DEFAULT_TX_FEE_CAP_WEI` = 1e18 (`crates/rpc/rpc-server-types/src/constants.rs`; the pool checks
 *   `cost - value`). docs/opstack-pins.md names the versions read.
 */
export interface FeeLimits {
  /** The L1 RPC's cap on `gas × maxFeePerGas` in wei (`ecp:l1RpcTxFeeCap`); 0 for none. */
  rpcTxFeeCapWei: bigint;
  /** `ecp:deployMaxFeeGwei` in wei: the highest max fee per gas the deploy may carry; undefined for no limit of its own. */
  maxFeePerGasWei?: bigint;
}

/** geth's and reth's default `--rpc.txfeecap`: 1 ether. */
export const DEFAULT_RPC_TX_FEE_CAP_WEI = 10n ** 18n;

/** The deploy keeps its cost at most this share of the RPC's cap (geth compares in floating-point ether). */
export const FEE_CAP_MARGIN_PERCENT = 95n;

export type FeeFit =
  | { fits: true; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }
  | {
      fits: false;
      /** The smallest max fee per gas the deploy is sent with: the base fee after one block's largest rise, plus the tip. */
      neededMaxFeePerGas: bigint;
      /** The largest max fee per gas the limits allow for this gas. */
      allowedMaxFeePerGas: bigint;
      /** Which limit binds. */
      limit: "rpc-cap" | "config";
    };

/**
 * The deploy's fees within the limits: twice the base fee plus the tip (deployFees), lowered to what the RPC's
 * fee cap (less the margin) and `ecp:deployMaxFeeGwei` allow, but never below the base fee after one block's
 * largest EIP-1559 rise (12.5%) plus the tip: a transaction that cannot enter the next block is not sent.
 */
export function fitDeployFees(gas: bigint, baseFeePerGas: bigint, maxPriorityFeePerGas: bigint, limits: FeeLimits): FeeFit {
  const preferred = deployFees(baseFeePerGas, maxPriorityFeePerGas).maxFeePerGas;
  const needed = baseFeePerGas + baseFeePerGas / 8n + maxPriorityFeePerGas;
  const capFee = limits.rpcTxFeeCapWei === 0n || gas === 0n ? undefined : (limits.rpcTxFeeCapWei * FEE_CAP_MARGIN_PERCENT) / 100n / gas;
  const configFee = limits.maxFeePerGasWei;
  let allowed = preferred;
  let limit: "rpc-cap" | "config" = "rpc-cap";
  if (capFee !== undefined && capFee < allowed) allowed = capFee;
  if (configFee !== undefined && configFee < allowed) {
    allowed = configFee;
    limit = "config";
  }
  if (allowed < needed) return { fits: false, neededMaxFeePerGas: needed, allowedMaxFeePerGas: allowed, limit };
  return { fits: true, maxFeePerGas: allowed, maxPriorityFeePerGas };
}

const gwei = (wei: bigint): string => formatGwei(wei);

/** Why the deploy is not sent at today's fees, with what to do. */
export function feeRefusal(gas: bigint, gasSource: "estimate" | "block-limit", baseFeePerGas: bigint, fit: Extract<FeeFit, { fits: false }>, limits: FeeLimits, waitedMs: number): string {
  const cost = formatEther(gas * fit.neededMaxFeePerGas);
  const gasText = gasSource === "estimate" ? `${gas} gas (L1's estimate plus 10%)` : `${gas} gas (the L1 block gas limit: the RPC would not estimate the deploy)`;
  const binding =
    fit.limit === "config"
      ? `\`ecp:deployMaxFeeGwei\` allows at most ${gwei(fit.allowedMaxFeePerGas)} gwei`
      : `the L1 RPC refuses a transaction whose gas × max fee exceeds its fee cap, ${formatEther(limits.rpcTxFeeCapWei)} ETH (\`ecp:l1RpcTxFeeCap\`; geth's and reth's --rpc.txfeecap default is 1 ETH), and the deploy stays at ${FEE_CAP_MARGIN_PERCENT}% of it: at most ${gwei(fit.allowedMaxFeePerGas)} gwei for this gas`;
  const fix =
    fit.limit === "config"
      ? `raise it (\`pulumi config set ecp:deployMaxFeeGwei ${gwei(fit.neededMaxFeePerGas * 2n)}\`), or run \`pulumi up\` again when L1's base fee is lower`
      : `run \`pulumi up\` again when L1's base fee is lower, or use an L1 RPC with a higher fee cap and say so (\`pulumi config set ecp:l1RpcTxFeeCap "5 ETH"\`, 0 for none)` +
        (gasSource === "block-limit" ? "; an RPC that estimates the deploy (a higher RPC gas cap) also needs far less gas than the block limit" : "") +
        ". `ecp:deployMaxFeeGwei` bounds what the deploy pays per gas; it cannot lift the RPC's cap";
  return (
    `the deploy's ${gasText} at the max fee it needs now, ${gwei(fit.neededMaxFeePerGas)} gwei (L1's base fee ${gwei(baseFeePerGas)} gwei after one block's largest rise, plus the tip), would cost up to ${cost} ETH; ` +
    `${binding}. Waited ${Math.round(waitedMs / 1000)} s for the base fee to fall. Nothing was sent: ${fix}.`
  );
}

/** Gas for the deploy: L1's estimate plus 10%, within the block gas limit; or the block gas limit when the
 *  RPC cannot estimate it (nodes cap eth_estimateGas, e.g. geth's default RPCGasCap of 50M). */
export function chooseGas(estimate: bigint | undefined, blockGasLimit: bigint): { gas: bigint; source: "estimate" | "block-limit" } {
  if (estimate === undefined) return { gas: blockGasLimit, source: "block-limit" };
  if (estimate > blockGasLimit) {
    throw new DeploySendError(`the deploy needs ${estimate} gas by L1's estimate, more than an L1 block holds (${blockGasLimit}). Nothing was sent.`);
  }
  const padded = (estimate * 11n) / 10n;
  return { gas: padded < blockGasLimit ? padded : blockGasLimit, source: "estimate" };
}

/** A revert by L1's estimate. "gas required exceeds allowance" is not one: geth-family nodes answer so when
 *  the call fails at their RPC gas cap without reverting, i.e. when it needs more gas than the cap (viem files
 *  both under ExecutionRevertedError, so the node's own words decide). */
export function isRevert(e: unknown): boolean {
  const text = errorText(e);
  if (/exceeds allowance/i.test(text)) return false;
  return /execution reverted|revert/i.test(text) || (e instanceof BaseError && e.walk((x) => x instanceof ExecutionRevertedError) !== null);
}

/** The RPC refused to estimate above its gas cap ("gas required exceeds allowance", geth-family RPCGasCap). */
export function isGasCap(e: unknown): boolean {
  return /exceeds allowance|gas cap/i.test(errorText(e));
}

/** Every message and node detail along the error's cause chain. */
function errorText(e: unknown): string {
  const words: string[] = [];
  let c: unknown = e;
  while (c instanceof Error) {
    words.push(c.message, (c as { details?: string }).details ?? "");
    c = c.cause;
  }
  return words.join("\n");
}

function short(e: unknown): string {
  return e instanceof BaseError ? e.shortMessage : e instanceof Error ? e.message : String(e);
}

/** Reads L1's base fee until the deploy's fees fit the limits, logging progress; refuses after `waitMs`. */
async function feesWithinLimits(
  client: PublicClient,
  gas: bigint,
  source: "estimate" | "block-limit",
  limits: FeeLimits,
  wait: { waitMs: number; pollMs: number; log: (line: string) => void },
  firstBaseFee: bigint,
): Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }> {
  const started = Date.now();
  let baseFee = firstBaseFee;
  let lastLog = 0;
  for (;;) {
    const fit = fitDeployFees(gas, baseFee, await client.estimateMaxPriorityFeePerGas(), limits);
    if (fit.fits) return { maxFeePerGas: fit.maxFeePerGas, maxPriorityFeePerGas: fit.maxPriorityFeePerGas };
    const waited = Date.now() - started;
    if (waited >= wait.waitMs) throw new DeploySendError(feeRefusal(gas, source, baseFee, fit, limits, waited));
    if (lastLog === 0 || Date.now() - lastLog >= 60_000) {
      lastLog = Date.now();
      const left = Math.max(0, Math.round((wait.waitMs - waited) / 1000));
      wait.log(
        `waiting for L1's base fee to fall: the deploy's ${gas} gas needs a max fee of ${formatGwei(fit.neededMaxFeePerGas)} gwei (base fee ${formatGwei(baseFee)} gwei), and ${fit.limit === "config" ? "`ecp:deployMaxFeeGwei`" : `the RPC's ${formatEther(limits.rpcTxFeeCapWei)} ETH fee cap`} allows ${formatGwei(fit.allowedMaxFeePerGas)} gwei; ${left} s left`,
      );
    }
    await new Promise((r) => setTimeout(r, wait.pollMs));
    baseFee = (await client.getBlock({ blockTag: "latest" })).baseFeePerGas ?? 0n;
  }
}

async function codePresence(client: PublicClient, contracts: Record<string, Address>): Promise<{ present: string[]; missing: string[] }> {
  const present: string[] = [];
  const missing: string[] = [];
  for (const [name, at] of Object.entries(contracts)) {
    const code = await client.getCode({ address: at });
    (code !== undefined && code !== "0x" ? present : missing).push(`${name} ${at}`);
  }
  return { present, missing };
}

/** Sends the plan's transaction, or reports why it need not. @throws DeploySendError naming the cause. */
export async function sendDeployment(plan: DeployPlan, opts: SendOptions): Promise<SendReport> {
  if (plan.status === "deployed") return { status: "deployed" };
  const log = opts.log ?? (() => {});
  const waitMs = opts.waitMs ?? 15 * 60_000;
  const pollMs = opts.pollMs ?? 4_000;
  const client = createPublicClient({ transport: http(opts.rpcUrl, { retryCount: 3 }), pollingInterval: pollMs });

  // Checks that cost nothing come first; each refusal sends nothing.
  if (!isAddressEqual(opts.account.address, plan.deployer)) {
    throw new DeploySendError(
      `the deploy was simulated for the deployer ${getAddress(plan.deployer)}, but the key (ecp:deployerPrivateKey) is for ${opts.account.address}. The chain's addresses depend on the sender, so nothing was sent; set the key back, or run \`pulumi up\` again so the calldata is rebuilt for this key.`,
    );
  }
  const l1ChainId = await client.getChainId();
  if (l1ChainId !== plan.l1ChainId) {
    throw new DeploySendError(`the L1 RPC (ecp:l1RpcUrl) serves chain ${l1ChainId}, not ${plan.l1ChainId}. Nothing was sent.`);
  }
  if (plan.transactions.length !== 1) {
    throw new DeploySendError(
      `op-deployer's calldata run recorded ${plan.transactions.length} transactions; a standard-overrides chain on the shared contracts manager sends exactly one (OPCM.deploy). Nothing was sent; read state.json's DeploymentCalldata in the deployer's workdir.`,
    );
  }
  const [tx] = plan.transactions as [(typeof plan.transactions)[number]];
  const contracts = Object.fromEntries(Object.entries(plan.contracts).map(([k, v]) => [k, getAddress(v)]));
  if (Object.keys(contracts).length === 0) throw new DeploySendError("the calldata run recorded no contract addresses for the chain; nothing was sent.");

  // A deployer transaction still pending (a run cut short after sending) is waited for, never replaced.
  const deadline = Date.now() + waitMs;
  let nonce: number;
  for (;;) {
    const [latest, pending] = await Promise.all([
      client.getTransactionCount({ address: opts.account.address, blockTag: "latest" }),
      client.getTransactionCount({ address: opts.account.address, blockTag: "pending" }),
    ]);
    if (pending <= latest) {
      nonce = latest;
      break;
    }
    if (Date.now() > deadline) {
      throw new DeploySendError(
        `the deployer ${opts.account.address} still has ${pending - latest} pending transaction(s) (nonce ${latest}) after ${Math.round(waitMs / 1000)} s. Nothing was sent: wait for it to be mined or dropped, then run \`pulumi up\` again.`,
      );
    }
    log(`waiting for the deployer's pending transaction (nonce ${latest}) before deciding`);
    await new Promise((r) => setTimeout(r, pollMs));
  }

  const before = await codePresence(client, contracts);
  if (before.missing.length === 0) {
    log(`all ${before.present.length} contracts are on L1 already; nothing to send`);
    return { status: "already-on-l1", contracts: before.present.length };
  }
  if (before.present.length > 0) {
    throw new DeploySendError(
      `some of the chain's contracts are on L1 and some are not (present: ${before.present.join(", ")}; missing: ${before.missing.join(", ")}). One transaction deploys them all, so this is not a deploy that stopped half way. Nothing was sent; compare the deployer's workdir with L1.`,
    );
  }
  if (tx.to === null || !isAddressEqual(tx.to, opts.opcm)) {
    throw new DeploySendError(`the recorded deploy transaction goes to ${tx.to ?? "a new contract"}, not to the contracts manager ${opts.opcm} the intent names. Nothing was sent.`);
  }

  const value = tx.value === null ? 0n : BigInt(tx.value);
  const request = { account: opts.account, to: getAddress(tx.to), data: tx.data, value };
  const block = await client.getBlock({ blockTag: "latest" });
  let estimate: bigint | undefined;
  try {
    // A plain eth_estimateGas without a gas field (prepare: false keeps viem from filling the request first).
    estimate = await client.estimateGas({ ...request, prepare: false });
  } catch (e) {
    if (isRevert(e)) throw new DeploySendError(`L1 says the deploy transaction reverts: ${short(e)}. Nothing was sent.`);
    // Only the RPC's gas cap is worked around; any other failure (429, 5xx, timeout) leaves no revert check.
    if (!isGasCap(e)) throw new DeploySendError(`L1 could not estimate the deploy's gas: ${short(e)}. Nothing was sent; run \`pulumi up\` again.`);
    log(`eth_estimateGas failed (${short(e)}): the RPC caps the gas it estimates; sending with the L1 block gas limit ${block.gasLimit} instead (unused gas is refunded)`);
  }
  const { gas, source } = chooseGas(estimate, block.gasLimit);
  const limits = opts.feeLimits ?? { rpcTxFeeCapWei: DEFAULT_RPC_TX_FEE_CAP_WEI };
  const fees = await feesWithinLimits(client, gas, source, limits, { waitMs: opts.feeWaitMs ?? 30 * 60_000, pollMs, log }, block.baseFeePerGas ?? 0n);
  const balance = await client.getBalance({ address: opts.account.address });
  const worst = gas * fees.maxFeePerGas + value;
  if (balance < worst) {
    throw new DeploySendError(
      `the deployer ${opts.account.address} holds ${formatEther(balance)} ETH; the deploy may cost up to ${formatEther(worst)} ETH (${gas} gas at ${fees.maxFeePerGas} wei). Nothing was sent: fund it and run \`pulumi up\` again.`,
    );
  }

  // The nonce checked free above: if an earlier run's transaction lands meanwhile, this one is refused by the
  // node ("nonce too low") instead of becoming a second deploy.
  const wallet = createWalletClient({ account: opts.account, transport: http(opts.rpcUrl, { retryCount: 3 }) });
  let hash: Hex;
  try {
    hash = await wallet.sendTransaction({ ...request, chain: null, gas, nonce, ...fees });
  } catch (e) {
    const landed = await codePresence(client, contracts);
    if (landed.missing.length === 0) {
      log(`the send was refused (${short(e)}), and all ${landed.present.length} contracts are on L1: an earlier run's transaction landed`);
      return { status: "already-on-l1", contracts: landed.present.length };
    }
    const capLine = errorText(e)
      .split("\n")
      .find((l) => /exceeds the configured cap/i.test(l));
    if (capLine !== undefined) {
      throw new DeploySendError(
        `the L1 RPC refused the deploy for its fee cap ("${capLine.trim()}"): ${gas} gas at ${formatGwei(fees.maxFeePerGas)} gwei is ${formatEther(gas * fees.maxFeePerGas)} ETH, and the stack assumed a cap of ${formatEther(limits.rpcTxFeeCapWei)} ETH (\`ecp:l1RpcTxFeeCap\`). Nothing was sent: set \`ecp:l1RpcTxFeeCap\` to the RPC's real cap, or use an L1 RPC with a higher one, and run \`pulumi up\` again.`,
      );
    }
    throw e;
  }
  log(`sent the deploy transaction ${hash} (nonce ${nonce}, gas ${gas} from ${source === "estimate" ? `estimate ${estimate}` : "the block gas limit"})`);
  let receipt: Awaited<ReturnType<typeof client.waitForTransactionReceipt>>;
  try {
    receipt = await client.waitForTransactionReceipt({ hash, timeout: waitMs, pollingInterval: pollMs });
  } catch (e) {
    // Its max fee may sit close to the base fee (the RPC's fee cap), so a rising base fee can hold it back.
    if (e instanceof WaitForTransactionReceiptTimeoutError) {
      throw new DeploySendError(
        `the deploy transaction ${hash} (nonce ${nonce}, max fee ${formatGwei(fees.maxFeePerGas)} gwei) was sent but not mined within ${Math.round(waitMs / 1000)} s; L1's base fee may be above its max fee. It is not replaced and nothing more was sent: run \`pulumi up\` again, which waits for it (or finds its contracts on L1 once it lands). Do not send another deploy from this key by hand.`,
      );
    }
    throw e;
  }
  if (receipt.status !== "success") {
    throw new DeploySendError(
      `the deploy transaction ${hash} reverted in block ${receipt.blockNumber} after using ${receipt.gasUsed} of ${gas} gas. Its fee is spent; nothing was deployed. Read the trace, fix the cause and run \`pulumi up\` again.`,
    );
  }
  const after = await codePresence(client, contracts);
  if (after.missing.length > 0) {
    throw new DeploySendError(
      `the deploy transaction ${hash} succeeded, but no code is at ${after.missing.join(", ")}: the simulated addresses do not match L1. Do not start the chain; compare the workdir's state.json with the transaction's trace.`,
    );
  }
  log(`deployed ${after.present.length} contracts in block ${receipt.blockNumber}, ${receipt.gasUsed} gas used`);
  return {
    status: "sent",
    transaction: hash,
    block: receipt.blockNumber.toString(),
    blockHash: receipt.blockHash,
    gasUsed: receipt.gasUsed.toString(),
    gasLimit: gas.toString(),
    gasSource: source,
    contracts: after.present.length,
  };
}
