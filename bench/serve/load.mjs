// A small HTTP/1.1 load generator over raw keep-alive TLS connections: each connection sends the
// next request as soon as the previous answer is complete (no pipelining), like autocannon's
// default. Responses are framed by Content-Length only, which is what both servers send.
import { connect } from 'node:tls';

/**
 * @param {{ host: string, port: number, path: string, connections: number, durationMs: number, warmupMs: number }} options
 * @returns {Promise<{ requests: number, seconds: number, rps: number, p50: number, p90: number, p99: number, max: number, errors: number, statuses: Record<string, number> }>}
 */
export function load({ host, port, path, connections, durationMs, warmupMs }) {
  const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nAccept: application/json, */*\r\nUser-Agent: updraft-bench\r\n\r\n`);
  const latencies = [];
  const statuses = {};
  let errors = 0;
  let recording = false;
  let stopped = false;
  let recordStart = 0;
  let recordEnd = 0;

  return new Promise((resolve, reject) => {
    let open = 0;
    const sockets = [];
    const finish = () => {
      const seconds = (recordEnd - recordStart) / 1000;
      const sorted = Float64Array.from(latencies).sort();
      const at = (q) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
      resolve({ requests: sorted.length, seconds, rps: sorted.length / seconds, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[sorted.length - 1] ?? NaN, errors, statuses });
    };

    for (let i = 0; i < connections; i += 1) {
      const socket = connect({ host, port, rejectUnauthorized: false, servername: 'localhost' });
      sockets.push(socket);
      socket.setNoDelay(true);
      let buffer = Buffer.alloc(0);
      let sentAt = 0;
      const send = () => {
        if (stopped) {
          socket.end();
          return;
        }
        sentAt = performance.now();
        socket.write(request);
      };
      socket.on('secureConnect', () => {
        open += 1;
        send();
      });
      socket.on('data', (chunk) => {
        buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
        for (;;) {
          const headerEnd = buffer.indexOf('\r\n\r\n');
          if (headerEnd < 0) return;
          const head = buffer.toString('latin1', 0, headerEnd);
          const lengthMatch = /\r\ncontent-length:\s*(\d+)/i.exec(head);
          const length = lengthMatch ? Number(lengthMatch[1]) : 0;
          const total = headerEnd + 4 + length;
          if (buffer.length < total) return;
          const status = head.slice(9, 12);
          buffer = buffer.subarray(total);
          if (recording) {
            latencies.push(performance.now() - sentAt);
            statuses[status] = (statuses[status] ?? 0) + 1;
          }
          send();
        }
      });
      socket.on('error', (error) => {
        errors += 1;
        if (open === 0 && errors === connections) reject(error);
      });
    }

    setTimeout(() => {
      recording = true;
      recordStart = performance.now();
      setTimeout(() => {
        recording = false;
        recordEnd = performance.now();
        stopped = true;
        // Let the requests in flight finish, then close everything.
        setTimeout(() => {
          for (const socket of sockets) socket.destroy();
          finish();
        }, 200);
      }, durationMs);
    }, warmupMs);
  });
}
