// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile ${VAR} syntax is the literal test input.
/**
 * `$` expansion in `--change` instructions, checked against Docker's documented behaviour (the
 * Dockerfile reference, "Environment replacement", and `docker commit --change`, which expands
 * against the container's config since moby#35582).
 */
import { isLayerkitError } from '@layerkit/digest';
import { applyChanges, type ImageConfig, parseChange, parseChanges } from '@layerkit/image';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expandWord, expandWords } from '../../../../packages/image/src/config/shell-words.js';
import { errorOf } from '../../../fixtures/error-of.js';
import { checkProperty } from '../../../fixtures/property.js';

const image = (env?: string[]): ImageConfig => ({
  architecture: 'amd64',
  os: 'linux',
  rootfs: { type: 'layers', diff_ids: [] },
  ...(env === undefined ? {} : { config: { Env: env } }),
});
const apply = (base: ImageConfig, ...lines: string[]) => applyChanges(base, parseChanges(lines)).config!;

describe('$ expansion against the Env as it stands at each instruction', () => {
  it('ENV PATH=/usr/bin:$PATH prepends to the base PATH, in place', () => {
    const base = image(['PATH=/usr/local/bin:/bin', 'LANG=C.UTF-8']);
    for (const line of ['ENV PATH=/usr/bin:$PATH', 'ENV PATH=/usr/bin:${PATH}', 'ENV PATH /usr/bin:$PATH']) {
      expect(apply(base, line).Env).toEqual(['PATH=/usr/bin:/usr/local/bin:/bin', 'LANG=C.UTF-8']);
    }
    expect(apply(base, 'ENV PATH="$PATH:/opt/bin"').Env![0]).toBe('PATH=/usr/local/bin:/bin:/opt/bin');
  });

  it('a base without PATH expands $PATH to nothing, as docker commit/import --change do', () => {
    // An imported rootfs (and the demo image built from one) has no Env at all.
    expect(apply(image(), 'ENV PATH=/usr/bin:$PATH').Env).toEqual(['PATH=/usr/bin:']);
  });

  it('a variable set earlier on the same ENV line is not visible; later instructions see it', () => {
    // The reference's example: def is hello, ghi is bye.
    const config = apply(image([]), 'ENV abc=hello', 'ENV abc=bye def=$abc', 'ENV ghi=$abc');
    expect(config.Env).toEqual(['abc=bye', 'def=hello', 'ghi=bye']);
    expect(apply(image([]), 'ENV A=1 B=$A').Env).toEqual(['A=1', 'B=']);
  });

  it('escapes and quotes: \\$ and single quotes are literal, double quotes expand', () => {
    const config = apply(
      image(['FOO=/bar']),
      'LABEL a=\\$FOO b=\\${FOO} c=\'$FOO\' d="$FOO" e="\\$FOO" f=\'\\$FOO\' g=${FOO}_x h=$FOO_x',
    );
    expect(config.Labels).toEqual({
      a: '$FOO',
      b: '${FOO}',
      c: '$FOO',
      d: '/bar',
      e: '$FOO',
      f: '\\$FOO',
      g: '/bar_x',
      h: '',
    });
  });

  it('an unset variable is empty; a LABEL is not a variable', () => {
    const config = apply(image([]), 'LABEL X=1', 'ENV A=x${NOPE}y B=$NOPE C=$X');
    expect(config.Env).toEqual(['A=xy', 'B=', 'C=']);
  });

  it('expands ENV, LABEL, EXPOSE, USER, WORKDIR, VOLUME and STOPSIGNAL', () => {
    const base = image(['APP=/srv/app', 'PORT=8080', 'WHO=www-data', 'SIG=SIGQUIT', 'KEY=team']);
    const config = apply(
      base,
      'ENV HOME=$APP',
      'LABEL $KEY=$WHO',
      'EXPOSE $PORT ${PORT}/udp',
      'USER $WHO:$WHO',
      'WORKDIR ${APP}',
      'STOPSIGNAL $SIG',
    );
    expect(config).toMatchObject({
      Labels: { team: 'www-data' },
      ExposedPorts: { '8080/tcp': {}, '8080/udp': {} },
      User: 'www-data:www-data',
      WorkingDir: '/srv/app',
      StopSignal: 'SIGQUIT',
    });
    expect(config.Env).toContain('HOME=/srv/app');
    expect(apply(base, 'VOLUME $APP/data').Volumes).toEqual({ '/srv/app/data': {} });
    expect(apply(base, 'VOLUME ["${APP}/logs"]').Volumes).toEqual({ '/srv/app/logs': {} });
  });

  it('never expands CMD, ENTRYPOINT, ONBUILD, HEALTHCHECK or SHELL', () => {
    const config = apply(
      image(['APP=/srv/app']),
      'SHELL ["$APP/sh", "-c"]',
      'CMD echo $APP',
      'ENTRYPOINT ["$APP/run", "${APP}"]',
      'ONBUILD RUN echo $APP',
      'HEALTHCHECK CMD test -d $APP',
    );
    expect(config.Shell).toEqual(['$APP/sh', '-c']);
    expect(config.Cmd).toEqual(['$APP/sh', '-c', 'echo $APP']);
    expect(config.Entrypoint).toEqual(['$APP/run', '${APP}']);
    expect(config.OnBuild).toEqual(['RUN echo $APP']);
    expect(config.Healthcheck).toEqual({ Test: ['CMD-SHELL', 'test -d $APP'] });
  });

  it('EXPOSE splits what a variable expands to into ports (and only then)', () => {
    const config = apply(image([]), 'ENV PORTS="80 443/tcp"', 'EXPOSE $PORTS 53/udp');
    expect(Object.keys(config.ExposedPorts!)).toEqual(['80/tcp', '443/tcp', '53/udp']);
    expect(apply(image([]), 'EXPOSE $NONE').ExposedPorts).toEqual({});
    expect(errorOf(() => apply(image(['P=80 443']), 'EXPOSE "$P"')).code).toBe('INVALID_CHANGE');
  });

  it('fails on ${VAR?message} of an unset variable, and on bad substitutions', () => {
    // Quoted: ENV splits its words before expansion, braces or not.
    const error = errorOf(() => apply(image([]), 'ENV A="${NEEDED:?set NEEDED first}"'));
    expect(error.code).toBe('INVALID_CHANGE');
    expect(error.message).toContain('NEEDED: set NEEDED first');
    expect(errorOf(() => apply(image([]), 'WORKDIR ${A:#x}')).message).toContain('unsupported modifier');
  });
});

