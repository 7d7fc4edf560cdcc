/**
 * Docker references as `docker pull` reads them: normalisation (docker.io/library, index.docker.io),
 * hosts with ports and IPv6 literals, case rules for hosts and repositories, the tag and digest
 * grammar, the 255-character limit, and formatRegistryReference as parse's exact inverse.
 */
import { isLayerkitError } from '@layerkit/digest';
import {
  familiarRepositoryName,
  formatRegistryReference,
  fullRepositoryName,
  parseRegistryReference,
  type RegistryReference,
} from '@layerkit/registry';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thrown } from '../../fixtures/credentials-sandbox.js';
import { checkProperty } from '../../fixtures/property.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('parseRegistryReference: normalisation', () => {
  it.each<[string, RegistryReference]>([
    ['nginx', { registry: 'docker.io', repository: 'library/nginx', tag: 'latest' }],
    ['nginx:1.25-alpine', { registry: 'docker.io', repository: 'library/nginx', tag: '1.25-alpine' }],
    ['library/nginx', { registry: 'docker.io', repository: 'library/nginx', tag: 'latest' }],
    ['team/app', { registry: 'docker.io', repository: 'team/app', tag: 'latest' }],
    ['docker.io/nginx', { registry: 'docker.io', repository: 'library/nginx', tag: 'latest' }],
    ['docker.io/library/nginx:1', { registry: 'docker.io', repository: 'library/nginx', tag: '1' }],
    ['index.docker.io/nginx', { registry: 'docker.io', repository: 'library/nginx', tag: 'latest' }],
    ['index.docker.io/team/app:v1', { registry: 'docker.io', repository: 'team/app', tag: 'v1' }],
    ['ghcr.io/team/app:v1', { registry: 'ghcr.io', repository: 'team/app', tag: 'v1' }],
    ['ghcr.io/app', { registry: 'ghcr.io', repository: 'app', tag: 'latest' }],
    ['localhost/app', { registry: 'localhost', repository: 'app', tag: 'latest' }],
    ['localhost:5000/a/b/c:v2', { registry: 'localhost:5000', repository: 'a/b/c', tag: 'v2' }],
    ['127.0.0.1:5000/app', { registry: '127.0.0.1:5000', repository: 'app', tag: 'latest' }],
    ['registry:5000/app', { registry: 'registry:5000', repository: 'app', tag: 'latest' }],
    // `localhost:5000` alone is the image localhost with the tag 5000, as in Docker.
    ['localhost:5000', { registry: 'docker.io', repository: 'library/localhost', tag: '5000' }],
    // A first component with an uppercase letter can only be a host.
    ['Example.COM/app', { registry: 'Example.COM', repository: 'app', tag: 'latest' }],
    ['MyHost/app', { registry: 'MyHost', repository: 'app', tag: 'latest' }],
  ])('%s', (text, expected) => {
    expect(parseRegistryReference(text)).toEqual(expected);
  });

  it('IPv6 literals in brackets, with and without a port', () => {
    expect(parseRegistryReference('[::1]:5000/app:v1')).toEqual({
      registry: '[::1]:5000',
      repository: 'app',
      tag: 'v1',
    });
    expect(parseRegistryReference('[2001:db8::1]/team/app')).toEqual({
      registry: '[2001:db8::1]',
      repository: 'team/app',
      tag: 'latest',
    });
    expect(parseRegistryReference(`[fe80::1%25eth0]/app`.replace('%25eth0', ''))).toMatchObject({
      registry: '[fe80::1]',
    });
  });

  it('a digest: no tag unless one was written too (then both are kept)', () => {
    expect(parseRegistryReference(`nginx@${DIGEST}`)).toEqual({
      registry: 'docker.io',
      repository: 'library/nginx',
      digest: DIGEST,
    });
    expect(parseRegistryReference(`[::1]:5000/app:v1@${DIGEST}`)).toEqual({
      registry: '[::1]:5000',
      repository: 'app',
      tag: 'v1',
      digest: DIGEST,
    });
  });

  it('names: full and familiar', () => {
    const hub = parseRegistryReference('nginx');
    expect(fullRepositoryName(hub)).toBe('docker.io/library/nginx');
    expect(familiarRepositoryName(hub)).toBe('nginx');
    expect(familiarRepositoryName(parseRegistryReference('team/app'))).toBe('team/app');
    expect(familiarRepositoryName(parseRegistryReference('library/a/b'))).toBe('library/a/b');
    expect(familiarRepositoryName(parseRegistryReference('ghcr.io/library/x'))).toBe('ghcr.io/library/x');
  });
});

