/**
 * Registry failures as one-line layerkit errors: the code a caller branches on, the registry's own
 * JSON errors surfaced (cut, on one line), URLs without their query or user info, no credential.
 */
import type { LayerkitErrorCode } from '@layerkit/digest';
import { describe, expect, it } from 'vitest';
import {
  describeUrl,
  parseRegistryErrors,
  registryProtocolError,
  registryStatusError,
} from '../../../packages/registry/src/registry-errors.js';
import { expectNoSecrets } from '../../fixtures/credentials-sandbox.js';

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const URL_WITH_SECRETS =
  'https://alice:PW-SECRET@registry.example:5000/v2/app/blobs/sha256:aa?X-Amz-Signature=SIG-SECRET#frag';

describe('describeUrl', () => {
  it('keeps scheme, host and path; drops user info, query and fragment', () => {
    expect(describeUrl(URL_WITH_SECRETS)).toBe('https://registry.example:5000/v2/app/blobs/sha256:aa');
    expect(describeUrl('http://[::1]:5000/v2/')).toBe('http://[::1]:5000/v2/');
  });

  it('an invalid URL is not echoed', () => {
    expect(describeUrl('not a url PW-SECRET')).toBe('<invalid URL>');
  });
});

describe('parseRegistryErrors', () => {
  it('the distribution errors array: code and message', () => {
    expect(
      parseRegistryErrors(
        json({
          errors: [
            { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'x' } },
            { code: 'DENIED', message: 'requested access to the resource is denied' },
          ],
        }),
      ),
    ).toEqual([
      { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' },
      { code: 'DENIED', message: 'requested access to the resource is denied' },
    ]);
  });

  it.each([
    ['no JSON', new TextEncoder().encode('<html>502</html>')],
    ['JSON null', json(null)],
    ['a number', json(5)],
    ['no errors', json({ message: 'x' })],
    ['errors not an array', json({ errors: 'x' })],
    ['nothing', new Uint8Array(0)],
  ])('%s: none', (_, body) => {
    expect(parseRegistryErrors(body)).toEqual([]);
  });

  it('entries without a string code are skipped; a message that is no string is empty; both are cut', () => {
    expect(
      parseRegistryErrors(
        json({ errors: [null, 5, { message: 'no code' }, { code: 7 }, { code: 'X', message: { a: 1 } }] }),
      ),
    ).toEqual([{ code: 'X', message: '' }]);
    const [long] = parseRegistryErrors(
      json({ errors: [{ code: 'C'.repeat(500), message: 'm'.repeat(5000) }] }),
    );
    expect(long!.code).toHaveLength(100);
    expect(long!.message).toHaveLength(300);
  });
});

describe('registryStatusError', () => {
  const error = (status: number, body: Uint8Array = new Uint8Array(0), notFound?: LayerkitErrorCode) =>
    registryStatusError('manifest r.example/app:v1', 'GET', URL_WITH_SECRETS, status, body, notFound);

  it.each([
    [401, 'REGISTRY_UNAUTHORIZED'],
    [403, 'REGISTRY_DENIED'],
    [404, 'REGISTRY_NOT_FOUND'],
    [429, 'REGISTRY_RATE_LIMITED'],
    [400, 'REGISTRY_ERROR'],
    [500, 'REGISTRY_ERROR'],
  ])('HTTP %i: %s', (status, code) => {
    expect(error(status).code).toBe(code);
  });

  it('a 404 takes the code the caller gives it; a TOOMANYREQUESTS body is a rate limit whatever the status', () => {
    expect(error(404, undefined, 'IMAGE_NOT_FOUND').code).toBe('IMAGE_NOT_FOUND');
    expect(error(503, json({ errors: [{ code: 'TOOMANYREQUESTS', message: 'slow' }] })).code).toBe(
      'REGISTRY_RATE_LIMITED',
    );
  });

  it('one line: what, method, URL without query, status, the registry errors', () => {
    const failed = error(
      404,
      json({
        errors: [
          { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' },
          { code: 'NAME_UNKNOWN', message: '' },
        ],
      }),
    );
    expect(failed.message).toBe(
      'manifest r.example/app:v1: GET https://registry.example:5000/v2/app/blobs/sha256:aa: HTTP 404 MANIFEST_UNKNOWN: manifest unknown; NAME_UNKNOWN',
    );
    expect(failed.details).toEqual({
      url: 'https://registry.example:5000/v2/app/blobs/sha256:aa',
      method: 'GET',
      status: 404,
      registryErrors: [
        { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' },
        { code: 'NAME_UNKNOWN', message: '' },
      ],
    });
  });

  it('line breaks and control characters in what the registry says do not break the line', () => {
    const failed = error(
      500,
      json({
        errors: [{ code: 'UNKNOWN\n', message: 'first line\r\nsecond line\u001b[31m red\u0000 \u2028x' }],
      }),
    );
    expect(failed.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(failed.message).toContain('first line second line');
  });

  it('never shows the user info or query of the URL', () => {
    expectNoSecrets(error(401), ['PW-SECRET', 'SIG-SECRET', 'alice:']);
  });
});

describe('registryProtocolError', () => {
  it('REGISTRY_PROTOCOL_ERROR: what, the URL without query, the problem', () => {
    const failed = registryProtocolError('blob sha256:aa', URL_WITH_SECRETS, 'a redirect loop');
    expect(failed.code).toBe('REGISTRY_PROTOCOL_ERROR');
    expect(failed.message).toBe(
      'blob sha256:aa: https://registry.example:5000/v2/app/blobs/sha256:aa: a redirect loop',
    );
    expectNoSecrets(failed, ['PW-SECRET', 'SIG-SECRET']);
  });
});