describe('the lexer modifiers', () => {
  const env = new Map([
    ['str', 'foobarbaz'],
    ['string', 'foobarbaz'],
    ['EMPTY', ''],
    ['file', '/home/tux/book/book.tar.bz2'],
    ['star', '*x?'],
    ['path', '/usr/local/bin:/bin'],
  ]);
  it.each([
    // The reference's examples.
    ['${str#f*b}', 'arbaz'],
    ['${str##f*b}', 'az'],
    ['${string%b*}', 'foobar'],
    ['${string%%b*}', 'foo'],
    ['${string/ba/fo}', 'fooforbaz'],
    ['${string//ba/fo}', 'fooforfoz'],
    // `-` and `+` with and without `:` (which treats empty as unset).
    ['${EMPTY-word}', ''],
    ['${EMPTY:-word}', 'word'],
    ['${UNSET-word}', 'word'],
    ['${EMPTY+word}', 'word'],
    ['${EMPTY:+word}', ''],
    ['${UNSET+word}', ''],
    ['${UNSET:-$str}', 'foobarbaz'],
    ['${UNSET:-"a b"}', 'a b'],
    ['${str:?unused}', 'foobarbaz'],
    ['${EMPTY?}', ''],
    // Patterns: `?` is one character, `\` makes `*` and `?` literal, no match leaves the value.
    ['${file#*/}', 'home/tux/book/book.tar.bz2'],
    ['${file##*/}', 'book.tar.bz2'],
    ['${file%.*}', '/home/tux/book/book.tar'],
    ['${file%%.*}', '/home/tux/book/book'],
    ['${file/tux/wilber}', '/home/wilber/book/book.tar.bz2'],
    ['${str#?oo}', 'barbaz'],
    ['${star#\\*}', 'x?'],
    ['${star%\\?}', '*x'],
    ['${str#nomatch}', 'foobarbaz'],
    ['${path//:/ }', '/usr/local/bin /bin'],
    ['${UNSET#x}', ''],
  ])('%s = %j', (word, expected) => {
    expect(expandWord(word, env)).toBe(expected);
  });

  it.each([
    ['${EMPTY:?}', 'EMPTY: is not allowed to be empty'],
    ['${UNSET?}', 'UNSET: is not allowed to be unset'],
    ['${str:%x}', 'unsupported modifier (:%)'],
    ['${str', 'unsupported modifier'],
    ['${str:-x', "missing '}'"],
    ['${str/x', "missing '/'"],
    ['${str#\\x}', 'invalid escape'],
    ['${:}', 'bad substitution'],
  ])('rejects %s', (word, message) => {
    const error = errorOf(() => expandWord(word, env));
    expect(error.code).toBe('INVALID_CHANGE');
    expect(error.message).toContain(message);
  });

  it('splits only unquoted, unescaped whitespace in expandWords', () => {
    const words = new Map([['P', ' 80  443 ']]);
    expect(expandWords('$P', words)).toEqual(['80', '443']);
    expect(expandWords('"$P"', words)).toEqual([' 80  443 ']);
    expect(expandWords('a\\ b${P}c', words)).toEqual(['a b', '80', '443', 'c']);
    expect(expandWords('${NONE}', words)).toEqual([]);
  });
});

describe('any input', () => {
  // Heavy on the characters that mean something to the parser, the lexer and the patterns.
  const syntax = fc
    .array(fc.oneof(fc.constantFrom(...'${}:-+?#%/\\\'"*[]().^|= \tAB019_'), fc.string({ maxLength: 2 })), {
      maxLength: 24,
    })
    .map((parts) => parts.join(''));
  const env = new Map([
    ['A', 'a*b?c'],
    ['B', ''],
    ['AB', '80 443'],
  ]);
  const outcome = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      if (!isLayerkitError(error, 'INVALID_CHANGE') && !isLayerkitError(error, 'INVALID_USER')) throw error;
    }
  };

  it('expands or fails with INVALID_CHANGE, never with another error', async () => {
    await checkProperty(
      fc.property(syntax, (word) => {
        outcome(() => expandWord(word, env));
        outcome(() => expandWords(word, env));
      }),
    );
  });

  it('parses and applies a change or fails with INVALID_CHANGE (INVALID_USER for USER)', async () => {
    const keyword = fc.constantFrom(
      'ENV',
      'LABEL',
      'EXPOSE',
      'VOLUME',
      'USER',
      'WORKDIR',
      'STOPSIGNAL',
      'HEALTHCHECK',
      'SHELL',
      'CMD',
    );
    await checkProperty(
      fc.property(keyword, syntax, (instruction, rest) => {
        outcome(() => applyChanges(image(['A=a*b?c', 'AB=80 443']), [parseChange(`${instruction} ${rest}`)]));
      }),
    );
  });
});
