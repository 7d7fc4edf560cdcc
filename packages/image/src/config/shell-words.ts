/**
 * The Dockerfile word rules `--change` values go through, as buildkit implements them (Docker's
 * builders share them): the parser's `parseWords` splits `ENV`/`LABEL` arguments on unquoted
 * whitespace, keeping quotes and escapes; then the lexer (frontend/dockerfile/shell/lex.go)
 * removes quotes, resolves escapes and expands variables, per word (`ProcessWord`) or with
 * splitting of what variables expand to (`ProcessWords`, EXPOSE only).
 *
 * Expansion: `$NAME` and `${NAME}` (a name of letters, digits and `_`; `$1`… and the special
 * parameters `$@ $* $# $? $- $$ $! $0` are looked up too and so are empty); `${NAME-word}`,
 * `${NAME+word}`, `${NAME?message}` and their `:` forms (`:` treats empty as unset);
 * `${NAME#pattern}`, `##`, `%`, `%%` (prefix and suffix removal) and `${NAME/pattern/text}`,
 * `${NAME//pattern/text}` (see shell-pattern.ts) — today's buildkit; Docker 20.10's builder knew
 * only `:-`, `:+`, `:?` and `?`. An unset variable is empty. Quotes: nothing inside `'…'` is
 * special; inside `"…"` only `$` and the escapes `\"`, `\$`, `\\`.
 */
import { LayerkitError } from '@layerkit/digest';
import { isGoSpace } from './go-space.js';
import { replacePattern, trimPrefix, trimSuffix } from './shell-pattern.js';

/**
 * Splits on whitespace outside quotes (buildkit `parseWords`); quotes and escapes stay in the
 * words for {@link expandWord}. A backslash at the very end is dropped, as the parser does.
 */
export function splitQuotedWords(text: string): string[] {
  const chars = Array.from(text);
  const words: string[] = [];
  let word = '';
  let quote = '';
  let inWord = false;
  for (let i = 0; i < chars.length; i++) {
    let c = chars[i]!;
    if (quote === '') {
      if (isGoSpace(c)) {
        if (inWord) words.push(word);
        word = '';
        inWord = false;
        continue;
      }
      inWord = true;
      if (c === "'" || c === '"') quote = c;
      else if (c === '\\') {
        if (i === chars.length - 1) continue;
        word += c;
        c = chars[++i]!;
      }
    } else if (c === quote) {
      quote = '';
    } else if (c === '\\' && quote !== "'") {
      if (i === chars.length - 1) continue;
      word += c;
      c = chars[++i]!;
    }
    word += c;
  }
  if (inWord) words.push(word);
  return words;
}

/**
 * One word as the Dockerfile lexer's `ProcessWord` makes it: quotes removed, escapes resolved,
 * variables expanded from `env`. Throws `INVALID_CHANGE` for unterminated quotes or braces, a
 * bad substitution or modifier, and `${NAME?…}` of an unset variable.
 */
export function expandWord(word: string, env: ReadonlyMap<string, string>): string {
  return new WordLexer(word, env).run().text;
}

/**
 * The lexer's `ProcessWords`: like {@link expandWord}, then split on the whitespace that is
 * neither quoted nor escaped, including whitespace a variable expanded to (`EXPOSE $PORTS` with
 * `PORTS="80 443"` is two ports).
 */
export function expandWords(word: string, env: ReadonlyMap<string, string>): string[] {
  return new WordLexer(word, env).run().words;
}

/** A lexer failure, turned into one `INVALID_CHANGE` naming the whole word. */
class LexError extends Error {}

/** What a run of the lexer produced: the text, and the words it splits into. */
interface Lexed {
  text: string;
  words: string[];
}

/** The word splitting of `ProcessWords` (buildkit `wordsStruct`). */
class WordSplitter {
  readonly words: string[] = [];
  private word = '';
  private inWord = false;

  /** A character that splits words when it is whitespace. */
  add(c: string): void {
    if (!isGoSpace(c)) this.addRaw(c);
    else if (this.inWord && this.word !== '') {
      this.words.push(this.word);
      this.word = '';
      this.inWord = false;
    }
  }

  /** Quoted or escaped text: never splits. */
  addRaw(text: string): void {
    this.word += text;
    this.inWord = true;
  }

  done(): string[] {
    if (this.word !== '') this.words.push(this.word);
    return this.words;
  }
}

class WordLexer {
  private readonly chars: string[];
  private pos = 0;

  constructor(
    private readonly source: string,
    private readonly env: ReadonlyMap<string, string>,
  ) {
    this.chars = Array.from(source);
  }

  run(): Lexed {
    try {
      return this.until(undefined, false);
    } catch (error) {
      if (!(error instanceof LexError)) throw error;
      throw new LayerkitError(
        'INVALID_CHANGE',
        `cannot process ${JSON.stringify(this.source)}: ${error.message}`,
        { word: this.source },
      );
    }
  }

  private peek(): string | undefined {
    return this.chars[this.pos];
  }

  private next(): string | undefined {
    return this.pos < this.chars.length ? this.chars[this.pos++] : undefined;
  }

  private fail(problem: string): never {
    throw new LexError(problem);
  }

