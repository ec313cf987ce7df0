/**
 * Three Grafana dashboards, built here as plain JSON: "Chain health", "Dispute path" and "Rail".
 * Every panel's PromQL is in `targets[].expr`; metric names come from metrics.ts.
 *
 * The rail's metrics carry no stream label (rail/witness/witness.ts), so the rail panels are per witness
 * or relayer instance, not per stream.
 */
import { PROMETHEUS_DATASOURCE_UID } from "./grafana.js";

export interface PanelTarget {
  expr: string;
  legend?: string;
}

export interface PanelSpec {
  title: string;
  description?: string;
  /** Grafana unit id: "s", "short", "none", "percentunit", ... */
  unit?: string;
  kind?: "timeseries" | "stat";
  targets: PanelTarget[];
}

export interface Dashboard {
  uid: string;
  title: string;
  json: Record<string, unknown>;
}

const DATASOURCE = { type: "prometheus", uid: PROMETHEUS_DATASOURCE_UID } as const;
const PANEL_WIDTH = 12;
const PANEL_HEIGHT = 8;
const GRID_COLUMNS = 24;

function panelJson(p: PanelSpec, id: number): Record<string, unknown> {
  const perRow = GRID_COLUMNS / PANEL_WIDTH;
  const index = id - 1;
  return {
    id,
    type: p.kind ?? "timeseries",
    title: p.title,
    ...(p.description === undefined ? {} : { description: p.description }),
    datasource: DATASOURCE,
    gridPos: { h: PANEL_HEIGHT, w: PANEL_WIDTH, x: (index % perRow) * PANEL_WIDTH, y: Math.floor(index / perRow) * PANEL_HEIGHT },
    fieldConfig: { defaults: { unit: p.unit ?? "short" }, overrides: [] },
    options: p.kind === "stat" ? { reduceOptions: { calcs: ["lastNotNull"] } } : { legend: { displayMode: "list", placement: "bottom" } },
    targets: p.targets.map((t, i) => ({
      refId: String.fromCharCode(65 + i),
      datasource: DATASOURCE,
      expr: t.expr,
      ...(t.legend === undefined ? {} : { legendFormat: t.legend }),
    })),
  };
}

function dashboard(uid: string, title: string, tags: string[], panels: PanelSpec[]): Dashboard {
  return {
    uid,
    title,
    json: {
      uid,
      title,
      tags: ["ecp-forge", ...tags],
      timezone: "utc",
      editable: false,
      schemaVersion: 39,
      version: 1,
      refresh: "30s",
      time: { from: "now-6h", to: "now" },
      panels: panels.map((p, i) => panelJson(p, i + 1)),
    },
  };
}

// -- shared expressions -------------------------------------------------------------------------

const ref = (layer: string, type: string) => `op_node_default_refs_number{layer="${layer}",type="${type}"}`;
const maxRef = (layer: string, type: string) => `max by (instance) (${ref(layer, type)})`;
const l1Requests = 'sum(rate(op_node_default_rpc_client_requests_total{rpc="l1"}[5m]))';
const l1Responses = 'sum(rate(op_node_default_rpc_client_responses_total{rpc="l1"}[5m]))';
const quantile = (q: number, metric: string) => `histogram_quantile(${q}, sum by (le, instance) (rate(${metric}_bucket[10m])))`;

