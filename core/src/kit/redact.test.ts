import { describe, expect, it } from 'vitest';
import { defineMetadata } from '../metadata/declaration.js';
import { p } from '../metadata/param.js';
import { basicCredentials, SecretRedactor } from './redact.js';

describe('SecretRedactor', () => {
  it('replaces every occurrence, longest secret first, and its URL-encoded form', () => {
    const redactor = new SecretRedactor(['abc', 'abcdef', 'p@ss/word', undefined, '']);
    expect(redactor.redact('x abcdef y abc z')).toBe('x <redacted> y <redacted> z');
    expect(redactor.redact('user=p%40ss%2Fword')).toBe('user=<redacted>');
  });

  it('leaves values shorter than 3 characters alone', () => {
    expect(new SecretRedactor(['ab']).redact('ab cd')).toBe('ab cd');
  });

  it('forTrigger finds the secrets the declaration marks, basic credentials and URL passwords', () => {
    const declaration = defineMetadata({
      connection: p.string().describe('URL'),
      username: p.string().describe('user'),
      password: p.string().secret().describe('password'),
      headers: p.map().secret().describe('secret headers'),
      query: p.string().describe('not a secret'),
    });
    const metadata = { connection: 'postgres://app:conn-pass@db/x', username: 'alice', password: 'pw-123', headers: { a: 'hdr-secret' }, query: 'select 1' };
    const redactor = SecretRedactor.forTrigger(declaration, metadata, ['derived-token']);
    const text = `conn-pass pw-123 ${basicCredentials('alice', 'pw-123')} hdr-secret derived-token select 1`;
    expect(redactor.redact(text)).toBe('<redacted> <redacted> <redacted> <redacted> <redacted> select 1');
  });
});
