import {
  formatDiagnostic,
  loadManifests,
  ScalingEngine,
  type AutoscalerHistory,
  type Diagnostic,
  type LoadedScaledObject,
  type ScaleDecision,
} from '@updraft/core';
import { createRegistry, type CompositionOptions } from '../composition.js';
import { readManifestFiles } from '../manifest-files.js';
import { triggerTypesIn } from './trigger-types.js';
import type { Output } from '../output.js';

export interface CheckOptions extends CompositionOptions {
  /** The scale target's replicas the HPA starts from. Default: minReplicaCount, at least 1. */
  readonly currentReplicas?: number;
  readonly json?: boolean;
}

/** One row of `updraft check --json`; numbers are JSON numbers, absent values null. */
interface TriggerRow {
  readonly index: number;
  readonly type: string;
  readonly name: string | null;
  readonly metricName: string | null;
  readonly value: number | null;
  readonly target: number | null;
  readonly metricType: string;
  readonly active: boolean | null;
  readonly error: string | null;
}

interface ObjectResult {
  readonly namespace: string;
  readonly name: string;
  readonly active: boolean;
  readonly desiredReplicas: number | null;
  readonly triggers: TriggerRow[];
}

/**
 * `updraft check`: loads ScaledObjects as `serve` would (a value only a cluster has is an error),
 * builds every trigger, reads each value once, and says what the HPA would do with it. Exit 1 when
 * loading finds an error or any trigger fails.
 */
export async function check(paths: readonly string[], options: CheckOptions, out: Output): Promise<number> {
  const files = await readManifestFiles(paths);
  // Only the scaler packages these files use are imported.
  const registry = await createRegistry({ ...options, triggerTypes: triggerTypesIn(files.sources) });
  const loaded = loadManifests(files.sources, registry, { unresolved: 'error' });
  const diagnostics: Diagnostic[] = [...files.diagnostics, ...loaded.diagnostics];
  // With --json, stdout holds only the JSON document.
  const note = options.json ? out.stderr : out.stdout;
  for (const diagnostic of diagnostics) note(formatDiagnostic(diagnostic));
  if (diagnostics.some((d) => d.severity === 'error')) return 1;

  // The loader reported every problem: the engine serves whatever loaded.
  const objects = loaded.scaledObjects;
  const engine = new ScalingEngine({ registry, scaledObjects: objects });

  let decisions: ScaleDecision[];
  try {
    decisions = await Promise.all(
      objects.map((object) => {
        const currentReplicas = options.currentReplicas ?? Math.max(1, object.spec.minReplicaCount);
        return engine.evaluate(object, { currentReplicas, hpaHistory: settledHistory(currentReplicas) });
      }),
    );
  } finally {
    await engine.close();
  }

  const results = decisions.map((decision, i) => resultOf(objects[i]!, decision));
  const failed = results.some((result) => result.triggers.some((row) => row.error !== null)) || decisions.some((d) => d.state.composite?.error !== undefined);
  if (options.json) {
    out.stdout(JSON.stringify({ scaledObjects: results }, null, 2));
  } else if (results.length === 0) {
    out.stdout('no ScaledObjects to check');
  } else {
    for (const line of renderText(objects, decisions, results)) out.stdout(line);
  }
  return failed ? 1 : 0;
}

/**
 * The HPA's memory as if it had run for a while without another recommendation: `check` asks what
 * the HPA does with these values, not what a freshly created HPA's stabilization would hold back.
 */
function settledHistory(currentReplicas: number): AutoscalerHistory {
  return { recommendations: [{ recommendation: currentReplicas, timestamp: 0 }], scaleUpEvents: [], scaleDownEvents: [] };
}

function resultOf(object: LoadedScaledObject, decision: ScaleDecision): ObjectResult {
  const { state } = decision;
  const rows: TriggerRow[] = [];
  for (const trigger of object.triggers) {
    const identity = { index: trigger.index, type: trigger.type, name: trigger.name ?? null };
    if (trigger.kind === 'resource') {
      rows.push({ ...identity, metricName: null, value: null, target: null, metricType: trigger.metricType, active: null, error: null });
      continue;
    }
    for (const metric of state.triggers.filter((t) => t.trigger.triggerIndex === trigger.index)) {
      rows.push({
        ...identity,
        metricName: metric.metricName,
        value: metric.error ? null : (metric.value ?? null),
        target: metric.target,
        metricType: metric.metricType,
        active: metric.active,
        error: metric.error ? metric.error.message : null,
      });
    }
  }
  return {
    namespace: object.namespace,
    name: object.name,
    active: state.active,
    desiredReplicas: decision.hpa ? decision.hpa.desiredReplicas : null,
    triggers: rows,
  };
}

