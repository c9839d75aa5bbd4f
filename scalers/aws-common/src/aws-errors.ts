import { classifyTransportError, recordBackendCall, ScalerError, SecretRedactor, type BackendCalls, type ScalerErrorKind } from '@updraft/core';
import { describeAwsIdentity, type AwsIdentity } from './aws-identity.js';

/** The backends AWS calls are counted under. */
export type AwsBackend = 'aws-sqs' | 'aws-cloudwatch' | 'aws-sts';

/** What an AWS call was for, so that its error can say so. */
export interface AwsCallContext {
  readonly backend: AwsBackend;
  /** The API operation: `GetQueueAttributes`, `GetMetricData`, ... */
  readonly operation: string;
  /** What the call is about, for messages: `queue orders`, `metric AWS/SQS ApproximateNumberOfMessagesVisible`. */
  readonly subject: string;
  /** Whose credentials signed the call; auth errors name it (never a secret), and its secrets are scrubbed from every message. */
  readonly identity?: AwsIdentity;
  /** The endpoint override, named when it cannot be reached. */
  readonly endpoint?: string | undefined;
}

/**
 * A credentials provider failed (assuming a role, or the default chain found nothing). Thrown from
 * inside the SDK's signing step, so the call that needed the credentials reports it.
 */
export class AwsCredentialsError extends Error {
  override readonly name = 'AwsCredentialsError';
  constructor(
    message: string,
    /** The AWS error code of the cause (`AccessDenied`, `InvalidClientTokenId`, ...), or `CredentialsProviderError`. */
    readonly code: string,
    readonly httpStatusCode?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

// Codes are matched without the `Exception` suffix that JSON-protocol services add.
const AUTH_CODES = new Set([
  'AccessDenied',
  'AuthFailure',
  'AuthorizationError',
  'CredentialsProviderError',
  'ExpiredToken',
  'IncompleteSignature',
  'InvalidAccessKeyId',
  'InvalidClientTokenId',
  'InvalidSecurity',
  'InvalidSignature',
  'KMSAccessDenied',
  'MissingAuthenticationToken',
  'NotAuthorized',
  'OptInRequired',
  'RequestExpired',
  'SignatureDoesNotMatch',
  'UnauthorizedOperation',
  'UnrecognizedClient',
]);
const NOT_FOUND_CODES = new Set(['AWS.SimpleQueueService.NonExistentQueue', 'QueueDoesNotExist', 'NonExistentQueue', 'ResourceNotFound']);
const THROTTLING_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'LimitExceeded',
  'SlowDown',
  'AWS.SimpleQueueService.RequestThrottled',
  'PriorRequestNotComplete',
]);
const QUERY_CODES = new Set([
  'InvalidParameterValue',
  'InvalidParameterCombination',
  'InvalidParameterInput',
  'MissingParameter',
  'MissingRequiredParameter',
  'Validation',
  'ValidationError',
  'InvalidAttributeName',
  'InvalidAddress',
  'InvalidNextToken',
  'InvalidFormat',
  'UnsupportedOperation',
  'AWS.SimpleQueueService.UnsupportedOperation',
]);

interface SdkErrorShape {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly Code?: unknown;
  readonly $fault?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly cause?: unknown;
}

/**
 * The AWS error code of an SDK error: the query-protocol code when the service sends one
 * (`AWS.SimpleQueueService.NonExistentQueue`, `InvalidClientTokenId`), else the exception name
 * (`ThrottlingException`), else a Node network code (`ECONNREFUSED`).
 */
export function awsErrorCode(error: unknown): string | undefined {
  if (error instanceof AwsCredentialsError) return error.code;
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as SdkErrorShape;
  if (typeof e.Code === 'string' && e.Code !== '') return e.Code;
  if (typeof e.code === 'string' && e.code !== '') return e.code;
  const cause = e.cause as SdkErrorShape | undefined;
  if (typeof cause?.code === 'string' && classifyTransportError(cause)) return cause.code;
  if (typeof e.name === 'string' && e.name !== '' && e.name !== 'Error') return e.name;
  return undefined;
}

