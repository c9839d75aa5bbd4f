import { defineConfig } from 'vitest/config';

export default defineConfig({
  // inversify's decorators are TypeScript's legacy ones; vite's oxc transform must be told so.
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  test: {
    include: ['core/src/**/*.test.ts', 'scalers/*/src/**/*.test.ts', 'adapter/src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    setupFiles: ['reflect-metadata'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