function renderText(objects: readonly LoadedScaledObject[], decisions: readonly ScaleDecision[], results: readonly ObjectResult[]): string[] {
  const rows: string[][] = [];
  const summaries = new Map<number, string>();
  results.forEach((result, i) => {
    const decision = decisions[i]!;
    const id = `${result.namespace}/${result.name}`;
    for (const row of result.triggers) {
      const metric = decision.state.triggers.find((t) => t.trigger.triggerIndex === row.index && t.metricName === row.metricName);
      const trigger = `triggers[${row.index}] ${row.type}${row.name ? ` "${row.name}"` : ''}`;
      if (row.metricName === null) {
        rows.push([id, trigger, '-', '-', '-', 'served by metrics-server to the HPA, not by Updraft']);
        continue;
      }
      const served = decision.state.metrics.find((m) => m.metricName === row.metricName);
      let value = row.value === null ? '-' : `value ${formatNumber(row.value)}`;
      if (metric?.empty) value += ` (empty: ${metric.empty.reason})`;
      const target = `target ${formatNumber(row.target!)} ${row.metricType}`;
      let status = row.error === null ? (row.active ? 'active' : 'inactive') : `error (${metric?.error?.errorKind ?? 'internal'}): ${row.error}`;
      if (served?.fallback) status += `; fallback serves ${formatNumber(served.fallback.value)} (${served.fallback.replicas} replicas)`;
      rows.push([id, trigger, row.metricName, value, target, status]);
    }
    const composite = decision.state.composite;
    if (composite) {
      const value = composite.value === undefined ? '-' : `value ${formatNumber(composite.value)}`;
      const status = composite.error !== undefined ? `error: ${composite.error}` : composite.active ? `active (> activationTarget ${formatNumber(composite.activationTarget)})` : `inactive (≤ activationTarget ${formatNumber(composite.activationTarget)})`;
      rows.push([id, `formula ${composite.formula}`, composite.metricName, value, `target ${formatNumber(composite.target)} ${composite.metricType}`, status]);
    }
    summaries.set(rows.length - 1, summaryOf(objects[i]!, decision));
  });

  const widths = [0, 1, 2, 3, 4].map((column) => Math.max(...rows.map((row) => row[column]!.length)));
  const lines: string[] = [];
  rows.forEach((row, i) => {
    lines.push(row.map((cell, column) => (column < widths.length ? cell.padEnd(widths[column]!) : cell)).join('  ').trimEnd());
    const summary = summaries.get(i);
    if (summary !== undefined) lines.push(summary);
  });
  return lines;
}

function summaryOf(object: LoadedScaledObject, decision: ScaleDecision): string {
  const id = `${object.namespace}/${object.name}`;
  const { hpa, keda, state, currentReplicas } = decision;
  const parts = [`${id}: ${state.active ? 'active' : 'inactive'}`];
  if (!hpa) {
    parts.push('no external metric: the HPA scales it on cpu/memory from metrics-server');
  } else {
    // The failing metrics are on their rows already.
    const why = hpa.reason === 'FailedGetExternalMetric' ? 'the HPA cannot compute a replica count while its metrics fail' : hpa.message;
    const change = hpa.desiredReplicas === currentReplicas ? `keep ${replicas(currentReplicas)}` : `scale from ${currentReplicas} to ${replicas(hpa.desiredReplicas)}`;
    parts.push(`the HPA would ${change} (${hpa.reason}: ${why})`);
  }
  const { spec } = object;
  if (keda.action === 'deactivate' || keda.action === 'cooling-down') {
    const to = spec.idleReplicaCount ?? spec.minReplicaCount;
    parts.push(`KEDA scales it to ${to} once cooldownPeriod (${spec.cooldownPeriod}s) has passed since it was last active`);
  } else if (keda.action === 'activate' || keda.action === 'set-min' || keda.action === 'hold-for-fallback' || keda.action === 'trigger-error' || keda.action === 'paused') {
    parts.push(`KEDA: ${keda.message}`);
  }
  return parts.join('; ');
}

function replicas(count: number): string {
  return `${count} ${count === 1 ? 'replica' : 'replicas'}`;
}

/** Values as a person reads them: at most three decimals, as they are served (never "1500m"). */
function formatNumber(value: number): string {
  return String(Number(value.toFixed(3)));
}