function httpStatus(error: unknown): number | undefined {
  if (error instanceof AwsCredentialsError) return error.httpStatusCode;
  const status = (error as SdkErrorShape | null)?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

function kindOf(code: string | undefined, status: number | undefined, error: unknown): ScalerErrorKind {
  const bare = code?.replace(/Exception$/, '');
  if (code !== undefined && (AUTH_CODES.has(code) || AUTH_CODES.has(bare!))) return 'auth';
  if (code !== undefined && (NOT_FOUND_CODES.has(code) || NOT_FOUND_CODES.has(bare!))) return 'not-found';
  if (code === 'AbortError' || code === 'TimeoutError' || code === 'RequestTimeout' || code === 'ETIMEDOUT' || code === 'RequestTimeoutException') return 'timeout';
  if (code !== undefined && THROTTLING_CODES.has(code)) return 'unreachable';
  if (code !== undefined && (QUERY_CODES.has(code) || QUERY_CODES.has(bare!))) return 'query';
  const transport = transportFailure(error);
  if (transport) return transport.kind;
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not-found';
  if (status !== undefined && status >= 500) return 'unreachable';
  if (status !== undefined && status >= 400) return 'query';
  const fault = (error as SdkErrorShape | null)?.$fault;
  if (fault === 'server') return 'unreachable';
  // Anything else (an answer the SDK could not parse, an unknown code) is an answer we cannot use.
  return 'bad-response';
}

/** A Node network or TLS failure under the SDK's error (the SDK wraps it, or passes it on). */
function transportFailure(error: unknown) {
  return classifyTransportError(error) ?? classifyTransportError((error as SdkErrorShape | null)?.cause);
}

/** The secrets of an identity, which no message may contain. */
function redactorOf(identity: AwsIdentity | undefined): SecretRedactor {
  return new SecretRedactor(identity?.kind === 'static' ? [identity.accessKeyId, identity.secretAccessKey, identity.sessionToken] : []);
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && typeof (error as SdkErrorShape).message === 'string') return (error as { message: string }).message;
  return String(error);
}

function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason.message;
  return reason === undefined ? 'aborted' : String(reason);
}

/**
 * An AWS SDK (or network, or credentials) error as a ScalerError that names the call, what it was
 * for and the AWS error code, and never a secret. A ScalerError passes through unchanged.
 */
export function toScalerError(error: unknown, context: AwsCallContext, signal?: AbortSignal): ScalerError {
  if (error instanceof ScalerError) return error;
  const what = `${context.backend} ${context.operation} for ${context.subject}`;
  const redactor = redactorOf(context.identity);
  if (signal?.aborted) {
    return new ScalerError(redactor.redact(`${what} was aborted before AWS answered: ${abortReason(signal)}`), 'timeout', { cause: error });
  }
  const code = awsErrorCode(error);
  const status = httpStatus(error);
  const kind = kindOf(code, status, error);
  const detail = messageOf(error).trim();
  // The exception name when it says more than the code: `AWS.SimpleQueueService.NonExistentQueue (QueueDoesNotExist, HTTP 400)`.
  const name = error instanceof Error && !(error instanceof AwsCredentialsError) && error.name !== code && error.name !== 'Error' ? error.name : undefined;
  const notes = [name, status === undefined ? undefined : `HTTP ${status}`].filter((note) => note !== undefined);
  let message = `${what} failed: ${code ?? 'error'}${notes.length === 0 ? '' : ` (${notes.join(', ')})`}`;
  if (detail !== '' && detail !== code) message += `: ${detail}`;
  if (kind === 'auth' && context.identity) message += ` (signed as ${describeAwsIdentity(context.identity)})`;
  if (kind === 'unreachable' && transportFailure(error) && context.endpoint) message += ` (endpoint ${context.endpoint})`;
  return new ScalerError(redactor.redact(message), kind, { cause: error });
}

/**
 * Makes one counted AWS call: `send` gets the signal to pass to the SDK (`{ abortSignal }`), the
 * call is recorded with recordBackendCall, and any failure becomes a ScalerError.
 */
export async function callAws<T>(calls: BackendCalls, context: AwsCallContext, signal: AbortSignal, send: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
  if (signal.aborted) throw toScalerError(signal.reason, context, signal);
  try {
    return await recordBackendCall(calls, context.backend, context.operation, () => send(signal));
  } catch (error) {
    throw toScalerError(error, context, signal);
  }
}
