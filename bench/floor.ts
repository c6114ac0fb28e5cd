// The floor of the cold-run benchmark: the least a step doing this job can do. It imports what it
// uses of @actions/core, makes the same two loopback requests as the action (the OIDC token, then
// AssumeRoleWithWebIdentity) with node:http, and hands the credentials over through GITHUB_ENV. No
// validation, retries, errors worth the name or SDK. bench/cold.ts bundles it the way dist/ is built
// (scripts/bundle.mjs) and runs it with the action's inputs.
import { request } from 'node:http';
import { exportVariable, getInput, setFailed, setOutput, setSecret } from '@actions/core';

function call(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method, headers: init.headers, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () =>
        (res.statusCode ?? 0) < 300 ? resolve(body) : reject(new Error(`${url}: HTTP ${res.statusCode}`)),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: timed out`)));
    req.on('error', reject);
    req.end(init.body);
  });
}

const tag = (xml: string, name: string) => xml.match(new RegExp(`<${name}>([^<]*)</${name}>`))?.[1] ?? '';

try {
  const base = process.env.ACTIONS_ID_TOKEN_REQUEST_URL ?? '';
  const token = JSON.parse(
    await call(`${base}${base.includes('?') ? '&' : '?'}audience=sts.amazonaws.com`, {
      method: 'GET',
      headers: {
        authorization: `Bearer ${process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}`,
        accept: 'application/json',
      },
    }),
  ).value as string;
  setSecret(token);
  const xml = await call(getInput('sts-endpoint'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      Action: 'AssumeRoleWithWebIdentity',
      Version: '2011-06-15',
      RoleArn: getInput('role-to-assume'),
      RoleSessionName: 'GitHubActions',
      WebIdentityToken: token,
    }).toString(),
  });
  const region = getInput('aws-region');
  const credentials = {
    AWS_ACCESS_KEY_ID: tag(xml, 'AccessKeyId'),
    AWS_SECRET_ACCESS_KEY: tag(xml, 'SecretAccessKey'),
    AWS_SESSION_TOKEN: tag(xml, 'SessionToken'),
  };
  for (const [name, value] of Object.entries(credentials)) {
    setSecret(value);
    exportVariable(name, value);
  }
  exportVariable('AWS_REGION', region);
  exportVariable('AWS_DEFAULT_REGION', region);
  setOutput('aws-account-id', getInput('role-to-assume').split(':')[4] ?? '');
} catch (error) {
  setFailed(String(error));
}
