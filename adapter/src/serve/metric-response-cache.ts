import { inject, injectable } from 'inversify';
import { ScalingEngine, type ScaledObjectRef } from '@updraft/core';
import type { ServeContribution } from './serve-application.js';

/** How long a metric answer may be sent again without asking the engine. */
export const RESPONSE_CACHE_TTL_MS = 1_000;

interface Entry {
  readonly body: string;
  /** The metric's name as the engine serves it (the request's may differ in case). */
  readonly metricName: string;
  readonly expires: number;
}

/**
 * The last answer to each metric read, as JSON, sent again for up to a second without entering the
 * engine's promise chain (which, measured under load, costs more than TLS and HTTP together; see
 * bench/RESULTS.md). It never outlives what the engine would answer: every fetch and every change of
 * one of the object's triggers, and every new version or removal of the object, drops the object's
 * answers; fallback values and errors are never kept. So a read gets exactly the bytes the engine
 * would give, unless the engine would have found the value stale within that second (stale means
 * older than 1.5 × pollingInterval, which background polling normally prevents).
 */
@injectable()
export class MetricResponseCache implements ServeContribution {
  readonly name = 'metric response cache';
  private readonly byObject = new Map<string, Map<string, Entry>>();
  private unsubscribe?: () => void;

  constructor(@inject(ScalingEngine) private readonly engine: ScalingEngine) {}

  async start(): Promise<void> {
    const drop = (event: { trigger: { namespace: string; scaledObject: string } }) => this.byObject.delete(objectKey(event.trigger.namespace, event.trigger.scaledObject));
    this.unsubscribe = this.engine.subscribe({ onFetch: drop, onTriggerChange: drop });
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.byObject.clear();
  }

  get(namespace: string, scaledObject: string, metricName: string): { readonly body: string; readonly metricName: string } | undefined {
    const answers = this.byObject.get(objectKey(namespace, scaledObject));
    const entry = answers?.get(metricName.toLowerCase());
    if (!entry) return undefined;
    if (entry.expires <= Date.now()) {
      answers!.delete(metricName.toLowerCase());
      return undefined;
    }
    return entry;
  }

  /** Keeps an answer; `servedName` is the metric's name in it. */
  set(namespace: string, scaledObject: string, requestedName: string, servedName: string, body: string): void {
    const key = objectKey(namespace, scaledObject);
    let answers = this.byObject.get(key);
    if (!answers) this.byObject.set(key, (answers = new Map()));
    answers.set(requestedName.toLowerCase(), { body, metricName: servedName, expires: Date.now() + RESPONSE_CACHE_TTL_MS });
  }

  /** Drops every answer of an object: it was replaced or removed. */
  invalidate(ref: ScaledObjectRef): void {
    this.byObject.delete(objectKey(ref.namespace, ref.name));
  }
}

function objectKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}
