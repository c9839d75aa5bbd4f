import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../harness/process.js';
import { CONSTANT_PLUGIN, eventually, httpsGet, kubectl, METRICS_API, metricPath, startServe, type ServeProcess } from './serve-process.js';

// `updraft serve --auth=none` with ScaledObjects whose triggers use the `constant` fixture plugin,
// read with the real kubectl, the files edited while it runs.

function constantObject(name: string, value: string, options: { namespace?: string; extra?: string } = {}): string {
  return [
    'apiVersion: keda.sh/v1alpha1',
    'kind: ScaledObject',
    'metadata:',
    `  name: ${name}`,
    `  namespace: ${options.namespace ?? 'default'}`,
    'spec:',
    '  scaleTargetRef:',
    '    name: worker',
    '  pollingInterval: 3600',
    '  triggers:',
    '    - type: constant',
    '      metadata:',
    `        value: '${value}'`,
    ...(options.extra ? [options.extra] : []),
    '',
  ].join('\n');
}

const twoTriggers = `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: pair
  namespace: shop
spec:
  scaleTargetRef:
    name: worker
  triggers:
    - type: constant
      metadata:
        value: '1.5'
    - type: constant
      metadata:
        value: '2000'
        target: '3'
`;

describe('updraft serve (files, --auth=none, the constant plugin)', () => {
  let dir: Awaited<ReturnType<typeof scratchDir>>;
  let server: ServeProcess;
  let cache: string;

  beforeAll(async () => {
    dir = await scratchDir('serve');
    cache = join(dir.path, 'kubectl-cache');
    await writeFile(join(dir.path, 'worker.yaml'), constantObject('worker', '7'));
    await writeFile(join(dir.path, 'pair.yaml'), twoTriggers);
    server = await startServe(['--config', dir.path, '--auth', 'none', '--plugin', CONSTANT_PLUGIN, '--log-level', 'debug'], { UPDRAFT_RESCAN_INTERVAL_MS: '500' });
  });

  afterAll(async () => {
    const code = await server?.stop();
    await dir?.dispose();
    expect(code).toBe(0);
  });

  it('warns loudly at start that anyone can read the metrics, and says how to read them', async () => {
    const warning = server.logs().find((line) => line.level === 'warn' && String(line.msg).includes('--auth=none'));
    expect(warning?.msg).toContain('ANYONE');
    const banner = await eventually('the banner', async () => (server.stderr().includes('Ctrl-C') ? server.stderr() : undefined));
    expect(banner).toContain(`kubectl --server=${server.url} --insecure-skip-tls-verify --token=unused get --raw "${METRICS_API}/namespaces/`);
  });

  it('answers discovery with the one placeholder resource, to kubectl', async () => {
    const result = await kubectl(server.url, cache, METRICS_API);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: 'external.metrics.k8s.io/v1beta1',
      resources: [{ name: 'externalmetrics', singularName: '', namespaced: true, kind: 'ExternalMetricValueList', verbs: ['get'] }],
    });
    const groups = await kubectl(server.url, cache, '/apis');
    expect(JSON.parse(groups.stdout)).toMatchObject({ kind: 'APIGroupList', groups: [{ name: 'external.metrics.k8s.io', preferredVersion: { version: 'v1beta1' } }] });
    const group = await kubectl(server.url, cache, '/apis/external.metrics.k8s.io');
    expect(JSON.parse(group.stdout)).toMatchObject({ kind: 'APIGroup', name: 'external.metrics.k8s.io' });
  });

  it('serves every metric in KEDA’s shape, read with kubectl', async () => {
    const worker = await kubectl(server.url, cache, metricPath('default', 's0-constant', 'worker'));
    expect(worker.code).toBe(0);
    const list = JSON.parse(worker.stdout) as { items: { timestamp: string }[] };
    expect(list).toEqual({
      kind: 'ExternalMetricValueList',
      apiVersion: 'external.metrics.k8s.io/v1beta1',
      metadata: {},
      items: [{ metricName: 's0-constant', metricLabels: null, timestamp: list.items[0]!.timestamp, value: '7' }],
    });
    expect(list.items[0]!.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const first = JSON.parse((await kubectl(server.url, cache, metricPath('shop', 's0-constant', 'pair'))).stdout) as { items: { value: string }[] };
    const second = JSON.parse((await kubectl(server.url, cache, metricPath('shop', 's1-constant', 'pair'))).stdout) as { items: { value: string }[] };
    expect(first.items[0]!.value).toBe('1500m');
    expect(second.items[0]!.value).toBe('2k');
  });

  it('matches metric names case-insensitively, as KEDA does, and answers with the served name', async () => {
    const result = await kubectl(server.url, cache, metricPath('default', 'S0-Constant', 'worker'));
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ items: [{ metricName: 's0-constant', value: '7' }] });
  });

  it('reads the ScaledObject name from every selector form that pins it', async () => {
    for (const selector of ['scaledobject.keda.sh/name==worker', 'scaledobject.keda.sh/name in (worker)', 'app=x,scaledobject.keda.sh/name=worker,!gone']) {
      const answer = await httpsGet(`${server.url}${METRICS_API}/namespaces/default/s0-constant?labelSelector=${encodeURIComponent(selector)}`);
      expect(answer.status, selector).toBe(200);
    }
  });

  it('answers errors as metav1.Status: no ScaledObject label, unknown object or metric, bad selector', async () => {
    const noLabel = await httpsGet(`${server.url}${metricPath('default', 's0-constant')}`);
    expect(noLabel.status).toBe(500);
    expect(noLabel.json()).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'scaledObject name is not specified', code: 500 });

    const unknownObject = await kubectl(server.url, cache, metricPath('default', 's0-constant', 'nobody'));
    expect(unknownObject.code).not.toBe(0);
    expect(unknownObject.stderr).toContain('the server could not find the metric s0-constant for ScaledObject default/nobody');
    const unknownMetric = await httpsGet(`${server.url}${metricPath('default', 's9-constant', 'worker')}`);
    expect(unknownMetric.status).toBe(404);
    expect(unknownMetric.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server could not find the metric s9-constant for ScaledObject default/worker (it serves s0-constant)',
      reason: 'NotFound',
      code: 404,
    });
    const wrongNamespace = await httpsGet(`${server.url}${metricPath('other', 's0-constant', 'worker')}`);
    expect(wrongNamespace.status).toBe(404);

    const bad = await httpsGet(`${server.url}${METRICS_API}/namespaces/default/s0-constant?labelSelector=${encodeURIComponent('a in (b')}`);
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
    expect(bad.headers['content-type']).toBe('application/json');
  });

  it('has no OpenAPI, no other routes, and no method but GET', async () => {
    for (const path of ['/openapi/v2', '/openapi/v3', '/api', `${METRICS_API}/namespaces/default`, `${METRICS_API}/s0-constant`]) {
      const answer = await httpsGet(`${server.url}${path}`);
      expect(answer.status, path).toBe(404);
      expect(answer.json()).toMatchObject({ kind: 'Status', reason: 'NotFound' });
    }
    const post = await httpsGet(`${server.url}${METRICS_API}`, { method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('answers /healthz, /livez and /readyz', async () => {
    for (const path of ['/healthz', '/livez', '/readyz']) {
      const answer = await httpsGet(`${server.url}${path}`);
      expect(answer.status, path).toBe(200);
      expect(answer.body).toBe('ok');
    }
    expect((await httpsGet(`${server.url}/readyz?verbose`)).body).toContain('[+]source files ok\nreadyz check passed');
  });

  it('follows the files: a changed value, a new object, a broken edit that keeps the last good version, a fix, a removal', async () => {
    const read = async (namespace: string, metric: string, so: string) => {
      const answer = await httpsGet(`${server.url}${metricPath(namespace, metric, so)}`);
      return answer.status === 200 ? answer.json<{ items: { value: string }[] }>().items[0]!.value : `HTTP ${answer.status}`;
    };
    await writeFile(join(dir.path, 'worker.yaml'), constantObject('worker', '9'));
    await eventually('the new value', async () => ((await read('default', 's0-constant', 'worker')) === '9' ? true : undefined));
    // kubectl sees it too.
    expect(JSON.parse((await kubectl(server.url, cache, metricPath('default', 's0-constant', 'worker'))).stdout)).toMatchObject({ items: [{ value: '9' }] });

    await writeFile(join(dir.path, 'late.yaml'), constantObject('late', '0.25', { namespace: 'jobs' }));
    await eventually('the new object', async () => ((await read('jobs', 's0-constant', 'late')) === '250m' ? true : undefined));

    // A broken edit: the value is not a number. The last good version (9) stays served.
    await writeFile(join(dir.path, 'worker.yaml'), constantObject('worker', 'nine'));
    const problem = await eventually('the problem on /readyz', async () => {
      const ready = await httpsGet(`${server.url}/readyz`);
      return ready.body.includes('worker.yaml') ? ready : undefined;
    });
    expect(problem.status).toBe(200);
    expect(problem.body).toContain('default/worker: spec.triggers[0].metadata.value');
    expect(problem.body).toContain('default/worker: the last good version');
    expect(await read('default', 's0-constant', 'worker')).toBe('9');
    expect(server.logs().some((line) => line.level === 'error' && String(line.problem ?? '').includes('worker.yaml'))).toBe(true);

    // A YAML syntax error in the whole file: still the last good version.
    await writeFile(join(dir.path, 'worker.yaml'), 'apiVersion: keda.sh/v1alpha1\nkind: [ScaledObject\n');
    await eventually('the syntax error on /readyz', async () => ((await httpsGet(`${server.url}/readyz`)).body.includes('worker.yaml:3:1: invalid YAML') ? true : undefined));
    expect(await read('default', 's0-constant', 'worker')).toBe('9');

    await writeFile(join(dir.path, 'worker.yaml'), constantObject('worker', '11'));
    await eventually('the fixed value', async () => ((await read('default', 's0-constant', 'worker')) === '11' ? true : undefined));
    expect((await httpsGet(`${server.url}/readyz`)).body).toBe('ok');

    await rm(join(dir.path, 'late.yaml'));
    await eventually('the removal', async () => ((await read('jobs', 's0-constant', 'late')) === 'HTTP 404' ? true : undefined));
  });

  it('logs one line per request at debug level, without credentials', async () => {
    await httpsGet(`${server.url}${metricPath('default', 's0-constant', 'worker')}`, { headers: { authorization: 'Bearer super-secret-token' } });
    const line = await server.waitForLog((l) => l.msg === 'request' && String(l.url).includes('s0-constant') && l.code === 200);
    expect(line).toMatchObject({ level: 'debug', method: 'GET', code: 200 });
    expect(JSON.stringify(server.logs())).not.toContain('super-secret-token');
  });

  it('exports its own metrics with KEDA’s names, request latency, and cache hits and misses', async () => {
    await httpsGet(`${server.url}${metricPath('default', 's0-constant', 'worker')}`);
    const answer = await fetch(server.metricsUrl);
    expect(answer.status).toBe(200);
    const text = await answer.text();
    expect(text).toContain('keda_scaler_metrics_value{namespace="default",metric="s0-constant",scaledObject="worker",scaler="constant",triggerIndex="0",type="scaledobject"} 11');
    expect(text).toMatch(/keda_scaler_active\{namespace="default",metric="s0-constant",scaledObject="worker",scaler="constant",triggerIndex="0",type="scaledobject"\} 1/);
    expect(text).toMatch(/keda_scaler_metrics_latency_seconds\{[^}]*scaledObject="worker"[^}]*\} /);
    expect(text).toMatch(/keda_scaler_detail_errors_total\{[^}]*scaledObject="worker"[^}]*\} 0/);
    expect(text).toMatch(/updraft_metric_reads_total\{namespace="default",scaledObject="worker",metric="s0-constant",cache="hit",outcome="value"\} [1-9]/);
    expect(text).toMatch(/updraft_metric_reads_total\{namespace="default",scaledObject="worker",metric="s0-constant",cache="miss",outcome="value"\} [1-9]/);
    expect(text).toMatch(/updraft_metrics_api_request_duration_seconds_count\{route="metric",code="200"\} [1-9]/);
    expect(text).toContain('updraft_scaled_objects 2');
    expect(text).toContain('process_resident_memory_bytes');
    // The removed object's series are gone.
    expect(text).not.toContain('scaledObject="late"');
  });
});

