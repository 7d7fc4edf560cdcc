/**
 * `WWW-Authenticate` challenges (RFC 7235): how a registry says which scheme it wants (Basic,
 * or Bearer with a token realm, service and scope). One header may carry several challenges.
 */

/** One challenge: the scheme, lowercased, and its parameters (names lowercased). */
export interface Challenge {
  scheme: string;
  params: Readonly<Record<string, string>>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;
/** A challenge's token68 (`Negotiate YIIB…==`): credentials in place of parameters, skipped. */
const TOKEN68 = /^[ \t]+[A-Za-z0-9\-._~+/]+=*[ \t]*(?=,|$)/;

/** Parses every challenge of a `WWW-Authenticate` value; malformed parts end the parse. */
export function parseChallenges(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  let rest = header;
  const skip = (pattern: RegExp) => {
    rest = rest.replace(pattern, '');
  };
  for (;;) {
    skip(/^[\s,]+/);
    const scheme = TOKEN.exec(rest)?.[0];
    if (scheme === undefined) return challenges;
    rest = rest.slice(scheme.length);
    rest = rest.replace(TOKEN68, '');
    const params: Record<string, string> = {};
    challenges.push({ scheme: scheme.toLowerCase(), params });
    for (;;) {
      skip(/^[\s,]+/);
      const name = TOKEN.exec(rest)?.[0];
      // A token not followed by '=' starts the next challenge.
      if (name === undefined || !/^\s*=/.test(rest.slice(name.length))) break;
      rest = rest.slice(name.length).replace(/^\s*=\s*/, '');
      const quoted = /^"((?:[^"\\]|\\.)*)"/.exec(rest);
      const value = quoted ? quoted[1]!.replace(/\\(.)/g, '$1') : (TOKEN.exec(rest)?.[0] ?? '');
      rest = rest.slice(quoted ? quoted[0].length : value.length);
      params[name.toLowerCase()] = value;
    }
  }
}
