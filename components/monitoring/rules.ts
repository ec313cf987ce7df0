/**
 * Prometheus alert rules for the OP Stack services and the rail, as a rule-file object and as YAML.
 *
 * Every alert has a `for:`, a `severity` label (`critical`: the chain or the rail stops or is wrong;
 * `warning`: it will if nobody acts), a `summary` and a one-line `runbook` annotation. Annotations template
 * only `$labels` (never `$value`), so unit tests can state them exactly. Metric names and their sources
 * are in metrics.ts; thresholds in thresholds.ts.
 */
import yaml from "js-yaml";

import { defaultTargets, JOBS } from "./jobs.js";
import type { AlertThresholds } from "./thresholds.js";

export type Severity = "critical" | "warning";

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: Severity };
  annotations: { summary: string; runbook: string };
}

export interface RuleGroup {
  name: string;
  rules: AlertRule[];
}

export interface RuleFile {
  groups: RuleGroup[];
}

/** Rule group names. */
export const RULE_GROUPS = { opstack: "ecp-opstack", rail: "ecp-rail" } as const;

/** The window op-node's L1 RPC error ratio is taken over. */
export const L1_RPC_WINDOW = "10m";

const BY = "by (job, instance)";

/** ecp-forge's own op-node target; every other op-node target is a verifier peer. */
const SEQUENCER_OP_NODE_TARGET = defaultTargets().opNode[0]!;
const ON = "on (job, instance)";

/** A number as PromQL and YAML both read it, without exponent notation. */
function num(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toFixed(9)));
}

