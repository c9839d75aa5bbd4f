import { inject, injectable } from 'inversify';
import { ScalingEngine } from '@updraft/core';
import { ClusterScaledObjects } from '../cluster/cluster-scaled-objects.js';
import { KubeClient } from '../cluster/kube-client.js';
import { AdapterLogger } from '../serve/logger.js';
import type { ServeContribution } from '../serve/serve-application.js';
import { ControllerCluster } from './controller-cluster.js';
import { ControllerOptions } from './controller-options.js';
import { EventRecorder } from './event-recorder.js';
import { defaultIdentity, LeaderElector } from './leader-election.js';
import { ScaledObjectController } from './scaled-object-controller.js';

const VERSION = '0.1.0';

/**
 * The operator's part of `updraft serve --source kubernetes`: the ScaledObject controller and its
 * scale loops, run only while this process holds the Lease (or always with `--leader-elect=false`).
 * Every replica serves the metrics API from its own engine whatever it leads; start() does not wait
 * for leadership. On stop a leader stops writing, then releases the Lease so another takes over at once.
 */
@injectable()
export class ControllerContribution implements ServeContribution {
  readonly name = 'controller';
  private elector?: LeaderElector;
  private controller?: ScaledObjectController;
  /** Start and stop of the controller, one after the other. */
  private transitions: Promise<void> = Promise.resolve();
  private leading = false;

  constructor(
    @inject(ControllerOptions) private readonly options: ControllerOptions,
    @inject(KubeClient) private readonly kube: KubeClient,
    @inject(ClusterScaledObjects) private readonly inventory: ClusterScaledObjects,
    @inject(ScalingEngine) private readonly engine: ScalingEngine,
    @inject(AdapterLogger) private readonly logger: AdapterLogger,
  ) {}

  async start(): Promise<void> {
    const logger = this.logger.child({ component: 'controller' });
    const identity = this.options.identity ?? defaultIdentity();
    const cluster = new ControllerCluster(this.kube);
    const recorder = new EventRecorder(cluster, identity, logger);
    this.controller = new ScaledObjectController(cluster, this.inventory, this.engine, recorder, logger, { version: VERSION, resyncIntervalMs: this.options.resyncIntervalMs });
    if (!this.options.leaderElect) {
      logger.warn({}, '--leader-elect=false: this process runs the controller without a Lease; run one replica only');
      this.lead();
      return;
    }
    const namespace = this.options.leaseNamespace ?? this.kube.namespace;
    this.elector = new LeaderElector(
      cluster.leaseStore(namespace, this.options.leaseName),
      identity,
      {
        onStartedLeading: () => {
          logger.info({ lease: `${namespace}/${this.options.leaseName}`, identity }, 'became the leader: running the controller');
          this.lead();
        },
        onStoppedLeading: () => {
          logger.info({ lease: `${namespace}/${this.options.leaseName}`, identity }, 'stopped leading: the controller stops');
          return this.follow();
        },
        onNewLeader: (holder) => logger.info({ lease: `${namespace}/${this.options.leaseName}`, leader: holder || '(none)' }, 'the leader is another process'),
        onError: (error) => logger.warn({ lease: `${namespace}/${this.options.leaseName}`, error: error.message }, 'leader election: the Lease could not be read or written'),
      },
      this.options.timing,
    );
    this.elector.start();
    logger.info({ lease: `${namespace}/${this.options.leaseName}`, identity, ...this.options.timing }, 'leader election started');
  }

  async stop(): Promise<void> {
    if (this.elector) await this.elector.stop();
    await this.follow();
  }

  /** Whether this process runs the controller now. */
  get isLeading(): boolean {
    return this.leading;
  }

  private lead(): void {
    this.transitions = this.transitions.then(async () => {
      if (this.leading) return;
      this.leading = true;
      await this.controller!.start().catch((error: unknown) => this.logger.error({ error: (error as Error).message }, 'the controller failed to start'));
    });
  }

  private follow(): Promise<void> {
    this.transitions = this.transitions.then(async () => {
      if (!this.leading) return;
      this.leading = false;
      await this.controller!.stop();
    });
    return this.transitions;
  }
}
