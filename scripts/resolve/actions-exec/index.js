// The bundles' `@actions/exec` (tsconfig.json `paths`; types stay its own). @actions/core imports it
// (and through it @actions/io) only for platform.getDetails(), which runs lsb_release, sw_vers or
// PowerShell; this action never calls it. Nothing runs at load time. Should anything call it, it
// fails loudly here.
export const EXEC_STUB_MESSAGE =
  '@actions/exec is not bundled with this action (scripts/resolve/actions-exec): something ran a ' +
  "program through it, such as @actions/core's platform.getDetails(), which the action never calls.";

export function exec() {
  throw new Error(EXEC_STUB_MESSAGE);
}

export function getExecOutput() {
  throw new Error(EXEC_STUB_MESSAGE);
}
