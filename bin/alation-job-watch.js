#!/usr/bin/env node
// The CLI is written in TypeScript; tsx compiles it on the fly, so `npx alation-job-watch`
// works straight from a checkout with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../shared/cli/main.ts');
process.exitCode = await main(process.argv);
