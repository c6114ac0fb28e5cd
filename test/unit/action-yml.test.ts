// action.yml against the code: every input the code reads is declared (and nothing more), upstream's
// inputs and outputs are all there, and the descriptions state the defaults the code uses.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { INPUT_NAMES } from '../../src/inputs/names.js';
import { DEFAULTS } from '../../src/inputs/settings.js';
import { interpolate } from '../support/expressions.js';

interface ActionYml {
  name: string;
  description: string;
  author?: string;
  branding?: { icon?: string; color?: string };
  inputs: Record<string, { description?: string; default?: unknown; required?: boolean }>;
  outputs: Record<string, { description?: string }>;
  runs: Record<string, string>;
}

const action = parse(readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')) as ActionYml;

/** The inputs and outputs of configure-aws-credentials v6.2.3, from its documentation. */
const UPSTREAM_INPUTS = [
  'aws-region',
  'role-to-assume',
  'aws-access-key-id',
  'aws-secret-access-key',
  'aws-session-token',
  'web-identity-token-file',
  'role-chaining',
  'audience',
  'http-proxy',
  'no-proxy',
  'mask-aws-account-id',
  'role-duration-seconds',
  'role-external-id',
  'role-session-name',
  'role-skip-session-tagging',
  'transitive-tag-keys',
  'inline-session-policy',
  'managed-session-policies',
  'output-credentials',
  'output-env-credentials',
  'unset-current-credentials',
  'disable-retry',
  'retry-max-attempts',
  'special-characters-workaround',
  'use-existing-credentials',
  'allowed-account-ids',
  'force-skip-oidc',
  'action-timeout-s',
  'custom-tags',
  'sts-endpoint',
  'aws-profile',
  'overwrite-aws-profile',
];
const UPSTREAM_OUTPUTS = [
  'aws-account-id',
  'authenticated-arn',
  'aws-access-key-id',
  'aws-secret-access-key',
  'aws-session-token',
  'aws-expiration',
];

describe('action.yml', () => {
  it('declares exactly the inputs the code reads', () => {
    expect(Object.keys(action.inputs).sort()).toEqual([...INPUT_NAMES].sort());
  });

  it("has every upstream input and output, under upstream's names", () => {
    expect(Object.keys(action.inputs)).toEqual(expect.arrayContaining(UPSTREAM_INPUTS));
    expect(Object.keys(action.outputs).sort()).toEqual([...UPSTREAM_OUTPUTS].sort());
  });

  it('keeps defaults in the code, so the environment fallback can apply, and requires nothing', () => {
    for (const [name, spec] of Object.entries(action.inputs)) {
      // Only the runner knows the matrix: that one default is an expression it evaluates.
      if (name !== 'concurrent-jobs') expect(spec.default, name).toBeUndefined();
      expect(spec.required ?? false, name).toBe(false);
      expect(spec.description?.trim(), name).toBeTruthy();
    }
    for (const [name, spec] of Object.entries(action.outputs))
      expect(spec.description?.trim(), name).toBeTruthy();
  });

  it('states the defaults the code uses', () => {
    expect(action.inputs.audience?.description).toContain(`Default ${DEFAULTS.audience}`);
    expect(action.inputs['role-session-name']?.description).toContain(`Default ${DEFAULTS.sessionName}`);
    expect(action.inputs['role-duration-seconds']?.description).toContain(
      `Default ${DEFAULTS.durationSeconds}`,
    );
    expect(action.inputs['retry-max-attempts']?.description).toContain(
      `Default ${DEFAULTS.retryMaxAttempts}`,
    );
  });

  it("defaults concurrent-jobs to the matrix's size, or its max-parallel when smaller", () => {
    const fallback = String(action.inputs['concurrent-jobs']?.default);
    const evaluated = (strategy: Record<string, unknown>) =>
      interpolate(fallback, { contexts: { strategy } });
    // What GitHub gives a job without a matrix.
    expect(evaluated({ 'job-index': 0, 'job-total': 1, 'max-parallel': 1 })).toBe('1');
    expect(evaluated({ 'job-index': 5, 'job-total': 32, 'max-parallel': 32 })).toBe('32');
    expect(evaluated({ 'job-index': 5, 'job-total': 256, 'max-parallel': 8 })).toBe('8');
    // Should max-parallel be missing, the matrix's size.
    expect(evaluated({ 'job-index': 5, 'job-total': 128 })).toBe('128');
  });

  it('runs on node24 with a post step that AWS_SKIP_CLEANUP_STEP can skip', () => {
    expect(action.runs.using).toBe('node24');
    expect(action.runs.post).toBeTruthy();
    expect(action.runs['post-if']).toContain("env.AWS_SKIP_CLEANUP_STEP != 'true'");
  });

  it('has what the Marketplace requires: a name, a short description and branding', () => {
    expect(action.name.trim()).toBeTruthy();
    expect(action.description.trim()).toBeTruthy();
    // The Marketplace cuts descriptions at 125 characters.
    expect(action.description.length).toBeLessThanOrEqual(125);
    // Branding colors are a fixed list; icons are Feather icon names (lower-case, hyphenated).
    expect(['white', 'black', 'yellow', 'blue', 'green', 'orange', 'red', 'purple', 'gray-dark']).toContain(
      action.branding?.color,
    );
    expect(action.branding?.icon).toMatch(/^[a-z][a-z0-9-]*$/);
  });
});
