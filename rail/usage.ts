// The rail CLI's usage, from one table: `rail --help` lists every command and flag, and
// `rail <command> --help` only that command's own, since operators of witness and relayer hosts run
// those by hand.
export const COMMANDS = ['smoke', 'derive', 'deploy', 'submit', 'status', 'members', 'witness', 'relayer', 'keygen', 'smoke-network'] as const;
export type Command = (typeof COMMANDS)[number];

const ABOUT: Record<Command, string> = {
  smoke: 'start anvil (or use --rpc), deploy, derive the archive, sign off, verify finality (default)',
  derive: "print the archive's observation headers as JSON lines (reads only)",
  deploy:
    'deploy the ledger and the rail (idempotent, CREATE2) and print their addresses as JSON; with\n--witness…, at an address fixed by the deployer alone, its witness set then brought in place',
  submit: 'sign off on the archive\'s observations with the witness keys (resumable); needs --ledger,\nor --deploy to deploy (or reuse) the deterministic ledger for these keys first',
  status:
    'per stream, this archive against the chain, by content: finalized, conflicting (lost to other\ncontent), skipped (the stream went on without it; reasons from --state-dir), pending (reads only)',
  members:
    "bring the ledger's witness set and quorum to --witness… and --quorum with one owner call\n(ECP_DEPLOYER_KEY), in place: the ledger keeps its address; resumable, refuses before sending",
  witness:
    'run one witness: follow its own --archive (a file or a directory of .jsonl files), propose,\nverify and sign off with ECP_WITNESS_KEY or --key-file (contracts/docs/Protocol.md); runs until SIGTERM',
  relayer: "run a relayer: take witnesses' proposals and sign-offs over HTTP and submit batches with\nECP_RELAYER_KEY (or --key-file); runs until SIGTERM",
  keygen: 'make a fresh key for a witness (or relayer) host: write it to --out FILE, mode 0400, never over an\nexisting file, and print only its address (give that address to the operator)',
  'smoke-network':
    'the witness network end to end on a running chain: a fresh smoke ledger, --witnesses throwaway\nwitnesses and a relayer as processes of their own, one snapshot of --archive; waits until every\nobservation is final, then stops them and reports (exit 1 if not)',
};

