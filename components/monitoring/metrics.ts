/**
 * Every metric name a rule or a dashboard panel uses, with where it is defined.
 *
 * `source` is `repo@tag:path` in upstream source (the pinned tag where readable, else the newest readable
 * one, see docs/research/2026-11-services.md §0), or `rail:<path>` for the rail's own metrics. `prefix`
 * says how the full name is formed from the namespace the source registers. Each name below was read in
 * that source; the pins newer than the readable tags (op-node v1.20.2, op-batcher v1.17.0, op-proposer
 * v1.16.4, op-challenger v1.9.5, op-dispute-mon v1.6.0, op-reth v2.8.2) are covered by release notes only.
 *
 * Histograms are listed once by their base name; expressions use `<name>_bucket`, `_sum` or `_count`.
 */

export type MetricKind = "counter" | "gauge" | "histogram";

export interface MetricEntry {
  /** The name as Prometheus stores it (for histograms: the base name). */
  name: string;
  kind: MetricKind;
  /** `repo@tag:path` of the definition, or `rail:<path>`. */
  source: string;
  /** How the name is formed: namespace, subsystem, suffixes. */
  prefix: string;
  /** Labels the rules and panels rely on, and their values where it matters. */
  labels?: string;
}

// -- sources ------------------------------------------------------------------------------------

const OP_NODE = "okx/optimism@op-node/v1.19.1-rc.1";
const OP_BATCHER = "okx/optimism@op-batcher/v1.16.10";
const OP_PROPOSER = "okx/optimism@op-proposer/v1.16.3";
const OP_CHALLENGER = "okx/optimism@op-challenger/v1.9.4-rc.1";
const OP_DISPUTE_MON = "okx/optimism@op-dispute-mon/v1.5.3-rc.1";
const RETH = "paradigmxyz/reth@v2.3.0";
const OP_GETH = "base/op-geth@d0734fd5f44234cde3b0a7c4beb1256fc6feedef";
const PROMETHEUS = "prometheus/prometheus@v2.42.0";

const NODE_NS = 'op_node_default_: Namespace "op_node" + "_" + procName "default" (op-node/cmd/main.go `metrics.NewMetrics("default", nil)`)';
const BATCHER_NS = 'op_batcher_default_: Namespace "op_batcher" + "_" + procName "default" (op-batcher/batcher/service.go initMetrics)';
const PROPOSER_NS = 'op_proposer_default_: Namespace "op_proposer" + "_" + procName "default" (op-proposer/proposer/service.go initMetrics)';
const CHALLENGER_NS = 'op_challenger_: Namespace "op_challenger", no procName (op-challenger/metrics/metrics.go NewMetrics)';
const DISPUTE_MON_NS = 'op_dispute_mon_: Namespace "op_dispute_mon", no procName (op-dispute-mon/metrics/metrics.go NewMetrics)';
const BALANCE = "op-service/metrics/balance.go";
const RAIL_WITNESS = "rail:rail/witness/witness.ts";
const RAIL_RELAYER = "rail:rail/relayer/relayer.ts";
const WITNESS_NS = "ecp_witness_: literal name in prom-client (registry from rail/ops/observability.ts makeRegistry)";
const RELAYER_NS = "ecp_relayer_: literal name in prom-client (registry from rail/ops/observability.ts makeRegistry)";

