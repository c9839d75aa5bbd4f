import { afterEach, describe, expect, it } from 'vitest';
import { MissingBinaryError } from '../harness/process.js';
import { BACKFILL_SAMPLE_AGES_SECONDS, generateCertificates, openMetricsText, startPrometheus } from '../harness/prometheus.js';

describe('the Prometheus harness', () => {
  const path = process.env['PATH'];
  afterEach(() => {
    process.env['PATH'] = path;
  });

  it('writes OpenMetrics that promtool reads: gauges, timestamps in seconds, the specials, # EOF', () => {
    const text = openMetricsText(
      [
        { name: 'a_total', labels: { queue: 'x"y' }, value: 1.5 },
        { name: 'a_total', value: 'NaN' },
        { name: 'b', value: '-Inf' },
      ],
      1_000,
    );
    const [oldest, middle, newest] = BACKFILL_SAMPLE_AGES_SECONDS.map((age) => 1_000 - age);
    expect(text).toBe(
      [
        '# TYPE a_total gauge',
        `a_total{queue="x\\"y"} 1.5 ${oldest}`,
        `a_total{queue="x\\"y"} 1.5 ${middle}`,
        `a_total{queue="x\\"y"} 1.5 ${newest}`,
        `a_total NaN ${oldest}`,
        `a_total NaN ${middle}`,
        `a_total NaN ${newest}`,
        '# TYPE b gauge',
        `b -Inf ${oldest}`,
        `b -Inf ${middle}`,
        `b -Inf ${newest}`,
        '# EOF',
        '',
      ].join('\n'),
    );
  });

  it('a missing promtool fails with MissingBinaryError naming the Debian package prometheus', async () => {
    process.env['PATH'] = '/nonexistent';
    const error = await startPrometheus({ backfill: [{ name: 'x', value: 1 }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingBinaryError);
    expect((error as Error).message).toMatch(/^promtool is not installed: install the Debian package prometheus/);
  });

  it('a missing prometheus fails with MissingBinaryError naming the Debian package prometheus', async () => {
    process.env['PATH'] = '/nonexistent';
    const error = await startPrometheus().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingBinaryError);
    expect((error as Error).message).toMatch(/^prometheus is not installed: install the Debian package prometheus/);
  });

  it('a missing openssl fails with MissingBinaryError naming the Debian package openssl', async () => {
    process.env['PATH'] = '/nonexistent';
    const error = await generateCertificates().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingBinaryError);
    expect((error as Error).message).toMatch(/^openssl is not installed: install the Debian package openssl/);
  });
});