/** Every flag once: its name, what it means, and the commands that read it. */
const FLAGS: { flag: string; help: string; commands: readonly Command[] }[] = [
  { flag: '--rpc URL', help: 'the chain: required, except for smoke, which starts its own anvil without it', commands: ['smoke', 'deploy', 'submit', 'status', 'members', 'witness', 'relayer', 'smoke-network'] },
  { flag: '--archive PATH', help: 'archive JSONL, or - for stdin (default: the bundled fixture); witness: a file or a directory\nof .jsonl files, followed as it grows', commands: ['smoke', 'derive', 'submit', 'status', 'witness', 'smoke-network'] },
  { flag: '--witnesses N', help: 'number of witnesses (default 5; smoke-network: 3)', commands: ['smoke', 'deploy', 'submit', 'status', 'smoke-network'] },
  { flag: '--quorum Q', help: 'quorum, a strict majority of N (default: the smallest, 3 of 5)', commands: ['smoke', 'deploy', 'submit', 'status', 'members', 'smoke-network'] },
  { flag: '--witness ADDRESS', help: 'a member of the wanted set (repeat for each)', commands: ['deploy', 'members'] },
  { flag: '--fund ADDRESS', help: 'with --portal and --witness: also top up this account (a relayer\'s; repeat for each)', commands: ['deploy'] },
  { flag: '--timeout-s N', help: 'give up when not every observation is final after N seconds (default 600)', commands: ['smoke-network'] },
  { flag: '--mode M', help: 'witness-tx | relayed (default relayed)', commands: ['smoke', 'deploy', 'submit', 'witness', 'smoke-network'] },
  { flag: '--batch-size B', help: 'observations per relayed transaction, 1 to 500 (default 100)', commands: ['smoke', 'submit'] },
  { flag: '--ledger ADDRESS', help: 'the ledger (status defaults to the deterministic address for these keys)', commands: ['submit', 'status', 'members', 'witness', 'relayer'] },
  { flag: '--deploy', help: 'deploy the deterministic ledger first if it is not there', commands: ['submit'] },
  { flag: '--bridge', help: 'deploy with finalized slots recorded into the rail', commands: ['deploy', 'submit', 'status'] },
  { flag: '--skip-invalid', help: 'go on with the valid archive lines and list the skipped ones', commands: ['smoke', 'derive', 'submit', 'status'] },
  { flag: '--limit N', help: 'only the first N observations (N ≥ 1; smoke-network: the first N lines, default 30)', commands: ['smoke', 'derive', 'submit', 'status', 'smoke-network'] },
  { flag: '--dissent-every N', help: 'the last witness signs a different dataRoot every N epochs (default 10, 0: never)', commands: ['smoke'] },
  { flag: '--portal ADDRESS', help: 'first top up the deployer (and, in witness-tx mode, the witnesses) on L2 with deposits\nthrough this OptimismPortal; the L1 RPC URL comes from ECP_L1_RPC_URL', commands: ['deploy'] },
  { flag: '--fund-min ETH', help: 'with --portal: accounts below this get a deposit (default 0.05)', commands: ['deploy'] },
  { flag: '--fund-top-up ETH', help: 'with --portal: …up to this balance (default 0.25); smoke-network: what the throwaway\naccounts that send transactions get from the deployer (default 0.05)', commands: ['deploy', 'smoke-network'] },
  { flag: '--allow-dev-keys', help: "let the anvil dev keys sign on a chain that is not anvil's (31337)", commands: ['smoke', 'deploy', 'submit', 'members', 'witness', 'relayer', 'smoke-network'] },
  { flag: '--json', help: 'one JSON object on stdout, no progress', commands: ['smoke', 'deploy', 'submit', 'status', 'members', 'keygen', 'smoke-network'] },
  { flag: '--listen HOST:PORT', help: 'the HTTP address (relayer API, /metrics, /healthz); default 127.0.0.1:8650 for a relayer\nand 127.0.0.1:8651 for a witness', commands: ['witness', 'relayer'] },
  {
    flag: '--key-file PATH',
    help: "read this process's key from PATH (0x and 64 hex digits) instead of its environment variable; the\nfile must be readable by its owner only (chmod 0400), or be systemd's $CREDENTIALS_DIRECTORY/<name>",
    commands: ['witness', 'relayer'],
  },
  { flag: '--out FILE', help: 'where keygen writes the new key (mode 0400; an existing file is never overwritten)', commands: ['keygen'] },
  { flag: '--relayer URL', help: 'a relayer to post to and read candidates from (repeat for several)', commands: ['witness'] },
  { flag: '--state-dir DIR', help: 'witness: where its durable, locked sign-off record lives; status: read skip reasons from it', commands: ['witness', 'status'] },
  { flag: '--tolerance-ms N', help: "how far a candidate's observation time may lie from ours (default 2000)", commands: ['witness'] },
  { flag: '--propose-step-ms N', help: 'the wait before the next-ranked witness may propose (default 2000)', commands: ['witness'] },
  { flag: '--give-up-ms N', help: 'a slot not final after this is given up, the stream goes on (default 60000)', commands: ['witness'] },
  { flag: '--poll-ms N', help: 'how often the chain and relayers are read (default 250)', commands: ['witness', 'relayer', 'smoke-network'] },
  { flag: '--from-block N', help: 'the block to read ledger logs from (default 0: the whole chain)', commands: ['status', 'witness', 'relayer'] },
  { flag: '--max-batch N', help: 'observations per batch, 1 to 500 (default 500; a batch also fits in half a block\'s gas)', commands: ['relayer'] },
  {
    flag: '--relayer-index I',
    help: 'this relayer\'s place among --relayers N that split the streams: it leads those with\nuint(streamHash) mod N = I and takes the others over after --takeover-ms',
    commands: ['relayer'],
  },
  { flag: '--relayers N', help: 'how many relayers split the streams (with --relayer-index)', commands: ['relayer'] },
  { flag: '--takeover-ms N', help: 'how long an observation another relayer leads waits here, ready, before this one sends it (default 3000)', commands: ['relayer'] },
  { flag: '--member-rate N', help: 'new candidates one member may bring in per second, ten seconds\' worth at once (default 100)', commands: ['relayer'] },
  {
    flag: '--max-pipeline N',
    help: 'votes per stream cast ahead of the chain (default 1: only on candidates extending the finalized\nhead; more is faster on a backlog, but a slot that fails then takes up to N later slots with it)',
    commands: ['witness'],
  },
  { flag: '--help, -h', help: 'this text (`<command> --help`: that command only)', commands: COMMANDS },
];

