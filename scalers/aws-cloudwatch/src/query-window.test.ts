import { describe, expect, it } from 'vitest';
import { computeQueryWindow } from './query-window.js';

describe('computeQueryWindow (KEDA computeQueryWindow: end truncated to the period, start a collection time before)', () => {
  it.each([
    // KEDA awsCloudwatchComputeQueryWindowTestData
    { name: 'normal', now: '2021-11-07T15:04:05.999Z', period: 60, offset: 0, collection: 60, start: '2021-11-07T15:03:00.000Z', end: '2021-11-07T15:04:00.000Z' },
    { name: 'normal with offset', now: '2021-11-07T15:04:05.999Z', period: 60, offset: 30, collection: 60, start: '2021-11-07T15:02:00.000Z', end: '2021-11-07T15:03:00.000Z' },
    // the defaults: period 300, collection 300, offset 0
    { name: 'defaults', now: '2021-11-07T15:04:05.999Z', period: 300, offset: 0, collection: 300, start: '2021-11-07T14:55:00.000Z', end: '2021-11-07T15:00:00.000Z' },
    { name: 'offset that stays in the period', now: '2021-11-07T15:04:05.999Z', period: 300, offset: 60, collection: 600, start: '2021-11-07T14:50:00.000Z', end: '2021-11-07T15:00:00.000Z' },
    { name: 'hourly', now: '2021-11-07T15:04:05.999Z', period: 3600, offset: 0, collection: 3600, start: '2021-11-07T14:00:00.000Z', end: '2021-11-07T15:00:00.000Z' },
    { name: 'one-second resolution', now: '2021-11-07T15:04:05.999Z', period: 1, offset: 0, collection: 1, start: '2021-11-07T15:04:04.000Z', end: '2021-11-07T15:04:05.000Z' },
    { name: 'five seconds with an offset', now: '2021-11-07T15:04:05.999Z', period: 5, offset: 2, collection: 10, start: '2021-11-07T15:03:50.000Z', end: '2021-11-07T15:04:00.000Z' },
    { name: 'exactly on a boundary', now: '2021-11-07T15:05:00.000Z', period: 300, offset: 0, collection: 300, start: '2021-11-07T15:00:00.000Z', end: '2021-11-07T15:05:00.000Z' },
    { name: 'a zero collection time is an empty window', now: '2021-11-07T15:04:05.999Z', period: 60, offset: 0, collection: 0, start: '2021-11-07T15:04:00.000Z', end: '2021-11-07T15:04:00.000Z' },
    // Go truncates since January 1, year 1, not since 1970: a 7-minute period lands off the Unix grid.
    { name: 'seven-minute period (Go zero time)', now: '2021-11-07T15:04:05.999Z', period: 420, offset: 0, collection: 840, start: '2021-11-07T14:47:00.000Z', end: '2021-11-07T15:01:00.000Z' },
    { name: 'seven-minute period at the Unix epoch', now: '1970-01-01T00:00:00.000Z', period: 420, offset: 0, collection: 420, start: '1969-12-31T23:52:00.000Z', end: '1969-12-31T23:59:00.000Z' },
  ])('$name', ({ now, period, offset, collection, start, end }) => {
    const window = computeQueryWindow(new Date(now), { metricStatPeriod: period, metricEndTimeOffset: offset, metricCollectionTime: collection });
    expect(window.start.toISOString()).toBe(start);
    expect(window.end.toISOString()).toBe(end);
  });

  it('does not change the date it is given', () => {
    const now = new Date('2021-11-07T15:04:05.999Z');
    computeQueryWindow(now, { metricStatPeriod: 60, metricEndTimeOffset: 30, metricCollectionTime: 60 });
    expect(now.toISOString()).toBe('2021-11-07T15:04:05.999Z');
  });
});