function chainHealth(): Dashboard {
  return dashboard("ecp-chain-health", "Chain health", ["opstack"], [
    {
      title: "L2 heads",
      description: "Each op-node's unsafe, safe and finalized L2 block numbers (ecp-forge's and each verifier peer's).",
      targets: [{ expr: `op_node_default_refs_number{layer="l2",type=~"l2_unsafe|l2_safe|l2_finalized"}`, legend: "{{type}} {{instance}}" }],
    },
    {
      title: "Safe and finalized lag (L2 blocks)",
      description: "How far the safe and finalized heads trail the unsafe head; SafeHeadLagging fires on the first.",
      targets: [
        { expr: `${maxRef("l2", "l2_unsafe")} - ${maxRef("l2", "l2_safe")}`, legend: "unsafe - safe" },
        { expr: `${maxRef("l2", "l2_unsafe")} - ${maxRef("l2", "l2_finalized")}`, legend: "unsafe - finalized" },
      ],
    },
    {
      title: "L1 head and L1 origins",
      targets: [
        { expr: ref("l1", "l1_head"), legend: "L1 head {{instance}}" },
        { expr: ref("l1_origin", "l2_unsafe"), legend: "L1 origin of the unsafe head {{instance}}" },
        { expr: ref("l1_origin", "l2_safe"), legend: "L1 origin of the safe head {{instance}}" },
      ],
    },
    {
      title: "L1 origin lag (L1 blocks)",
      description: "L1 head minus the L1 origin of the unsafe head: how far the sequencer builds behind L1.",
      targets: [{ expr: `${maxRef("l1", "l1_head")} - ${maxRef("l1_origin", "l2_unsafe")}`, legend: "{{instance}}" }],
    },
    {
      title: "Execution client head",
      description: "op-reth's canonical chain height or op-geth's chain/head/block, whichever runs.",
      targets: [
        { expr: "reth_blockchain_tree_canonical_chain_height or chain_head_block", legend: "{{client}} head {{instance}}" },
        { expr: "60 * (rate(reth_blockchain_tree_canonical_chain_height[5m]) or rate(chain_head_block[5m]))", legend: "{{client}} blocks/min {{instance}}" },
      ],
    },
    {
      title: "Sequencer active",
      kind: "stat",
      unit: "none",
      targets: [{ expr: "op_node_default_sequencer_active", legend: "{{instance}}" }],
    },
    {
      title: "P2P peers per op-node",
      description: "ecp-forge's op-node and each verifier peer's (ecp:peers). A verifier at 0 gets no unsafe blocks (alert VerifierIsolated).",
      targets: [{ expr: "op_node_default_p2p_peer_count", legend: "{{instance}}" }],
    },
    {
      title: "Batcher transactions per 15 min",
      targets: [{ expr: "sum by (stage) (increase(op_batcher_default_batcher_tx_total[15m]))", legend: "{{stage}}" }],
    },
    {
      title: "Since the last successful batch",
      unit: "s",
      targets: [{ expr: 'time() - (op_batcher_default_last_batcher_tx_unix{stage="success"} > 0)', legend: "{{instance}}" }],
    },
    {
      title: "Proposer: last proposed L2 block",
      targets: [
        { expr: "op_proposer_default_proposed_sequence_number", legend: "proposed" },
        { expr: maxRef("l2", "l2_finalized"), legend: "finalized head" },
      ],
    },
    {
      title: "Sender balances on L1 (ETH)",
      description: "Alerts below the minBalanceEth threshold.",
      unit: "none",
      targets: [
        { expr: "op_batcher_default_balance", legend: "batcher" },
        { expr: "op_proposer_default_balance", legend: "proposer" },
        { expr: "op_challenger_balance", legend: "challenger" },
      ],
    },
    {
      title: "op-node L1 RPC",
      description: "Requests per second, JSON-RPC errors by code, and requests without any response (transport errors, HTTP 429).",
      unit: "reqps",
      targets: [
        { expr: l1Requests, legend: "requests" },
        { expr: 'sum by (error) (rate(op_node_default_rpc_client_responses_total{rpc="l1",error!="<nil>"}[5m]))', legend: "{{error}}" },
        { expr: `clamp_min(${l1Requests} - ${l1Responses}, 0)`, legend: "unanswered" },
      ],
    },
    {
      title: "Scrape targets up",
      unit: "none",
      targets: [{ expr: "up", legend: "{{job}} {{instance}}" }],
    },
  ]);
}

