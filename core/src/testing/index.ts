export * from './readme.js';
