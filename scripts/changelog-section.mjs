// Prints the CHANGELOG.md section of one version, as the body of its GitHub release.
//   node scripts/changelog-section.mjs v1.2.3 [CHANGELOG.md]
// Fails when the version has no section, or an empty one, so a release is never cut without notes.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const VERSION = /^v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/;

/** "v1.2.3" or "1.2.3" → "1.2.3"; anything else throws. */
export function versionOf(tag) {
  const match = VERSION.exec(tag.trim());
  if (!match?.[1]) throw new Error(`"${tag}" is not a version tag like v1.2.3`);
  return match[1];
}

/**
 * The text under `## [1.2.3]` (Keep a Changelog's heading, with or without brackets and date) up
 * to the next `## ` heading, without link reference definitions and surrounding blank lines.
 */
export function changelogSection(changelog, tag) {
  const version = versionOf(tag);
  const lines = changelog.split(/\r?\n/);
  const heading = (line) => /^## /.test(line);
  const start = lines.findIndex((line) => {
    if (!heading(line)) return false;
    const title = line.slice(3).trim();
    const named = /^\[?([^\]\s]+)\]?(?:\s|$)/.exec(title)?.[1];
    return named !== undefined && named.replace(/^v/, '') === version;
  });
  if (start < 0) throw new Error(`CHANGELOG has no section for ${version} (a "## [${version}]" heading)`);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex(heading);
  const body = (end < 0 ? rest : rest.slice(0, end))
    .filter((line) => !/^\[[^\]]+\]:\s*\S/.test(line))
    .join('\n')
    .trim();
  if (!body) throw new Error(`The CHANGELOG section for ${version} is empty`);
  return body;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [tag, file = 'CHANGELOG.md'] = process.argv.slice(2);
  try {
    if (!tag) throw new Error('usage: node scripts/changelog-section.mjs <tag> [CHANGELOG.md]');
    process.stdout.write(`${changelogSection(readFileSync(file, 'utf8'), tag)}\n`);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
