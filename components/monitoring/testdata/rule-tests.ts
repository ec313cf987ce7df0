/**
 * `promtool test rules` cases for rules.ts: for every alert, synthetic series on which it must fire and
 * healthy series on which it must stay quiet. Built from the thresholds, so the same cases hold for any
 * threshold set (rules.test.ts runs the defaults and a custom set).
 */
import { JOBS } from "../jobs.js";
import { allAlerts, alertRules, type AlertRule } from "../rules.js";
import type { AlertThresholds } from "../thresholds.js";

type Labels = Record<string, string>;

export interface RuleCase {
  alert: string;
  /** `fires`: the alert must be firing at evalMinutes with `labels`; `quiet`: no alert of that name. */
  expect: "fires" | "quiet";
  name: string;
  series: { series: string; values: string }[];
  evalMinutes: number;
  /** The alert's labels besides alertname and the rule's own (fires only). */
  labels?: Labels;
}

const NODE = { job: JOBS.opNode, instance: "op-node:7300" };
/** A verifier peer's op-node, scraped on its private address. */
const PEER_NODE = { job: JOBS.opNode, instance: "10.0.0.21:7300" };
const EXEC = { job: JOBS.executionClient, instance: "execution:6060" };
const BATCHER = { job: JOBS.opBatcher, instance: "op-batcher:7300" };
const PROPOSER = { job: JOBS.opProposer, instance: "op-proposer:7300" };
const CHALLENGER = { job: JOBS.opChallenger, instance: "op-challenger:7300" };
const DISPUTE_MON = { job: JOBS.opDisputeMon, instance: "op-dispute-mon:7300" };
const WITNESS = { job: JOBS.railWitness, instance: "rail-witness:8651" };
const RELAYER = { job: JOBS.railRelayer, instance: "rail-relayer:8650" };

function sel(metric: string, labels: Labels): string {
  return `${metric}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(",")}}`;
}

/** A number in promtool's series notation. */
function n(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(6);
}

/** Constant `v` for `minutes` + 1 samples. */
const flat = (v: number, minutes: number) => `${n(v)}x${minutes}`;
/** From `start`, `perMinute` more every minute. */
const ramp = (start: number, perMinute: number, minutes: number) => `${n(start)}+${n(perMinute)}x${minutes}`;

function agreement(status: string, completion: string, correctness: string, root: string): Labels {
  return { ...DISPUTE_MON, status, completion, result_correctness: correctness, root_agreement: root };
}

