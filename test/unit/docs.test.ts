// The documents a user reads: one name for the action everywhere, and links that lead somewhere.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const REPOSITORY = 'aws-credentials-action/aws-credentials-action';

const DOCS = [
  'README.md',
  'CHANGELOG.md',
  'CONTRIBUTING.md',
  'SECURITY.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

describe('documentation', () => {
  it.each(DOCS)('%s refers to this action as owner/repo@v1', (doc) => {
    const uses = [...read(doc).matchAll(/uses:\s*(\S+)/g)].map((m) => m[1] ?? '');
    const ours = uses.filter((ref) => ref.includes('aws-credentials-action'));
    expect(ours.filter((ref) => ref !== `${REPOSITORY}@v1`)).toEqual([]);
  });

  it('README shows the full reference in its usage', () => {
    expect(read('README.md')).toContain(`uses: ${REPOSITORY}@v1`);
  });

  it('package.json points at the repository', () => {
    const pkg = JSON.parse(read('package.json')) as { repository: { url: string } };
    expect(pkg.repository.url).toContain(`github.com/${REPOSITORY}.git`);
  });

  it.each(DOCS)('%s links only to files that exist', (doc) => {
    const links = [...read(doc).matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)]
      .map((m) => m[1] ?? '')
      .filter((target) => !/^[a-z]+:/.test(target));
    const missing = links.filter((target) => !existsSync(join(root, dirname(doc), target)));
    expect(missing).toEqual([]);
  });

  it('README links to the migration guide and the troubleshooting guide', () => {
    const readme = read('README.md');
    expect(readme).toContain('](docs/MIGRATING.md)');
    expect(readme).toContain('](docs/TROUBLESHOOTING.md)');
  });
});
