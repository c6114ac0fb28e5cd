import { replaceSections } from '../aws/profile-sections.js';

/**
 * The empty profile a post step leaves when AWS_PROFILE names the profile it removed and nothing
 * came before: GITHUB_ENV cannot unset AWS_PROFILE, and botocore fails on an empty value or a
 * missing profile ("The config profile () could not be found"), even with keys of its own. The stub
 * holds no settings, so every SDK goes on to the environment's keys; a later invocation replaces it
 * without overwrite-aws-profile.
 */
export const STUB_LINE =
  "# Left empty by aws-credentials-action's post step, as AWS_PROFILE still names it; safe to delete.";

export const stubHeader = (name: string) => (name === 'default' ? 'default' : `profile ${name}`);

/** Pure: `text` without the stubs among the sections `matches` picks. */
export function withoutStubs(text: string, matches: (section: string) => boolean): string {
  return replaceSections(text, matches, [], STUB_LINE);
}
