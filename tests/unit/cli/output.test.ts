import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createOutput } from '../../../packages/cli/src/output.js';
import { escapeControls } from '../../../packages/cli/src/terminal-text.js';

/** A stream that keeps what is written, a terminal or not. */
function capture(isTTY: boolean): Writable & { isTTY: boolean; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return Object.assign(stream, { isTTY, text: () => chunks.join('') });
}

const HOSTILE = 'C /etc/\x1b]0;pwned\x07name\x9b2J\ttab\ud800';

describe('escapeControls', () => {
  it('writes C0 (but tab and newline), DEL, C1 and lone surrogates as \\uXXXX', () => {
    expect(escapeControls(HOSTILE)).toBe('C /etc/\\u001b]0;pwned\\u0007name\\u009b2J\ttab\\ud800');
    expect(escapeControls('a\nb\x7f')).toBe('a\nb\\u007f');
  });

  it('leaves printable text alone, CJK and emoji included', () => {
    expect(escapeControls('/usr/share/文字/😀 é')).toBe('/usr/share/文字/😀 é');
  });
});

describe('createOutput', () => {
  it('escapes results shown on a terminal, and keeps piped results byte-exact (docker diff)', () => {
    const name = 'C /etc/\x1b]0;pwned\x07name';
    const terminal = capture(true);
    createOutput(terminal, capture(false), true).line(name);
    expect(terminal.text()).toBe('C /etc/\\u001b]0;pwned\\u0007name\n');
    const pipe = capture(false);
    createOutput(pipe, capture(false), true).line(name);
    expect(pipe.text()).toBe(`${name}\n`);
  });

  it('escapes warnings on one line, wherever stderr goes', () => {
    const stderr = capture(false);
    createOutput(capture(false), stderr, false).warn('skipped /a\x1b[2Kb\nc');
    expect(stderr.text()).toBe('layerkit: warning: skipped /a\\u001b[2Kb c\n');
  });
});
