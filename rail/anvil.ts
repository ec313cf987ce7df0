// Starts and stops a local anvil from the npm package, on a free loopback port.
// Used by the smoke, the benchmarks and the tests; nothing here is needed on a real chain.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** The anvil binary shipped by the @foundry-rs/anvil-<os>-<arch> package. */
export function anvilBinary(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`;
  try {
    return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), 'bin', 'anvil');
  } catch {
    throw new Error(`anvil: package ${pkg} is not installed. Run \`npm ci\` (this platform: ${process.platform}/${process.arch}).`);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface AnvilOptions {
  /** EVM hardfork; pinned so gas figures are comparable. OP Stack Isthmus+ chains run Prague. */
  hardfork?: string;
  chainId?: number;
  /** Load state from this file when it exists, and dump state to it on exit (`anvil --state`). */
  statePath?: string;
  /** Block gas limit; the default leaves room for batches of 100 observations. */
  gasLimit?: bigint;
  /** Seconds between automatic state dumps when statePath is set. */
  stateInterval?: number;
  /** Mine a block every this many ms (interval mining) instead of one block per transaction. */
  blockTimeMs?: number;
  /** More anvil flags, e.g. ['--steps-tracing'] for opcode-level traces. */
  extraArgs?: string[];
}

export interface Anvil {
  rpcUrl: string;
  port: number;
  process: ChildProcess;
  /** Stops anvil (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
  stop(): Promise<void>;
}

export const ANVIL_DEFAULTS = { hardfork: 'prague', chainId: 31337, gasLimit: 60_000_000n } as const;

export async function startAnvil(options: AnvilOptions = {}): Promise<Anvil> {
  const port = await freePort();
  const args = [
    '--host', '127.0.0.1',
    '--port', String(port),
    '--hardfork', options.hardfork ?? ANVIL_DEFAULTS.hardfork,
    '--chain-id', String(options.chainId ?? ANVIL_DEFAULTS.chainId),
    '--gas-limit', String(options.gasLimit ?? ANVIL_DEFAULTS.gasLimit),
    '--silent',
  ];
  if (options.statePath) args.push('--state', options.statePath);
  if (options.stateInterval) args.push('--state-interval', String(options.stateInterval));
  if (options.blockTimeMs) args.push('--block-time', String(options.blockTimeMs / 1000));
  if (options.extraArgs) args.push(...options.extraArgs);
  const child = spawn(anvilBinary(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const rpcUrl = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  // Wait until it answers JSON-RPC.
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`anvil exited with code ${child.exitCode} before answering: ${stderr.trim() || '(no output)'}`);
    }
    try {
      const res = await fetch(rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > 20_000) {
      await stop();
      throw new Error(`anvil did not answer on ${rpcUrl} within 20 s: ${stderr.trim() || '(no output)'}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { rpcUrl, port, process: child, stop };
}
