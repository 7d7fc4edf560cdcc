// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile ${VAR} syntax is the literal test input.
import { applyChanges, type ImageConfig, parseChange, parseChanges } from '@layerkit/image';
import { describe, expect, it } from 'vitest';
import { expandWord, splitQuotedWords } from '../../../../packages/image/src/config/shell-words.js';
import { errorOf } from '../../../fixtures/error-of.js';

const base: ImageConfig = {
  architecture: 'amd64',
  os: 'linux',
  rootfs: { type: 'layers', diff_ids: [] },
  config: {
    Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'NGINX_VERSION=1.25.3'],
    Cmd: ['nginx', '-g', 'daemon off;'],
    Entrypoint: ['/docker-entrypoint.sh'],
    WorkingDir: '/app',
  },
};
const apply = (...lines: string[]) => applyChanges(base, parseChanges(lines)).config!;

describe('config changes, compared with what Docker writes', () => {
  it.each([
    [['CMD echo hi'], { Cmd: ['/bin/sh', '-c', 'echo hi'] }],
    [['CMD ["echo", "hi"]'], { Cmd: ['echo', 'hi'] }],
    [['cmd []'], { Cmd: [] }],
    // Not JSON at all: the shell form, as buildkit falls back.
    [['CMD [echo hi'], { Cmd: ['/bin/sh', '-c', '[echo hi'] }],
    [['CMD echo $HOME "x"'], { Cmd: ['/bin/sh', '-c', 'echo $HOME "x"'] }],
    [['ENTRYPOINT ["/bin/app"]'], { Entrypoint: ['/bin/app'], Cmd: undefined }],
    [['CMD ["a"]', 'ENTRYPOINT /bin/app'], { Entrypoint: ['/bin/sh', '-c', '/bin/app'], Cmd: ['a'] }],
    [['ENTRYPOINT ["x"]', 'CMD ["a"]'], { Entrypoint: ['x'], Cmd: ['a'] }],
    [['WORKDIR sub/dir'], { WorkingDir: '/app/sub/dir' }],
    [['WORKDIR /srv/./www/'], { WorkingDir: '/srv/www' }],
    [['WORKDIR ../../../x'], { WorkingDir: '/x' }],
    [['WORKDIR $NGINX_VERSION'], { WorkingDir: '/app/1.25.3' }],
    [['USER nginx:nginx'], { User: 'nginx:nginx' }],
    [['STOPSIGNAL SIGQUIT'], { StopSignal: 'SIGQUIT' }],
    [['STOPSIGNAL 9'], { StopSignal: '9' }],
    [['ONBUILD RUN echo hi'], { OnBuild: ['RUN echo hi'] }],
  ])('%j', (lines, expected) => {
    const config = apply(...lines);
    for (const [key, value] of Object.entries(expected)) {
      expect(config[key as keyof typeof config]).toEqual(value);
    }
  });

  it('ENV: pairs, quotes, escapes, expansion against the env before the instruction, legacy form', () => {
    const config = apply(
      'ENV A=1 B="two words" C=\'$A\' D=$A E=\\$A',
      'ENV PATH=/opt/bin:$PATH F=${A}x',
      'ENV LEGACY a b  c',
    );
    expect(config.Env).toEqual([
      'PATH=/opt/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'NGINX_VERSION=1.25.3',
      'A=1',
      'B=two words',
      'C=$A',
      'D=',
      'E=$A',
      'F=1x',
      'LEGACY=a b  c',
    ]);
  });

  it('LABEL, EXPOSE and VOLUME', () => {
    const config = apply(
      'LABEL maintainer="Tao Wang" "com.example.key"=value version=$NGINX_VERSION',
      'EXPOSE 80 443/tcp 53/UDP 8000-8002',
      'VOLUME ["/data", "/var/log"]',
      'VOLUME /cache /tmp/x',
    );
    expect(config.Labels).toEqual({ maintainer: 'Tao Wang', 'com.example.key': 'value', version: '1.25.3' });
    expect(Object.keys(config.ExposedPorts!)).toEqual([
      '80/tcp',
      '443/tcp',
      '53/udp',
      '8000/tcp',
      '8001/tcp',
      '8002/tcp',
    ]);
    expect(config.Volumes).toEqual({ '/data': {}, '/var/log': {}, '/cache': {}, '/tmp/x': {} });
  });

  it('uses the config Shell for shell forms', () => {
    const config = applyChanges({ ...base, config: { Shell: ['/bin/bash', '-o', 'pipefail', '-c'] } }, [
      parseChange('CMD a | b'),
    ]).config!;
    expect(config.Cmd).toEqual(['/bin/bash', '-o', 'pipefail', '-c', 'a | b']);
  });

  it('is pure: the input config is not modified and history is untouched', () => {
    const before = structuredClone(base);
    const history = [{ created_by: 'x' }];
    const out = applyChanges({ ...base, history }, parseChanges(['ENV X=1', 'LABEL a=b', 'EXPOSE 80']));
    expect(base).toEqual(before);
    expect(out.history).toBe(history);
  });

  it('skips blank lines and comments, splits multi-line changes', () => {
    expect(parseChanges(['', '# note', 'CMD a\nUSER 1']).map((c) => c.instruction)).toEqual(['CMD', 'USER']);
  });

  it.each([
    ['RUN echo hi', 'not a valid change command'],
    ['FROM scratch', 'not a valid change command'],
    // JSON that is not a string array is an error in buildkit, not the shell form.
    ['CMD [1, 2]', 'arrays must be comprised of strings only'],
    ['CMD', 'requires an argument'],
    ['ENV A', 'two arguments'],
    ['ENV A=1 B', "can't find ="],
    ['LABEL =x', 'can not be blank'],
    ['ONBUILD ONBUILD RUN x', 'chaining'],
    ['ONBUILD FROM x', 'not allowed'],
  ])('rejects %j', (line, message) => {
    const error = errorOf(() => parseChange(line));
    expect(error.code).toBe('INVALID_CHANGE');
    expect(error.message).toContain(message);
  });

  it.each([
    ['EXPOSE 80/icmp', 'INVALID_CHANGE'],
    ['EXPOSE 70000', 'INVALID_CHANGE'],
    ['EXPOSE 90-80', 'INVALID_CHANGE'],
    ['EXPOSE http', 'INVALID_CHANGE'],
    ['STOPSIGNAL kill;rm', 'INVALID_CHANGE'],
    ['USER 4294967296', 'INVALID_USER'],
    ['VOLUME [""]', 'INVALID_CHANGE'],
    ['ENV A="unterminated', 'INVALID_CHANGE'],
  ])('rejects %j when applied', (line, code) => {
    expect(errorOf(() => applyChanges(base, [parseChange(line)])).code).toBe(code);
  });
});

