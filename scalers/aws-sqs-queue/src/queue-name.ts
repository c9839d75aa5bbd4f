/** The queue name of a `queueURL`, or why there is none. */
export type QueueNameResult = { readonly ok: true; readonly queueName: string } | { readonly ok: false; readonly message: string };

/**
 * The SQS queue name of a trigger's `queueURL`, exactly as KEDA derives it: if the value parses as
 * a request URI (Go's `url.ParseRequestURI`), its path must be `/<account-id>/<queue-name>`;
 * otherwise the whole value is the queue name (`my-queue`). Pure.
 */
export function sqsQueueName(queueURL: string): QueueNameResult {
  const path = requestURIPath(queueURL);
  if (path === undefined) return { ok: true, queueName: queueURL };
  const parts = path.split('/');
  if (parts.length !== 3 || parts[2] === '') {
    // KEDA: "cannot get queueName from queueURL"
    return {
      ok: false,
      message:
        'queueURL has no queue name: the path of a queue URL is /<account-id>/<queue-name>, as in https://sqs.eu-west-1.amazonaws.com/123456789012/my-queue; a bare queue name (my-queue) also works',
    };
  }
  return { ok: true, queueName: parts[2]! };
}

/**
 * The decoded path of `raw` if Go's `url.ParseRequestURI(raw)` accepts it, else undefined. Only
 * what decides acceptance and the path is ported: scheme, query, opaque form, authority, escapes.
 */
function requestURIPath(raw: string): string | undefined {
  if (raw === '' || /[\x00-\x1f\x7f]/.test(raw)) return undefined;
  if (raw === '*') return '*';
  const split = splitScheme(raw);
  if (split === undefined) return undefined;
  let rest = split.rest;
  const question = rest.indexOf('?');
  if (question >= 0) rest = rest.slice(0, question);
  if (!rest.startsWith('/')) {
    // With a scheme, a rootless rest is an opaque URI (valid, empty path); without one, not a request URI.
    return split.scheme !== '' ? '' : undefined;
  }
  if (split.scheme !== '' && rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    const authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
    rest = slash < 0 ? '' : rest.slice(slash);
    if (!validAuthority(authority)) return undefined;
  }
  return unescape(rest); // a bad escape makes the whole value a non-URL, hence a bare name
}

/** Go's `getScheme`: a letter, then letters, digits, `+`, `-` or `.`, up to the first `:`. */
function splitScheme(raw: string): { scheme: string; rest: string } | undefined {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (/[A-Za-z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) return { scheme: '', rest: raw };
      continue;
    }
    if (c === ':') {
      if (i === 0) return undefined; // "missing protocol scheme"
      return { scheme: raw.slice(0, i).toLowerCase(), rest: raw.slice(i + 1) };
    }
    return { scheme: '', rest: raw };
  }
  return { scheme: '', rest: raw };
}

// Go's validUserinfo, and the ASCII characters shouldEscape(c, encodeHost) lets through.
const USERINFO = /^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/;
const HOST_CHAR = /[A-Za-z0-9!$&'()*+,;=:[\]<>"\-_.~%]|[^\x00-\x7f]/;

function validAuthority(authority: string): boolean {
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    if (!USERINFO.test(userinfo) || unescape(userinfo) === undefined) return false;
  }
  return validHost(at >= 0 ? authority.slice(at + 1) : authority);
}

function validHost(host: string): boolean {
  if (host.startsWith('[')) {
    const close = host.lastIndexOf(']');
    if (close < 0 || !validOptionalPort(host.slice(close + 1))) return false;
  } else {
    const colon = host.lastIndexOf(':');
    if (colon >= 0 && !validOptionalPort(host.slice(colon))) return false;
  }
  for (let i = 0; i < host.length; i++) {
    const c = host[i]!;
    if (!HOST_CHAR.test(c)) return false;
    if (c === '%') {
      // In a host, only %25 and escapes of non-ASCII bytes are allowed.
      const hex = host.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex) || (parseInt(hex, 16) < 0x80 && hex !== '25')) return false;
      i += 2;
    }
  }
  return true;
}

function validOptionalPort(port: string): boolean {
  return port === '' || /^:[0-9]*$/.test(port);
}

/** Go's `unescape` for a path: every `%` starts a two-digit hex escape; the bytes are read as UTF-8. */
function unescape(text: string): string | undefined {
  if (!text.includes('%')) return text;
  const bytes: number[] = [];
  const encoded = Buffer.from(text, 'utf8');
  for (let i = 0; i < encoded.length; i++) {
    const byte = encoded[i]!;
    if (byte !== 0x25) {
      bytes.push(byte);
      continue;
    }
    const hex = encoded.subarray(i + 1, i + 3).toString('latin1');
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
    bytes.push(parseInt(hex, 16));
    i += 2;
  }
  return Buffer.from(bytes).toString('utf8');
}
