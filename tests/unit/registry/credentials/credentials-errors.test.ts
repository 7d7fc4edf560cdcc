/**
 * Malformed auth files and failing helpers: every error path throws a LayerkitError that names the
 * file or the helper, and no credential ever shows in its message, details, stack, toString(),
 * JSON or inspect() output.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { defaultCredentials } from '@layerkit/registry/node';
import { describe, expect, it } from 'vitest';
import { runCredentialHelper } from '../../../../packages/registry/src/node/credentials/credential-helper.js';
import {
  answer,
  basic,
  expectNoSecrets,
  rejection,
  type Sandbox,
  sandbox,
  thrown,
  writeHelper,
  writeJson,
  writeText,
} from '../../../fixtures/credentials-sandbox.js';

function provider(box: Sandbox) {
  return defaultCredentials({ env: box.env, homeDir: box.home });
}

/** A sandbox whose Docker config.json is `text`. */
function withConfig(text: string): Sandbox {
  const box = sandbox();
  writeText(box.paths.docker, text);
  return box;
}

describe('malformed auth files', () => {
  const cases: { name: string; text: string; secrets: string[] }[] = [
    {
      name: 'text that is not JSON, next to a secret',
      text: `{"auths": {"a.example": {"auth": "${basic('alice', 'SECRET-PW-1')}"} SECRET-TAIL-1 }}`,
      secrets: ['SECRET-TAIL-1', basic('alice', 'SECRET-PW-1')],
    },
    {
      // V8's own message would quote this: Unexpected token 'P', ..."auth": PW-S3CR3T}}}"...
      name: 'an unquoted secret',
      text: '{"auths": {"a.example": {"auth": PW-S3CR3T}}}',
      secrets: ['PW-S3CR3T', 'S3CR3T'],
    },
    {
      name: 'JSON cut short after a secret',
      text: `{"auths": {"a.example": {"identitytoken": "SECRET-TOKEN-2"`,
      secrets: ['SECRET-TOKEN-2'],
    },
    { name: 'a top-level array', text: '["SECRET-ARRAY-3"]', secrets: ['SECRET-ARRAY-3'] },
    {
      name: 'an auth value that is not base64',
      text: JSON.stringify({ auths: { 'a.example': { auth: 'SECRET!not-base64' } } }),
      secrets: ['SECRET!not-base64'],
    },
    {
      name: 'an auth value without a colon',
      text: JSON.stringify({
        auths: { 'a.example': { auth: Buffer.from('SECRET-NO-COLON').toString('base64') } },
      }),
      secrets: ['SECRET-NO-COLON', Buffer.from('SECRET-NO-COLON').toString('base64')],
    },
    {
      name: 'an auth value that is not a string',
      text: JSON.stringify({ auths: { 'a.example': { auth: ['SECRET-IN-ARRAY'] } } }),
      secrets: ['SECRET-IN-ARRAY'],
    },
    {
      name: 'an identitytoken that is not a string',
      text: JSON.stringify({ auths: { 'a.example': { identitytoken: { token: 'SECRET-OBJECT' } } } }),
      secrets: ['SECRET-OBJECT'],
    },
    {
      name: 'an entry that is not an object',
      text: JSON.stringify({ auths: { 'a.example': 'SECRET-ENTRY' } }),
      secrets: ['SECRET-ENTRY'],
    },
    {
      name: 'auths that is not an object',
      text: JSON.stringify({ auths: 'SECRET-AUTHS' }),
      secrets: ['SECRET-AUTHS'],
    },
    {
      name: 'a credHelpers value that is not a string',
      text: JSON.stringify({ credHelpers: { 'a.example': { helper: 'SECRET-HELPER' } } }),
      secrets: ['SECRET-HELPER'],
    },
    {
      name: 'a credsStore that is not a string',
      text: JSON.stringify({ credsStore: ['SECRET-STORE'] }),
      secrets: ['SECRET-STORE'],
    },
  ];

  for (const { name, text, secrets } of cases) {
    it(`${name}: INVALID_AUTH_FILE naming the file, no secret`, async () => {
      const box = withConfig(text);
      const error = await rejection(provider(box)('a.example', 'team/app'));
      expect(error.code).toBe('INVALID_AUTH_FILE');
      expect(error.message).toContain(box.paths.docker);
      expect(error.details.path).toBe(box.paths.docker);
      expectNoSecrets(error, [...secrets, 'alice']);
    });
  }

  it('gives the line and column of a JSON syntax error', async () => {
    const box = withConfig('{\n  "auths": {\n    "a.example": {"auth": "x"},,\n  }\n}');
    const error = await rejection(provider(box)('a.example', 'app'));
    expect(error.message).toMatch(/not valid JSON \(line 3, column \d+\)/);
  });

  it('a malformed legacy ~/.dockercfg', async () => {
    const box = sandbox();
    writeText(box.paths.legacy, JSON.stringify({ 'https://a.example/v1/': { auth: 'SECRET-LEGACY!' } }));
    const error = await rejection(provider(box)('a.example', 'app'));
    expect(error.code).toBe('INVALID_AUTH_FILE');
    expect(error.message).toContain(box.paths.legacy);
    expectNoSecrets(error, ['SECRET-LEGACY!']);
  });

  it('a file that cannot be read', async () => {
    const box = sandbox();
    mkdirSync(box.paths.docker, { recursive: true });
    const error = await rejection(provider(box)('a.example', 'app'));
    expect(error.code).toBe('INVALID_AUTH_FILE');
    expect(error.message).toContain(box.paths.docker);
    expect(error.message).toBe(`${box.paths.docker}: cannot read it (a directory, not a regular file)`);
  });

  it('a FIFO in place of the file: INVALID_AUTH_FILE at once, never a hang', async () => {
    const box = sandbox();
    mkdirSync(dirname(box.paths.docker), { recursive: true });
    execFileSync('mkfifo', [box.paths.docker]);
    const error = await rejection(provider(box)('a.example', 'app'));
    expect(error.code).toBe('INVALID_AUTH_FILE');
    expect(error.message).toBe(`${box.paths.docker}: cannot read it (a FIFO, not a regular file)`);
  });

  it('stops at a malformed file, but not at one after the file that answered', async () => {
    const box = sandbox();
    writeJson(box.paths.configHome, { auths: { 'a.example': { auth: basic('first', 'p') } } });
    writeText(box.paths.docker, '{broken');
    expect(await provider(box)('a.example', 'app')).toEqual({ username: 'first', password: 'p' });
    expect((await rejection(provider(box)('b.example', 'app'))).code).toBe('INVALID_AUTH_FILE');
  });

  it('keeps the error of a malformed file for the provider', async () => {
    const box = withConfig('{broken');
    const lookup = provider(box);
    expect((await rejection(lookup('a.example', 'app'))).code).toBe('INVALID_AUTH_FILE');
    writeJson(box.paths.docker, {});
    expect((await rejection(lookup('a.example', 'app'))).code).toBe('INVALID_AUTH_FILE');
  });

  it('decodes only the entry that applies, as containers/image does', async () => {
    const box = withConfig(
      JSON.stringify({
        auths: { 'bad.example': { auth: 'not base64!' }, 'good.example': { auth: basic('u', 'p') } },
      }),
    );
    expect(await provider(box)('good.example', 'app')).toEqual({ username: 'u', password: 'p' });
  });

  it('tolerates an empty file and a null document, as the Docker CLI does', async () => {
    for (const text of ['', '  \n', 'null']) {
      expect(await provider(withConfig(text))('a.example', 'app')).toBeUndefined();
    }
  });
});

