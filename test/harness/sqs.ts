import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import { answerAssumeRole, answerAssumeRoleWithWebIdentity, AwsKeyTable, readBody, stsError, verifySigV4, type AwsKey } from './aws-auth.js';

/**
 * fauxqs 1.9.2, in process, on 127.0.0.1, behind a small front that adds what fauxqs leaves out:
 * it checks SigV4 signatures against a key table (fauxqs accepts any credentials), answers STS
 * AssumeRole and AssumeRoleWithWebIdentity (fauxqs's STS answers only GetCallerIdentity), counts calls per action, and can hold
 * back or fail the next calls of an action. Everything else is fauxqs's own answer.
 *
 * fauxqs finds a queue only by the exact QueueUrl it returned, and it moves delayed messages to
 * visible, and expired in-flight messages back, only when a ReceiveMessage runs.
 */
export interface SqsServer {
  /** `awsEndpoint` for triggers and clients: the front's `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly region: string;
  readonly keys: AwsKeyTable;
  /** The key the test's own client (`admin`) signs with. */
  readonly adminKey: AwsKey;
  /** A real SQS client for setting queues up. */
  readonly admin: SQSClient;
  /** Requests per action (`GetQueueAttributes`, `GetQueueUrl`, `AssumeRole`), signed or not. */
  calls(action: string): number;
  /** The access key IDs that signed the accepted requests of `action`, in order. */
  signers(action: string): string[];
  resetCalls(): void;
  /** Creates a queue and returns the QueueUrl fauxqs answers (the only way it finds the queue again). */
  createQueue(name: string, attributes?: Record<string, string>): Promise<string>;
  /** Sends `count` messages (with `DelaySeconds` when given). */
  send(queueUrl: string, count: number, delaySeconds?: number): Promise<void>;
  /** Receives up to `count` messages and keeps them in flight for `visibilitySeconds`. */
  receive(queueUrl: string, count: number, visibilitySeconds?: number): Promise<number>;
  /** Holds back the answers to `action` for `ms` until cleared with 0. */
  delay(action: string, ms: number): void;
  /** Answers the next `times` calls of `action` with an AWS JSON error. */
  failNext(action: string, error: { status: number; type: string; queryCode: string; message: string; times?: number }): void;
  stop(): Promise<void>;
}

interface Injected {
  status: number;
  type: string;
  queryCode: string;
  message: string;
  times: number;
}

function sendJsonError(res: ServerResponse, status: number, type: string, queryCode: string, message: string): void {
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'x-amzn-query-error': `${queryCode};Sender`,
    'x-amzn-requestid': crypto.randomUUID(),
  });
  res.end(JSON.stringify({ __type: type, message }));
}

function sendXml(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': crypto.randomUUID() });
  res.end(body);
}

export async function startSqs(options: { region?: string } = {}): Promise<SqsServer> {
  const region = options.region ?? 'eu-west-1';
  const fauxqs = buildApp({ logger: false, defaultRegion: region });
  await fauxqs.listen({ port: 0, host: '127.0.0.1' });
  const fauxqsPort = (fauxqs.server.address() as AddressInfo).port;

  const keys = new AwsKeyTable();
  const adminKey = keys.addKey({ accessKeyId: 'AKIAADMINTESTKEY0001', secretAccessKey: 'admin-secret-key' });
  const counts = new Map<string, number>();
  const signed: { action: string; accessKeyId: string }[] = [];
  const delays = new Map<string, number>();
  const failures = new Map<string, Injected>();

  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse) => {
    const upstream = httpRequest({ host: '127.0.0.1', port: fauxqsPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (error) => {
      res.writeHead(502);
      res.end(String(error));
    });
    upstream.end(body);
  };

  const front: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const contentType = req.headers['content-type'] ?? '';
      const form = contentType.includes('x-www-form-urlencoded') ? new URLSearchParams(body.toString('utf8')) : undefined;
      const target = req.headers['x-amz-target'];
      const action = form?.get('Action') ?? (typeof target === 'string' ? target.replace(/^AmazonSQS\./, '') : 'unknown');
      counts.set(action, (counts.get(action) ?? 0) + 1);

      if (form?.get('Action') === 'AssumeRoleWithWebIdentity') {
        const answer = answerAssumeRoleWithWebIdentity(form, keys);
        return sendXml(res, answer.status, answer.body);
      }
      const auth = verifySigV4({ method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers }, body, keys);
      if (!auth.ok) {
        if (form) return sendXml(res, auth.status, stsError(auth.status, auth.code, auth.message).body);
        return sendJsonError(res, auth.status, `com.amazon.coral.service#${auth.code}`, auth.code, auth.message);
      }
      const service = form ? 'sts' : 'sqs';
      if (auth.service !== service) {
        const message = `Credential should be scoped to correct service: '${service}'.`;
        if (form) return sendXml(res, 403, stsError(403, 'SignatureDoesNotMatch', message).body);
        return sendJsonError(res, 403, 'com.amazon.coral.service#SignatureDoesNotMatch', 'SignatureDoesNotMatch', message);
      }
      signed.push({ action, accessKeyId: auth.key.accessKeyId });
      const wait = delays.get(action) ?? 0;
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const failure = failures.get(action);
      if (failure && failure.times > 0) {
        failure.times -= 1;
        return sendJsonError(res, failure.status, failure.type, failure.queryCode, failure.message);
      }
      if (form?.get('Action') === 'AssumeRole') {
        const answer = answerAssumeRole(form, auth.key, keys);
        return sendXml(res, answer.status, answer.body);
      }
      forward(req, body, res);
    })().catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;

  const admin = new SQSClient({
    region,
    endpoint,
    credentials: { accessKeyId: adminKey.accessKeyId, secretAccessKey: adminKey.secretAccessKey },
    useQueueUrlAsEndpoint: false,
  });

  return {
    endpoint,
    region,
    keys,
    adminKey,
    admin,
    calls: (action) => counts.get(action) ?? 0,
    signers: (action) => signed.filter((entry) => entry.action === action).map((entry) => entry.accessKeyId),
    resetCalls() {
      counts.clear();
      signed.length = 0;
    },
    async createQueue(name, attributes) {
      const { QueueUrl } = await admin.send(new CreateQueueCommand({ QueueName: name, ...(attributes ? { Attributes: attributes } : {}) }));
      if (!QueueUrl) throw new Error(`fauxqs created ${name} without a QueueUrl`);
      return QueueUrl;
    },
    async send(queueUrl, count, delaySeconds) {
      for (let i = 0; i < count; i++) {
        await admin.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: `message ${i}`, ...(delaySeconds === undefined ? {} : { DelaySeconds: delaySeconds }) }));
      }
    },
    async receive(queueUrl, count, visibilitySeconds = 900) {
      const { Messages } = await admin.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: count, VisibilityTimeout: visibilitySeconds, WaitTimeSeconds: 0 }));
      return Messages?.length ?? 0;
    },
    delay(action, ms) {
      delays.set(action, ms);
    },
    failNext(action, error) {
      failures.set(action, { ...error, times: error.times ?? 1 });
    },
    async stop() {
      admin.destroy();
      front.closeAllConnections();
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await fauxqs.close();
    },
  };
}
