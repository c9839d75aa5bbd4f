import { classifyTransportError, ScalerError, type ScalerErrorKind } from '@updraft/core';

/** What an error message may say about the connection that failed. Holds no secret. */
export interface RedisErrorContext {
  /** Where the connection goes, from describeRedisTarget. */
  readonly where: string;
  readonly topology: 'standalone' | 'cluster' | 'sentinel';
  readonly username?: string;
  readonly sentinelUsername?: string;
  /** Sentinel topology: the master's name and the sentinels' addresses. */
  readonly sentinelMaster?: string;
  readonly sentinels?: string;
  readonly databaseIndex: number;
  readonly tls: boolean;
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
}

/** Code of a connection that closed before Redis answered; see RedisConnection. */
export const CLOSED_BEFORE_READY = 'UPDRAFT_CLOSED_BEFORE_READY';

const TLS_HINT = 'is TLS enabled on the server? set enableTLS: "true" in the trigger (or tls: enable in the TriggerAuthentication)';

interface ErrorFacts {
  readonly code: string | undefined;
  readonly message: string;
}

function factsOf(error: unknown): ErrorFacts {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { code: typeof code === 'string' ? code : undefined, message: error.message };
  }
  return { code: undefined, message: String(error) };
}

/**
 * The same error without what it may carry besides its text: ioredis attaches the failed command
 * with its arguments (`AUTH user password`) to reply errors.
 */
function sanitized(error: unknown): Error {
  const { code, message } = factsOf(error);
  const copy = new Error(message);
  if (error instanceof Error) copy.name = error.name;
  if (code) (copy as NodeJS.ErrnoException).code = code;
  return copy;
}

const quoteUser = (user: string | undefined) => user ?? 'default';

/**
 * Turns what ioredis or Node reports into a ScalerError whose kind says what failed and whose
 * message names the likely cause. `handshaking` says that the socket had connected but Redis had
 * not answered yet (so a reset is more likely a TLS mismatch than an unreachable server). Never
 * includes a password: it is not in the context, and the cause keeps only the error's text and code.
 */
export function redisScalerError(error: unknown, context: RedisErrorContext, handshaking = false): ScalerError {
  if (error instanceof ScalerError) return error;
  const make = (message: string, kind: ScalerErrorKind) => new ScalerError(message, kind, { cause: sanitized(error) });
  // A cluster that failed to load its slots reports the last node's error inside its own.
  const inner = (error as { lastNodeError?: unknown } | undefined)?.lastNodeError;
  const { code, message } = factsOf(inner ?? error);
  const { where } = context;

  // Sentinel phase: ioredis words these itself and folds the sentinel's error into the text.
  if (/sentinel/i.test(message) && context.topology === 'sentinel') {
    const sentinels = context.sentinels ?? where;
    if (/invalid reply: null|No such master with that name/i.test(message)) {
      return make(`the sentinels at ${sentinels} do not know a master named ${JSON.stringify(context.sentinelMaster ?? '')}: check sentinelMaster`, 'not-found');
    }
    if (/WRONGPASS|invalid username-password|invalid password/i.test(message)) {
      return make(`authentication failed for user ${quoteUser(context.sentinelUsername)} at the sentinels ${sentinels}: wrong sentinelPassword? (or the user does not exist or is disabled)`, 'auth');
    }
    if (/NOAUTH/.test(message)) {
      return make(`the sentinels at ${sentinels} require authentication: set sentinelPassword (and sentinelUsername for an ACL user)`, 'auth');
    }
    if (/NOPERM/.test(message)) {
      return make(`sentinel user ${quoteUser(context.sentinelUsername)} may not ask the sentinels at ${sentinels} for the master: ${redisText(message)}`, 'auth');
    }
    return make(`cannot reach any sentinel at ${sentinels}: ${redisText(message)}`, 'unreachable');
  }

  if (/WRONGPASS|invalid username-password pair|invalid password/i.test(message)) {
    return make(`authentication failed for user ${quoteUser(context.username)} at ${where}: wrong password? (or the user does not exist or is disabled)`, 'auth');
  }
  if (/^NOAUTH/.test(message)) {
    return make(`${where} requires authentication: set password (and username for an ACL user), e.g. from a TriggerAuthentication`, 'auth');
  }
  if (/^NOPERM/.test(message)) {
    return make(`user ${quoteUser(context.username)} lacks a permission at ${where}: ${message}`, 'auth');
  }
  if (/DB index is out of range|invalid DB index/i.test(message)) {
    return make(`database ${context.databaseIndex} does not exist at ${where} (the server has fewer databases): check databaseIndex`, 'not-found');
  }

  if (inner !== undefined && /Connection is closed/.test(message)) {
    // ioredis keeps each node's socket error to itself; what reaches here is that each one closed.
    return make(`cannot connect to any node of ${where}: each refused or closed the connection (are the nodes running and the addresses right? ${context.tls ? 'do they speak TLS?' : 'do they expect TLS?'})`, 'unreachable');
  }
  if (code === 'ETIMEDOUT') {
    const hint = context.tls ? ': a firewall, a wrong address, or a port that does not speak TLS (then remove enableTLS)?' : '';
    return make(`connecting to ${where} timed out after ${context.connectTimeoutMs} ms${hint}`, 'unreachable');
  }
  const closed = code === 'ECONNRESET' || code === 'EPIPE' || code === CLOSED_BEFORE_READY;
  if (closed && handshaking && !context.tls) {
    return make(`${where} closed the connection before Redis answered: ${TLS_HINT}`, 'tls');
  }
  const transport = classifyTransportError(inner ?? error, where);
  if (transport) return make(transport.message, transport.kind);
  if (closed) return make(`the connection to ${where} was reset (${message})`, 'unreachable');

  if (/^Command timed out/.test(message)) return make(`${where} did not answer within ${context.commandTimeoutMs} ms`, 'timeout');
  if (/Stream isn't writeable|Connection is closed|Reached the max retries per request|None of startup nodes is available|Cluster isn't ready|Failed to refresh slots cache/i.test(message)) {
    return make(`lost the connection to ${where}: ${message}`, 'unreachable');
  }
  if (/^(LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|BUSY)\b/.test(message)) return make(`${where} cannot answer now: ${message}`, 'unreachable');
  if (/^[A-Z]+ /.test(message) && error instanceof Error && /ReplyError/.test(error.name)) {
    return make(`${where} refused the command: ${message}`, 'query');
  }
  return make(`reading from ${where} failed: ${message}`, code?.startsWith('E') ? 'unreachable' : 'internal');
}

/** What a sentinel reported, without ioredis's own wording around it. */
function redisText(message: string): string {
  const last = /Last error: (.*)$/.exec(message) ?? / because (.*)$/.exec(message);
  return last ? last[1]! : message;
}
