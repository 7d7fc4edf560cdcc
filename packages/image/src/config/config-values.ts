/**
 * Checks of config values shared by `--change` instructions and the typed config patch, so that
 * both accept exactly the same ports and signals. Each check reports through `fail`, which
 * throws the caller's error (`INVALID_CHANGE` or `INVALID_CONFIG`).
 */

/** Throws the caller's error for `problem`. */
export type Fail = (problem: string) => never;

const PORT_SPEC = /^([0-9]{1,5})(?:-([0-9]{1,5}))?(?:\/([A-Za-z]+))?$/;
const PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);
const SIGNAL = /^(?:[0-9]{1,2}|(?:SIG)?[A-Z][A-Z0-9]*(?:[+-][0-9]{1,2})?)$/;

/**
 * The `ExposedPorts` keys of one EXPOSE port spec: `80`, `80/udp`, `8000-8002/tcp` → `80/tcp` …
 * (Docker `nat.ParsePortSpecs`; the protocol defaults to tcp and is lower-cased).
 */
export function portKeys(spec: string, fail: Fail): string[] {
  const match = PORT_SPEC.exec(spec);
  const protocol = (match?.[3] ?? 'tcp').toLowerCase();
  const start = Number(match?.[1]);
  const end = match?.[2] === undefined ? start : Number(match[2]);
  if (match === null || !PROTOCOLS.has(protocol) || start > 65535 || end > 65535 || end < start) {
    return fail(`invalid port ${JSON.stringify(spec)}`);
  }
  return Array.from({ length: end - start + 1 }, (_, i) => `${start + i}/${protocol}`);
}

/** A STOPSIGNAL value: a signal number or name (`9`, `SIGQUIT`, `QUIT`, `SIGRTMIN+3`). */
export function checkSignal(signal: string, fail: Fail): string {
  if (!SIGNAL.test(signal)) fail(`invalid signal ${JSON.stringify(signal)}`);
  return signal;
}

/** Sets `key` as an own property, so that a user's `__proto__` is an ordinary key. */
export function setOwnKey<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
