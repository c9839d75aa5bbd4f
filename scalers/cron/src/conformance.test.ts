import { describeScalerConformance } from '@updraft/core/testing/vitest';
import cronScalerModule from './index.js';

// Cron reads no source, so it has no unreachable or silent case. KEDA's window is open while the next
// end comes before the next start: with an end every minute and a start once a year, always.
describeScalerConformance(cronScalerModule, {
  value: { metadata: { timezone: 'UTC', start: '0 0 1 1 *', end: '* * * * *', desiredReplicas: '3' } },
});
