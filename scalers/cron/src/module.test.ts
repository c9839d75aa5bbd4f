import { Container } from 'inversify';
import { coreModule, ScalerRegistry } from '@updraft/core';
import { expect, it } from 'vitest';
import defaultExport, { CronClock, cronScalerModule } from './index.js';

it('the module contributes the cron trigger type, which reads the time from CronClock', async () => {
  expect(defaultExport).toBe(cronScalerModule);
  const container = new Container();
  container.load(coreModule, cronScalerModule);
  container.rebind<CronClock>(CronClock).toConstantValue({ now: () => Date.parse('2026-01-15T12:00:00Z') });
  const factory = container.get<ScalerRegistry>(ScalerRegistry).get('cron');
  const parsed = factory.metadata.parse({ triggerMetadata: { timezone: 'Europe/Berlin', start: '0 8 * * *', end: '0 18 * * *', desiredReplicas: '4' } });
  const scaler = factory.create({ metadata: parsed.metadata!, triggerType: 'cron', triggerIndex: 0, metricType: 'AverageValue', useCachedMetrics: false, scaledObject: { namespace: 'default', name: 'hours' } });
  const read = await scaler.getMetricsAndActivity(scaler.getMetricSpecs()[0]!.metricName, new AbortController().signal);
  expect([read.values[0]!.value, read.active, read.values[0]!.timestamp.toISOString()]).toEqual([4, true, '2026-01-15T12:00:00.000Z']);
});
