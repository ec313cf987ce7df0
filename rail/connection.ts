// The connection to a chain: one HTTP transport with retries and batching, a quick first probe, and
// the helpers that make its errors printable without leaking credentials.
import { createPublicClient, createWalletClient, http, type Chain, type PublicClient, type Transport } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { ChainError } from './errors.js';

export interface RailConnection {
  rpcUrl: string;
  chain: Chain;
  transport: Transport;
  publicClient: PublicClient;
}

/** Connects over HTTP. Transient transport errors are retried with exponential backoff by viem;
 *  reads are batched into JSON-RPC batches. */
export async function connect(rpcUrl: string, opts: { pollingIntervalMs?: number } = {}): Promise<RailConnection> {
  const transport = http(rpcUrl, { batch: { batchSize: 500, wait: 0 }, retryCount: 6, retryDelay: 250, timeout: 60_000 });
  // The first call is a quick probe: a refused connection or an unknown host is reported in seconds,
  // not after the full retry schedule meant for a node that hiccups mid-run.
  let chainId: number;
  try {
    chainId = await createPublicClient({ transport: http(rpcUrl, { retryCount: 1, retryDelay: 250, timeout: 10_000 }) }).getChainId();
  } catch (e) {
    const code = causeCode(e);
    const root = rootCause(e);
    // fetch will not connect to some ports at all (the fetch standard's blocked ports, 1 among them).
    const why = code ? `${code}: ${shortError(e)}` : root === 'bad port' ? `${shortError(e)} fetch refuses port ${new URL(rpcUrl).port} (a blocked port), so nothing was tried` : `${shortError(e)}${root ? ` ${root}` : ''}`;
    throw new ChainError(`${redactUrl(rpcUrl)}: the RPC does not answer eth_chainId (${why}). Check the URL and that the node is running.`);
  }
  const chain: Chain = {
    id: chainId,
    name: `chain ${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  };
  // Receipts are polled every 100 ms by default: viem's 4 s default would dominate on anvil, and an
  // OP Stack chain makes a block every 2 s.
  const pollingInterval = opts.pollingIntervalMs ?? 100;
  return { rpcUrl, chain, transport, publicClient: createPublicClient({ chain, transport, pollingInterval }) as PublicClient };
}

export function wallet(conn: RailConnection, account: PrivateKeyAccount) {
  return createWalletClient({ chain: conn.chain, transport: conn.transport, account });
}

/** Strips credentials and API-key-looking path parts from an RPC URL before it is printed. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = '***';
      u.password = '';
    }
    u.search = u.search ? '?***' : '';
    u.pathname = u.pathname
      .split('/')
      .map((part) => (part.length >= 16 && /[0-9]/.test(part) && /^[A-Za-z0-9_-]+$/.test(part) ? '***' : part))
      .join('/');
    return u.toString();
  } catch {
    return '<unparseable RPC URL>';
  }
}

/** The system error code (ECONNREFUSED, ENOTFOUND, …) somewhere in `e`'s cause chain. */
export function causeCode(e: unknown): string | undefined {
  for (let x: unknown = e, depth = 0; x && typeof x === 'object' && depth < 8; x = (x as { cause?: unknown }).cause, depth++) {
    const code = (x as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  }
  return undefined;
}

/** The message of the last cause in `e`'s chain (what actually went wrong), if it has causes. */
export function rootCause(e: unknown): string | undefined {
  let last: string | undefined;
  for (let x: unknown = (e as { cause?: unknown } | undefined)?.cause, depth = 0; x && typeof x === 'object' && depth < 8; x = (x as { cause?: unknown }).cause, depth++) {
    if (x instanceof Error) last = x.message.split('\n')[0];
  }
  return last;
}

export function shortError(e: unknown): string {
  if (e && typeof e === 'object' && 'shortMessage' in e && typeof e.shortMessage === 'string') return e.shortMessage;
  return e instanceof Error ? e.message.split('\n')[0]! : String(e);
}

