import { CronExpressionParser, type CronExpression } from 'cron-parser';

/**
 * KEDA parses `start` and `end` with robfig/cron's standard parser: exactly five fields (minute,
 * hour, day of month, month, day of week), no seconds, no `@daily`-style descriptors, and only
 * the characters `* / , - ?` besides numbers and month and weekday names. cron-parser accepts more
 * (a seconds field, `L`, `W`, `#`, descriptors), so those are refused here before it sees them.
 */
const FIELD = /^[0-9A-Za-z*?,/-]+$/;
const NAMES = /^(?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC|SUN|MON|TUE|WED|THU|FRI|SAT)$/i;

/** Why `expression` is not a five-field cron expression, or undefined when it is one. */
export function cronExpressionProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) {
    return `must be a cron expression of 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}: ${JSON.stringify(expression)}`;
  }
  for (const field of fields) {
    const words = field.match(/[A-Za-z]+/g) ?? [];
    if (!FIELD.test(field) || words.some((word) => !NAMES.test(word))) {
      return `field ${JSON.stringify(field)} of ${JSON.stringify(expression)} is not allowed: use numbers, month or weekday names and * / , - ?`;
    }
  }
  try {
    CronExpressionParser.parse(expression, { tz: 'UTC' });
  } catch (error) {
    return `is not a valid cron expression (${(error as Error).message}): ${JSON.stringify(expression)}`;
  }
  return undefined;
}

/** Why `timezone` is not an IANA time zone name this Node knows, or undefined when it is one. */
export function timezoneProblem(timezone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return undefined;
  } catch {
    return `must be an IANA time zone such as Europe/Berlin or America/New_York, got ${JSON.stringify(timezone)}`;
  }
}

/** The first time strictly after `now` (ms since the epoch) that `expression` names, in `timezone`. */
function next(expression: string, timezone: string, now: number): number {
  const schedule: CronExpression = CronExpressionParser.parse(expression, { currentDate: new Date(now), tz: timezone });
  return schedule.next().getTime();
}

/**
 * Whether `now` lies in the window that opens at `start` and closes at `end`, decided as KEDA's
 * cron scaler does: the window is open when the next end comes no later than the next start. That
 * makes the window [start, end), and a window whose end is before its start (22:00 to 06:00) spans
 * midnight without a special case.
 */
export function withinWindow(window: { readonly start: string; readonly end: string; readonly timezone: string }, now: number): boolean {
  return next(window.end, window.timezone, now) <= next(window.start, window.timezone, now);
}

/**
 * The name part KEDA builds from a cron expression for the metric name (`parseCronTimeFormat`):
 * spaces removed, then `*` → `x`, `/` → `Sl`, `?` → `Qm`, `,` → `Cm`.
 */
export function cronNamePart(expression: string): string {
  return expression.replace(/ /g, '').replace(/\*/g, 'x').replace(/\//g, 'Sl').replace(/\?/g, 'Qm').replace(/,/g, 'Cm');
}
