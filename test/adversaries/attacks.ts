// The attacks the adversary processes play (test/adversaries/witness.ts and relayer.ts), named once
// for the scripts and the tests that start them.
export const WITNESS_ATTACKS = ['deadline-mismatch', 'slot-fill', 'behind', 'flood', 'junk-slots', 'slow-body', 'big-get'] as const;
export type WitnessAttack = (typeof WITNESS_ATTACKS)[number];

export const RELAYER_ATTACKS = ['fake-votes', 'silent', 'huge'] as const;
export type RelayerAttack = (typeof RELAYER_ATTACKS)[number];