const KEYS: Record<Command, string> = {
  smoke: 'ECP_DEPLOYER_KEY and ECP_WITNESS_KEYS (comma-separated); without them the anvil dev accounts, on anvil only',
  derive: 'none (reads only)',
  deploy: 'ECP_DEPLOYER_KEY and ECP_WITNESS_KEYS (comma-separated); without them the anvil dev accounts, on anvil only',
  submit: 'ECP_DEPLOYER_KEY and ECP_WITNESS_KEYS (comma-separated); without them the anvil dev accounts, on anvil only',
  status: 'none (reads only; the keys name the deterministic ledger when --ledger is not given)',
  members: "ECP_DEPLOYER_KEY, the ledger owner's key (never printed or logged)",
  witness: 'ECP_WITNESS_KEY, or the file --key-file PATH: this witness\'s own key (never printed or logged)',
  relayer: 'ECP_RELAYER_KEY, or the file --key-file PATH: the account that pays for batches (never printed or logged)',
  keygen: 'none read; the new key is written to --out only, never printed',
  'smoke-network':
    'ECP_DEPLOYER_KEY (deploys the smoke ledger, funds the throwaway accounts), ECP_WITNESS_KEYS (the throwaway\nwitnesses, comma-separated) and ECP_RELAYER_KEY; without them the anvil dev accounts, on anvil only',
};

const EXIT_CODES =
  'exit: 0 success, 1 verification failed (something is not final on chain, or lost to another\n      observation), 2 usage, 3 bad input (archive, keys), 4 chain error (RPC, revert, no contract,\n      unreachable quorum), 70 internal error.';

const indent = (text: string, by: number) => text.split('\n').join(`\n${' '.repeat(by)}`);
const flagLines = (flags: typeof FLAGS) => flags.map((f) => `  ${f.flag.padEnd(21)}${indent(f.help, 23)}`).join('\n');

/** `rail --help`: every command and every flag. */
export function usage(): string {
  return [
    'usage: tsx rail/cli.ts <command> [flags]     (`<command> --help` for one command)',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.padEnd(14)}${indent(ABOUT[c], 16)}`),
    '',
    'flags:',
    flagLines(FLAGS),
    'keys: ECP_DEPLOYER_KEY and ECP_WITNESS_KEYS (comma-separated) from the environment for smoke, deploy and\n      submit; ECP_WITNESS_KEY (or --key-file) for witness, ECP_RELAYER_KEY (or --key-file) for relayer. Without them the anvil dev\n      accounts are used, and only on anvil\'s chain (31337) unless --allow-dev-keys.',
    EXIT_CODES,
  ].join('\n');
}

/** `rail <command> --help`: that command's own usage and flags. */
export function commandUsage(command: Command): string {
  return [
    `usage: tsx rail/cli.ts ${command} [flags]`,
    '',
    ABOUT[command],
    '',
    'flags:',
    flagLines(FLAGS.filter((f) => f.commands.includes(command))),
    `keys: ${KEYS[command]}`,
    EXIT_CODES,
  ].join('\n');
}

/** The flags `command` reads, as typed on its command line (`--key-file`, `-h`): what a caller that
 *  builds a command line (the NixOS module's unit) is checked against. */
export function commandFlags(command: Command): string[] {
  return FLAGS.filter((f) => f.commands.includes(command)).flatMap((f) => f.flag.split(', ').map((name) => name.split(' ')[0]!));
}

/** Whether `flag` (as `--name`) takes a value (`--rpc URL`) or stands alone (`--json`). */
export function flagTakesValue(flag: string): boolean {
  const entry = FLAGS.find((f) => f.flag.split(', ').some((name) => name.split(' ')[0] === flag));
  if (entry === undefined) throw new Error(`${flag} is not a rail flag`);
  return entry.flag.split(', ')[0]!.includes(' ');
}

export const isCommand = (s: string | undefined): s is Command => (COMMANDS as readonly string[]).includes(s ?? '');