function opstackRules(t: AlertThresholds): AlertRule[] {
  const l1 = `rpc="l1"`;
  const l1Requests = `sum ${BY} (increase(op_node_default_rpc_client_requests_total{${l1}}[${L1_RPC_WINDOW}]))`;
  const l1Responses = `sum ${BY} (increase(op_node_default_rpc_client_responses_total{${l1}}[${L1_RPC_WINDOW}]))`;
  const l1ErrorResponses = `sum ${BY} (increase(op_node_default_rpc_client_responses_total{${l1},error!="<nil>"}[${L1_RPC_WINDOW}]))`;
  const balance = (alert: string, metric: string, role: string, where: string): AlertRule => ({
    alert,
    expr: `${metric} < ${num(t.minBalanceEth)}`,
    for: "5m",
    labels: { severity: "warning" },
    annotations: {
      summary: `The ${role} account's L1 balance is below ${num(t.minBalanceEth)} ETH ({{ $labels.instance }}).`,
      runbook: `Send Sepolia ETH to the ${role} address (${where}); when it runs dry the ${role} stops sending transactions.`,
    },
  });

  return [
    {
      alert: "TargetDown",
      expr: "up == 0",
      for: `${t.targetDownMinutes}m`,
      labels: { severity: "critical" },
      annotations: {
        summary: "Prometheus cannot scrape {{ $labels.job }} at {{ $labels.instance }}.",
        runbook: "On the host: `docker ps -a` and `docker logs --tail 200 <container>`; check the process listens on its metrics port on 0.0.0.0.",
      },
    },
    balance("BatcherBalanceLow", "op_batcher_default_balance", "batcher", "`ecp:batcherPrivateKey`'s address"),
    balance("ProposerBalanceLow", "op_proposer_default_balance", "proposer", "`ecp:proposerPrivateKey`'s address"),
    balance("ChallengerBalanceLow", "op_challenger_balance", "challenger", "`ecp:challengerPrivateKey`'s address"),
    {
      alert: "SafeHeadLagging",
      expr:
        `max ${BY} (op_node_default_refs_number{layer="l2",type="l2_unsafe"})` +
        ` - max ${BY} (op_node_default_refs_number{layer="l2",type="l2_safe"}) > ${num(t.maxSafeLagBlocks)}`,
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary: `The safe head trails the unsafe head by more than ${num(t.maxSafeLagBlocks)} L2 blocks ({{ $labels.instance }}).`,
        runbook: "Batches are not landing on L1: check op-batcher logs and its balance, L1 blob fees, and op-node's L1 RPC errors.",
      },
    },
    {
      alert: "L1RpcErrors",
      expr:
        `(clamp_min(${l1Requests} - ${l1Responses}, 0) + (${l1ErrorResponses} or 0 * ${l1Requests}))` +
        ` / ${l1Requests} > ${num(t.l1RpcErrorRatio)}`,
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary: `More than ${num(t.l1RpcErrorRatio * 100)}% of op-node's L1 RPC requests failed over ${L1_RPC_WINDOW} ({{ $labels.instance }}).`,
        runbook: "Check the `ecp:l1RpcUrl` provider's status and quota (HTTP 429s count as unanswered); switch to another provider if it persists.",
      },
    },
    {
      alert: "L1RpcRateLimited",
      // -32005 is "Limit exceeded" in EIP-1474; some providers answer 429 as a JSON-RPC code.
      expr: `sum ${BY} (increase(op_node_default_rpc_client_responses_total{${l1},error=~"rpc_-32005|rpc_429"}[${L1_RPC_WINDOW}])) > 0`,
      for: "5m",
      labels: { severity: "warning" },
      annotations: {
        summary: "The L1 RPC provider is rate-limiting op-node ({{ $labels.instance }}).",
        runbook: "Raise the provider plan or point `ecp:l1RpcUrl` at a provider with more quota; op-node's derivation slows while limited.",
      },
    },
    {
      alert: "DerivationResetting",
      expr: `sum ${BY} (increase(op_node_default_pipeline_resets_total[15m])) > ${t.derivationResetsPer15m}`,
      for: "5m",
      labels: { severity: "critical" },
      annotations: {
        summary: `op-node's derivation pipeline reset more than ${t.derivationResetsPer15m} times in 15 minutes ({{ $labels.instance }}).`,
        runbook: "Read op-node logs for `failed to fetch blobs`: the beacon API (`ecp:l1BeaconUrl`) must serve every blob of the unfinalized batches; switch to a beacon node that keeps them, then watch the safe head move.",
      },
    },
    {
      alert: "ProposerSilent",
      expr: `changes(op_proposer_default_proposed_sequence_number[${t.proposerSilenceMinutes}m]) == 0`,
      for: "5m",
      labels: { severity: "warning" },
      annotations: {
        summary: `op-proposer has not proposed for ${t.proposerSilenceMinutes} minutes ({{ $labels.instance }}).`,
        runbook: "Read op-proposer logs for `Failed to send proposal transaction`; check its balance, the DisputeGameFactory address and op-node's safe/finalized head.",
      },
    },
    {
      alert: "DisputeGameRootDisagreement",
      expr: `sum ${BY} (op_dispute_mon_games_agreement{root_agreement="disagree"}) > 0`,
      for: "1m",
      labels: { severity: "critical" },
      annotations: {
        summary: "op-dispute-mon sees a dispute game whose root claim our op-node disagrees with ({{ $labels.instance }}).",
        runbook: "Find the game in op-dispute-mon logs; compare its root with `optimism_outputAtBlock` on op-node and make sure op-challenger is countering it.",
      },
    },
    {
      alert: "DisputeGameIncorrectForecast",
      expr: `sum ${BY} (op_dispute_mon_games_agreement{result_correctness="incorrect"}) > 0`,
      for: "1m",
      labels: { severity: "critical" },
      annotations: {
        summary: "A dispute game is resolving, or resolved, against what our op-node computes ({{ $labels.instance }}).",
        runbook: "Check op-challenger is running, funded and acting on the game before its clock runs out; escalate to the Guardian if it resolved wrongly.",
      },
    },
    {
      // A verifier peer (every op-node target but ecp-forge's own) with no P2P peer gets no unsafe blocks: it
      // follows L1 alone, minutes behind. The sequencer itself may have none when no peer is configured.
      alert: "VerifierIsolated",
      expr: `op_node_default_p2p_peer_count{instance!="${SEQUENCER_OP_NODE_TARGET}"} == 0`,
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary: "The verifier op-node at {{ $labels.instance }} has no P2P peer: it follows L1 only, without the sequencer's unsafe blocks.",
        runbook:
          "From the peer, check the sequencer's op-node P2P port answers (firewall; ecp:host.privateAddress or ecp:p2p.advertiseIp), and that the peer's op-node logs dial the peer id of `pulumi stack output sequencerPeer`.",
      },
    },
    {
      alert: "ExecutionHeadStalled",
      expr:
        `changes(reth_blockchain_tree_canonical_chain_height[${t.headStallMinutes}m]) == 0` +
        ` or changes(chain_head_block[${t.headStallMinutes}m]) == 0`,
      for: "2m",
      labels: { severity: "critical" },
      annotations: {
        summary: `The execution client's head has not moved for ${t.headStallMinutes} minutes ({{ $labels.instance }}).`,
        runbook: "Check op-node logs (sequencer active? engine API errors?) and the execution client's logs and disk space; restart op-node first, then the client.",
      },
    },
  ];
}

