export * from './tls.js';
export * from './http-auth.js';
export * from './tls-options.js';
