// A job runner that sizes its own worker pool with Updraft's engine: no Kubernetes, no HPA, just
// @updraft/core in the process. Run it from the repository root after `npm run build`:
//
//   node examples/embedding/job-runner.mjs                                   # a constant trigger, no server
//   REDIS_ADDRESS=127.0.0.1:6379 node examples/embedding/job-runner.mjs      # the length of the Redis list "jobs"
//
// It loads one scaler plugin by npm package name, builds the engine from ScaledObject YAML, polls
// in the background, and asks three times, a second apart, how many workers it should run.
import 'reflect-metadata';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Container } from 'inversify';
import { coreModule, loadPlugins, ScalingEngine } from '@updraft/core';

const redisAddress = process.env.REDIS_ADDRESS;
const ticks = Number(process.env.TICKS ?? 3);

// Without Redis, the test fixture plugin's `constant` trigger stands in for a queue of 12 jobs.
const trigger = redisAddress
  ? `    - type: redis
      metadata:
        address: ${redisAddress}
        listName: jobs
        listLength: "5"          # one worker per 5 jobs
        activationListLength: "0"`
  : `    - type: constant
      metadata:
        value: "12"              # jobs waiting
        target: "5"              # one worker per 5 jobs`;

const manifests = `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: job-runner
  namespace: local
spec:
  scaleTargetRef:
    name: job-runner
  pollingInterval: 1
  minReplicaCount: 0
  maxReplicaCount: 10
  cooldownPeriod: 30
  triggers:
${trigger}
`;

// Scaler plugins are npm packages; load the one the YAML uses, resolved from this folder.
const container = new Container();
container.load(coreModule);
await loadPlugins(container, [redisAddress ? '@updraft/scaler-redis' : '@updraft-fixtures/scaler-constant'], {
  from: dirname(fileURLToPath(import.meta.url)),
});

// The engine asks the embedder how many workers run now (for fallback and the HPA's arithmetic).
const pool = { size: 1 };
const engine = new ScalingEngine({
  container,
  manifests,
  replicas: { replicaCounts: () => ({ currentReplicas: pool.size, readyReplicas: pool.size }) },
});
const ref = { namespace: 'local', name: 'job-runner' };

engine.subscribe({
  onTriggerChange: (e) =>
    console.log(`${e.metricName}: ${e.error !== undefined ? `error: ${e.error}` : `${e.value} (${e.active ? 'active' : 'inactive'})`}`),
  onActivityChange: (e) => console.log(`${e.namespace}/${e.scaledObject} is ${e.active ? 'active' : 'inactive'}`),
});
engine.start();

try {
  for (let tick = 1; tick <= ticks; tick++) {
    const decision = await engine.evaluate(ref);
    const why = decision.decidedBy === 'hpa' ? decision.hpa.reason : decision.keda.message;
    console.log(`tick ${tick}: ${decision.currentReplicas} -> ${decision.desiredReplicas} workers (${decision.decidedBy}: ${why})`);
    pool.size = decision.desiredReplicas; // a real runner starts or stops workers here
    if (tick < ticks) await new Promise((resolve) => setTimeout(resolve, 1000));
  }
} finally {
  // Waits for reads in flight, then closes every scaler (and its connection) once.
  await engine.close();
}
