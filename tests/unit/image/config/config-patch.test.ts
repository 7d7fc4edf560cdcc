// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile ${VAR} syntax is the literal test input.
/** The typed config API: literal, validated, pure and idempotent. */
import { applyChanges, type ContainerConfig, type ImageConfig, parseChanges } from '@layerkit/image';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyConfig, type ConfigPatch } from '../../../../packages/image/src/config/config-patch.js';
import { errorOf } from '../../../fixtures/error-of.js';
import { checkProperty } from '../../../fixtures/property.js';

const SECOND = 1_000_000_000;
const image = (config?: ContainerConfig): ImageConfig => ({
  architecture: 'amd64',
  os: 'linux',
  rootfs: { type: 'layers', diff_ids: [] },
  ...(config === undefined ? {} : { config }),
});
const base = image({
  Env: ['PATH=/usr/local/bin:/bin', 'LANG=C.UTF-8', 'OLD=1'],
  Cmd: ['nginx', '-g', 'daemon off;'],
  Entrypoint: ['/docker-entrypoint.sh'],
  Labels: { maintainer: 'Tao Wang', keep: 'yes' },
  ExposedPorts: { '80/tcp': {} },
  Volumes: { '/data': {} },
  Healthcheck: { Test: ['CMD', 'probe'] },
});
const patched = (patch: ConfigPatch) => applyConfig(base, patch).config!;