export function ruleCases(t: AlertThresholds): RuleCase[] {
  const D = t.targetDownMinutes;
  const L = t.maxSafeLagBlocks;
  const r = t.l1RpcErrorRatio;
  const P = t.proposerSilenceMinutes;
  const H = t.headStallMinutes;
  const S = t.railStallMinutes;
  const A = t.archiveSilenceMinutes;
  const l1 = { ...NODE, rpc: "l1", method: "eth_getBlockByHash" };
  const refs = (type: string) => ({ ...NODE, layer: "l2", type });
  const cases: RuleCase[] = [];
  const add = (c: RuleCase) => cases.push(c);

  // -- scrape health -----------------------------------------------------------------------------
  add({ alert: "TargetDown", expect: "fires", name: "a target that stays down", evalMinutes: D + 5, labels: BATCHER, series: [{ series: sel("up", BATCHER), values: flat(0, D + 10) }] });
  add({ alert: "TargetDown", expect: "quiet", name: "a target that is up", evalMinutes: D + 5, series: [{ series: sel("up", BATCHER), values: flat(1, D + 10) }] });

  // -- balances ----------------------------------------------------------------------------------
  for (const [alert, metric, labels] of [
    ["BatcherBalanceLow", "op_batcher_default_balance", BATCHER],
    ["ProposerBalanceLow", "op_proposer_default_balance", PROPOSER],
    ["ChallengerBalanceLow", "op_challenger_balance", CHALLENGER],
  ] as const) {
    add({ alert, expect: "fires", name: "half the minimum balance", evalMinutes: 10, labels, series: [{ series: sel(metric, labels), values: flat(t.minBalanceEth / 2, 20) }] });
    add({ alert, expect: "quiet", name: "four times the minimum balance", evalMinutes: 10, series: [{ series: sel(metric, labels), values: flat(t.minBalanceEth * 4, 20) }] });
  }

  // -- heads -------------------------------------------------------------------------------------
  add({
    alert: "SafeHeadLagging",
    expect: "fires",
    name: "safe head twice the limit behind",
    evalMinutes: 15,
    labels: NODE,
    series: [
      { series: sel("op_node_default_refs_number", refs("l2_unsafe")), values: ramp(1000 + 2 * L, 30, 30) },
      { series: sel("op_node_default_refs_number", refs("l2_safe")), values: ramp(1000, 30, 30) },
      { series: sel("op_node_default_refs_number", refs("l2_finalized")), values: ramp(100, 30, 30) },
    ],
  });
  add({
    alert: "SafeHeadLagging",
    expect: "quiet",
    name: "safe head half the limit behind",
    evalMinutes: 15,
    series: [
      { series: sel("op_node_default_refs_number", refs("l2_unsafe")), values: ramp(1000 + Math.floor(L / 2), 30, 30) },
      { series: sel("op_node_default_refs_number", refs("l2_safe")), values: ramp(1000, 30, 30) },
    ],
  });
  for (const [client, metric] of [
    ["op-reth", "reth_blockchain_tree_canonical_chain_height"],
    ["op-geth", "chain_head_block"],
  ] as const) {
    const labels = { ...EXEC, client };
    add({ alert: "ExecutionHeadStalled", expect: "fires", name: `${client} head standing still`, evalMinutes: H + 8, labels, series: [{ series: sel(metric, labels), values: flat(500, H + 20) }] });
    add({ alert: "ExecutionHeadStalled", expect: "quiet", name: `${client} head moving`, evalMinutes: H + 8, series: [{ series: sel(metric, labels), values: ramp(500, 30, H + 20) }] });
  }

  // -- L1 RPC ------------------------------------------------------------------------------------
  const requests = { series: sel("op_node_default_rpc_client_requests_total", l1), values: ramp(0, 100, 40) };
  const answered = (perMinute: number) => ({ series: sel("op_node_default_rpc_client_responses_total", { ...l1, error: "<nil>" }), values: ramp(0, perMinute, 40) });
  const errored = (code: string, perMinute: number) => ({ series: sel("op_node_default_rpc_client_responses_total", { ...l1, error: code }), values: ramp(0, perMinute, 40) });
  const bad = Math.min(100, Math.ceil(200 * r));
  add({ alert: "L1RpcErrors", expect: "fires", name: "requests without responses", evalMinutes: 25, labels: NODE, series: [requests, answered(100 - bad)] });
  add({ alert: "L1RpcErrors", expect: "fires", name: "JSON-RPC error responses", evalMinutes: 25, labels: NODE, series: [requests, answered(100 - bad), errored("rpc_-32000", bad)] });
  add({ alert: "L1RpcErrors", expect: "quiet", name: "every request answered, no error series", evalMinutes: 25, series: [requests, answered(100)] });
  add({ alert: "L1RpcErrors", expect: "quiet", name: "errors at half the ratio", evalMinutes: 25, series: [requests, answered(100 - Math.floor(50 * r)), errored("rpc_-32000", Math.floor(50 * r))] });
  add({ alert: "L1RpcRateLimited", expect: "fires", name: "limit-exceeded responses", evalMinutes: 20, labels: NODE, series: [requests, answered(95), errored("rpc_-32005", 5)] });
  add({ alert: "L1RpcRateLimited", expect: "quiet", name: "other errors only", evalMinutes: 20, series: [requests, answered(97), errored("rpc_-32000", 3)] });

  // -- derivation resets (blobs the beacon API no longer serves) ----------------------------------
  const R = t.derivationResetsPer15m;
  add({ alert: "DerivationResetting", expect: "fires", name: "a reset every minute", evalMinutes: 25, labels: NODE, series: [{ series: sel("op_node_default_pipeline_resets_total", NODE), values: ramp(1, Math.max(1, Math.ceil((R + 1) / 10)), 30) }] });
  add({ alert: "VerifierIsolated", expect: "fires", name: "a peer without peers", evalMinutes: 15, labels: PEER_NODE, series: [{ series: sel("op_node_default_p2p_peer_count", PEER_NODE), values: flat(0, 20) }] });
  add({ alert: "VerifierIsolated", expect: "quiet", name: "a peer connected to the sequencer", evalMinutes: 15, series: [{ series: sel("op_node_default_p2p_peer_count", PEER_NODE), values: flat(1, 20) }] });
  add({ alert: "VerifierIsolated", expect: "quiet", name: "the sequencer alone", evalMinutes: 15, series: [{ series: sel("op_node_default_p2p_peer_count", NODE), values: flat(0, 20) }] });
  add({ alert: "VerifierIsolated", expect: "quiet", name: "a peer that reconnected within 10 minutes", evalMinutes: 15, series: [{ series: sel("op_node_default_p2p_peer_count", PEER_NODE), values: `${flat(0, 8)} ${flat(1, 11)}` }] });
  add({ alert: "DerivationResetting", expect: "quiet", name: "one reset at start", evalMinutes: 25, series: [{ series: sel("op_node_default_pipeline_resets_total", NODE), values: `0 ${flat(1, 29)}` }] });

  // -- proposals and games -----------------------------------------------------------------------
  const step = Math.max(2, Math.floor(P / 2));
  const steps: string[] = [];
  for (let i = 0, covered = 0; covered <= P + 20; i++, covered += step) steps.push(flat(100 + i, step - 1));
  add({ alert: "ProposerSilent", expect: "fires", name: "no new proposal", evalMinutes: P + 10, labels: PROPOSER, series: [{ series: sel("op_proposer_default_proposed_sequence_number", PROPOSER), values: flat(100, P + 20) }] });
  add({ alert: "ProposerSilent", expect: "quiet", name: `a proposal every ${step} minutes`, evalMinutes: P + 10, series: [{ series: sel("op_proposer_default_proposed_sequence_number", PROPOSER), values: steps.join(" ") }] });

  const agreeAhead = { series: sel("op_dispute_mon_games_agreement", agreement("agree_defender_ahead", "in_progress", "correct", "agree")), values: flat(3, 20) };
  add({
    alert: "DisputeGameRootDisagreement",
    expect: "fires",
    name: "a game with a root we disagree with",
    evalMinutes: 10,
    labels: DISPUTE_MON,
    series: [agreeAhead, { series: sel("op_dispute_mon_games_agreement", agreement("disagree_defender_ahead", "in_progress", "incorrect", "disagree")), values: flat(1, 20) }],
  });
  add({
    alert: "DisputeGameRootDisagreement",
    expect: "quiet",
    name: "all roots agreed",
    evalMinutes: 10,
    series: [agreeAhead, { series: sel("op_dispute_mon_games_agreement", agreement("disagree_defender_ahead", "in_progress", "incorrect", "disagree")), values: flat(0, 20) }],
  });
  add({
    alert: "DisputeGameIncorrectForecast",
    expect: "fires",
    name: "a valid root being countered",
    evalMinutes: 10,
    labels: DISPUTE_MON,
    series: [agreeAhead, { series: sel("op_dispute_mon_games_agreement", agreement("agree_challenger_ahead", "in_progress", "incorrect", "agree")), values: flat(1, 20) }],
  });
  add({
    alert: "DisputeGameIncorrectForecast",
    expect: "quiet",
    name: "every game heading to the right result",
    evalMinutes: 10,
    series: [
      agreeAhead,
      { series: sel("op_dispute_mon_games_agreement", agreement("agree_challenger_ahead", "in_progress", "incorrect", "agree")), values: flat(0, 20) },
      { series: sel("op_dispute_mon_games_agreement", agreement("agree_defender_wins", "complete", "correct", "agree")), values: flat(5, 20) },
    ],
  });

  // -- rail --------------------------------------------------------------------------------------
  const pending = (v: number) => ({ series: sel("ecp_witness_pending_slots", WITNESS), values: flat(v, S + 20) });
  const finalized = (perMinute: number) => ({ series: sel("ecp_witness_finalized_total", { ...WITNESS, outcome: "ours" }), values: ramp(10, perMinute, S + 20) });
  add({ alert: "RailStreamStalled", expect: "fires", name: "slots open, none finalizing", evalMinutes: S + 8, labels: WITNESS, series: [pending(3), finalized(0)] });
  add({ alert: "RailStreamStalled", expect: "fires", name: "slots open, nothing ever finalized", evalMinutes: S + 8, labels: WITNESS, series: [pending(3)] });
  add({ alert: "RailStreamStalled", expect: "quiet", name: "slots open and finalizing", evalMinutes: S + 8, series: [pending(3), finalized(1)] });
  add({ alert: "RailStreamStalled", expect: "quiet", name: "idle: nothing open", evalMinutes: S + 8, series: [pending(0), finalized(0)] });

  const perHour = (metric: string, labels: Labels, count: number) => ({ series: sel(metric, labels), values: ramp(0, count / 60, 90) });
  add({ alert: "RailDissentRising", expect: "fires", name: "dissent at twice the limit", evalMinutes: 75, labels: WITNESS, series: [perHour("ecp_witness_dissent_total", WITNESS, 2 * t.dissentPerHour)] });
  add({ alert: "RailDissentRising", expect: "quiet", name: "dissent at half the limit", evalMinutes: 75, series: [perHour("ecp_witness_dissent_total", WITNESS, t.dissentPerHour / 2)] });

  const e = t.railRpcErrorsPerHour;
  add({ alert: "RailRpcErrors", expect: "fires", name: "relayer errors at twice the limit", evalMinutes: 75, labels: RELAYER, series: [perHour("ecp_relayer_rpc_errors_total", RELAYER, 2 * e), perHour("ecp_witness_rpc_errors_total", WITNESS, 0)] });
  add({ alert: "RailRpcErrors", expect: "fires", name: "witness errors at twice the limit", evalMinutes: 75, labels: WITNESS, series: [perHour("ecp_relayer_rpc_errors_total", RELAYER, 0), perHour("ecp_witness_rpc_errors_total", WITNESS, 2 * e)] });
  add({ alert: "RailRpcErrors", expect: "quiet", name: "errors at half the limit", evalMinutes: 75, series: [perHour("ecp_relayer_rpc_errors_total", RELAYER, e / 2), perHour("ecp_witness_rpc_errors_total", WITNESS, e / 2)] });

  const mined = perHour("ecp_relayer_batches_total", { ...RELAYER, outcome: "mined" }, 60);
  add({ alert: "RailRelayerBatchesFailing", expect: "fires", name: "failed batches at twice the limit", evalMinutes: 75, labels: RELAYER, series: [mined, perHour("ecp_relayer_batches_total", { ...RELAYER, outcome: "failed" }, 2 * t.relayerFailedBatchesPerHour)] });
  add({ alert: "RailRelayerBatchesFailing", expect: "quiet", name: "no failed batch", evalMinutes: 75, series: [mined, perHour("ecp_relayer_batches_total", { ...RELAYER, outcome: "failed" }, 0)] });

  add({ alert: "RailRelayerBatchReverted", expect: "fires", name: "one reverted batch", evalMinutes: 75, labels: RELAYER, series: [mined, perHour("ecp_relayer_batches_total", { ...RELAYER, outcome: "reverted" }, 1)] });
  add({ alert: "RailRelayerBatchReverted", expect: "quiet", name: "failed, none reverted", evalMinutes: 75, series: [mined, perHour("ecp_relayer_batches_total", { ...RELAYER, outcome: "failed" }, 1)] });

  const refused = (reason: string, member: string, n: number) => perHour("ecp_relayer_refused_total", { ...RELAYER, reason, member }, n);
  add({ alert: "RailPostsRefused", expect: "fires", name: "bad signatures under one index", evalMinutes: 75, labels: { ...RELAYER, member: "3" }, series: [refused("bad-signature", "3", 2 * t.refusedPostsPerHour), refused("bad-signature", "1", 1)] });
  add({ alert: "RailPostsRefused", expect: "quiet", name: "refusals spread thin, and finals do not count", evalMinutes: 75, series: [refused("bad-signature", "3", t.refusedPostsPerHour / 2), refused("member-slot-full", "3", t.refusedPostsPerHour / 4), refused("final", "2", 10 * t.refusedPostsPerHour)] });

  add({ alert: "RailSlotsExpiring", expect: "fires", name: "expiring at twice the limit", evalMinutes: 75, labels: RELAYER, series: [perHour("ecp_relayer_expired_slots_total", RELAYER, 2 * t.expiredSlotsPerHour)] });
  add({ alert: "RailSlotsExpiring", expect: "quiet", name: "expiring at half the limit", evalMinutes: 75, series: [perHour("ecp_relayer_expired_slots_total", RELAYER, t.expiredSlotsPerHour / 2)] });

  const unreachable = (v: number, minutes: number) => ({ series: sel("ecp_witness_relayers_unreachable", WITNESS), values: `${v}x${minutes} 0x10` });
  add({ alert: "RailRelayerUnreachable", expect: "fires", name: "a relayer out for longer than the limit", evalMinutes: t.relayerUnreachableMinutes + 2, labels: WITNESS, series: [unreachable(1, t.relayerUnreachableMinutes + 5)] });
  add({ alert: "RailRelayerUnreachable", expect: "quiet", name: "a relayer out for a few minutes", evalMinutes: t.relayerUnreachableMinutes + 2, series: [{ series: sel("ecp_witness_relayers_unreachable", WITNESS), values: `0x${Math.max(1, t.relayerUnreachableMinutes - 4)} 1x4 0x10` }] });

  add({ alert: "RailRelayerLying", expect: "fires", name: "forged votes read", evalMinutes: 75, labels: WITNESS, series: [perHour("ecp_witness_unproven_claims_total", { ...WITNESS, kind: "vote" }, 5)] });
  add({ alert: "RailRelayerLying", expect: "quiet", name: "nothing unproven", evalMinutes: 75, series: [perHour("ecp_witness_unproven_claims_total", { ...WITNESS, kind: "vote" }, 0)] });

  const up = (v: number) => ({ series: sel("up", WITNESS), values: flat(v, A + 20) });
  const lines = (perMinute: number) => ({ series: sel("ecp_witness_archive_lines_total", { ...WITNESS, result: "valid" }), values: ramp(100, perMinute, A + 20) });
  add({ alert: "RailArchiveIntakeStopped", expect: "fires", name: "no new line", evalMinutes: A + 8, labels: WITNESS, series: [up(1), lines(0)] });
  add({ alert: "RailArchiveIntakeStopped", expect: "fires", name: "no line ever", evalMinutes: A + 8, labels: WITNESS, series: [up(1)] });
  add({ alert: "RailArchiveIntakeStopped", expect: "quiet", name: "a line a minute", evalMinutes: A + 8, series: [up(1), lines(1)] });
  add({ alert: "RailArchiveIntakeStopped", expect: "quiet", name: "witness down (TargetDown's case)", evalMinutes: A + 8, series: [up(0)] });

  add({ alert: "RailWitnessNotMember", expect: "fires", name: "key not a member", evalMinutes: 10, labels: WITNESS, series: [{ series: sel("ecp_witness_member", WITNESS), values: flat(0, 20) }] });
  add({ alert: "RailWitnessNotMember", expect: "quiet", name: "key a member", evalMinutes: 10, series: [{ series: sel("ecp_witness_member", WITNESS), values: flat(1, 20) }] });

  return cases;
}

