/**
 * The Dockerfile word rules `--change` values go through (moby/buildkit frontend/dockerfile
 * parser `parseWords` and shell/lex.go): splitting on unquoted whitespace, then per word quote
 * removal, backslash escapes and `$VAR` / `${VAR}` / `${VAR:-default}` expansion from the Env.
 */
import { LayerkitError } from '@layerkit/digest';

/**
 * Splits on whitespace outside quotes; quotes and escapes stay in the words for {@link expandWord}
 * (buildkit `parseWords`, used for `ENV`/`LABEL` pairs).
 */
export function splitQuotedWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === '' && /\s/.test(c)) {
      if (word !== '') words.push(word);
      word = '';
      continue;
    }
    word += c;
    if (c === '\\' && quote !== "'" && i + 1 < text.length) {
      word += text[++i];
    } else if (quote === '' && (c === '"' || c === "'")) {
      quote = c;
    } else if (c === quote) {
      quote = '';
    }
  }
  if (word !== '') words.push(word);
  return words;
}

/**
 * Processes one word like the Dockerfile shell lexer: `'…'` is literal; in `"…"` only `\"`, `\\`
 * and `\$` are escapes and `$` expands; outside quotes `\x` is `x`. Variables come from `env`
 * (unset ones expand to nothing). Throws `INVALID_CHANGE` for unterminated quotes or braces.
 */
export function expandWord(word: string, env: ReadonlyMap<string, string>): string {
  return new WordLexer(word, env).process('');
}

class WordLexer {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly env: ReadonlyMap<string, string>,
  ) {}

  /** Processes until `stop` (outside quotes) or the end; consumes the stop character. */
  process(stop: string): string {
    const { text } = this;
    let out = '';
    while (this.pos < text.length) {
      const c = text[this.pos++]!;
      if (c === stop) return out;
      if (c === "'") {
        const end = text.indexOf("'", this.pos);
        if (end < 0) this.fail('unterminated single quote');
        out += text.slice(this.pos, end);
        this.pos = end + 1;
      } else if (c === '"') {
        out += this.doubleQuoted();
      } else if (c === '\\') {
        // A trailing backslash stays literal.
        out += this.pos < text.length ? text[this.pos++] : '\\';
      } else if (c === '$') {
        out += this.dollar();
      } else {
        out += c;
      }
    }
    if (stop !== '') this.fail(`missing '${stop}'`);
    return out;
  }

  private doubleQuoted(): string {
    const { text } = this;
    let out = '';
    while (this.pos < text.length) {
      const c = text[this.pos++]!;
      if (c === '"') return out;
      const next = text[this.pos];
      if (c === '\\' && (next === '"' || next === '$' || next === '\\')) {
        out += next;
        this.pos++;
      } else if (c === '$') {
        out += this.dollar();
      } else {
        out += c;
      }
    }
    return this.fail('unterminated double quote');
  }

  /** After a `$`: `${…}`, `$NAME`, or a literal `$`. */
  private dollar(): string {
    const { text } = this;
    if (text[this.pos] !== '{') {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(this.pos))?.[0];
      if (name === undefined) return '$';
      this.pos += name.length;
      return this.env.get(name) ?? '';
    }
    this.pos++;
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(this.pos))?.[0];
    if (name === undefined) this.fail('bad substitution: expected a variable name after ${');
    this.pos += name.length;
    const value = this.env.get(name);
    if (text[this.pos] === '}') {
      this.pos++;
      return value ?? '';
    }
    const modifier = /^:?[-+?]/.exec(text.slice(this.pos))?.[0];
    if (modifier === undefined) return this.fail(`unsupported modifier in \${${name}…}`);
    this.pos += modifier.length;
    const word = this.process('}');
    // With ':' an empty value counts as unset, as in the shell.
    const isSet = modifier.startsWith(':') ? value !== undefined && value !== '' : value !== undefined;
    const op = modifier.at(-1);
    if (op === '-') return isSet ? value! : word;
    if (op === '+') return isSet ? word : '';
    if (!isSet) this.fail(`${name}: ${word || 'is not set'}`);
    return value!;
  }

  private fail(problem: string): never {
    throw new LayerkitError('INVALID_CHANGE', `cannot process ${JSON.stringify(this.text)}: ${problem}`, {
      word: this.text,
    });
  }
}