describe('applyConfig', () => {
  it('sets values literally: no $ expansion, no quote or shell parsing', () => {
    const config = patched({
      Env: { PATH: '/usr/bin:$PATH', QUOTED: '"a b" \'c\' \\$d' },
      Cmd: ['sh', '-c', 'echo $HOME | tee "x"'],
      Labels: { 'a b': '${NOT_EXPANDED}' },
      WorkingDir: '/srv/$APP',
    });
    expect(config.Env).toEqual(['PATH=/usr/bin:$PATH', 'LANG=C.UTF-8', 'OLD=1', 'QUOTED="a b" \'c\' \\$d']);
    expect(config.Cmd).toEqual(['sh', '-c', 'echo $HOME | tee "x"']);
    expect(config.Labels).toEqual({ maintainer: 'Tao Wang', keep: 'yes', 'a b': '${NOT_EXPANDED}' });
    expect(config.WorkingDir).toBe('/srv/$APP');
  });

  it('merges Env by name: in place, new names appended in order, null unsets; the list form too', () => {
    expect(patched({ Env: { NEW: 'x', LANG: 'en_US.UTF-8', OLD: null, Z: '' } }).Env).toEqual([
      'PATH=/usr/local/bin:/bin',
      'LANG=en_US.UTF-8',
      'NEW=x',
      'Z=',
    ]);
    expect(patched({ Env: ['LANG=C', 'A=b=c'] }).Env).toEqual([
      'PATH=/usr/local/bin:/bin',
      'LANG=C',
      'OLD=1',
      'A=b=c',
    ]);
  });

  it('leaves one entry of a name the base repeats, unlike the ENV instruction (moby: the first only)', () => {
    const repeated = image({ Env: ['G=1', 'X=2', 'G=3'] });
    expect(applyConfig(repeated, { Env: { G: 'v' } }).config!.Env).toEqual(['G=v', 'X=2']);
    expect(applyConfig(repeated, { Env: { G: null } }).config!.Env).toEqual(['X=2']);
    expect(applyChanges(repeated, parseChanges(['ENV G=v'])).config!.Env).toEqual(['G=v', 'X=2', 'G=3']);
  });

  it('merges Labels, ExposedPorts and Volumes; null removes a key', () => {
    const config = patched({
      Labels: { keep: null, version: '2' },
      ExposedPorts: ['443', '53/UDP', '8000-8001/tcp'],
      Volumes: { '/data': null, '/cache': {} },
    });
    expect(config.Labels).toEqual({ maintainer: 'Tao Wang', version: '2' });
    expect(Object.keys(config.ExposedPorts!)).toEqual([
      '80/tcp',
      '443/tcp',
      '53/udp',
      '8000/tcp',
      '8001/tcp',
    ]);
    expect(config.Volumes).toEqual({ '/cache': {} });
    expect(patched({ ExposedPorts: { '80': null, '9090/sctp': {} } }).ExposedPorts).toEqual({
      '9090/sctp': {},
    });
    expect(patched({ Volumes: ['/a', '/b'] }).Volumes).toEqual({ '/data': {}, '/a': {}, '/b': {} });
  });

  it('replaces the other fields as given: Entrypoint does not clear Cmd; null removes a field', () => {
    const config = patched({ Entrypoint: ['/bin/app'], Shell: ['/bin/bash', '-c'], OnBuild: ['RUN make'] });
    expect(config).toMatchObject({
      Entrypoint: ['/bin/app'],
      Cmd: ['nginx', '-g', 'daemon off;'],
      Shell: ['/bin/bash', '-c'],
      OnBuild: ['RUN make'],
    });
    const cleared = patched({ Entrypoint: null, Labels: null, Healthcheck: null, Env: undefined });
    expect(cleared.Entrypoint).toBeUndefined();
    expect(cleared.Labels).toBeUndefined();
    expect(cleared.Healthcheck).toBeUndefined();
    expect(cleared.Env).toEqual(base.config!.Env);
  });

  it('takes Healthcheck durations as nanoseconds or Go durations, leaving zeros out as Docker does', () => {
    const config = patched({
      Healthcheck: {
        Test: ['CMD-SHELL', 'curl -f http://localhost/'],
        Interval: '1m30s',
        Timeout: 5 * SECOND,
        StartPeriod: 0,
        Retries: 3,
      },
      User: 'www-data:www-data',
      StopSignal: 'SIGQUIT',
    });
    expect(config.Healthcheck).toEqual({
      Test: ['CMD-SHELL', 'curl -f http://localhost/'],
      Interval: 90 * SECOND,
      Timeout: 5 * SECOND,
      Retries: 3,
    });
    expect(config).toMatchObject({ User: 'www-data:www-data', StopSignal: 'SIGQUIT' });
    expect(patched({ Healthcheck: { Test: ['NONE'] } }).Healthcheck).toEqual({ Test: ['NONE'] });
  });

  it('changes nothing for an empty patch, and adds no config to an image without one', () => {
    expect(applyConfig(base, {})).toEqual(base);
    expect(applyConfig(image(), {})).toEqual(image());
    expect(applyConfig(image(), { Cmd: ['x'] }).config).toEqual({ Cmd: ['x'] });
  });

  it.each<[string, unknown]>([
    ['author', { author: 'me' }],
    ['Memory', { Memory: 1 }],
    ['Env', { Env: ['NOEQUALS'] }],
    ['Env', { Env: ['=x'] }],
    ['Env', { Env: { 'A=B': 'x' } }],
    ['Env', { Env: { A: 1 } }],
    ['Env', { Env: { A: 'nul\0' } }],
    ['Env', { Env: 'A=1' }],
    ['Cmd', { Cmd: 'echo hi' }],
    ['Cmd', { Cmd: ['ok', 2] }],
    ['Entrypoint', { Entrypoint: [null] }],
    ['WorkingDir', { WorkingDir: 'relative/dir' }],
    ['WorkingDir', { WorkingDir: '' }],
    ['User', { User: '4294967296' }],
    ['User', { User: 'a:b:c' }],
    ['Labels', { Labels: { '': 'x' } }],
    ['Labels', { Labels: ['a=b'] }],
    ['ExposedPorts', { ExposedPorts: ['http'] }],
    ['ExposedPorts', { ExposedPorts: ['80/icmp'] }],
    ['ExposedPorts', { ExposedPorts: { '80/tcp': true } }],
    ['Volumes', { Volumes: [''] }],
    ['StopSignal', { StopSignal: 'kill;rm' }],
    ['Shell', { Shell: [] }],
    ['OnBuild', { OnBuild: ['ONBUILD RUN x'] }],
    ['OnBuild', { OnBuild: ['FROM scratch'] }],
    ['OnBuild', { OnBuild: [''] }],
    ['Healthcheck', { Healthcheck: { Test: [] } }],
    ['Healthcheck', { Healthcheck: { Test: ['CMD'] } }],
    ['Healthcheck', { Healthcheck: { Test: ['NONE', 'x'] } }],
    ['Healthcheck', { Healthcheck: { Test: ['RUN', 'x'] } }],
    ['Healthcheck', { Healthcheck: { Test: ['CMD', 'x'], Interval: 500 } }],
    ['Healthcheck', { Healthcheck: { Test: ['CMD', 'x'], Interval: '10' } }],
    ['Healthcheck', { Healthcheck: { Test: ['CMD', 'x'], Timeout: -1 } }],
    ['Healthcheck', { Healthcheck: { Test: ['CMD', 'x'], Timeout: 1_000_000.5 } }],
    ['Healthcheck', { Healthcheck: { Test: ['CMD', 'x'], Retries: -1 } }],
    ['Healthcheck', { Healthcheck: { Test: ['CMD', 'x'], retries: 3 } }],
  ])('rejects a bad %s with INVALID_CONFIG naming it', (field, patch) => {
    const error = errorOf(() => applyConfig(base, patch as ConfigPatch));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.details.field).toBe(field);
    expect(error.message).toContain(field);
  });

  it('points a misplaced author to the step', () => {
    expect(errorOf(() => applyConfig(base, { author: 'me' } as ConfigPatch)).message).toContain('step');
  });
});