/** `{{ $labels.x }}` templates filled in, as Prometheus expands annotations. */
function render(template: string, labels: Labels): string {
  return template.replace(/\{\{\s*\$labels\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, k: string) => labels[k] ?? "");
}

/** The promtool test file object for `rulesFile`. */
export function ruleUnitTests(t: AlertThresholds, rulesFile: string): Record<string, unknown> {
  const rules = new Map<string, AlertRule>(allAlerts(alertRules(t)).map((a) => [a.alert, a]));
  return {
    rule_files: [rulesFile],
    evaluation_interval: "1m",
    tests: ruleCases(t).map((c) => {
      const rule = rules.get(c.alert);
      if (rule === undefined) throw new Error(`rule case "${c.name}" names alert ${c.alert}, which rules.ts does not define`);
      const labels = { ...(c.labels ?? {}), ...rule.labels };
      return {
        name: `${c.alert} ${c.expect}: ${c.name}`,
        interval: "1m",
        input_series: c.series,
        alert_rule_test: [
          {
            eval_time: `${c.evalMinutes}m`,
            alertname: c.alert,
            exp_alerts:
              c.expect === "quiet"
                ? []
                : [
                    {
                      exp_labels: labels,
                      exp_annotations: { summary: render(rule.annotations.summary, labels), runbook: render(rule.annotations.runbook, labels) },
                    },
                  ],
          },
        ],
      };
    }),
  };
}
