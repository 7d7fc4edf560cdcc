/**
 * Typed reads from an untrusted JSON object. Every failure is a LayerkitError with the
 * document's code that names the field (`manifest sha256:… layers[2].size`).
 * A `null` optional field reads as absent (config.md: "null … is equivalent to being absent").
 */
import { LayerkitError, type LayerkitErrorCode } from '@layerkit/digest';
import type { JsonObject, JsonValue } from '../json/json-value.js';

/** The fields of one JSON object, read with type checks. */
export class Fields {
  private constructor(
    /** The object being read. */
    readonly object: JsonObject,
    /** Where the object is, for messages. */
    readonly where: string,
    /** The error code for a malformed field. */
    readonly code: LayerkitErrorCode,
  ) {}

  /** Requires `value` to be a JSON object. */
  static of(value: JsonValue | undefined, where: string, code: LayerkitErrorCode): Fields {
    if (!isObject(value)) {
      throw new LayerkitError(code, `${where} must be a JSON object, found ${kindOf(value)}`, { where });
    }
    return new Fields(value, where, code);
  }

  /** The location of `key`, for messages and nested readers. */
  at(key: string | number): string {
    return typeof key === 'number' ? `${this.where}[${key}]` : `${this.where}.${key}`;
  }

  /** True when `key` is present and not null. */
  has(key: string): boolean {
    const value = this.object[key];
    return value !== undefined && value !== null;
  }

  /** The raw value of an optional field (`undefined` when absent or null). */
  value(key: string): JsonValue | undefined {
    return this.has(key) ? this.object[key] : undefined;
  }

  /** A required string. */
  string(key: string): string {
    const value = this.optionalString(key);
    if (value === undefined) this.fail(key, 'is required');
    return value;
  }

  /** An optional string. */
  optionalString(key: string): string | undefined {
    const value = this.value(key);
    if (value === undefined || typeof value === 'string') return value;
    return this.fail(key, `must be a string, found ${kindOf(value)}`);
  }

  /** An optional boolean. */
  optionalBoolean(key: string): boolean | undefined {
    const value = this.value(key);
    if (value === undefined || typeof value === 'boolean') return value;
    return this.fail(key, `must be a boolean, found ${kindOf(value)}`);
  }

  /** A required array. */
  array(key: string): JsonValue[] {
    const value = this.optionalArray(key);
    if (value === undefined) this.fail(key, 'is required');
    return value;
  }

  /** An optional array. */
  optionalArray(key: string): JsonValue[] | undefined {
    const value = this.value(key);
    if (value === undefined || Array.isArray(value)) return value;
    return this.fail(key, `must be an array, found ${kindOf(value)}`);
  }

  /** An optional array of strings. */
  optionalStringArray(key: string): string[] | undefined {
    const items = this.optionalArray(key);
    items?.forEach((item, i) => {
      if (typeof item !== 'string') this.fail(`${key}[${i}]`, `must be a string, found ${kindOf(item)}`);
    });
    return items as string[] | undefined;
  }

  /** An optional object whose values are all strings (annotations, labels). */
  optionalStringMap(key: string): Record<string, string> | undefined {
    const map = this.optionalObject(key);
    if (map === undefined) return undefined;
    for (const [name, item] of Object.entries(map.object)) {
      if (typeof item !== 'string') map.fail(name, `must be a string, found ${kindOf(item)}`);
    }
    return { ...(map.object as Record<string, string>) };
  }

  /** An optional object whose values are all objects, normalized to `{}` (ExposedPorts, Volumes). */
  optionalKeySet(key: string): Record<string, Record<string, never>> | undefined {
    const map = this.optionalObject(key);
    if (map === undefined) return undefined;
    const out: Record<string, Record<string, never>> = {};
    for (const [name, item] of Object.entries(map.object)) {
      if (item !== null && !isObject(item)) map.fail(name, `must be an object, found ${kindOf(item)}`);
      Object.defineProperty(out, name, { value: {}, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }

  /** An optional nested object. */
  optionalObject(key: string): Fields | undefined {
    const value = this.value(key);
    return value === undefined ? undefined : Fields.of(value, this.at(key), this.code);
  }

  /**
   * Rejects keys that differ from a known field only in letter case. Go's `encoding/json` matches
   * field names case-insensitively, so `{"digest":…,"Digest":…}` would mean the second digest to a
   * Go tool and the first to us: a parser differential of the R10/R21 kind
   * (docs/threat-model.md#r10).
   */
  rejectCaseVariants(known: ReadonlySet<string>): void {
    for (const key of Object.keys(this.object)) {
      if (known.has(key)) continue;
      const folded = fold(key);
      for (const name of known) {
        if (fold(name) === folded) this.fail(key, `differs from the field "${name}" only in case`);
      }
    }
  }

  /** Throws this document's error for `key`. */
  fail(key: string | number, problem: string): never {
    const where = this.at(key);
    throw new LayerkitError(this.code, `${where} ${problem}`, { where });
  }
}

/** True for a JSON object (not an array, not null). */
export function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Names the JSON kind of a value for messages. */
export function kindOf(value: JsonValue | undefined): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

// Go folds with Unicode simple case folding, which also maps U+017F (ſ) to s and U+212A (K) to k.
function fold(key: string): string {
  return key.toUpperCase().toLowerCase();
}

/** Sets `target[key]` only when `value` is defined: optional fields stay absent, never `undefined`. */
export function setDefined<T extends object, K extends keyof T>(
  target: T,
  key: K,
  value: T[K] | undefined,
): void {
  if (value !== undefined) target[key] = value;
}
