import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { changelogSection, versionOf } from '../../scripts/changelog-section.mjs';

const SAMPLE = [
  '# Changelog',
  '',
  '## [Unreleased]',
  '',
  '- not yet',
  '',
  '## [1.2.0] - 2027-01-02',
  '',
  '### Added',
  '',
  '- a thing',
  '',
  '### Fixed',
  '- another',
  '',
  '## 1.1.0',
  '- older',
  '',
  '## [1.0.0-rc.1] - 2026-11-30',
  '- candidate',
  '',
  '## [1.0.5]',
  '',
  '[1.0.5]: https://example.invalid/v1.0.5',
  '[1.2.0]: https://example.invalid/v1.2.0',
].join('\n');

describe('changelog-section', () => {
  it('takes the section of the version, up to the next version heading', () => {
    expect(changelogSection(SAMPLE, 'v1.2.0')).toBe(
      ['### Added', '', '- a thing', '', '### Fixed', '- another'].join('\n'),
    );
  });

  it('accepts a tag or a bare version, and headings without brackets or date', () => {
    expect(changelogSection(SAMPLE, '1.1.0')).toBe('- older');
    expect(changelogSection(SAMPLE, 'v1.0.0-rc.1')).toBe('- candidate');
  });

  it('does not take a version for a longer one that starts with it', () => {
    expect(() => changelogSection(SAMPLE, 'v1.2')).toThrow(/not a version tag/);
    expect(() => changelogSection(SAMPLE, 'v1.0.0')).toThrow(/no section for 1\.0\.0/);
  });

  it('refuses a missing or an empty section, so a release always has notes', () => {
    expect(() => changelogSection(SAMPLE, 'v9.9.9')).toThrow(/no section for 9\.9\.9/);
    // The last section holds only link references, which are not notes.
    expect(() => changelogSection(SAMPLE, 'v1.0.5')).toThrow(/section for 1\.0\.5 is empty/);
  });

  it('reads CRLF files', () => {
    expect(changelogSection(SAMPLE.replaceAll('\n', '\r\n'), 'v1.1.0')).toBe('- older');
  });

  it('refuses what is not a version tag', () => {
    for (const tag of ['v1', 'latest', 'v1.2.3.4', '1.2.3; rm -rf /']) {
      expect(() => versionOf(tag), tag).toThrow(/not a version tag/);
    }
    expect(versionOf('v10.20.30')).toBe('10.20.30');
  });

  it("finds this repository's own version in CHANGELOG.md", () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const changelog = readFileSync(new URL('../../CHANGELOG.md', import.meta.url), 'utf8');
    const notes = changelogSection(changelog, `v${pkg.version}`);
    expect(notes).toMatch(/^### Added$/m);
    expect(notes).not.toMatch(/^\[[^\]]+\]: /m);
  });
});