describe('Dockerfile word processing', () => {
  const env = new Map([
    ['A', 'x'],
    ['EMPTY', ''],
  ]);
  it.each([
    ['$A', 'x'],
    ['${A}y', 'xy'],
    ['${UNSET:-d}', 'd'],
    ['${EMPTY:-d}', 'd'],
    ['${EMPTY-d}', ''],
    ['${A:+set}', 'set'],
    ['${UNSET:+set}', ''],
    ['${UNSET:-${A}}', 'x'],
    ["'$A'", '$A'],
    ['"$A \\$A \\"q\\" \\n"', 'x $A "q" \\n'],
    ['a\\ b', 'a b'],
    ['$', '$'],
    // Positional parameters are looked up like any name, and are unset.
    ['$1', ''],
    // buildkit drops a trailing escape.
    ['trailing\\', 'trailing'],
  ])('expandWord(%j) = %j', (word, expected) => {
    expect(expandWord(word, env)).toBe(expected);
  });

  it.each(['${UNSET:?missing}', '${A', "'open", '${A.x}', '${}'])('rejects %j', (word) => {
    expect(errorOf(() => expandWord(word, env)).code).toBe('INVALID_CHANGE');
  });

  it('splits on unquoted whitespace, keeping quotes for expansion', () => {
    expect(splitQuotedWords(`a="b c"  d='e f' g=h\\ i`)).toEqual(['a="b c"', "d='e f'", 'g=h\\ i']);
  });
});
