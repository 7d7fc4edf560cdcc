/**
 * HEALTHCHECK and SHELL in `--change`, and the builder flags of instruction lines, compared with
 * what Docker's Dockerfile parser (buildkit) and dispatchers write.
 */
import { applyChanges, type ImageConfig, parseChange, parseChanges } from '@layerkit/image';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../../../fixtures/error-of.js';

const SECOND = 1_000_000_000;
const base: ImageConfig = {
  architecture: 'amd64',
  os: 'linux',
  rootfs: { type: 'layers', diff_ids: [] },
  config: { Cmd: ['nginx'], Healthcheck: { Test: ['CMD', 'old'] } },
};
const apply = (...lines: string[]) => applyChanges(base, parseChanges(lines)).config!;

describe('HEALTHCHECK', () => {
  it.each([
    ['HEALTHCHECK NONE', { Test: ['NONE'] }],
    ['healthcheck none', { Test: ['NONE'] }],
    [
      'HEALTHCHECK CMD curl -f http://localhost/ || exit 1',
      { Test: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'] },
    ],
    [
      'HEALTHCHECK CMD ["curl", "-f", "http://localhost/"]',
      { Test: ['CMD', 'curl', '-f', 'http://localhost/'] },
    ],
    ['HEALTHCHECK cmd ["true"]', { Test: ['CMD', 'true'] }],
    // Not JSON: the shell form.
    ['HEALTHCHECK CMD [ -f /ready ]', { Test: ['CMD-SHELL', '[ -f /ready ]'] }],
    [
      'HEALTHCHECK --interval=30s --timeout=3s --start-period=1m --start-interval=500ms --retries=5 CMD true',
      {
        Test: ['CMD-SHELL', 'true'],
        Interval: 30 * SECOND,
        Timeout: 3 * SECOND,
        StartPeriod: 60 * SECOND,
        StartInterval: SECOND / 2,
        Retries: 5,
      },
    ],
    ['HEALTHCHECK --interval=1h2m3.5s CMD true', { Test: ['CMD-SHELL', 'true'], Interval: 3723.5 * SECOND }],
    ['HEALTHCHECK --interval="10s" CMD true', { Test: ['CMD-SHELL', 'true'], Interval: 10 * SECOND }],
    // Zero (or an empty value) is Docker's default, which it leaves out of the config.
    ['HEALTHCHECK --interval=0s --timeout= --retries=0 CMD true', { Test: ['CMD-SHELL', 'true'] }],
    ['HEALTHCHECK --retries=+3 CMD true', { Test: ['CMD-SHELL', 'true'], Retries: 3 }],
    // buildkit reads no flags for NONE.
    ['HEALTHCHECK --interval=5s NONE', { Test: ['NONE'] }],
  ])('%s', (line, healthcheck) => {
    expect(apply(line).Healthcheck).toEqual(healthcheck);
  });

  it('replaces the base healthcheck and leaves everything else', () => {
    const config = apply('HEALTHCHECK --retries=2 CMD ["probe"]');
    expect(config).toEqual({ Cmd: ['nginx'], Healthcheck: { Test: ['CMD', 'probe'], Retries: 2 } });
  });

  it.each([
    ['HEALTHCHECK NONE extra', 'HEALTHCHECK NONE takes no arguments'],
    ['HEALTHCHECK CMD', 'missing command after HEALTHCHECK CMD'],
    ['HEALTHCHECK CMD []', 'missing command after HEALTHCHECK CMD'],
    ['HEALTHCHECK CMD [1]', 'arrays must be comprised of strings only'],
    ['HEALTHCHECK RUN true', 'unknown type "RUN" in HEALTHCHECK (try CMD)'],
    ['HEALTHCHECK --interval=10 CMD true', 'missing unit in duration "10"'],
    ['HEALTHCHECK --interval=10d CMD true', 'unknown unit "d"'],
    ['HEALTHCHECK --interval=500us CMD true', '--interval cannot be less than 1ms'],
    ['HEALTHCHECK --timeout=-1s CMD true', '--timeout cannot be less than 1ms'],
    ['HEALTHCHECK --start-period=2600h CMD true', 'cannot be more than 2^53-1 ns'],
    ['HEALTHCHECK --retries=-1 CMD true', 'retries cannot be negative'],
    ['HEALTHCHECK --retries=1.5 CMD true', 'not an integer'],
    ['HEALTHCHECK --retries=2147483648 CMD true', 'out of range'],
    ['HEALTHCHECK --interval CMD true', 'missing a value on flag: --interval'],
    ['HEALTHCHECK --interval=1s --interval=2s CMD true', 'duplicate flag specified: --interval'],
    ['HEALTHCHECK --period=1s CMD true', 'unknown flag: --period'],
    // Flags are not expanded.
    ['HEALTHCHECK --interval=$I CMD true', 'invalid duration'],
  ])('rejects %j', (line, message) => {
    const error = errorOf(() => parseChange(line));
    expect(error.code).toBe('INVALID_CHANGE');
    expect(error.message).toContain(message);
  });
});

describe('SHELL', () => {
  it('sets Shell; later shell-form CMD and ENTRYPOINT run with it, earlier ones keep theirs', () => {
    const config = apply(
      'CMD before',
      'SHELL ["/bin/bash", "-o", "pipefail", "-c"]',
      'ENTRYPOINT run | tee log',
      'HEALTHCHECK CMD probe | grep ok',
    );
    expect(config.Shell).toEqual(['/bin/bash', '-o', 'pipefail', '-c']);
    expect(config.Entrypoint).toEqual(['/bin/bash', '-o', 'pipefail', '-c', 'run | tee log']);
    // ENTRYPOINT after a CMD in the same set keeps it.
    expect(config.Cmd).toEqual(['/bin/sh', '-c', 'before']);
    // A CMD-SHELL healthcheck is run with the config's Shell at check time; its Test stays as written.
    expect(config.Healthcheck).toEqual({ Test: ['CMD-SHELL', 'probe | grep ok'] });
    expect(apply('SHELL ["/bin/ash", "-c"]', 'CMD x').Cmd).toEqual(['/bin/ash', '-c', 'x']);
  });

  it('a later SHELL replaces an earlier one; exec forms ignore it', () => {
    const config = apply('SHELL ["a"]', 'SHELL ["b", "-c"]', 'CMD ["x"]', 'ENTRYPOINT y');
    expect(config).toMatchObject({ Shell: ['b', '-c'], Cmd: ['x'], Entrypoint: ['b', '-c', 'y'] });
  });

  it.each([
    ['SHELL /bin/bash -c', 'SHELL requires the arguments to be in JSON form'],
    ['SHELL []', 'SHELL requires at least one argument'],
    ['SHELL [1]', 'arrays must be comprised of strings only'],
    ['SHELL', 'requires an argument'],
  ])('rejects %j', (line, message) => {
    expect(errorOf(() => parseChange(line)).message).toContain(message);
  });
});

describe('builder flags on other instructions', () => {
  it.each([
    ['CMD --port=80 serve', '--port'],
    ['ENTRYPOINT --init ["x"]', '--init'],
    ['ENV --x A=1', '--x'],
    ['LABEL --x a=b', '--x'],
    ['EXPOSE --x 80', '--x'],
    ['USER --x nobody', '--x'],
    ['WORKDIR --x /a', '--x'],
    ['VOLUME --x /a', '--x'],
    ['ONBUILD --x RUN true', '--x'],
    ['SHELL --x ["a"]', '--x'],
  ])('rejects a flag on %j (buildkit: unknown flag)', (line, flag) => {
    expect(errorOf(() => parseChange(line)).message).toContain(`unknown flag: ${flag}`);
  });

  it('STOPSIGNAL ignores them, as buildkit does', () => {
    expect(apply('STOPSIGNAL --x SIGTERM').StopSignal).toBe('SIGTERM');
  });

  it('a -- word ends the flags', () => {
    expect(apply('CMD -- --version').Cmd).toEqual(['/bin/sh', '-c', '--version']);
  });
});

describe('CMD and ENTRYPOINT as moby dispatches them', () => {
  it('ENTRYPOINT [] removes the Entrypoint; an empty CMD does not keep Cmd from ENTRYPOINT', () => {
    expect(apply('ENTRYPOINT []').Entrypoint).toBeUndefined();
    expect(apply('CMD []', 'ENTRYPOINT ["x"]').Cmd).toBeUndefined();
    expect(apply('CMD ["a"]', 'ENTRYPOINT ["x"]').Cmd).toEqual(['a']);
  });
});
