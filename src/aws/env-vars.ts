/** The variables an invocation owns: each one is overwritten, never left from an earlier run. */
export const CREDENTIAL_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  // botocore reads AWS_SECURITY_TOKEN before AWS_SESSION_TOKEN, and applies AWS_CREDENTIAL_EXPIRATION
  // to whatever keys the environment holds: other tools leave both behind.
  'AWS_SECURITY_TOKEN',
  'AWS_CREDENTIAL_EXPIRATION',
] as const;
export const REGION_VARIABLES = ['AWS_REGION', 'AWS_DEFAULT_REGION'] as const;
/** The JS SDK v2 and the Go SDK v1 read ~/.aws/config (region, credential_process) only with this set. */
export const LOAD_CONFIG_VARIABLE = 'AWS_SDK_LOAD_CONFIG';