export const METRICS: readonly MetricEntry[] = [
  // -- Prometheus --------------------------------------------------------------------------------
  {
    name: "up",
    kind: "gauge",
    source: `${PROMETHEUS}:scrape/scrape.go`,
    prefix: "synthetic, written by the scraper for every target (scrapeHealthMetricName): 1 scraped, 0 failed",
    labels: "job, instance",
  },

  // -- op-node -----------------------------------------------------------------------------------
  {
    name: "op_node_default_refs_number",
    kind: "gauge",
    source: `${OP_NODE}:op-service/metrics/ref_metrics.go`,
    prefix: `${NODE_NS}; "refs_number" from MakeRefMetrics (op-node/metrics/metrics.go embeds RefMetrics)`,
    labels:
      'layer="l2"|"l1"|"l1_origin", type="l2_unsafe"|"l2_safe"|"l2_finalized" (op-node/rollup/engine/engine_controller.go RecordL2Ref), "l1_head" (op-node/rollup/status/status.go RecordL1Ref); RecordL2Ref also writes layer="l1_origin" with the same type',
  },
  {
    name: "op_node_default_rpc_client_requests_total",
    kind: "counter",
    source: `${OP_NODE}:op-service/metrics/rpc_metrics.go`,
    prefix: `${NODE_NS}; Subsystem "rpc_client" + "requests_total" (MakeRPCMetrics); counted before a request is sent`,
    labels: 'rpc="l1" for the L1 execution RPC (op-node/config/l1_el_rpc.go `NewRecorder("l1")`), method',
  },
  {
    name: "op_node_default_p2p_peer_count",
    kind: "gauge",
    source: `${OP_NODE}:op-node/metrics/metrics.go`,
    prefix: `${NODE_NS}; Subsystem "p2p", Name "peer_count" (PeerCount)`,
    labels: "none",
  },
  {
    name: "op_node_default_pipeline_resets_total",
    kind: "counter",
    source: `${OP_NODE}:op-node/metrics/metrics.go`,
    prefix: `${NODE_NS}; metrics.NewEvent(…, "pipeline_resets") makes "<name>_total" (op-service/metrics/event.go)`,
    labels: "none",
  },
  {
    name: "op_node_default_rpc_client_responses_total",
    kind: "counter",
    source: `${OP_NODE}:op-service/metrics/rpc_metrics.go`,
    prefix: `${NODE_NS}; Subsystem "rpc_client" + "responses_total"`,
    labels:
      'rpc, method, error="<nil>" or "rpc_<JSON-RPC code>". Transport failures (HTTP 429/5xx, timeouts) record no response at all: requests_total minus responses_total counts them (geth rpc/client.go CallContext calls the recorder only on a response)',
  },
  {
    name: "op_node_default_sequencer_active",
    kind: "gauge",
    source: `${OP_NODE}:op-node/metrics/metrics.go`,
    prefix: `${NODE_NS}; "sequencer_active": 1 while sequencing`,
  },

  // -- execution client --------------------------------------------------------------------------
  {
    name: "reth_blockchain_tree_canonical_chain_height",
    kind: "gauge",
    source: `${RETH}:crates/engine/tree/src/tree/metrics.rs`,
    prefix:
      'reth_: PrefixLayer::new("reth") in crates/node/metrics/src/recorder.rs; scope "blockchain_tree" + field canonical_chain_height, "." becomes "_". op-reth v2.3.2 builds on reth v2.3.0 (okx/optimism@op-reth/v2.3.2:rust/Cargo.toml); unchanged at reth v2.5.1',
  },
  {
    name: "chain_head_block",
    kind: "gauge",
    source: `${OP_GETH}:core/blockchain.go`,
    prefix: 'geth registry name "chain/head/block"; "/" becomes "_" in metrics/prometheus/collector.go mutateKey; served at /debug/metrics/prometheus',
  },

  // -- op-batcher --------------------------------------------------------------------------------
  {
    name: "op_batcher_default_balance",
    kind: "gauge",
    source: `${OP_BATCHER}:${BALANCE}`,
    prefix: `${BATCHER_NS}; "balance" in ether, polled every 10 s (LaunchBalanceMetrics, started by op-batcher/batcher/service.go initBalanceMonitor when metrics are enabled)`,
  },
  {
    name: "op_batcher_default_batcher_tx_total",
    kind: "counter",
    source: `${OP_BATCHER}:op-batcher/metrics/metrics.go`,
    prefix: `${BATCHER_NS}; NewEventVec "batcher_tx" -> "<name>_total" (op-service/metrics/event.go)`,
    labels: 'stage="submitted"|"success"|"failed"',
  },
  {
    name: "op_batcher_default_last_batcher_tx_unix",
    kind: "gauge",
    source: `${OP_BATCHER}:op-batcher/metrics/metrics.go`,
    prefix: `${BATCHER_NS}; NewEventVec "batcher_tx" -> "last_<name>_unix" (op-service/metrics/event.go)`,
    labels: 'stage="submitted"|"success"|"failed"',
  },

  // -- op-proposer -------------------------------------------------------------------------------
  {
    name: "op_proposer_default_balance",
    kind: "gauge",
    source: `${OP_PROPOSER}:${BALANCE}`,
    prefix: `${PROPOSER_NS}; "balance" in ether (op-proposer/metrics/metrics.go StartBalanceMetrics, op-proposer/proposer/service.go initBalanceMonitor)`,
  },
  {
    name: "op_proposer_default_proposed_sequence_number",
    kind: "gauge",
    source: `${OP_PROPOSER}:op-proposer/metrics/metrics.go`,
    prefix: `${PROPOSER_NS}; set after a proposal transaction succeeds (op-proposer/proposer/driver.go proposeOutput -> RecordL2Proposal)`,
  },

  // -- op-challenger -----------------------------------------------------------------------------
  {
    name: "op_challenger_balance",
    kind: "gauge",
    source: `${OP_CHALLENGER}:${BALANCE}`,
    prefix: `${CHALLENGER_NS}; "balance" in ether (op-challenger/game/service.go StartBalanceMetrics)`,
  },
  {
    name: "op_challenger_tracked_games",
    kind: "gauge",
    source: `${OP_CHALLENGER}:op-challenger/metrics/metrics.go`,
    prefix: CHALLENGER_NS,
    labels: "status",
  },
  {
    name: "op_challenger_highest_acted_l1_block",
    kind: "gauge",
    source: `${OP_CHALLENGER}:op-challenger/metrics/metrics.go`,
    prefix: CHALLENGER_NS,
  },
  {
    name: "op_challenger_moves",
    kind: "counter",
    source: `${OP_CHALLENGER}:op-challenger/metrics/metrics.go`,
    prefix: `${CHALLENGER_NS}; a counter without a _total suffix`,
  },
  {
    name: "op_challenger_steps",
    kind: "counter",
    source: `${OP_CHALLENGER}:op-challenger/metrics/metrics.go`,
    prefix: `${CHALLENGER_NS}; a counter without a _total suffix`,
  },

  // -- op-dispute-mon ----------------------------------------------------------------------------
  {
    name: "op_dispute_mon_games_agreement",
    kind: "gauge",
    source: `${OP_DISPUTE_MON}:op-dispute-mon/metrics/metrics.go`,
    prefix: DISPUTE_MON_NS,
    labels:
      'status (e.g. "disagree_defender_ahead"), completion="in_progress"|"complete", result_correctness="correct"|"incorrect", root_agreement="agree"|"disagree" (labelValuesFor); set per status every monitor cycle (op-dispute-mon/mon/forecast.go)',
  },
  {
    name: "op_dispute_mon_latest_proposal",
    kind: "gauge",
    source: `${OP_DISPUTE_MON}:op-dispute-mon/metrics/metrics.go`,
    prefix: `${DISPUTE_MON_NS}; unix seconds of the newest game's timestamp`,
    labels: 'root_agreement="agree"|"disagree"',
  },
  {
    name: "op_dispute_mon_latest_valid_proposal_l2_block",
    kind: "gauge",
    source: `${OP_DISPUTE_MON}:op-dispute-mon/metrics/metrics.go`,
    prefix: DISPUTE_MON_NS,
  },
  {
    name: "op_dispute_mon_games",
    kind: "gauge",
    source: `${OP_DISPUTE_MON}:op-dispute-mon/metrics/metrics.go`,
    prefix: DISPUTE_MON_NS,
    labels: "game_type",
  },
  {
    name: "op_dispute_mon_failed_games",
    kind: "gauge",
    source: `${OP_DISPUTE_MON}:op-dispute-mon/metrics/metrics.go`,
    prefix: DISPUTE_MON_NS,
  },
  {
    name: "op_dispute_mon_bond_collateral_available",
    kind: "gauge",
    source: `${OP_DISPUTE_MON}:op-dispute-mon/metrics/metrics.go`,
    prefix: `${DISPUTE_MON_NS}; ether`,
    labels: 'delayedWETH, balance="sufficient"|"insufficient" (the other label value is zeroed)',
  },
  {
    name: "op_dispute_mon_bond_collateral_required",
    kind: "gauge",
    source: `${OP_DISPUTE_MON}:op-dispute-mon/metrics/metrics.go`,
    prefix: `${DISPUTE_MON_NS}; ether`,
    labels: 'delayedWETH, balance="sufficient"|"insufficient"',
  },

  // -- rail witness ------------------------------------------------------------------------------
  { name: "ecp_witness_archive_lines_total", kind: "counter", source: RAIL_WITNESS, prefix: WITNESS_NS, labels: 'result="valid"|"invalid"' },
  { name: "ecp_witness_proposed_total", kind: "counter", source: RAIL_WITNESS, prefix: WITNESS_NS, labels: 'why="turn"|"dissent"' },
  { name: "ecp_witness_signed_total", kind: "counter", source: RAIL_WITNESS, prefix: WITNESS_NS },
  { name: "ecp_witness_finalized_total", kind: "counter", source: RAIL_WITNESS, prefix: WITNESS_NS, labels: 'outcome="ours"|"lost"|"unsigned"' },
  { name: "ecp_witness_skipped_total", kind: "counter", source: RAIL_WITNESS, prefix: WITNESS_NS, labels: "reason" },
  { name: "ecp_witness_dissent_total", kind: "counter", source: RAIL_WITNESS, prefix: WITNESS_NS },
  { name: "ecp_witness_refused_candidates_total", kind: "counter", source: RAIL_WITNESS, prefix: WITNESS_NS, labels: "reason" },
  { name: "ecp_witness_pending_slots", kind: "gauge", source: RAIL_WITNESS, prefix: WITNESS_NS },
  { name: "ecp_witness_finality_latency_seconds", kind: "histogram", source: RAIL_WITNESS, prefix: WITNESS_NS },
  { name: "ecp_witness_rpc_errors_total", kind: "counter", source: RAIL_WITNESS, prefix: WITNESS_NS },
  { name: "ecp_witness_relayer_errors_total", kind: "counter", source: RAIL_WITNESS, prefix: WITNESS_NS },
  { name: "ecp_witness_member", kind: "gauge", source: RAIL_WITNESS, prefix: WITNESS_NS },
  { name: "ecp_witness_unproven_claims_total", kind: "counter", source: RAIL_WITNESS, prefix: WITNESS_NS, labels: 'kind="vote"|"proposal"' },
  { name: "ecp_witness_relayers_unreachable", kind: "gauge", source: RAIL_WITNESS, prefix: WITNESS_NS },

  // -- rail relayer ------------------------------------------------------------------------------
  { name: "ecp_relayer_signatures_total", kind: "counter", source: RAIL_RELAYER, prefix: RELAYER_NS, labels: 'result="accepted"|"duplicate", reason' },
  { name: "ecp_relayer_refused_total", kind: "counter", source: RAIL_RELAYER, prefix: RELAYER_NS, labels: "reason, member" },
  { name: "ecp_relayer_pending_candidates", kind: "gauge", source: RAIL_RELAYER, prefix: RELAYER_NS },
  { name: "ecp_relayer_pending_slots", kind: "gauge", source: RAIL_RELAYER, prefix: RELAYER_NS },
  { name: "ecp_relayer_batches_total", kind: "counter", source: RAIL_RELAYER, prefix: RELAYER_NS, labels: 'outcome="mined"|"reverted"|"failed"' },
  { name: "ecp_relayer_batch_items_dropped_total", kind: "counter", source: RAIL_RELAYER, prefix: RELAYER_NS },
  { name: "ecp_relayer_finalized_total", kind: "counter", source: RAIL_RELAYER, prefix: RELAYER_NS },
  { name: "ecp_relayer_skipped_total", kind: "counter", source: RAIL_RELAYER, prefix: RELAYER_NS },
  { name: "ecp_relayer_expired_slots_total", kind: "counter", source: RAIL_RELAYER, prefix: RELAYER_NS },
  { name: "ecp_relayer_rpc_errors_total", kind: "counter", source: RAIL_RELAYER, prefix: RELAYER_NS },
  { name: "ecp_relayer_finality_latency_seconds", kind: "histogram", source: RAIL_RELAYER, prefix: RELAYER_NS },
  { name: "ecp_relayer_gas_used_total", kind: "counter", source: RAIL_RELAYER, prefix: RELAYER_NS },
  { name: "ecp_relayer_chain_scanned_block", kind: "gauge", source: RAIL_RELAYER, prefix: RELAYER_NS },
];

const HISTOGRAM_SUFFIXES = ["_bucket", "_sum", "_count"] as const;

/** The catalogue entry a series name belongs to (`x_bucket` belongs to histogram `x`), if any. */
export function catalogueEntryFor(series: string): MetricEntry | undefined {
  const exact = METRICS.find((m) => m.name === series);
  if (exact !== undefined) return exact;
  for (const suffix of HISTOGRAM_SUFFIXES) {
    if (!series.endsWith(suffix)) continue;
    const base = series.slice(0, -suffix.length);
    const entry = METRICS.find((m) => m.name === base && m.kind === "histogram");
    if (entry !== undefined) return entry;
  }
  return undefined;
}