function disputePath(): Dashboard {
  return dashboard("ecp-dispute-path", "Dispute path", ["opstack", "proofs"], [
    {
      title: "Games by agreement status",
      description: "op-dispute-mon's forecast per game, against our op-node's output roots.",
      targets: [{ expr: "sum by (status) (op_dispute_mon_games_agreement)", legend: "{{status}}" }],
    },
    {
      title: "Games against our node",
      targets: [
        { expr: 'sum(op_dispute_mon_games_agreement{root_agreement="disagree"})', legend: "root claim disagrees" },
        { expr: 'sum(op_dispute_mon_games_agreement{result_correctness="incorrect"})', legend: "heading to a wrong result" },
      ],
    },
    {
      title: "Since the newest game",
      unit: "s",
      targets: [{ expr: "time() - (op_dispute_mon_latest_proposal > 0)", legend: "{{root_agreement}}" }],
    },
    {
      title: "Proposed L2 blocks",
      targets: [
        { expr: "op_dispute_mon_latest_valid_proposal_l2_block", legend: "newest valid game" },
        { expr: "op_proposer_default_proposed_sequence_number", legend: "proposer's last" },
        { expr: maxRef("l2", "l2_safe"), legend: "safe head" },
      ],
    },
    {
      title: "Games in the monitoring window",
      targets: [
        { expr: "op_dispute_mon_games", legend: "game type {{game_type}}" },
        { expr: "op_dispute_mon_failed_games", legend: "failed to monitor" },
      ],
    },
    {
      title: "Bond collateral in DelayedWETH (ETH)",
      unit: "none",
      targets: [
        { expr: "sum by (delayedWETH) (op_dispute_mon_bond_collateral_available)", legend: "available" },
        { expr: "sum by (delayedWETH) (op_dispute_mon_bond_collateral_required)", legend: "required" },
      ],
    },
    {
      title: "Challenger: tracked games",
      targets: [{ expr: "op_challenger_tracked_games", legend: "{{status}}" }],
    },
    {
      title: "Challenger: moves and steps per hour",
      targets: [
        { expr: "increase(op_challenger_moves[1h])", legend: "moves" },
        { expr: "increase(op_challenger_steps[1h])", legend: "steps" },
      ],
    },
    {
      title: "Challenger: highest L1 block acted on",
      targets: [
        { expr: "op_challenger_highest_acted_l1_block", legend: "acted on" },
        { expr: maxRef("l1", "l1_head"), legend: "L1 head" },
      ],
    },
    {
      title: "Challenger balance on L1 (ETH)",
      unit: "none",
      targets: [{ expr: "op_challenger_balance", legend: "challenger" }],
    },
  ]);
}

