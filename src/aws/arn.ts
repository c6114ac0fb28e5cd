/** Every ARN this action parses, builds or masks. Pure. */

/** The account id inside an IAM or STS ARN (arn:aws:sts::123456789012:assumed-role/…). */
export function accountOf(arn: string | undefined): string | undefined {
  return arn ? /^arn:[^:]+:(?:sts|iam)::(\d{12}):/.exec(arn)?.[1] : undefined;
}

/** The partition of an ARN (aws, aws-cn, aws-us-gov, …); `aws` when there is no ARN to read it from. */
export function partitionOf(arn: string | undefined): string {
  return /^arn:([^:]+):/.exec(arn ?? '')?.[1] ?? 'aws';
}

/** An ARN as logs and summaries may show it: without the account when it is masked. */
export function displayArn(arn: string, maskAccountId: boolean): string {
  return maskAccountId ? arn.replace(/^(arn:[^:]*:[^:]*:[^:]*:)\d{12}:/, '$1***:') : arn;
}

/** The ARN of role `name` in the partition and account of the caller `callerArn`. */
export function roleArnFor(name: string, callerArn: string): string {
  const [, partition = 'aws', , , account = ''] = callerArn.split(':');
  return `arn:${partition}:iam::${account}:role/${name}`;
}

/** The role's name, without its path, from a role ARN. */
export function roleNameOf(roleArn: string | undefined): string | undefined {
  return /:role\/(?:.*\/)?([^/]+)$/.exec(roleArn ?? '')?.[1];
}

/** The parts of an assumed-role session ARN (the account may be masked as ***). */
export function assumedRoleParts(
  arn: string,
): { partition: string; account: string; role: string; session: string } | undefined {
  const match = /^arn:([^:]+):sts::(\d{12}|\*\*\*):assumed-role\/([^/]+)\/(.+)$/.exec(arn);
  if (!match) return undefined;
  const [, partition = '', account = '', role = '', session = ''] = match;
  return { partition, account, role, session };
}

/** Whether `callerArn` (arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION) is a session of `role`. */
export function isSessionOf(callerArn: string, role: string): boolean {
  const caller = assumedRoleParts(callerArn);
  if (!caller || caller.account === '***') return false;
  // The session ARN drops the role's path: compare the last segment of the name.
  if (!role.startsWith('arn:')) return role.split('/').pop() === caller.role;
  const wanted = /^arn:([^:]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(role);
  return (
    wanted !== null &&
    wanted[1] === caller.partition &&
    wanted[2] === caller.account &&
    wanted[3] === caller.role
  );
}
