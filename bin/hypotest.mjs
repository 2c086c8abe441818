#!/usr/bin/env node
// Command-line entry: Node 20 runs no TypeScript by itself, so load the CLI through tsx.
// The reporters' CLI runs the harness's commands and adds what the reporters write (prereg.pdf after a lock).
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';

register();
process.env.HYPOTEST_REPORTER_CLI = '1';
await import(fileURLToPath(new URL('../reporters/cli.ts', import.meta.url)));
