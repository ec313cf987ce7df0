// Sending transactions so that a flaky RPC cannot lose or double a write: each transaction is
// signed once, its hash known before it is sent, and the same signed bytes are re-sent on transient
// errors (HTTP 5xx/429, timeouts, refused connections) with exponential backoff. "Already known" or
// "nonce too low" after a retry means an earlier attempt got through, which is checked by hash.
import {
  BaseError,
  decodeErrorResult,
  HttpRequestError,
  keccak256,
  TimeoutError,
  TransactionReceiptNotFoundError,
  type Abi,
  type Address,
  type Hex,
  type TransactionReceipt,
} from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { shortError, wallet, type RailConnection } from './connection.js';
import { ChainError } from './errors.js';

export interface TxRequest {
  to: Address;
  data: Hex;
  gas?: bigint;
  nonce?: number;
  value?: bigint;
  /** ABI used to name a revert's custom error. */
  abi?: Abi;
}

export interface SendOptions {
  attempts?: number;
  baseDelayMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function isTransient(e: unknown): boolean {
  if (!(e instanceof BaseError)) return false;
  const http = e.walk((x) => x instanceof HttpRequestError);
  if (http instanceof HttpRequestError) return http.status === undefined || http.status >= 500 || http.status === 429;
  return Boolean(e.walk((x) => x instanceof TimeoutError));
}

function alreadySent(e: unknown): boolean {
  const text = e instanceof Error ? `${e.message} ${(e as BaseError).details ?? ''}` : String(e);
  return /already known|nonce too low|known transaction|already imported/i.test(text);
}

/** Signs `req` as `account`, sends it (re-sending the same bytes on transient errors) and waits for
 *  its receipt. A revert throws an error that names `what` and the contract's custom error. */
export async function sendTx(
  conn: RailConnection,
  account: PrivateKeyAccount,
  req: TxRequest,
  what: string,
  opts: SendOptions = {},
): Promise<TransactionReceipt> {
  return (await submitTx(conn, account, req, what, opts)).landed();
}

/** Signs `req` as `account` and sends it (re-sending the same bytes on transient errors); returns
 *  once the node has taken it, with its hash and a wait for its receipt (which throws, naming `what`
 *  and the contract's custom error, when it reverted). Several may be in flight when each is given
 *  its own `nonce`. */
export async function submitTx(
  conn: RailConnection,
  account: PrivateKeyAccount,
  req: TxRequest,
  what: string,
  opts: SendOptions = {},
): Promise<{ hash: Hex; landed: () => Promise<TransactionReceipt> }> {
  const w = wallet(conn, account);
  const attempts = opts.attempts ?? 7;
  const base = opts.baseDelayMs ?? 250;
  // Preparing only reads (nonce, fees, chain id), and the transport already retries reads.
  let serialized: Hex;
  try {
    const prepared = await w.prepareTransactionRequest({ to: req.to, data: req.data, gas: req.gas, nonce: req.nonce, value: req.value, chain: conn.chain });
    serialized = await w.signTransaction(prepared);
  } catch (e) {
    throw new ChainError(`${what}: ${describeError(e, req.abi)}`);
  }
  // viem does not retry a send (it is a write), so the same signed bytes are re-sent here.
  let hash: Hex;
  for (let attempt = 0; ; attempt++) {
    try {
      hash = await conn.publicClient.sendRawTransaction({ serializedTransaction: serialized });
      break;
    } catch (e) {
      if (attempt > 0 && alreadySent(e)) {
        const ours = keccak256(serialized);
        if (await conn.publicClient.getTransaction({ hash: ours }).catch(() => null)) {
          hash = ours;
          break;
        }
      }
      if (!isTransient(e) || attempt + 1 >= attempts) throw new ChainError(`${what}: ${describeError(e, req.abi)}`);
      await sleep(Math.min(base * 2 ** attempt, 8000));
    }
  }
  const sent = hash;
  return {
    hash: sent,
    landed: async () => {
      const receipt = await waitForReceipt(conn, sent, 180_000);
      if (receipt.status !== 'success') {
        throw new ChainError(`${what}: transaction ${sent} reverted${await revertReason(conn, account.address, req, receipt.blockNumber)}.`);
      }
      return receipt;
    },
  };
}

/** Waits until `account` has no transaction in flight (its pending nonce equals its mined nonce), so
 *  a resumed run reads the chain only after everything an interrupted run sent has landed, and never
 *  sends again what is still in the mempool. A transaction that stays pending past the timeout is
 *  reported with the fix (it needs a higher fee, or to be replaced). */
export async function waitForInFlight(
  conn: RailConnection,
  account: Address,
  opts: { timeoutMs?: number; onWait?: (pending: number) => void } = {},
): Promise<void> {
  const started = Date.now();
  const timeoutMs = opts.timeoutMs ?? 300_000;
  let told = false;
  for (;;) {
    const [mined, pending] = await Promise.all([
      conn.publicClient.getTransactionCount({ address: account, blockTag: 'latest' }),
      conn.publicClient.getTransactionCount({ address: account, blockTag: 'pending' }),
    ]);
    if (pending <= mined) return;
    if (!told) {
      opts.onWait?.(pending - mined);
      told = true;
    }
    if (Date.now() - started > timeoutMs) {
      throw new ChainError(
        `${account} still has ${pending - mined} transaction(s) pending on chain ${conn.chain.id} after ${Math.round(timeoutMs / 1000)} s (nonces ${mined} to ${pending - 1}). ` +
          'Nothing new was sent. Wait for them, or replace them with a higher fee, then re-run.',
      );
    }
    await sleep(Math.min(conn.publicClient.pollingInterval * 5, 2000));
  }
}

/** Waits for `hash`'s receipt: asks at once, then again after 2, 4, 8 … ms, up to the connection's
 *  polling interval. viem's waitForTransactionReceipt asks once and then waits for the next block
 *  number poll, so every receipt that is a few ms late costs a whole interval; on anvil, whose mining
 *  takes a little longer as its chain grows, that made one-transaction-per-witness submission slow
 *  down from 45 to 8 observations/s over 1,200 observations. Read errors are retried by the transport. */
export async function waitForReceipt(conn: RailConnection, hash: Hex, timeoutMs: number): Promise<TransactionReceipt> {
  const started = Date.now();
  const cap = conn.publicClient.pollingInterval;
  for (let delay = 2; ; delay = Math.min(delay * 2, cap)) {
    try {
      return await conn.publicClient.getTransactionReceipt({ hash });
    } catch (e) {
      if (!(e instanceof BaseError && e.walk((x) => x instanceof TransactionReceiptNotFoundError))) throw e;
    }
    if (Date.now() - started > timeoutMs) {
      throw new ChainError(`transaction ${hash}: no receipt after ${Math.round(timeoutMs / 1000)} s; it may still be pending. Re-run: the run resumes from the chain.`);
    }
    await sleep(delay);
  }
}

/** Replays a reverted transaction as a call on the state before its block to name the error. */
async function revertReason(conn: RailConnection, from: Address, req: TxRequest, blockNumber: bigint): Promise<string> {
  try {
    await conn.publicClient.call({ account: from, to: req.to, data: req.data, gas: req.gas, value: req.value, blockNumber: blockNumber - 1n });
    return '';
  } catch (e) {
    return ` with ${describeError(e, req.abi)}`;
  }
}

export function describeError(e: unknown, abi?: Abi): string {
  if (abi && e instanceof BaseError) {
    const withData = e.walk((x) => typeof (x as { data?: unknown }).data === 'string') as { data?: Hex } | null;
    if (withData?.data && withData.data.length >= 10) {
      try {
        const decoded = decodeErrorResult({ abi, data: withData.data });
        return `${decoded.errorName}(${(decoded.args ?? []).map(String).join(', ')})`;
      } catch {
        // not one of this ABI's errors
      }
    }
  }
  const short = shortError(e);
  // viem's short message can be generic ("Transaction creation failed."); the node's reason is in details.
  const details = e instanceof BaseError ? e.details : undefined;
  return details && !short.includes(details) ? `${short} (${details})` : short;
}