describe('failing credential helpers', () => {
  const secret = 'SECRET-FROM-HELPER';
  const cases: { name: string; body: string; problem: RegExp }[] = [
    {
      name: 'a helper that fails after printing a secret',
      body: `echo '${secret}'; echo '${secret}' >&2; exit 1`,
      problem: /exit code 1/,
    },
    { name: 'a helper killed by a signal', body: `echo '${secret}'; kill -9 $$`, problem: /signal SIGKILL/ },
    {
      name: 'a helper that prints a secret but no JSON',
      body: `echo 'password=${secret}'`,
      problem: /no credentials JSON/,
    },
    {
      name: 'a helper whose Secret is not a string',
      body: `printf '%s' '{"Username":"alice","Secret":["${secret}"]}'`,
      problem: /no credentials JSON/,
    },
    {
      name: 'a helper that prints without end',
      body: `while :; do echo '${secret}'; done`,
      problem: /printed over \d+ bytes/,
    },
  ];

  for (const { name, body, problem } of cases) {
    it(`${name}: CREDENTIAL_HELPER_FAILED naming the helper, no secret`, async () => {
      const box = sandbox();
      writeHelper(box, 'leaky', body);
      writeJson(box.paths.docker, { credHelpers: { 'a.example': 'leaky' } });
      const error = await rejection(provider(box)('a.example', 'app'));
      expect(error.code).toBe('CREDENTIAL_HELPER_FAILED');
      expect(error.message).toContain('docker-credential-leaky');
      expect(error.message).toMatch(problem);
      expectNoSecrets(error, [secret, 'alice']);
    });
  }

  it('a missing credHelpers program (named for this registry, so not skipped)', async () => {
    const box = sandbox();
    writeJson(box.paths.docker, { credHelpers: { 'a.example': 'layerkit-test-absent' } });
    const error = await rejection(provider(box)('a.example', 'app'));
    expect(error.code).toBe('CREDENTIAL_HELPER_FAILED');
    expect(error.details).toMatchObject({
      helper: 'docker-credential-layerkit-test-absent',
      serverUrl: 'a.example',
    });
  });

  it('a helper that prints a secret and then hangs', async () => {
    const box = sandbox();
    writeHelper(box, 'hanging', `echo '${secret}'\nexec sleep 30`);
    const error = await rejection(
      runCredentialHelper('hanging', 'a.example', { env: box.env, timeoutMs: 300 }),
    );
    expect(error.code).toBe('CREDENTIAL_HELPER_FAILED');
    expectNoSecrets(error, [secret]);
  });

  it('a working helper still answers', async () => {
    const box = sandbox();
    writeHelper(box, 'fine', answer('alice', secret));
    expect(await runCredentialHelper('fine', 'a.example', { env: box.env })).toEqual({
      username: 'alice',
      password: secret,
    });
  });
});

describe('--creds', () => {
  it('an empty username: INVALID_CREDENTIALS without the password', () => {
    const error = thrown(() => defaultCredentials({ creds: ':SECRET-CREDS-PW' }));
    expect(error.code).toBe('INVALID_CREDENTIALS');
    expectNoSecrets(error, ['SECRET-CREDS-PW']);
  });
});
