import { defineConfig } from 'vitest/config';

const ALL = ['components/**/*.test.ts', 'rail/**/*.test.ts', 'smoke/**/*.test.ts', 'scripts/**/*.test.ts', 'test/**/*.test.ts', 'nix/**/*.test.ts', 'policy/**/*.test.ts'];
/** The files that run whole witness networks (witnesses, relayers, anvil, and adversaries; the stack's
 *  network smoke run from the bundle): they run one after the other, beside the rest, so two networks
 *  never share the 2 cores at once (their timing is what they test). */
const NETWORKS = ['smoke/network.test.ts', 'test/byzantine.test.ts', 'components/ledger/rail-run.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ALL, exclude: NETWORKS } },
      { extends: true, test: { name: 'networks', include: NETWORKS, fileParallelism: false } },
    ],
  },
});
