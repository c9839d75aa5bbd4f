import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { createSecureContext } from 'node:tls';
import { injectable } from 'inversify';
import { SharedResourcePool, tlsClientOptions, tlsMaterialKey, type Lease, type TlsMaterial } from '@updraft/core';

/**
 * The HTTP agents (connection pools) Prometheus triggers query through, shared by every trigger
 * with the same protocol and TLS material and closed with the last one. Bound as a singleton, so
 * one adapter process keeps one agent per distinct (ca, cert, key, unsafeSsl).
 */
export const PrometheusHttpAgents = Symbol.for('updraft.scaler-prometheus.PrometheusHttpAgents');

export interface PrometheusHttpAgents {
  /**
   * An agent for `protocol` (`http:` or `https:`). TLS material only matters for https. Throws when
   * the PEM material cannot be loaded; the error never quotes the material.
   */
  acquire(protocol: 'http:' | 'https:', tls: TlsMaterial): Lease<HttpAgent>;
  /** How many distinct agents are open. */
  readonly size: number;
}

@injectable()
export class PrometheusHttpAgentsImpl implements PrometheusHttpAgents {
  private readonly materials = new Map<string, TlsMaterial>();
  private readonly pool = new SharedResourcePool<HttpAgent>(
    (key) => this.createAgent(key),
    (agent) => agent.destroy(),
  );

  acquire(protocol: 'http:' | 'https:', tls: TlsMaterial): Lease<HttpAgent> {
    if (protocol === 'http:') return this.pool.acquire('http');
    const key = `https:${tlsMaterialKey(tls)}`;
    this.materials.set(key, tls); // read by createAgent, called synchronously by acquire
    try {
      return this.pool.acquire(key);
    } finally {
      this.materials.delete(key);
    }
  }

  get size(): number {
    return this.pool.size;
  }

  private createAgent(key: string): HttpAgent {
    // keepAlive: a trigger polls every few seconds; the agent unrefs idle sockets, so they never hold the process open.
    if (key === 'http') return new HttpAgent({ keepAlive: true });
    const options = tlsClientOptions(this.materials.get(key)!);
    // Load the PEM material once, here, so that a bad certificate or key fails before any request.
    const secureContext = createSecureContext(options);
    return new HttpsAgent({ keepAlive: true, secureContext, rejectUnauthorized: options.rejectUnauthorized ?? true });
  }
}