describe('updraft serve refuses to start', () => {
  it('without --config (exit 2), and on a port in use (exit 1, one line)', async () => {
    const { runUpdraft } = await import('../cli/run-updraft.js');
    const missing = await runUpdraft(['serve', '--auth', 'none']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--config <file-or-dir> is required');

    const busy = await startServe(['--config', 'test/fixtures/plugin-usage', '--auth', 'none', '--plugin', CONSTANT_PLUGIN]);
    try {
      const second = await runUpdraft(['serve', '--config', 'test/fixtures/plugin-usage', '--auth', 'none', '--plugin', CONSTANT_PLUGIN, '--host', '127.0.0.1', '--port', String(busy.port), '--metrics-port', '0']);
      expect(second.code).toBe(1);
      expect(second.stderr.trim()).toBe(`updraft serve: cannot listen on 127.0.0.1:${busy.port}: the port is in use (--port)`);
    } finally {
      await busy.stop();
    }
  });

  it('with --auth=kubernetes and no Kubernetes API', async () => {
    const { runUpdraft } = await import('../cli/run-updraft.js');
    const result = await runUpdraft(['serve', '--config', 'test/fixtures/plugin-usage', '--plugin', CONSTANT_PLUGIN, '--host', '127.0.0.1', '--port', '0', '--metrics-port', '0'], { KUBECONFIG: '', KUBERNETES_SERVICE_HOST: '' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--auth=kubernetes needs the Kubernetes API');
  });
});
