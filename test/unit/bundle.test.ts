// What the build does to the bundles (scripts/resolve/README.md), read from the committed dist/
// (check-dist keeps it equal to a fresh build). The e2e tests run these same bundles: the OIDC path
// (core.test.ts) and STS through a CONNECT proxy (parity-inputs.test.ts) pass while undici is a stub
// whose constructor throws, which is what shows that neither path constructs it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { declared, keptNames, sources } from '../support/chunk-names.js';
import { PROFILE_ONLY_MODULES } from '../support/profile-modules.js';
import { REPO_ROOT } from '../support/runner.js';

const DIST = join(REPO_ROOT, 'dist');
const RESOLVE = join(REPO_ROOT, 'scripts', 'resolve');
const ENTRY_DIRS = ['.', 'refresh', 'cleanup'];

function jsFiles(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.endsWith('.js') && statSync(join(dir, name)).isFile());
}

/** Package names in a licenses.txt: each block starts with a name line, then the licence type. */
function licensed(dir: string): string[] {
  const lines = readFileSync(join(DIST, dir, 'licenses.txt'), 'utf8').split('\n');
  return lines.filter((line, i) => i === 0 || (lines[i - 1] === '' && /^(@[\w.-]+\/)?[\w.-]+$/.test(line)));
}

async function stub(name: string): Promise<Record<string, unknown>> {
  return import(pathToFileURL(join(RESOLVE, name, 'index.js')).href);
}

describe('undici', () => {
  it('is a stub whose constructor throws, naming itself', async () => {
    const { ProxyAgent, UNDICI_STUB_MESSAGE } = (await stub('undici')) as {
      ProxyAgent: new () => unknown;
      UNDICI_STUB_MESSAGE: string;
    };
    expect(() => new ProxyAgent()).toThrow(UNDICI_STUB_MESSAGE);
  });

  it.each(ENTRY_DIRS)('is the stub, not undici, in dist/%s', (dir) => {
    const code = jsFiles(join(DIST, dir))
      .map((name) => readFileSync(join(DIST, dir, name), 'utf8'))
      .join('\n');
    // Where @actions/http-client's ProxyAgent import survives tree-shaking, it is the stub's.
    if (dir !== 'cleanup') expect(code.includes('undici is not bundled with this action')).toBe(true);
    // Strings of undici's own code (its error codes and its dispatcher), absent from the stub.
    expect(/UND_ERR_|kDispatch/.test(code)).toBe(false);
    expect(licensed(dir)).not.toContain('undici');
  });
});

describe('@actions/exec and @actions/io', () => {
  // @actions/core imports @actions/exec (which imports @actions/io) only for platform.getDetails(),
  // which nothing calls; tsconfig.json maps @actions/exec to a stub (scripts/resolve/README.md).
  it('@actions/exec is a stub whose functions throw, naming themselves', async () => {
    const { exec, getExecOutput, EXEC_STUB_MESSAGE } = (await stub('actions-exec')) as {
      exec: () => unknown;
      getExecOutput: () => unknown;
      EXEC_STUB_MESSAGE: string;
    };
    expect(() => exec()).toThrow(EXEC_STUB_MESSAGE);
    expect(() => getExecOutput()).toThrow(EXEC_STUB_MESSAGE);
  });

  it.each([...ENTRY_DIRS, 'cli'])('are the stub, not their code, in dist/%s', (dir) => {
    const code = jsFiles(join(DIST, dir))
      .map((name) => readFileSync(join(DIST, dir, name), 'utf8'))
      .join('\n');
    // The stub has no side effects, so webpack drops it with the unused getDetails(); it would be
    // bundled only if something called that. Names from their own code: exec's ToolRunner, io's executable lookup and directory helpers.
    expect(code.match(/ToolRunner|_getSpawnFileName|tryGetExecutablePath|mkdirP|rmRF/g)).toBeNull();
    expect(licensed(dir)).not.toContain('@actions/exec');
    expect(licensed(dir)).not.toContain('@actions/io');
  });
});

