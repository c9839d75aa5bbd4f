#!/usr/bin/env node
// The `updraft` command. Kept outside dist/ so that npm can link it before the first build.
import { main } from '../dist/cli.js';

// A reader that went away (`updraft schema | head -1`) is not a failure: stop quietly, status 0.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

process.exitCode = await main(process.argv.slice(2));
