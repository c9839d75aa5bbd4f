export * from './param.js';
export * from './declaration.js';
export * from './docs.js';
export { coerceDuration } from './coerce.js';