describe('the default credential chain', () => {
  it('stays out of the entry points: it is in chunks loaded on first use', () => {
    for (const dir of ENTRY_DIRS) {
      // Names only the chain's providers carry.
      expect(readFileSync(join(DIST, dir, 'index.js'), 'utf8')).not.toMatch(
        /fromInstanceMetadata|credential-provider-ini/,
      );
    }
    const chunks = jsFiles(DIST).filter((name) => name !== 'index.js');
    expect(
      chunks.some((name) => /credential-provider-ini/.test(readFileSync(join(DIST, name), 'utf8'))),
    ).toBe(true);
  });

  it('the stub loads the real chain only when a provider is called', async () => {
    const { defaultProvider } = (await stub('credential-provider-node')) as {
      defaultProvider: (init?: object) => (props?: object) => Promise<unknown>;
    };
    const provider = defaultProvider({});
    expect(typeof provider).toBe('function');
    // No credentials anywhere (no files, no environment, no metadata service): the real chain's error.
    const env = { ...process.env };
    try {
      for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
      Object.assign(process.env, {
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_SHARED_CREDENTIALS_FILE: join(REPO_ROOT, 'no-such-file'),
        AWS_CONFIG_FILE: join(REPO_ROOT, 'no-such-file'),
      });
      await expect(provider()).rejects.toThrow(/Could not load credentials from any providers/);
    } finally {
      process.env = env;
    }
  });
});

