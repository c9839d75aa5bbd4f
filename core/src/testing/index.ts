export * from './readme.js';
export { scalerConformance, type ConformanceCases, type ConformanceTestApi, type TestAddress, type TriggerCase } from './conformance.js';
