import { describe, expect, it } from 'vitest';
import type { ScalerConfig } from '@updraft/core';
import type { CronMetadata } from './metadata.js';
import { cronMetadata } from './metadata.js';
import { CronScaler } from './scaler.js';

function scaler(metadata: Record<string, string>, at: { now: number }, triggerIndex = 0): CronScaler {
  const parsed = cronMetadata.parse({ triggerMetadata: metadata }).metadata!;
  const config: ScalerConfig<CronMetadata> = {
    metadata: parsed,
    triggerType: 'cron',
    triggerIndex,
    metricType: 'AverageValue',
    useCachedMetrics: false,
    scaledObject: { namespace: 'default', name: 'business-hours' },
  };
  return new CronScaler(config, () => at.now);
}

async function read(s: CronScaler) {
  const [spec] = s.getMetricSpecs();
  const { values, active } = await s.getMetricsAndActivity(spec!.metricName, new AbortController().signal);
  return { value: values[0]!.value, active };
}

const at = (iso: string) => ({ now: Date.parse(iso) });

describe('cron scaler', () => {
  // KEDA cron_scaler_test.go cronMetricIdentifiers.
  it.each([
    [{ start: '0 0 * * Thu', end: '59 23 * * Thu' }, 0, 's0-cron-Etc-UTC-00xxThu-5923xxThu'],
    [{ start: '0 */2 * * *', end: '0 1-23/2 * * *' }, 1, 's1-cron-Etc-UTC-0xSl2xxx-01-23Sl2xxx'],
    [{ start: '0,30 * * * *', end: '15,45 * * * *' }, 2, 's2-cron-Etc-UTC-0Cm30xxxx-15Cm45xxxx'],
    [{ start: '0 8 ? * MON-FRI', end: '0 18 ? * MON-FRI' }, 0, 's0-cron-Etc-UTC-08QmxMON-FRI-018QmxMON-FRI'],
  ])('metric name of %o at index %i is %s, target 1', (window, index, name) => {
    const s = scaler({ timezone: 'Etc/UTC', desiredReplicas: '10', ...window }, at('2026-01-01T00:00:00Z'), index);
    expect(s.getMetricSpecs()).toEqual([{ metricName: name, target: 1, metricType: 'AverageValue' }]);
  });

  it('the time zone is part of the name with / made -, as KEDA normalises it', () => {
    const s = scaler({ timezone: 'Asia/Kolkata', start: '0 6 * * *', end: '0 20 * * *', desiredReplicas: '10' }, at('2026-01-01T00:00:00Z'));
    expect(s.getMetricSpecs()[0]!.metricName).toBe('s0-cron-Asia-Kolkata-06xxx-020xxx');
  });

  describe('window [start, end) in the trigger time zone', () => {
    const hours = { timezone: 'Europe/Berlin', start: '0 8 * * *', end: '0 18 * * *', desiredReplicas: '4' };
    // Berlin is UTC+1 in January: 08:00 local is 07:00Z.
    it.each([
      ['2026-01-15T06:59:59.999Z', 0, false],
      ['2026-01-15T07:00:00.000Z', 4, true], // the start minute itself is inside
      ['2026-01-15T12:00:00.000Z', 4, true],
      ['2026-01-15T16:59:59.999Z', 4, true],
      ['2026-01-15T17:00:00.000Z', 0, false], // the end minute is outside
      ['2026-01-15T23:00:00.000Z', 0, false],
    ])('at %s the value is %i (active %s)', async (time, value, active) => {
      expect(await read(scaler(hours, at(time)))).toEqual({ value, active });
    });

    it('follows the clock from one read to the next', async () => {
      const clock = at('2026-01-15T06:30:00Z');
      const s = scaler(hours, clock);
      expect(await read(s)).toEqual({ value: 0, active: false });
      clock.now = Date.parse('2026-01-15T07:30:00Z');
      expect(await read(s)).toEqual({ value: 4, active: true });
    });
  });

  describe('an end before the start wraps over midnight', () => {
    const night = { timezone: 'Etc/UTC', start: '0 22 * * *', end: '0 6 * * *', desiredReplicas: '3' };
    it.each([
      ['2026-01-15T21:59:00Z', false],
      ['2026-01-15T22:00:00Z', true],
      ['2026-01-16T02:00:00Z', true],
      ['2026-01-16T05:59:00Z', true],
      ['2026-01-16T06:00:00Z', false],
      ['2026-01-16T12:00:00Z', false],
    ])('at %s active is %s', async (time, active) => {
      expect((await read(scaler(night, at(time)))).active).toBe(active);
    });
  });

  it('weekday windows: closed on the weekend', async () => {
    const week = { timezone: 'America/New_York', start: '0 9 * * 1-5', end: '0 17 * * 1-5', desiredReplicas: '5' };
    expect(await read(scaler(week, at('2026-01-16T15:00:00Z')))).toEqual({ value: 5, active: true }); // Friday 10:00 EST
    expect(await read(scaler(week, at('2026-01-17T15:00:00Z')))).toEqual({ value: 0, active: false }); // Saturday
  });

  describe('daylight saving time: the window follows local time', () => {
    const hours = { timezone: 'Europe/Berlin', start: '0 8 * * *', end: '0 18 * * *', desiredReplicas: '2' };
    it('in summer 08:00 Berlin is 06:00Z', async () => {
      expect((await read(scaler(hours, at('2026-07-01T05:59:00Z')))).active).toBe(false);
      expect((await read(scaler(hours, at('2026-07-01T06:00:00Z')))).active).toBe(true);
      expect((await read(scaler(hours, at('2026-07-01T15:59:00Z')))).active).toBe(true);
      expect((await read(scaler(hours, at('2026-07-01T16:00:00Z')))).active).toBe(false);
    });

    it('a start in the skipped hour (02:30 on the spring-forward night) opens at the end of the gap', async () => {
      // Europe/Berlin skips 02:00–03:00 local on 2026-03-29 (01:00Z → 03:00 CEST).
      const gap = { timezone: 'Europe/Berlin', start: '30 2 * * *', end: '0 5 * * *', desiredReplicas: '2' };
      expect((await read(scaler(gap, at('2026-03-29T00:59:00Z')))).active).toBe(false);
      expect((await read(scaler(gap, at('2026-03-29T01:30:00Z')))).active).toBe(true); // 03:30 CEST
      expect((await read(scaler(gap, at('2026-03-29T03:00:00Z')))).active).toBe(false); // 05:00 CEST
    });
  });

  it('honours an aborted signal', async () => {
    const s = scaler({ timezone: 'Etc/UTC', start: '0 8 * * *', end: '0 18 * * *', desiredReplicas: '2' }, at('2026-01-15T12:00:00Z'));
    const controller = new AbortController();
    controller.abort(new Error('timed out'));
    await expect(s.getMetricsAndActivity(s.getMetricSpecs()[0]!.metricName, controller.signal)).rejects.toThrow('timed out');
  });
});