function rail(): Dashboard {
  return dashboard("ecp-rail", "Rail", ["rail"], [
    {
      title: "Finality latency, witnesses",
      description: "From a slot's turn to its finality on chain. Per witness: the metrics carry no stream label.",
      unit: "s",
      targets: [
        { expr: quantile(0.5, "ecp_witness_finality_latency_seconds"), legend: "p50 {{instance}}" },
        { expr: quantile(0.95, "ecp_witness_finality_latency_seconds"), legend: "p95 {{instance}}" },
      ],
    },
    {
      title: "Finality latency, relayers",
      description: "From the first sign-off a relayer saw to finality on chain.",
      unit: "s",
      targets: [
        { expr: quantile(0.5, "ecp_relayer_finality_latency_seconds"), legend: "p50 {{instance}}" },
        { expr: quantile(0.95, "ecp_relayer_finality_latency_seconds"), legend: "p95 {{instance}}" },
        {
          expr:
            "sum by (instance) (rate(ecp_relayer_finality_latency_seconds_sum[10m])) / sum by (instance) (rate(ecp_relayer_finality_latency_seconds_count[10m]))",
          legend: "mean {{instance}}",
        },
      ],
    },
    {
      title: "Pending",
      targets: [
        { expr: "ecp_witness_pending_slots", legend: "witness slots {{instance}}" },
        { expr: "ecp_relayer_pending_slots", legend: "relayer slots {{instance}}" },
        { expr: "ecp_relayer_pending_candidates", legend: "relayer candidates {{instance}}" },
      ],
    },
    {
      title: "Finalized per 10 min",
      targets: [
        { expr: "sum by (outcome) (increase(ecp_witness_finalized_total[10m]))", legend: "witnesses: {{outcome}}" },
        { expr: "sum(increase(ecp_relayer_finalized_total[10m]))", legend: "by relayer batches" },
      ],
    },
    {
      title: "Skipped per 10 min",
      targets: [
        { expr: "sum by (reason) (increase(ecp_witness_skipped_total[10m]))", legend: "witnesses gave up: {{reason}}" },
        { expr: "sum(increase(ecp_relayer_skipped_total[10m]))", legend: "batch items finalized first by another relayer" },
      ],
    },
    {
      title: "Dissent per hour, per witness",
      description: "Slots whose candidate or final content differed from the witness's archive (RailDissentRising).",
      targets: [
        { expr: "sum by (instance) (increase(ecp_witness_dissent_total[1h]))", legend: "dissent {{instance}}" },
        { expr: "sum by (reason) (increase(ecp_witness_refused_candidates_total[1h]))", legend: "refused: {{reason}}" },
      ],
    },
    {
      title: "Proposals and sign-offs per 10 min",
      targets: [
        { expr: "sum by (why) (increase(ecp_witness_proposed_total[10m]))", legend: "proposed ({{why}})" },
        { expr: "sum(increase(ecp_witness_signed_total[10m]))", legend: "signed" },
        { expr: "sum by (result) (increase(ecp_relayer_signatures_total[10m]))", legend: "relayer: {{result}}" },
        { expr: "sum by (reason, member) (increase(ecp_relayer_refused_total[10m]))", legend: "refused: {{reason}} (member {{member}})" },
      ],
    },
    {
      title: "Relayer batches per 10 min, and gas",
      targets: [
        { expr: "sum by (outcome) (increase(ecp_relayer_batches_total[10m]))", legend: "batches {{outcome}}" },
        { expr: "sum(increase(ecp_relayer_batch_items_dropped_total[10m]))", legend: "items left out (the ledger would refuse them)" },
        { expr: "sum by (instance) (increase(ecp_relayer_gas_used_total[10m]))", legend: "gas {{instance}}" },
      ],
    },
    {
      title: "Errors per 10 min",
      targets: [
        { expr: "sum by (instance) (increase(ecp_witness_rpc_errors_total[10m]))", legend: "witness chain {{instance}}" },
        { expr: "sum by (instance) (increase(ecp_witness_relayer_errors_total[10m]))", legend: "witness->relayer {{instance}}" },
        { expr: "sum by (instance) (increase(ecp_relayer_rpc_errors_total[10m]))", legend: "relayer chain {{instance}}" },
      ],
    },
    {
      title: "Archive lines read per minute",
      targets: [{ expr: "60 * sum by (instance, result) (rate(ecp_witness_archive_lines_total[10m]))", legend: "{{instance}} {{result}}" }],
    },
    {
      title: "Witness membership and relayer store",
      unit: "none",
      targets: [
        { expr: "ecp_witness_member", legend: "member {{instance}}" },
        { expr: "sum by (instance) (increase(ecp_relayer_expired_slots_total[1h]))", legend: "expired slots {{instance}}" },
      ],
    },
    {
      title: "Relayer's scanned L2 block",
      targets: [
        { expr: "ecp_relayer_chain_scanned_block", legend: "scanned {{instance}}" },
        { expr: "reth_blockchain_tree_canonical_chain_height or chain_head_block", legend: "L2 head" },
      ],
    },
  ]);
}

export function dashboards(): Dashboard[] {
  return [chainHealth(), disputePath(), rail()];
}

/** Every `targets[].expr` of every panel, with where it is. */
export function panelExpressions(list: Dashboard[] = dashboards()): { dashboard: string; panel: string; refId: string; expr: string }[] {
  return list.flatMap((d) =>
    (d.json.panels as { title: string; targets: { refId: string; expr: string }[] }[]).flatMap((p) =>
      p.targets.map((t) => ({ dashboard: d.uid, panel: p.title, refId: t.refId, expr: t.expr })),
    ),
  );
}
