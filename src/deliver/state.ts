/** Names of the values the main step saves for its post step (GITHUB_STATE). */
export const STATE_EXPORTED = 'exported-variables';
/** The shared files and the marker of the profile the main step wrote (aws-profile, refresh-credentials). */
export const STATE_PROFILE = 'profile';
/** The refresher's health file and what the post step's summary must show as ***. */
export const STATE_HEALTH = 'refresh-health';
