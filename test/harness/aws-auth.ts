import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * What the test AWS servers (the SQS front of fauxqs, the CloudWatch server) check of a request,
 * as AWS does: a SigV4 signature by a known access key, with its session token if it has one.
 * They also answer STS AssumeRole, which fauxqs does not, so that role assumption is tested
 * end to end: the role's temporary keys are added to the table and then sign the real calls.
 */

export interface AwsKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Temporary keys are valid only with their session token. */
  readonly sessionToken?: string;
  /** The account the key belongs to (the CloudWatch server keeps metrics per account). */
  readonly accountId: string;
  /** Who the key is: a user, or `assumed-role/<role>/<session>`. */
  readonly arn: string;
}

export interface AwsRole {
  readonly roleArn: string;
  /** When set, AssumeRole must pass exactly this ExternalId. */
  readonly externalId?: string;
  /** Whether the role's trust policy accepts the cluster's web identity tokens (AssumeRoleWithWebIdentity); default false. */
  readonly trustsWebIdentity?: boolean;
}

/** An issued AssumeRole, for assertions. */
export interface AssumedRole {
  readonly roleArn: string;
  readonly externalId: string | undefined;
  readonly sessionName: string;
  /** The access key that signed AssumeRole, or `web-identity:<subject>` for AssumeRoleWithWebIdentity. */
  readonly signedBy: string;
  readonly accessKeyId: string;
}

/** The access keys and roles a test server accepts. */
export class AwsKeyTable {
  private readonly keys = new Map<string, AwsKey>();
  private readonly roles = new Map<string, AwsRole>();
  private readonly webIdentityTokens = new Map<string, string>();
  readonly assumed: AssumedRole[] = [];

  /** A web identity token (as a projected ServiceAccount token file holds it) and the subject it names. */
  addWebIdentityToken(token: string, subject: string): void {
    this.webIdentityTokens.set(token, subject);
  }

  webIdentitySubject(token: string): string | undefined {
    return this.webIdentityTokens.get(token);
  }

  addKey(key: Omit<AwsKey, 'arn' | 'accountId'> & { accountId?: string; arn?: string }): AwsKey {
    const accountId = key.accountId ?? '000000000000';
    const full: AwsKey = { ...key, accountId, arn: key.arn ?? `arn:aws:iam::${accountId}:user/${key.accessKeyId}` };
    this.keys.set(key.accessKeyId, full);
    return full;
  }

  addRole(role: AwsRole): void {
    this.roles.set(role.roleArn, role);
  }

  key(accessKeyId: string): AwsKey | undefined {
    return this.keys.get(accessKeyId);
  }

  role(roleArn: string): AwsRole | undefined {
    return this.roles.get(roleArn);
  }
}

/** A failed check, as the AWS JSON protocols and STS report it. */
export interface AwsAuthFailure {
  readonly ok: false;
  readonly status: number;
  /** The AWS error code, e.g. `InvalidClientTokenId`. */
  readonly code: string;
  readonly message: string;
}

export interface AwsAuthSuccess {
  readonly ok: true;
  readonly key: AwsKey;
  readonly region: string;
  readonly service: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** RFC 3986 encoding, as SigV4 canonicalizes query strings. */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalQuery(query: string): string {
  if (query === '') return '';
  return query
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const [key, value = ''] = part.split('=');
      return [uriEncode(decodeURIComponent(key!)), uriEncode(decodeURIComponent(value))] as const;
    })
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

/**
 * Checks a request's SigV4 signature (header form) against the key table: the signature is
 * computed again from the method, path, query, signed headers and the raw body, with the key's
 * secret. The codes are AWS's: MissingAuthenticationToken, IncompleteSignature,
 * InvalidClientTokenId (unknown key or wrong session token), SignatureDoesNotMatch.
 */
