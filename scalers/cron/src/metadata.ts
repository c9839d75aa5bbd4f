import { defineMetadata, p, type MetadataOf } from '@updraft/core/metadata';
import { cronExpressionProblem, timezoneProblem } from './schedule.js';

/** The `cron` trigger's parameters (KEDA pkg/scalers/cron_scaler.go). */
export const cronMetadata = defineMetadata(
  {
    timezone: p.string().required().check(timezoneProblem).describe('IANA time zone the expressions are read in, e.g. `Europe/Berlin`.'),
    start: p.string().required().check(cronExpressionProblem).describe('Cron expression (5 fields) at which the window opens, e.g. `0 8 * * 1-5`.'),
    end: p.string().required().check(cronExpressionProblem).describe('Cron expression (5 fields) at which the window closes, e.g. `0 18 * * 1-5`.'),
    desiredReplicas: p
      .integer()
      // KEDA: "no desiredReplicas specified" for 0. A negative count KEDA would serve as 0 while active; here it is an error.
      .check((n) => (n >= 1 ? undefined : `must be 1 or more, got ${n}`))
      .required()
      .describe('Replicas while the window is open; outside it the trigger reports 0 and is inactive.'),
  },
  {
    rules: [
      (m, context) => {
        // As in KEDA, the two strings are compared as written.
        if (m.start === m.end) context.error('start and end must differ: a window that opens and closes at the same time is never open', 'end');
      },
    ],
  },
);

export type CronMetadata = MetadataOf<typeof cronMetadata>;
