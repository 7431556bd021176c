#!/usr/bin/env node
// The `soap-balancer` executable. Sets the exit code and lets the process end by itself: after a
// clean close nothing is left to keep it alive, so no process.exit() that could cut output short.
import { runCli } from './run.js';

process.exitCode = await runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
});
