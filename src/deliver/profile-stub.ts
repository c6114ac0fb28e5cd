import { hasSection, replaceSections, sectionBlock } from '../aws/profile-sections.js';
import { editShared } from '../aws/shared-file.js';

/**
 * The empty profile a post step leaves when AWS_PROFILE names the profile it removed and nothing
 * came before: GITHUB_ENV cannot unset AWS_PROFILE, and botocore fails on an empty value or a
 * missing profile ("The config profile () could not be found"), even with keys of its own. The stub
 * holds no settings, so every SDK goes on to the environment's keys; a later invocation replaces it
 * without overwrite-aws-profile.
 */
export const STUB_LINE =
  "# Left empty by aws-credentials-action's post step, as AWS_PROFILE still names it; safe to delete.";

const header = (name: string) => (name === 'default' ? 'default' : `profile ${name}`);

/** Pure: `text` without the stubs among the sections `matches` picks. */
export function withoutStubs(text: string, matches: (section: string) => boolean): string {
  return replaceSections(text, matches, [], STUB_LINE);
}

/** The post step: a stub for the profile AWS_PROFILE keeps naming, when it had no earlier value. */
export function leaveStub(state: string, exported: string[]): void {
  const { name, files, previous } = JSON.parse(state) as {
    name?: string;
    files: string[];
    previous?: Record<string, unknown>;
  };
  const config = files[0];
  if (!name || !config || !exported.includes('AWS_PROFILE') || typeof previous?.AWS_PROFILE === 'string') {
    return;
  }
  const mine = (section: string) => section === header(name);
  editShared(config, (text) =>
    hasSection(text, mine)
      ? text
      : replaceSections(text, () => false, sectionBlock(header(name), STUB_LINE, {})),
  );
}
