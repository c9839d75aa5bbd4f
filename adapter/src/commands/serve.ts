import type { ScaledObjectRef } from '@updraft/core';
import type { Output } from '../output.js';
import { startServe, type RunningServer } from '../serve/start-serve.js';
import type { ServeOptions } from '../serve/serve-options.js';
import { GROUP, VERSION } from '../serve/wire-format.js';
import { SCALED_OBJECT_NAME_LABEL } from '../serve/external-metrics-provider.js';

/** Resolves on SIGTERM or SIGINT: how the kubelet and a terminal ask `serve` to stop. */
export function terminationSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

/**
 * `updraft serve`: serves the ScaledObjects of --config through the external metrics API until
 * SIGTERM or SIGINT, then stops gracefully. Exit 0 after a clean stop, 1 when it cannot start.
 */
export async function serve(options: ServeOptions, out: Output, until: Promise<unknown> = terminationSignal()): Promise<number> {
  let running: RunningServer;
  try {
    running = await startServe(options);
  } catch (error) {
    out.stderr(`updraft serve: ${process.env.UPDRAFT_DEBUG ? (error as Error).stack : (error as Error).message}`);
    return 1;
  }
  if (options.auth === 'none') for (const line of tryIt(running, await answeringMetric(running))) out.stderr(line);
  const signal = await until;
  running.logger.info({ signal }, 'asked to stop');
  let code = 0;
  try {
    await running.stop();
  } catch (error) {
    running.logger.error({ error: (error as Error).message }, 'stopping failed');
    code = 1;
  }
  // A scaler library that keeps a timer alive must not keep a stopped server from exiting.
  setTimeout(() => process.exit(code), 3_000).unref();
  return code;
}

/** How to read a metric of this server with kubectl and curl. */
function tryIt(running: RunningServer, example: { ref: ScaledObjectRef; metricName: string; answered: boolean } | undefined): string[] {
  const lines = [`Serving ${running.engine.list().length} ScaledObjects on ${running.url} WITHOUT authentication (--auth=none).`];
  if (example) {
    const path = `/apis/${GROUP}/${VERSION}/namespaces/${example.ref.namespace}/${example.metricName}?labelSelector=${encodeURIComponent(`${SCALED_OBJECT_NAME_LABEL}=${example.ref.name}`)}`;
    const which = example.answered ? `here ${example.ref.namespace}/${example.ref.name}, whose source answered just now` : 'here the first of the first ScaledObject; no source answered yet';
    lines.push(
      `Read a metric (${which}) as the HPA does (kubectl asks for a username when it has no credentials at all; --auth=none ignores the token):`,
      `  kubectl --server=${running.url} --insecure-skip-tls-verify --token=unused get --raw "${path}"`,
      `  curl -sk "${running.url}${path}"`,
    );
  }
  lines.push(
    'Discovery, health, and the adapter\'s own metrics:',
    `  kubectl --server=${running.url} --insecure-skip-tls-verify --token=unused get --raw /apis/${GROUP}/${VERSION}`,
    `  curl -sk "${running.url}/readyz?verbose"`,
    `  curl -s ${running.metricsUrl}`,
    'A trigger whose source is not running answers with a 503 or 500 Status that names the cause. Ctrl-C stops.',
  );
  return lines;
}

/**
 * The first metric, in the engine's order, whose read succeeds now (each read within its trigger's
 * timeout, all at once), so that the command printed first works on a machine without the
 * examples' servers; else the first metric.
 */
async function answeringMetric(running: RunningServer): Promise<{ ref: ScaledObjectRef; metricName: string; answered: boolean } | undefined> {
  const candidates = running.engine.list().flatMap((ref) => {
    const [spec] = running.engine.metricSpecs(ref);
    return spec ? [{ ref, metricName: spec.metricName }] : [];
  });
  const answers = await Promise.all(candidates.map((c) => Promise.resolve().then(() => running.engine.readMetric(c.ref, c.metricName)).then((read) => !read.fallback, () => false)));
  const index = answers.indexOf(true);
  if (index >= 0) return { ...candidates[index]!, answered: true };
  return candidates[0] && { ...candidates[0], answered: false };
}