describe('the chunks', () => {
  const chunks = () => jsFiles(DIST).filter((name) => name !== 'index.js');

  it('are minified (scripts/bundle.mjs), keeping licence comments', () => {
    expect(chunks().length).toBeGreaterThan(0);
    for (const name of chunks()) {
      const code = readFileSync(join(DIST, name), 'utf8');
      // webpack's comments (module headers, CONCATENATED MODULE, EXPORTS) go with minification.
      expect(/\/\*{3}\/|\/\/ [A-Z]{3,}/.test(code), name).toBe(false);
    }
    // A licence comment of a bundled package (bowser's, in the default chain's chunks) stays.
    const licences = chunks().flatMap(
      (name) => readFileSync(join(DIST, name), 'utf8').match(/\/\*![\s\S]*?\*\//g) ?? [],
    );
    expect(licences.some((comment) => comment.includes('MIT License'))).toBe(true);
  });
});

describe('the profile-writing code', () => {
  // main.ts imports deliver/profile-delivery.ts with import() only for aws-profile or
  // refresh-credentials: a chunk beside dist/index.js, with its own modules only (the entry's stay
  // there: a second copy would load twice).
  const marker = 'Written by aws-credentials-action';
  const files = PROFILE_ONLY_MODULES;

  it('is one module in one chunk beside dist/index.js, not in it', async () => {
    const entry = readFileSync(join(DIST, 'index.js'), 'utf8');
    expect(entry).not.toContain(marker);
    const holding = jsFiles(DIST).filter(
      (name) => name !== 'index.js' && readFileSync(join(DIST, name), 'utf8').includes(marker),
    );
    expect(holding).toHaveLength(1);
    const file = join(DIST, holding[0] ?? '');
    // One module, the concatenation of these files: any other would be a module of its own.
    const { modules } = (await import(pathToFileURL(file).href)) as { modules: object };
    expect(Object.keys(modules)).toHaveLength(1);

    // Which files: the chunk keeps function names (minified with keepNames), the entry too (terser).
    const kept = keptNames(readFileSync(file, 'utf8'));
    const ours = new Set(files.flatMap(declared));
    for (const name of files) {
      expect(
        declared(name).some((fn) => kept.has(fn)),
        name,
      ).toBe(true);
      for (const fn of declared(name))
        expect(entry.includes(`function ${fn}(`), `${name}: ${fn}`).toBe(false);
    }
    const others = sources().filter((name) => !files.includes(name));
    const strays = others.flatMap((name) => declared(name).filter((fn) => kept.has(fn) && !ours.has(fn)));
    expect(strays).toEqual([]);
  });
});

describe('the refresher and the command line', () => {
  // They make only unsigned AssumeRoleWithWebIdentity calls: stubs that fail if used stand in for
  // the default credential chain and @smithy/core's event streams (scripts/resolve/README.md).
  const marker = 'scripts/resolve/web-identity-only';

  it.each(['refresh', 'cli'])('dist/%s has no chunk and none of the default chain', (dir) => {
    expect(jsFiles(join(DIST, dir)).filter((name) => name !== 'index.js')).toEqual([]);
    const code = readFileSync(join(DIST, dir, 'index.js'), 'utf8');
    expect(code).toContain(marker);
    expect(code).not.toMatch(/fromInstanceMetadata|credential-provider-ini|dist-cjs/);
    expect(licensed(dir).filter((name) => name.includes('credential-provider'))).toEqual([]);
  });

  it('dist/index.js keeps the lazy stub, not theirs', () => {
    expect(readFileSync(join(DIST, 'index.js'), 'utf8')).not.toContain(marker);
  });

  it('their stubs fail, naming themselves, only when used', async () => {
    const stubs = (await stub('web-identity-only')) as {
      defaultProvider: (init?: object) => () => Promise<unknown>;
      eventStreamSerdeProvider: () => unknown;
      EventStreamSerde: new () => unknown;
    };
    // The STS client calls defaultProvider() when it is built; only asking for credentials fails.
    const provider = stubs.defaultProvider({});
    await expect(provider()).rejects.toThrow(/default credential chain is not bundled with this program/);
    expect(() => stubs.eventStreamSerdeProvider()).toThrow(/event-streams is not bundled/);
    expect(() => new stubs.EventStreamSerde()).toThrow(/event-streams is not bundled/);
  });

  it('their tsconfig maps every name tsconfig.json maps, to the same place but for the stubs', () => {
    const base = JSON.parse(readFileSync(join(REPO_ROOT, 'tsconfig.json'), 'utf8')).compilerOptions.paths;
    const own = JSON.parse(readFileSync(join(RESOLVE, 'tsconfig.web-identity-only.json'), 'utf8'))
      .compilerOptions.paths;
    const absolute = (from: string, paths: Record<string, string[]>) =>
      Object.fromEntries(Object.entries(paths).map(([name, to]) => [name, to.map((p) => join(from, p))]));
    const expected = absolute(REPO_ROOT, base);
    expected['@aws-sdk/credential-provider-node'] = [
      join(RESOLVE, 'web-identity-only', 'credential-provider-node'),
    ];
    expected['@smithy/core/*'] = [
      join(RESOLVE, 'web-identity-only', '*'),
      ...(expected['@smithy/core/*'] ?? []),
    ];
    expect(absolute(RESOLVE, own)).toEqual(expected);
  });
});

describe('scripts/resolve', () => {
  it.each([
    ['@smithy/core', 'smithy-core'],
    ['@aws-sdk/core', 'aws-sdk-core'],
  ])('has a folder for every subpath %s exports, pointing at its ESM build and its types', (pkg, folder) => {
    const root = join(REPO_ROOT, 'node_modules', pkg);
    const exported = Object.keys(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).exports).filter(
      (subpath) => subpath !== './package.json',
    );
    expect(exported.length).toBeGreaterThan(1);
    for (const subpath of exported) {
      const dir = join(RESOLVE, folder, subpath);
      const { main, types } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      expect(join(dir, main)).toContain(join(root, 'dist-es'));
      expect(statSync(join(dir, main)).isFile()).toBe(true);
      expect(statSync(join(dir, types)).isFile()).toBe(true);
    }
  });
});

describe('licenses.txt', () => {
  it.each([
    [
      '.',
      [
        '@actions/core',
        '@actions/http-client',
        '@aws-sdk/client-sts',
        '@aws-sdk/core',
        '@smithy/core',
        'jwt-decode',
      ],
    ],
    // The chain's packages: only in chunks, still listed.
    [
      '.',
      [
        '@aws-sdk/credential-provider-node',
        '@aws-sdk/credential-provider-ini',
        '@smithy/credential-provider-imds',
      ],
    ],
    ['refresh', ['@aws-sdk/client-sts', '@smithy/core', '@smithy/node-http-handler']],
    ['cleanup', ['@actions/core', '@actions/http-client']],
  ])('dist/%s lists %j, each with its licence', (dir, packages) => {
    const text = readFileSync(join(DIST, dir, 'licenses.txt'), 'utf8');
    const names = licensed(dir);
    for (const name of packages) {
      expect(names).toContain(name);
      const next = names[names.indexOf(name) + 1];
      const start = text.indexOf(`${name}\n`);
      const block = text.slice(start, next === undefined ? undefined : text.indexOf(`\n${next}\n`, start));
      // Name, licence type, then the licence itself.
      expect(block.length, name).toBeGreaterThan(500);
    }
  });
});