  /**
   * Processes until `stop` (consumed) or the end. `rawEscapes` keeps backslashes in the text,
   * for patterns, where they still mean something.
   */
  private until(stop: string | undefined, rawEscapes: boolean): Lexed {
    let text = '';
    const words = new WordSplitter();
    for (let c = this.peek(); c !== undefined; c = this.peek()) {
      if (c === stop) {
        this.pos++;
        return { text, words: words.done() };
      }
      if (c === '$') {
        const value = this.dollar();
        text += value;
        for (const v of value) words.add(v);
      } else if (c === "'" || c === '"') {
        const value = c === "'" ? this.singleQuoted() : this.doubleQuoted(rawEscapes);
        text += value;
        words.addRaw(value);
      } else {
        this.pos++;
        if (c !== '\\') {
          text += c;
          words.add(c);
          continue;
        }
        if (rawEscapes) {
          text += c;
          words.addRaw(c);
        }
        const escaped = this.next();
        if (escaped === undefined) break;
        text += escaped;
        words.addRaw(escaped);
      }
    }
    if (stop !== undefined) this.fail(`unexpected end of statement while looking for matching ${stop}`);
    return { text, words: words.done() };
  }

  private singleQuoted(): string {
    this.pos++;
    let out = '';
    for (let c = this.next(); c !== "'"; c = this.next()) {
      if (c === undefined) this.fail('unexpected end of statement while looking for matching single-quote');
      out += c;
    }
    return out;
  }

  private doubleQuoted(rawEscapes: boolean): string {
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.peek();
      if (c === undefined) this.fail('unexpected end of statement while looking for matching double-quote');
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === '$') {
        out += this.dollar();
        continue;
      }
      this.pos++;
      let char = c;
      if (c === '\\') {
        if (rawEscapes) out += c;
        const next = this.peek();
        if (next === undefined) continue;
        // Only these are escapes here; any other backslash stays.
        if (next === '"' || next === '$' || next === '\\') char = this.next()!;
      }
      out += char;
    }
  }

  /** At a `$`: `$NAME`, `${…}`, or a literal `$` when no name follows. */
  private dollar(): string {
    this.pos++;
    if (this.peek() !== '{') {
      const name = this.name();
      return name === '' ? '$' : (this.env.get(name) ?? '');
    }
    this.pos++;
    const first = this.peek();
    if (first === undefined) this.fail("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') this.fail('syntax error: bad substitution');
    const name = this.name();
    const value = this.env.get(name);
    let op = this.next() ?? '';
    if (op === '}') return value ?? '';
    if (op === '/') return this.substitute(value ?? '');
    let modifier = op;
    // With ':' an empty value counts as unset, as in the shell.
    const emptyIsUnset = op === ':';
    if (emptyIsUnset) {
      op = this.next() ?? '';
      modifier += op;
    } else if (!'-+?#%'.includes(op) || op === '') {
      this.fail(`unsupported modifier (${modifier}) in substitution`);
    }
    const isPattern = op === '#' || op === '%';
    if (emptyIsUnset && isPattern) this.fail(`unsupported modifier (${modifier}) in substitution`);
    const word = this.word('}', isPattern);
    const unset = value === undefined || (emptyIsUnset && value === '');
    switch (op) {
      case '-':
        return unset ? word : value!;
      case '+':
        return unset ? '' : word;
      case '?':
        if (value === undefined) this.fail(`${name}: ${word || 'is not allowed to be unset'}`);
        if (unset) this.fail(`${name}: ${word || 'is not allowed to be empty'}`);
        return value;
      case '#':
      case '%': {
        // `##` and `%%` match the longest pattern, `#` and `%` the shortest.
        const greedy = word.startsWith(op);
        const pattern = greedy ? word.slice(1) : word;
        const trim = op === '%' ? trimSuffix : trimPrefix;
        return trim(pattern, value ?? '', greedy, (problem) => this.fail(problem));
      }
      default:
        return this.fail(`unsupported modifier (${modifier}) in substitution`);
    }
  }

  /** `${NAME/pattern/text}` or `${NAME//pattern/text}`, after the first `/`. */
  private substitute(value: string): string {
    const all = this.peek() === '/';
    if (all) this.pos++;
    const pattern = this.word('/', true, "syntax error: missing '/' in a substitution");
    const replacement = this.word('}', true);
    return replacePattern(value, pattern, replacement, all, (problem) => this.fail(problem));
  }

  /** The word of a `${…}` up to `stop`; at the end of input, `missing` is the error. */
  private word(stop: string, rawEscapes: boolean, missing = "syntax error: missing '}'"): string {
    try {
      return this.until(stop, rawEscapes).text;
    } catch (error) {
      if (error instanceof LexError && this.peek() === undefined) this.fail(missing);
      throw error;
    }
  }

  /** A variable name: letters, digits and `_`; or all leading digits; or one special parameter. */
  private name(): string {
    const first = this.peek();
    if (first === undefined) return '';
    if (/^\p{Nd}$/u.test(first)) {
      let digits = '';
      while (this.peek() !== undefined && /^\p{Nd}$/u.test(this.peek()!)) digits += this.next();
      return digits;
    }
    if ('@*#?-$!0'.includes(first)) return this.next()!;
    let name = '';
    while (this.peek() !== undefined && /^[\p{L}\p{Nd}_]$/u.test(this.peek()!)) name += this.next();
    return name;
  }
}
