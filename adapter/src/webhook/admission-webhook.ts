import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ScalerRegistry } from '@updraft/core';
import { WEBHOOK_PATHS } from '../install/manifests.js';
import { review, type AdmissionClusterView, type AdmissionRequest } from './admission-review.js';

const MAX_BODY = 3 * 1024 * 1024;
const PATHS = new Set<string>(Object.values(WEBHOOK_PATHS));

interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/**
 * The validating admission webhook on the adapter's HTTPS port. The API server calls it without
 * credentials (as it calls KEDA's), so it is routed before the external metrics API's authentication;
 * it only reads what it is sent and answers, and never writes anything.
 */
export class AdmissionWebhook {
  constructor(
    private readonly registry: ScalerRegistry,
    private readonly kedaNamespace: string,
    private readonly logger: Logger,
    private readonly cluster: () => AdmissionClusterView | undefined = () => undefined,
  ) {}

  handles(request: IncomingMessage): boolean {
    const url = request.url ?? '';
    const mark = url.indexOf('?');
    return PATHS.has(mark < 0 ? url : url.slice(0, mark));
  }

  readonly handle = (request: IncomingMessage, response: ServerResponse): void => {
    const send = (code: number, body: unknown) => {
      const text = JSON.stringify(body);
      response.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      response.end(text);
    };
    const fail = (code: number, message: string) => send(code, { apiVersion: 'v1', kind: 'Status', status: 'Failure', code, message });
    if (request.method !== 'POST') return fail(405, 'the admission webhook takes POST with an AdmissionReview');
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        fail(413, 'AdmissionReview larger than 3 MiB');
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (response.headersSent) return;
      let body: { apiVersion?: string; kind?: string; request?: AdmissionRequest };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
      } catch {
        return fail(400, 'the body is not JSON');
      }
      if (body.kind !== 'AdmissionReview' || body.apiVersion !== 'admission.k8s.io/v1' || typeof body.request?.uid !== 'string') {
        return fail(400, 'expected an admission.k8s.io/v1 AdmissionReview with a request.uid');
      }
      let answer;
      try {
        const cluster = this.cluster();
        answer = review(body.request, { registry: this.registry, kedaNamespace: this.kedaNamespace, ...(cluster ? { cluster } : {}) });
      } catch (error) {
        this.logger.warn({ error: (error as Error).message, uid: body.request.uid }, 'admission review failed');
        return fail(500, `the admission review failed: ${(error as Error).message}`);
      }
      const { kind, namespace, name, operation } = body.request;
      this.logger[answer.allowed ? 'debug' : 'info'](
        { kind: kind?.kind, namespace, name: name ?? (body.request.object as { metadata?: { name?: string } } | undefined)?.metadata?.name, operation, allowed: answer.allowed, ...(answer.status ? { message: answer.status.message } : {}) },
        answer.allowed ? 'admitted' : 'denied',
      );
      send(200, { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: answer });
    });
  };
}