function railRules(t: AlertThresholds): AlertRule[] {
  const hour = "1h";
  return [
    {
      alert: "RailStreamStalled",
      expr:
        `min ${BY} (min_over_time(ecp_witness_pending_slots[${t.railStallMinutes}m])) > 0` +
        ` unless ${ON} sum ${BY} (increase(ecp_witness_finalized_total[${t.railStallMinutes}m])) > 0`,
      for: "2m",
      labels: { severity: "critical" },
      annotations: {
        summary: `Witness {{ $labels.instance }} has held open slots for ${t.railStallMinutes} minutes and none finalized.`,
        runbook: "Check the relayers are up and funded and see quorum (`ecp_relayer_pending_slots`), and that enough witnesses are members and running.",
      },
    },
    {
      alert: "RailDissentRising",
      expr: `sum ${BY} (increase(ecp_witness_dissent_total[${hour}])) > ${num(t.dissentPerHour)}`,
      for: "5m",
      labels: { severity: "warning" },
      annotations: {
        summary: `Witness {{ $labels.instance }} dissented on more than ${num(t.dissentPerHour)} slots in the last hour.`,
        runbook: "Compare this witness's archive with the others' for the logged slots (`a candidate differs from our archive`); a diverging archive source is the usual cause.",
      },
    },
    {
      alert: "RailRpcErrors",
      expr:
        `sum ${BY} (increase(ecp_relayer_rpc_errors_total[${hour}])) > ${num(t.railRpcErrorsPerHour)}` +
        ` or sum ${BY} (increase(ecp_witness_rpc_errors_total[${hour}])) > ${num(t.railRpcErrorsPerHour)}`,
      for: "5m",
      labels: { severity: "warning" },
      annotations: {
        summary: `{{ $labels.job }} {{ $labels.instance }} had more than ${num(t.railRpcErrorsPerHour)} failed chain reads or sends in the last hour.`,
        runbook: "Read the process's `tick failed; retrying` logs: an L2 RPC outage (check the execution client) or a send error (gas, nonce, funds).",
      },
    },
    {
      alert: "RailRelayerBatchesFailing",
      expr: `sum ${BY} (increase(ecp_relayer_batches_total{outcome="failed"}[${hour}])) > ${num(t.relayerFailedBatchesPerHour)}`,
      for: "5m",
      labels: { severity: "warning" },
      annotations: {
        summary: `Relayer {{ $labels.instance }} had more than ${num(t.relayerFailedBatchesPerHour)} failed batch transactions in the last hour.`,
        runbook: "Check the L2 balance of ECP_RELAYER_KEY's address (top it up by an L1->L2 deposit) and the relayer's logs for revert, out-of-gas or underpriced errors.",
      },
    },
    {
      alert: "RailRelayerBatchReverted",
      expr: `sum ${BY} (increase(ecp_relayer_batches_total{outcome="reverted"}[${hour}])) > 0`,
      for: "0m",
      labels: { severity: "critical" },
      annotations: {
        summary: "Relayer {{ $labels.instance }} paid for a batch that reverted on chain in the last hour.",
        runbook: "A relayer checks each batch with a call before it sends, so a revert means the chain changed in between (membership, a deadline) or a vote the relayer should have refused: read its `batch` and `tick failed` logs and the transaction's revert reason.",
      },
    },
    {
      alert: "RailPostsRefused",
      expr: `sum by (job, instance, member) (increase(ecp_relayer_refused_total{reason=~"bad-signature|rate-limited|member-rate-limited|member-slots-full|member-candidates-full|member-slot-full"}[${hour}])) > ${num(t.refusedPostsPerHour)}`,
      for: "5m",
      labels: { severity: "warning" },
      annotations: {
        summary: `Relayer {{ $labels.instance }} refused more than ${num(t.refusedPostsPerHour)} posts under member index {{ $labels.member }} in the last hour.`,
        runbook: "Read the relayer's `ecp_relayer_refused_total` by reason for that index: bad signatures or a rate limit mean someone posts under the index without its key; a full share means the member itself posts far more than one witness does. Contact that member's operator; remove the member (`pulumi config`, `pulumi up`) if it persists.",
      },
    },
    {
      alert: "RailSlotsExpiring",
      expr: `sum ${BY} (increase(ecp_relayer_expired_slots_total[${hour}])) > ${num(t.expiredSlotsPerHour)}`,
      for: "5m",
      labels: { severity: "warning" },
      annotations: {
        summary: `Relayer {{ $labels.instance }} forgot more than ${num(t.expiredSlotsPerHour)} unfinalized slots in the last hour.`,
        runbook: "Slots that expire were never signed by a quorum: junk posted by a member (see RailPostsRefused and the relayer's slot gauges), or witnesses that disagree (see RailDissentRising and the witnesses' `slot given up` logs).",
      },
    },
    {
      alert: "RailRelayerUnreachable",
      expr: `max ${BY} (min_over_time(ecp_witness_relayers_unreachable[${t.relayerUnreachableMinutes}m])) > 0`,
      for: "0m",
      labels: { severity: "warning" },
      annotations: {
        summary: `Witness {{ $labels.instance }} has not reached one of its relayers for ${t.relayerUnreachableMinutes} minutes.`,
        runbook: "Read the witness's `a relayer refused or failed a post or read` logs for the relayer URL; check that relayer's health (GET /healthz) and the network between them. The witness keeps working through its other relayers.",
      },
    },
    {
      alert: "RailRelayerLying",
      expr: `sum ${BY} (increase(ecp_witness_unproven_claims_total[${hour}])) > 0`,
      for: "0m",
      labels: { severity: "warning" },
      annotations: {
        summary: "Witness {{ $labels.instance }} read votes or proposals from a relayer that their signatures do not prove.",
        runbook: "An honest relayer only serves what it verified, so one of this witness's relayers forges or alters what it serves. The witness ignores those claims; find the relayer by comparing each one's GET /v1/candidates, and remove it from --relayer.",
      },
    },
    {
      alert: "RailArchiveIntakeStopped",
      expr:
        `max ${BY} (up{job="${JOBS.railWitness}"}) == 1` +
        ` unless ${ON} sum ${BY} (increase(ecp_witness_archive_lines_total[${t.archiveSilenceMinutes}m])) > 0`,
      for: "2m",
      labels: { severity: "warning" },
      annotations: {
        summary: `Witness {{ $labels.instance }} read no archive line for ${t.archiveSilenceMinutes} minutes.`,
        runbook: "GET /healthz on the witness (`the archive intake stopped: …`); else check the archive's writer still appends; restart the witness after fixing.",
      },
    },
    {
      alert: "RailWitnessNotMember",
      expr: "ecp_witness_member == 0",
      for: "5m",
      labels: { severity: "warning" },
      annotations: {
        summary: "Witness {{ $labels.instance }} runs with a key that is not a current member of the ledger.",
        runbook: "Compare ECP_WITNESS_KEY's address with the ledger's current members (the witness logs it at start); fix the key or have the member added.",
      },
    },
  ];
}

export function alertRules(t: AlertThresholds): RuleFile {
  return {
    groups: [
      { name: RULE_GROUPS.opstack, rules: opstackRules(t) },
      { name: RULE_GROUPS.rail, rules: railRules(t) },
    ],
  };
}

/** YAML text, one line per value (no folding), as promtool and Prometheus read it. */
export function toYaml(value: unknown): string {
  return yaml.dump(value, { lineWidth: -1, noRefs: true, quotingType: '"' });
}

export function alertRulesYaml(t: AlertThresholds): string {
  return toYaml(alertRules(t));
}

/** Every alert of the file, flattened. */
export function allAlerts(file: RuleFile): AlertRule[] {
  return file.groups.flatMap((g) => g.rules);
}