export function verifySigV4(
  request: { readonly method: string; readonly url: string; readonly headers: IncomingHttpHeaders },
  body: Buffer,
  keys: AwsKeyTable,
): AwsAuthSuccess | AwsAuthFailure {
  const authorization = header(request.headers, 'authorization');
  if (!authorization) return { ok: false, status: 403, code: 'MissingAuthenticationToken', message: 'Request is missing Authentication Token' };
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(authorization);
  if (!match) return { ok: false, status: 400, code: 'IncompleteSignature', message: 'Authorization header requires Credential, SignedHeaders and Signature' };
  const [, accessKeyId, date, region, service, signedHeaderList, signature] = match as unknown as [string, string, string, string, string, string, string];
  const key = keys.key(accessKeyId);
  if (!key) return { ok: false, status: 403, code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' };
  const token = header(request.headers, 'x-amz-security-token');
  if (key.sessionToken !== undefined && token !== key.sessionToken) {
    return { ok: false, status: 403, code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' };
  }
  const amzDate = header(request.headers, 'x-amz-date');
  if (!amzDate || !amzDate.startsWith(date)) return { ok: false, status: 400, code: 'IncompleteSignature', message: 'X-Amz-Date is missing or does not match the credential scope' };

  const [path = '/', query = ''] = request.url.split('?', 2);
  const signedHeaders = signedHeaderList.split(';');
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${(header(request.headers, name) ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const payloadHash = sha256Hex(body);
  const declaredHash = header(request.headers, 'x-amz-content-sha256');
  if (declaredHash !== undefined && declaredHash !== 'UNSIGNED-PAYLOAD' && declaredHash !== payloadHash) {
    return { ok: false, status: 400, code: 'XAmzContentSHA256Mismatch', message: 'The provided x-amz-content-sha256 header does not match what was computed.' };
  }
  const canonicalRequest = [request.method, path, canonicalQuery(query), canonicalHeaders, signedHeaderList, payloadHash].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${key.secretAccessKey}`, date), region), service), 'aws4_request');
  const expected = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest();
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
    return {
      ok: false,
      status: 403,
      code: 'SignatureDoesNotMatch',
      message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    };
  }
  return { ok: true, key, region, service };
}

/** An answer of the STS Query protocol (XML). */
export interface StsAnswer {
  readonly status: number;
  readonly body: string;
}

const STS_XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** An STS Query-protocol error document. */
export function stsError(status: number, code: string, message: string): StsAnswer {
  return {
    status,
    body: `<ErrorResponse xmlns="${STS_XMLNS}"><Error><Type>Sender</Type><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  };
}

/**
 * STS `AssumeRole` (Query protocol, form-encoded body): checks the role exists and the external ID
 * its trust policy asks for, then issues temporary keys, valid with their session token, in the
 * role's account. The caller must have passed `verifySigV4` already.
 */
export function answerAssumeRole(form: URLSearchParams, caller: AwsKey, keys: AwsKeyTable): StsAnswer {
  const roleArn = form.get('RoleArn') ?? '';
  const externalId = form.get('ExternalId') ?? undefined;
  const role = keys.role(roleArn);
  if (!role || (role.externalId !== undefined && role.externalId !== externalId)) {
    return stsError(403, 'AccessDenied', `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
  }
  return issueRoleCredentials('AssumeRole', form, externalId, caller.accessKeyId, keys);
}

/**
 * STS `AssumeRoleWithWebIdentity`, which is not signed: the web identity token (IRSA's projected
 * ServiceAccount token) is the proof. The token must be one the table knows, and the role must trust
 * web identities.
 */
export function answerAssumeRoleWithWebIdentity(form: URLSearchParams, keys: AwsKeyTable): StsAnswer {
  const roleArn = form.get('RoleArn') ?? '';
  const subject = keys.webIdentitySubject((form.get('WebIdentityToken') ?? '').trim());
  if (subject === undefined) return stsError(400, 'InvalidIdentityToken', 'The web identity token that was passed could not be validated by AWS.');
  if (!keys.role(roleArn)?.trustsWebIdentity) {
    return stsError(403, 'AccessDenied', `Not authorized to perform sts:AssumeRoleWithWebIdentity on resource: ${roleArn}`);
  }
  return issueRoleCredentials('AssumeRoleWithWebIdentity', form, undefined, `web-identity:${subject}`, keys, subject);
}

/** Temporary keys for an assumed role, valid with their session token, in the role's account. */
function issueRoleCredentials(action: 'AssumeRole' | 'AssumeRoleWithWebIdentity', form: URLSearchParams, externalId: string | undefined, signedBy: string, keys: AwsKeyTable, subject?: string): StsAnswer {
  const roleArn = form.get('RoleArn') ?? '';
  const sessionName = form.get('RoleSessionName') ?? '';
  const accountId = /^arn:aws:iam::(\d{12}):role\//.exec(roleArn)?.[1] ?? '000000000000';
  const roleName = roleArn.split('/').pop() ?? 'role';
  const issued = keys.addKey({
    accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(20).toString('base64'),
    sessionToken: randomBytes(32).toString('base64'),
    accountId,
    arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
  });
  keys.assumed.push({ roleArn, externalId, sessionName, signedBy, accessKeyId: issued.accessKeyId });
  const expiration = new Date(Date.now() + 3600_000).toISOString();
  return {
    status: 200,
    body: [
      `<${action}Response xmlns="${STS_XMLNS}"><${action}Result>`,
      `<Credentials><AccessKeyId>${issued.accessKeyId}</AccessKeyId><SecretAccessKey>${xmlEscape(issued.secretAccessKey)}</SecretAccessKey>`,
      `<SessionToken>${xmlEscape(issued.sessionToken!)}</SessionToken><Expiration>${expiration}</Expiration></Credentials>`,
      subject === undefined ? '' : `<SubjectFromWebIdentityToken>${xmlEscape(subject)}</SubjectFromWebIdentityToken>`,
      `<AssumedRoleUser><AssumedRoleId>AROA${randomBytes(8).toString('hex').toUpperCase()}:${xmlEscape(sessionName)}</AssumedRoleId><Arn>${xmlEscape(issued.arn)}</Arn></AssumedRoleUser>`,
      `</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
    ].join(''),
  };
}

/** Reads a request body whole. */
export async function readBody(stream: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}
