import { ScalerError, type ScalerErrorKind } from '../scaler.js';
import type { SecretRedactor } from './redact.js';
import { classifyTransportError } from './transport-errors.js';

const made = new WeakSet<ScalerError>();

/**
 * The errors of one trigger: each message starts with what the trigger reads (`Prometheus query
 * 'up' on http://prometheus:9090`) and goes through the trigger's redactor, so no message names a
 * credential and none is wrapped twice.
 */
export class TriggerErrors {
  constructor(
    /** What the trigger reads, as the start of every message. */
    readonly subject: string,
    readonly redactor: SecretRedactor,
  ) {}

  /** `<subject>: <what>`, redacted. */
  error(kind: ScalerErrorKind, what: string, cause?: unknown): ScalerError {
    const error = new ScalerError(this.redactor.redact(`${this.subject}: ${what}`), kind, cause === undefined ? undefined : { cause });
    made.add(error);
    return error;
  }

  /**
   * Any failure as this trigger's error: one made here passes through; another ScalerError (the
   * kit's HTTP client makes those) keeps its kind and gets the subject; a Node transport error is
   * classified (`where` names the server in it); anything else is `internal`.
   */
  from(error: unknown, where?: string): ScalerError {
    if (error instanceof ScalerError) return made.has(error) ? error : this.error(error.kind, error.message, error.cause ?? error);
    const transport = classifyTransportError(error, where);
    if (transport) return this.error(transport.kind, transport.message, error);
    return this.error('internal', error instanceof Error ? error.message : String(error), error);
  }
}
