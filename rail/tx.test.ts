import { encodeFunctionData } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKeys } from './keys.js';
import { startAnvil, type Anvil } from './anvil.js';
import { deploy } from './client.js';
import { connect } from './connection.js';
import { observationLedgerAbi } from './contracts.js';
import { sendTx } from './tx.js';

describe('sendTx', () => {
  let anvil: Anvil;
  beforeAll(async () => {
    anvil = await startAnvil();
  });
  afterAll(async () => {
    await anvil.stop();
  });

  it('a revert is permanent and names the ledger\'s custom error with its arguments', async () => {
    const conn = await connect(anvil.rpcUrl);
    const keys = loadKeys(5);
    const { ledger } = await deploy(conn, keys.deployer, { owner: keys.deployer.address, witnesses: keys.witnesses.map((w) => w.address), quorum: 3 });
    const header = {
      streamHash: `0x${'11'.repeat(32)}`,
      epochHash: `0x${'22'.repeat(32)}`,
      parentObservationHash: `0x${'00'.repeat(32)}`,
      dataRoot: `0x${'33'.repeat(32)}`,
      locatorHash: `0x${'44'.repeat(32)}`,
      observedUnixMs: 1n,
      sequence: 0n,
    } as const;
    const data = encodeFunctionData({ abi: observationLedgerAbi, functionName: 'finalize', args: [header] });
    await expect(sendTx(conn, keys.deployer, { to: ledger, data, gas: 200_000n, abi: observationLedgerAbi }, 'finalize a candidate nobody signed')).rejects.toThrow(
      /^finalize a candidate nobody signed: transaction 0x[0-9a-f]{64} reverted with QuorumNotReached\(0x[0-9a-f]{64}, 0, 3\)\.$/,
    );
  });
});