describe('applyConfig properties', () => {
  const text = fc.string({ maxLength: 12 }).filter((s) => !s.includes('\0'));
  const shellish = fc.oneof(text, fc.constantFrom('$PATH', '${A:-x}', "'q'", '"x y"', '\\$', '=', ''));
  const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,6}$/);
  const port = fc
    .tuple(fc.integer({ min: 0, max: 65533 }), fc.nat(2), fc.constantFrom('', '/tcp', '/udp', '/SCTP'))
    .map(([start, span, protocol]) => `${start}${span === 0 ? '' : `-${start + span}`}${protocol}`);
  const path = text.filter((s) => s !== '').map((s) => `/${s}`);
  const keySet = <T extends string>(key: fc.Arbitrary<T>) =>
    fc.oneof(
      fc.array(key, { maxLength: 4 }),
      fc.dictionary(key, fc.constantFrom<Record<string, never> | null>({}, null), { maxKeys: 4 }),
    );
  const duration = fc.oneof(
    fc.constant(0),
    fc.integer({ min: 1_000_000, max: Number.MAX_SAFE_INTEGER }),
    fc.constantFrom('30s', '1m30s', '0', '1.5h', '250ms'),
  );
  const orNull = <T>(value: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: value }, fc.constant(null));

  const patchArbitrary: fc.Arbitrary<ConfigPatch> = fc.record(
    {
      Env: orNull(
        fc.oneof(
          fc.array(
            fc.tuple(name, shellish).map(([key, value]) => `${key}=${value}`),
            { maxLength: 5 },
          ),
          fc.dictionary(name, fc.option(shellish, { nil: null }), { maxKeys: 5 }),
        ),
      ),
      Cmd: orNull(fc.array(shellish, { maxLength: 4 })),
      Entrypoint: orNull(fc.array(shellish, { maxLength: 3 })),
      WorkingDir: orNull(path),
      User: orNull(fc.constantFrom('', 'root', '1000', '1000:1000', 'www-data:www-data')),
      Labels: orNull(
        fc.dictionary(
          text.filter((s) => s !== ''),
          fc.option(shellish, { nil: null }),
          { maxKeys: 4 },
        ),
      ),
      ExposedPorts: orNull(keySet(port)),
      Volumes: orNull(keySet(path)),
      StopSignal: orNull(fc.constantFrom('SIGTERM', '9', 'SIGRTMIN+3', 'QUIT')),
      Healthcheck: orNull(
        fc.record(
          {
            Test: fc.oneof(
              fc.constant(['NONE']),
              fc.array(shellish, { minLength: 1, maxLength: 3 }).map((args) => ['CMD', ...args]),
              shellish.map((command) => ['CMD-SHELL', command]),
            ),
            Interval: duration,
            Timeout: duration,
            StartPeriod: duration,
            StartInterval: duration,
            Retries: fc.nat(10),
          },
          { requiredKeys: ['Test'] },
        ),
      ),
      Shell: orNull(fc.array(shellish, { minLength: 1, maxLength: 3 })),
      OnBuild: orNull(
        fc.array(fc.constantFrom('RUN make', 'COPY . /app', 'RUN echo $HOME'), { maxLength: 2 }),
      ),
    },
    { requiredKeys: [] },
  );

  const baseArbitrary: fc.Arbitrary<ImageConfig> = fc
    .option(
      fc.record(
        {
          // A base may hold anything a parsed config can: entries without `=`, repeated names.
          Env: fc.array(
            fc.oneof(
              fc.tuple(name, text).map(([key, value]) => `${key}=${value}`),
              name,
            ),
            { maxLength: 5 },
          ),
          Cmd: fc.array(text, { maxLength: 3 }),
          Labels: fc.dictionary(text, text, { maxKeys: 3 }),
          ExposedPorts: fc.dictionary(fc.constantFrom('80/tcp', '443/tcp', '53/udp'), fc.constant({})),
          Volumes: fc.dictionary(path, fc.constant({}), { maxKeys: 3 }),
          Healthcheck: fc.constant({ Test: ['CMD', 'probe'], Interval: 30 * SECOND }),
          WorkingDir: path,
          ArgsEscaped: fc.boolean(),
        },
        { requiredKeys: [] },
      ),
      { nil: undefined },
    )
    .map((config) => image(config));

  it('never modifies its inputs (deeply frozen, and equal afterwards)', async () => {
    await checkProperty(
      fc.property(baseArbitrary, patchArbitrary, (config, patch) => {
        const before = structuredClone({ config, patch });
        const result = applyConfig(deepFreeze(config), deepFreeze(patch));
        expect({ config, patch }).toEqual(before);
        if (result.config !== undefined) expect(result.config).not.toBe(config.config);
      }),
    );
  });

  it('is idempotent: applying a patch twice equals applying it once', async () => {
    await checkProperty(
      fc.property(baseArbitrary, patchArbitrary, (config, patch) => {
        const once = applyConfig(config, patch);
        expect(applyConfig(once, patch)).toEqual(once);
      }),
    );
  });

  it('sets what it is given, literally', async () => {
    const pinned = [
      {
        seed: -343884199,
        path: '0:0:0:0:0:0:0:2:0:65:65:65:65:65:65',
        why: 'a label named valueOf: the check read Object.prototype.valueOf; it reads own keys now',
      },
    ];
    await checkProperty(
      fc.property(baseArbitrary, patchArbitrary, (config, patch) => {
        const result = applyConfig(config, patch).config ?? {};
        if (Array.isArray(patch.Cmd)) expect(result.Cmd).toEqual(patch.Cmd);
        if (patch.Env !== undefined && patch.Env !== null && !Array.isArray(patch.Env)) {
          for (const [key, value] of Object.entries(patch.Env)) {
            const entries = (result.Env ?? []).filter((entry) => entry.split('=', 1)[0] === key);
            expect(entries).toEqual(value === null ? [] : [`${key}=${value}`]);
          }
        }
        for (const [key, value] of Object.entries(patch.Labels ?? {})) {
          // Own keys only: a label may be called `valueOf`.
          const labels = result.Labels ?? {};
          expect(Object.hasOwn(labels, key) ? labels[key] : null).toBe(value);
        }
      }),
      { pinned },
    );
  });
});

/** Freezes `value` and everything it holds, so that any write to it throws. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}
