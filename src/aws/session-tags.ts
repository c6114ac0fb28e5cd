import { InputError } from '../common/errors.js';

/** Upstream's session tags, in its order; custom tags may not replace them. */
export const PROTECTED_TAG_KEYS = ['GitHub', 'Repository', 'Workflow', 'Action', 'Actor', 'Commit', 'Branch'];
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const MAX_TAGS = 50;
const MAX_VALUE_LENGTH = 256;

export interface Tag {
  Key: string;
  Value: string;
}

/** STS accepts only these characters in tag values; anything else becomes `_`, as upstream does. */
export function sanitizeTagValue(value: string): string {
  return value.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_').slice(0, MAX_VALUE_LENGTH);
}

/**
 * The session tags sent with AssumeRole from user credentials: GitHub's context first, then the
 * user's custom tags. Pure, so the context is passed in.
 */
export function buildSessionTags(context: NodeJS.ProcessEnv, customTags: Record<string, string>): Tag[] {
  // Branch is the full ref (refs/heads/main), as upstream sends it: trust policies match on it.
  const github: Array<[string, string | undefined]> = [
    ['GitHub', 'Actions'],
    ['Repository', context.GITHUB_REPOSITORY],
    ['Workflow', context.GITHUB_WORKFLOW],
    ['Action', context.GITHUB_ACTION],
    ['Actor', context.GITHUB_ACTOR],
    ['Commit', context.GITHUB_SHA],
    ['Branch', context.GITHUB_REF || undefined],
  ];
  const tags: Tag[] = [];
  for (const [Key, value] of github) {
    if (value) tags.push({ Key, Value: sanitizeTagValue(value) });
  }
  for (const [Key, value] of Object.entries(customTags)) {
    tags.push({ Key, Value: sanitizeTagValue(value) });
  }
  return tags;
}

/**
 * What to send again after PackedPolicyTooLarge: only the tags that identify the run. The rest
 * (Workflow, Action, Actor, Branch and custom tags) carry detail that policies rarely key on.
 */
export function essentialTags(tags: Tag[], transitiveTagKeys: string[]): Tag[] {
  const keep = new Set(['GitHub', 'Repository', 'Commit', ...transitiveTagKeys]);
  return tags.filter((tag) => keep.has(tag.Key));
}

export function parseCustomTags(value: string | undefined): Record<string, string> {
  if (!value) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InputError(
      'custom-tags',
      'custom-tags is not a JSON object.',
      'Pass a JSON object of string values, e.g. {"Team":"payments","CostCenter":"42"}.',
    );
  }
  const tags: Record<string, string> = {};
  for (const [key, tagValue] of Object.entries(parsed)) {
    if (!TAG_KEY.test(key)) {
      throw new InputError(
        'custom-tags',
        `custom-tags key "${key}" is not a valid tag key.`,
        'Keys are 1 to 128 characters of letters, digits, spaces and _.:/=+-@.',
      );
    }
    if (PROTECTED_TAG_KEYS.includes(key)) {
      throw new InputError(
        'custom-tags',
        `custom-tags may not set "${key}": the action sets it.`,
        `Remove it; the reserved keys are ${PROTECTED_TAG_KEYS.join(', ')}.`,
      );
    }
    if (typeof tagValue !== 'string' && typeof tagValue !== 'number' && typeof tagValue !== 'boolean') {
      throw new InputError(
        'custom-tags',
        `custom-tags value of "${key}" is not a string.`,
        'Use string values.',
      );
    }
    tags[key] = String(tagValue);
  }
  if (Object.keys(tags).length + PROTECTED_TAG_KEYS.length > MAX_TAGS) {
    throw new InputError(
      'custom-tags',
      `custom-tags has ${Object.keys(tags).length} tags; with the action's ${PROTECTED_TAG_KEYS.length} that is over STS's limit of ${MAX_TAGS}.`,
      `Pass at most ${MAX_TAGS - PROTECTED_TAG_KEYS.length} custom tags.`,
    );
  }
  return tags;
}
