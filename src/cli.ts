#!/usr/bin/env node
/**
 * The command line (dist/cli/index.js, package.json `bin`): `aws-credentials-action assume ...` for
 * Bitbucket Pipelines, GitLab CI, CircleCI and GitHub Actions. See cli/run.ts.
 */
import { realSts } from './aws/sts.js';
import { runCli } from './cli/run.js';
import { processIo } from './cli/stdio.js';
import { PROGRAM } from './cli/usage.js';
import { DEFAULT_DEADLINE_MS } from './common/retry.js';

const io = processIo();
// The retries stop starting at the deadline and each call is bounded; this catches anything else.
const guard = setTimeout(() => {
  io.stderr(`${PROGRAM}: gave up after ${(DEFAULT_DEADLINE_MS + 30_000) / 1000} s without an answer.\n`);
  process.exit(1);
}, DEFAULT_DEADLINE_MS + 30_000);
guard.unref();
process.exitCode = await runCli(process.argv.slice(2), process.env, io, realSts);
