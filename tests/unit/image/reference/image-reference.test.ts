import { formatImageReference, parseImageReference } from '@layerkit/image';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../../../fixtures/error-of.js';

describe('parseImageReference (skopeo transport syntax)', () => {
  it.each([
    ['oci:images', { transport: 'oci', path: 'images' }],
    ['oci:images:nginx', { transport: 'oci', path: 'images', tag: 'nginx' }],
    // The path ends at the first colon, as containers/image splits on Linux.
    ['oci:images:nginx:v2', { transport: 'oci', path: 'images', tag: 'nginx:v2' }],
    ['oci:/abs/dir:', { transport: 'oci', path: '/abs/dir' }],
    ['oci-archive:img.tar:latest', { transport: 'oci-archive', path: 'img.tar', tag: 'latest' }],
    ['docker-archive:a.tar', { transport: 'docker-archive', path: 'a.tar' }],
    ['docker-archive:a.tar:@2', { transport: 'docker-archive', path: 'a.tar', sourceIndex: 2 }],
    // Registries, with Docker's normalisation.
    [
      'docker://nginx',
      { transport: 'docker', registry: 'docker.io', repository: 'library/nginx', tag: 'latest' },
    ],
    [
      'docker://index.docker.io/team/app:1.2',
      { transport: 'docker', registry: 'docker.io', repository: 'team/app', tag: '1.2' },
    ],
    [
      'docker://127.0.0.1:5000/nginx:v2',
      { transport: 'docker', registry: '127.0.0.1:5000', repository: 'nginx', tag: 'v2' },
    ],
    [
      'docker://localhost/a/b/c',
      { transport: 'docker', registry: 'localhost', repository: 'a/b/c', tag: 'latest' },
    ],
    [
      `docker://ghcr.io/org/app@sha256:${'a'.repeat(64)}`,
      { transport: 'docker', registry: 'ghcr.io', repository: 'org/app', digest: `sha256:${'a'.repeat(64)}` },
    ],
    [
      `docker://ghcr.io/org/app:1@sha256:${'b'.repeat(64)}`,
      {
        transport: 'docker',
        registry: 'ghcr.io',
        repository: 'org/app',
        tag: '1',
        digest: `sha256:${'b'.repeat(64)}`,
      },
    ],
  ])('%s', (text, expected) => {
    const ref = parseImageReference(text);
    expect(ref).toEqual(expected);
    expect(parseImageReference(formatImageReference(ref))).toEqual(ref);
  });

  it('normalizes docker-archive names like Docker', () => {
    const ref = parseImageReference('docker-archive:a.tar:nginx');
    expect(ref).toMatchObject({ name: { repository: 'docker.io/library/nginx', tag: 'latest' } });
    expect(formatImageReference(ref)).toBe('docker-archive:a.tar:docker.io/library/nginx:latest');
    expect(parseImageReference('docker-archive:a.tar:example.com:5000/app:1')).toMatchObject({
      path: 'a.tar',
      name: { repository: 'example.com:5000/app', tag: '1' },
    });
  });

  it.each([
    'images',
    'docker:nginx',
    'docker://',
    'docker://Nginx',
    'docker://nginx:',
    'docker://nginx:bad/tag',
    'docker://nginx@sha256:abc',
    'docker://nginx@md5:abc',
    'docker://a//b',
    'docker://-bad.example.com/app',
    `docker://example.com/${'a'.repeat(250)}`,
    'oci:',
    'oci::tag',
    'oci:dir:../../x',
    'oci:dir:a//b',
    'oci:dir:-x',
    'docker-archive:a.tar:Upper',
    `docker-archive:a.tar:nginx@sha256:${'a'.repeat(64)}`,
    'docker-archive:a.tar:@-1',
    'docker-archive:a.tar:@x',
    'docker-archive:a.tar:',
  ])('rejects %j', (text) => {
    expect(errorOf(() => parseImageReference(text)).code).toBe('INVALID_REFERENCE');
  });
});
