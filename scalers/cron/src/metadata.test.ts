import { describe, expect, it } from 'vitest';
import { cronMetadata } from './metadata.js';

const valid = { timezone: 'Etc/UTC', start: '0 0 * * Thu', end: '59 23 * * Thu', desiredReplicas: '10' };

function errors(triggerMetadata: Record<string, string>): string[] {
  return cronMetadata.parse({ triggerMetadata }).problems.filter((p) => p.severity === 'error').map((p) => `${p.key ?? '-'}: ${p.message}`);
}

// KEDA's cron_scaler_test.go table (testCronMetadata), plus the cases KEDA leaves to the first read.
describe('cron metadata', () => {
  it.each<[string, Record<string, string>, boolean]>([
    ['nothing', {}, true],
    ['KEDA validCronMetadata', valid, false],
    ['every even hour', { ...valid, start: '0 */2 * * *', end: '0 1-23/2 * * *' }, false],
    ['comma lists', { ...valid, start: '0,30 * * * *', end: '15,45 * * * *' }, false],
    ['no desiredReplicas', { timezone: 'Asia/Kolkata', start: '30 * * * *', end: '45 * * * *' }, true],
    ['no timezone', { start: '30 * * * *', end: '45 * * * *', desiredReplicas: '10' }, true],
    ['range in start', { timezone: 'Asia/Kolkata', start: '30-33 * * * *', end: '45 * * * *', desiredReplicas: '10' }, false],
    ['range in end', { timezone: 'Asia/Kolkata', start: '30 * * * *', end: '45-50 * * * *', desiredReplicas: '10' }, false],
    ['negative start minute', { timezone: 'Asia/Kolkata', start: '-30 * * * *', end: '45 * * * *', desiredReplicas: '10' }, true],
    ['negative end minute', { timezone: 'Asia/Kolkata', start: '30 * * * *', end: '-50 * * * *', desiredReplicas: '10' }, true],
    ['negative month', { timezone: 'Asia/Kolkata', start: '30 * * * *', end: '50 * * -3 *', desiredReplicas: '10' }, true],
    ['start equals end', { timezone: 'Asia/Kolkata', start: '30 * * * *', end: '30 * * * *', desiredReplicas: '10' }, true],
    ['desiredReplicas 0', { ...valid, desiredReplicas: '0' }, true],
    ['desiredReplicas -1', { ...valid, desiredReplicas: '-1' }, true],
    ['desiredReplicas not a number', { ...valid, desiredReplicas: 'ten' }, true],
    ['unknown time zone', { ...valid, timezone: 'Mars/Olympus_Mons' }, true],
    ['six fields (seconds)', { ...valid, start: '0 0 0 * * Thu' }, true],
    ['a descriptor', { ...valid, start: '@daily' }, true],
    ['Quartz L', { ...valid, start: '0 0 L * *' }, true],
    ['weekday names and ?', { ...valid, start: '0 8 ? * MON-FRI', end: '0 18 ? * MON-FRI' }, false],
  ])('%s → error: %s', (_name, metadata, isError) => {
    expect(errors(metadata).length > 0).toBe(isError);
  });

  it('reports every problem of a trigger at once, each at its key', () => {
    expect(errors({ timezone: 'Nowhere/Else', start: '61 * * * *', end: '* * *', desiredReplicas: '0' })).toEqual([
      expect.stringMatching(/^timezone: must be an IANA time zone/),
      expect.stringMatching(/^start: is not a valid cron expression/),
      expect.stringMatching(/^end: must be a cron expression of 5 fields .* got 3/),
      'desiredReplicas: must be 1 or more, got 0',
    ]);
  });

  it('start and end that are the same string is one error at end', () => {
    expect(errors({ ...valid, end: valid.start })).toEqual(['end: start and end must differ: a window that opens and closes at the same time is never open']);
  });
});
