// Session tags: GitHub's context first, values sanitised as STS requires, the essential subset
// after PackedPolicyTooLarge, and custom-tags refused when STS would refuse them.
import { describe, expect, it } from 'vitest';
import {
  buildSessionTags,
  essentialTags,
  PROTECTED_TAG_KEYS,
  parseCustomTags,
  sanitizeTagValue,
} from '../../src/aws/session-tags.js';
import { InputError } from '../../src/common/errors.js';

const CONTEXT = {
  GITHUB_REPOSITORY: 'acme/app',
  GITHUB_WORKFLOW: 'CI (deploy) #1',
  GITHUB_ACTION: '__self',
  GITHUB_ACTOR: 'octocat',
  GITHUB_SHA: 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00',
  GITHUB_REF: 'refs/heads/feature/x',
};

describe('buildSessionTags', () => {
  it("sends upstream's tags in upstream's order, Branch as the full ref, then the custom tags", () => {
    expect(buildSessionTags(CONTEXT, { Team: 'payments' })).toEqual([
      { Key: 'GitHub', Value: 'Actions' },
      { Key: 'Repository', Value: 'acme/app' },
      { Key: 'Workflow', Value: 'CI _deploy_ _1' },
      { Key: 'Action', Value: '__self' },
      { Key: 'Actor', Value: 'octocat' },
      { Key: 'Commit', Value: CONTEXT.GITHUB_SHA },
      { Key: 'Branch', Value: 'refs/heads/feature/x' },
      { Key: 'Team', Value: 'payments' },
    ]);
  });

  it('leaves out what the context does not have', () => {
    expect(buildSessionTags({ GITHUB_REPOSITORY: 'acme/app' }, {}).map((t) => t.Key)).toEqual([
      'GitHub',
      'Repository',
    ]);
  });
});

describe('sanitizeTagValue', () => {
  it('keeps letters, spaces, digits and _.:/=+-@ and replaces the rest with _', () => {
    expect(sanitizeTagValue('Build & Test: ünïcode/ok=1+2-3@x_y.z')).toBe(
      'Build _ Test: ünïcode/ok=1+2-3@x_y.z',
    );
    expect(sanitizeTagValue('a*b"c\'d(e)')).toBe('a_b_c_d_e_');
  });

  it('cuts at 256 characters', () => {
    expect(sanitizeTagValue('x'.repeat(300))).toHaveLength(256);
  });

  it('produces only characters STS accepts in a tag value', () => {
    const value = sanitizeTagValue('weird !#$%^&*()[]{};\'",<>?\\|`~ value');
    expect(value).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u);
  });
});

describe('essentialTags', () => {
  it('keeps GitHub, Repository, Commit and the transitive keys, in order', () => {
    const tags = buildSessionTags(CONTEXT, { Team: 'payments', Cost: '42' });
    expect(essentialTags(tags, ['Team']).map((t) => t.Key)).toEqual([
      'GitHub',
      'Repository',
      'Commit',
      'Team',
    ]);
  });
});

describe('parseCustomTags', () => {
  it('reads a JSON object, turning numbers and booleans into strings', () => {
    expect(parseCustomTags('{"Team":"payments","Cost":42,"Prod":true}')).toEqual({
      Team: 'payments',
      Cost: '42',
      Prod: 'true',
    });
    expect(parseCustomTags(undefined)).toEqual({});
  });

  it.each([
    ['[]', /not a JSON object/],
    ['"x"', /not a JSON object/],
    ['{', /not a JSON object/],
    ['{"":"v"}', /not a valid tag key/],
    [`{"${'k'.repeat(129)}":"v"}`, /not a valid tag key/],
    ['{"bad*key":"v"}', /not a valid tag key/],
    ['{"Team":{"nested":1}}', /not a string/],
    ['{"Repository":"evil/repo"}', /may not set "Repository"/],
  ])('refuses %s', (json, message) => {
    expect(() => parseCustomTags(json)).toThrow(InputError);
    expect(() => parseCustomTags(json)).toThrow(message);
  });

  it('accepts keys of 128 characters and at most 50 tags in all', () => {
    expect(Object.keys(parseCustomTags(`{"${'k'.repeat(128)}":"v"}`))).toHaveLength(1);
    const room = 50 - PROTECTED_TAG_KEYS.length;
    const tags = (n: number) =>
      JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`K${i}`, 'v'])));
    expect(Object.keys(parseCustomTags(tags(room)))).toHaveLength(room);
    expect(() => parseCustomTags(tags(room + 1))).toThrow(/limit of 50/);
  });

  it('protects every key the action sets', () => {
    expect(PROTECTED_TAG_KEYS).toEqual([
      'GitHub',
      'Repository',
      'Workflow',
      'Action',
      'Actor',
      'Commit',
      'Branch',
    ]);
    for (const key of PROTECTED_TAG_KEYS) expect(() => parseCustomTags(`{"${key}":"v"}`)).toThrow(InputError);
  });
});
