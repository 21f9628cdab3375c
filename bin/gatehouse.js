#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so `npx gatehouse` needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../main/cli.ts');
const code = await main(process.argv.slice(2));
// A long-running command (serve, demo) returns -1 and exits on a signal instead.
if (code >= 0) process.exit(code);
