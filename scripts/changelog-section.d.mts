export function versionOf(tag: string): string;
export function changelogSection(changelog: string, tag: string): string;
