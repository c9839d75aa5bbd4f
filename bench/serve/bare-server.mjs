// The baseline: a bare node:https server that answers every request with the same bytes and
// headers as the adapter's answer to a cached metric read. Usage: bare-server.mjs CERT KEY BODY
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

const [cert, key, bodyFile] = process.argv.slice(2);
const body = readFileSync(bodyFile);
const server = createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length, 'cache-control': 'no-cache, private' });
  response.end(body);
});
server.keepAliveTimeout = 65_000;
server.headersTimeout = 70_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
});
