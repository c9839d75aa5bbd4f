export * from './tls.js';
export * from './http-auth.js';
