/**
 * The modules only the profile-writing path uses (src/deliver/profile-delivery.ts and what it alone
 * imports), relative to src/: main.ts loads them with import() when aws-profile or
 * refresh-credentials is set. The layout test checks the import graph, the bundle test the chunk.
 */
export const PROFILE_ONLY_MODULES: readonly string[] = [
  'deliver/profile-delivery.ts',
  'deliver/profile.ts',
  'deliver/refresh-command.ts',
  'deliver/health.ts',
  'deliver/home.ts',
  'deliver/profile-stub.ts',
  'aws/shared-file.ts',
  'aws/file-lock.ts',
  'aws/profile-sections.ts',
  'aws/refresh-health.ts',
];
