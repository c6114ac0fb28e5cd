/** Names of the values the main step saves for its post step (GITHUB_STATE). */
export const STATE_EXPORTED = 'exported-variables';
