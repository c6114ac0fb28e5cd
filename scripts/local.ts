// `npm run local`: runs the bundled action end to end on this machine, as a workflow would, against
// an embedded OIDC issuer and moto as STS, and prints what the workflow would get (masked).
import { startMoto } from '../test/support/moto.js';
import { startOidcIssuer } from '../test/support/oidc-issuer.js';
import { Job } from '../test/support/runner.js';

const role = process.argv[2] ?? 'arn:aws:iam::123456789012:role/RoleA';
const [issuer, moto] = await Promise.all([startOidcIssuer(), startMoto()]);
const job = new Job({ env: { ...issuer.env(), AWS_EC2_METADATA_DISABLED: 'true' } });
try {
  console.log(`OIDC issuer: ${issuer.requestUrl}\nSTS (moto):  ${moto.endpoint}\n`);
  const step = await job.uses({
    'role-to-assume': role,
    'aws-region': 'us-east-1',
    'sts-endpoint': moto.endpoint,
  });
  console.log(`--- action log (exit ${step.exitCode}) ---\n${step.stdout}${step.stderr}`);
  console.log('--- outputs ---');
  for (const [name, value] of Object.entries(step.outputs)) console.log(`${name}=${value}`);
  console.log('--- exported to later steps (masked as the runner shows them) ---');
  for (const [name, value] of Object.entries(step.envWrites)) console.log(`${name}=${job.mask(value)}`);
  const cli = await job.run(`aws sts get-caller-identity --endpoint-url ${moto.endpoint}`);
  console.log(`--- a later step: aws sts get-caller-identity ---\n${cli.stdout}${cli.stderr}`);
  const leaks = job.leaks();
  console.log(leaks.length ? `LEAKS: ${leaks.join('; ')}` : 'No secret was printed unmasked.');
  process.exitCode = step.exitCode === 0 && cli.exitCode === 0 && leaks.length === 0 ? 0 : 1;
} finally {
  await job.dispose();
  await Promise.all([moto.stop(), issuer.stop()]);
}