describe('parseRegistryReference: what Docker refuses', () => {
  it.each([
    ['', 'empty repository name'],
    [':tag', 'empty repository name'],
    ['a//b', 'empty repository name'],
    ['a/', 'empty repository name'],
    ['/a', 'empty repository name'],
    ['ghcr.io/', 'empty repository name'],
    ['App', 'lowercase'],
    ['ghcr.io/Team/app', 'lowercase'],
    ['a..b', 'bad repository name'],
    ['a___b', 'bad repository name'],
    ['-a', 'bad repository name'],
    ['a-', 'bad repository name'],
    ['a b', 'bad repository name'],
    [' nginx', 'bad repository name'],
    ['nginx:', 'bad tag'],
    ['nginx:-x', 'bad tag'],
    ['nginx:.x', 'bad tag'],
    // A colon before the last slash belongs to the host: `nginx:a` is no host:port.
    ['nginx:a/b', 'bad registry host'],
    [`nginx:${'t'.repeat(129)}`, 'bad tag'],
    ['nginx@', 'bad digest'],
    ['nginx@sha256:abc', 'bad digest'],
    [`nginx@sha256:${'A'.repeat(64)}`, 'bad digest'],
    [`nginx@sha512:${'a'.repeat(128)}`, 'bad digest'],
    [`nginx@${DIGEST}@${DIGEST}`, 'bad digest'],
    ['[::1/app', 'bad registry host'],
    ['exa_mple.com/app', 'bad registry host'],
    ['-host.com/app', 'bad registry host'],
    ['host.com:port/app', 'bad registry host'],
    ['host.com:123456/app', 'bad registry host'],
    // Docker refuses a bare 64-hex name: it would be read as an image ID.
    ['a'.repeat(64), 'hexadecimal'],
  ])('%j: INVALID_REFERENCE (%s)', (text, why) => {
    const error = thrown(() => parseRegistryReference(text));
    expect(error.code).toBe('INVALID_REFERENCE');
    expect(error.message).toContain(why);
    expect(error.message).toContain(JSON.stringify(text));
    expect(error.details.reference).toBe(text);
  });

  it('tags of exactly 128 characters, and the word characters Docker allows', () => {
    expect(parseRegistryReference(`a:${'t'.repeat(128)}`).tag).toHaveLength(128);
    expect(parseRegistryReference('a:_x.y-Z_9').tag).toBe('_x.y-Z_9');
    expect(parseRegistryReference('a__b.c-d---e_f').repository).toBe('library/a__b.c-d---e_f');
  });

  it('a name of 255 characters is accepted, 256 refused — counted after normalisation', () => {
    const host = 'example.com/';
    expect(parseRegistryReference(`${host}${'a'.repeat(255 - host.length)}`).repository).toHaveLength(243);
    const long = thrown(() => parseRegistryReference(`${host}${'a'.repeat(256 - host.length)}`));
    expect(long.message).toContain('longer than 255');
    // docker.io/library/ is 18 characters.
    expect(() => parseRegistryReference('a'.repeat(237))).not.toThrow();
    expect(thrown(() => parseRegistryReference('a'.repeat(238))).code).toBe('INVALID_REFERENCE');
  });

  it('a long text is shown cut to 200 characters', () => {
    const text = `${'a/'.repeat(300)}Z`;
    const error = thrown(() => parseRegistryReference(text));
    expect(error.message.length).toBeLessThan(300);
    expect(error.details.reference).toBe(text.slice(0, 200));
  });
});

/** Arbitrary valid references, already in normal form. */
const component = fc.stringMatching(/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+){0,2}$/);
const host = fc.oneof(
  fc.constantFrom('docker.io', 'ghcr.io', 'localhost', 'localhost:5000', '127.0.0.1:5000', '[::1]:5000'),
  fc.constantFrom('[2001:db8::1]', 'Example.COM', 'MyHost', 'registry:80', 'a-b.c-d.example'),
);
const tag = fc.stringMatching(/^\w[\w.-]{0,20}$/);
const digest = fc.stringMatching(/^[0-9a-f]{64}$/).map((hex) => `sha256:${hex}`);
const reference: fc.Arbitrary<RegistryReference> = fc
  .record({
    registry: host,
    path: fc.array(component, { minLength: 1, maxLength: 4 }),
    tag: fc.option(tag, { nil: undefined }),
    digest: fc.option(digest, { nil: undefined }),
  })
  .filter(({ registry, path }) => registry !== 'docker.io' || path.length > 1)
  .map(({ registry, path, tag, digest }) => {
    const parsed: RegistryReference = { registry, repository: path.join('/') };
    if (tag !== undefined || digest === undefined) parsed.tag = tag ?? 'latest';
    if (digest !== undefined) parsed.digest = digest as never;
    return parsed;
  })
  .filter((parsed) => fullRepositoryName(parsed).length <= 255);

describe('properties', () => {
  it('format then parse gives back the same reference', async () => {
    await checkProperty(
      fc.property(reference, (parsed) => {
        expect(parseRegistryReference(formatRegistryReference(parsed))).toEqual(parsed);
      }),
    );
  });

  it('the familiar name parses to the same repository', async () => {
    // As in Docker's FamiliarName, a Hub repository whose namespace looks like a host (`a.b/c`)
    // has an ambiguous familiar name; Hub namespaces are [a-z0-9] only, so that never occurs.
    const unambiguous = reference.filter(
      (parsed) =>
        parsed.registry !== 'docker.io' || !/[.:]|^localhost$/.test(parsed.repository.split('/')[0]!),
    );
    await checkProperty(
      fc.property(unambiguous, (parsed) => {
        const again = parseRegistryReference(`${familiarRepositoryName(parsed)}:x`);
        expect(fullRepositoryName(again)).toBe(fullRepositoryName(parsed));
      }),
    );
  });

  it('any text either parses to a reference that formats and parses back, or is INVALID_REFERENCE', async () => {
    const text = fc.oneof(
      fc.string(),
      fc.string({ unit: fc.constantFrom(...'aZ0:/@._-[]'.split('')), maxLength: 30 }),
      reference
        .map(formatRegistryReference)
        .chain((valid) =>
          fc.nat({ max: valid.length }).map((cut) => valid.slice(0, cut) + valid.slice(cut + 1)),
        ),
    );
    await checkProperty(
      fc.property(text, (input) => {
        let parsed: RegistryReference;
        try {
          parsed = parseRegistryReference(input);
        } catch (error) {
          expect(isLayerkitError(error, 'INVALID_REFERENCE')).toBe(true);
          return;
        }
        expect(parseRegistryReference(formatRegistryReference(parsed))).toEqual(parsed);
      }),
      { numRuns: 500 },
    );
  });
});
