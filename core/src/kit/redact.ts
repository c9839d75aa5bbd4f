import type { MetadataDeclaration } from '../metadata/declaration.js';
import type { ParamShape } from '../metadata/param.js';

/**
 * Replaces every credential in a text with `<redacted>`: a server may echo request headers back in
 * its error text, and an error message must never carry a secret. Values shorter than 3 characters
 * are left alone: they cannot be secrets worth the name, and would mangle every message.
 */
export class SecretRedactor {
  private readonly secrets: readonly string[];

  constructor(secrets: Iterable<string | undefined | null | false>) {
    const unique = new Set<string>();
    for (const secret of secrets) {
      if (!secret || secret.trim().length < 3) continue;
      unique.add(secret);
      // The forms a secret travels in: URL-encoded in a query or user info, base64 in basic auth.
      unique.add(encodeURIComponent(secret));
    }
    // Longest first, so a secret that contains another is replaced whole.
    this.secrets = [...unique].sort((a, b) => b.length - a.length);
  }

  /**
   * The redactor of one trigger: every value of a parameter its declaration marks `.secret()`, the
   * basic-auth credentials built from `username` and `password`, the password in any URL value, and
   * `extra` (secrets the scaler derives itself).
   */
  static forTrigger<S extends ParamShape>(declaration: MetadataDeclaration<S>, metadata: object, extra: Iterable<string | undefined> = []): SecretRedactor {
    const values = metadata as Record<string, unknown>;
    const secrets: (string | undefined)[] = [...extra];
    for (const [name, param] of Object.entries(declaration.params)) {
      const value = values[name];
      if (param.isSecret) secrets.push(...stringsOf(value));
      for (const text of stringsOf(value)) secrets.push(urlPassword(text));
    }
    if (typeof values['username'] === 'string') secrets.push(basicCredentials(values['username'], typeof values['password'] === 'string' ? values['password'] : undefined));
    return new SecretRedactor(secrets);
  }

  redact(text: string): string {
    let result = text;
    for (const secret of this.secrets) result = result.split(secret).join('<redacted>');
    return result;
  }
}

/** `username:password` as HTTP basic auth sends it (base64), so a redactor can find it echoed back. */
export function basicCredentials(username: string, password: string | undefined): string {
  return Buffer.from(`${username}:${password ?? ''}`).toString('base64');
}

function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  if (value && typeof value === 'object' && !(value instanceof Date)) return Object.values(value).filter((item): item is string => typeof item === 'string');
  return [];
}

function urlPassword(text: string): string | undefined {
  if (!text.includes('@') || !URL.canParse(text)) return undefined;
  const password = new URL(text).password;
  return password ? decodeURIComponent(password) : undefined;
}
