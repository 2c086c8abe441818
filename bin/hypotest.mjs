#!/usr/bin/env node
// Command-line entry: Node 20 runs no TypeScript by itself, so load the CLI through tsx.
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';

register();
process.env.HYPOTEST_CLI = '1';
await import(fileURLToPath(new URL('../harness/cli.ts', import.meta.url)));
