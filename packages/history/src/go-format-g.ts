/** A finite non-negative number as exact decimal digits: value = 0.digits × 10^point. */
interface Decimal {
  /** Significant digits without leading or trailing zeros ('' for zero). */
  digits: string;
  /** Position of the decimal point relative to the first digit. */
  point: number;
}

/** The exact decimal expansion of a finite double (every double has a finite one). */
function exactDecimal(value: number): Decimal {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(value));
  const bits = view.getBigUint64(0);
  const biasedExponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  const mantissa = biasedExponent === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (biasedExponent === 0 ? 1 : biasedExponent) - 1075;
  if (mantissa === 0n) return { digits: '', point: 0 };
  // m·2^e = m·5^-e / 10^-e for e < 0: an integer scaled by a power of ten, so the digits are exact.
  const integer = exponent >= 0 ? mantissa << BigInt(exponent) : mantissa * 5n ** BigInt(-exponent);
  const text = integer.toString();
  const scale = exponent >= 0 ? 0 : -exponent;
  return trimZeros({ digits: text, point: text.length - scale });
}

function trimZeros(decimal: Decimal): Decimal {
  return { digits: decimal.digits.replace(/0+$/, ''), point: decimal.point };
}

/** Rounds to `count` significant digits, ties to even on the exact value (Go's strconv). */
function roundDigits(decimal: Decimal, count: number): Decimal {
  const { digits, point } = decimal;
  if (digits.length <= count) return decimal;
  const next = digits.charCodeAt(count) - 48;
  const exactHalf = next === 5 && count + 1 === digits.length;
  const lastKept = count > 0 ? digits.charCodeAt(count - 1) - 48 : 0;
  const roundUp = next > 5 || (next === 5 && (!exactHalf || lastKept % 2 === 1));
  const kept = digits.slice(0, count);
  if (!roundUp) return trimZeros({ digits: kept, point });
  const incremented = (BigInt(kept) + 1n).toString();
  // 999 → 1000 carries into a new leading digit: the point moves right by one.
  return trimZeros({ digits: incremented, point: point + incremented.length - kept.length });
}

function formatExponent(decimal: Decimal, fractionDigits: number): string {
  const { digits, point } = decimal;
  const first = digits[0] ?? '0';
  const rest = fractionDigits > 0 ? `.${digits.slice(1).padEnd(fractionDigits, '0')}` : '';
  const exponent = digits === '' ? 0 : point - 1;
  const sign = exponent < 0 ? '-' : '+';
  return `${first}${rest}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

function formatFixed(decimal: Decimal, fractionDigits: number): string {
  const { digits, point } = decimal;
  const integer = point > 0 ? digits.slice(0, point).padEnd(point, '0') : '0';
  if (fractionDigits <= 0) return integer;
  let fraction = '';
  for (let i = 1; i <= fractionDigits; i++) fraction += digits[point + i - 1] ?? '0';
  return `${integer}.${fraction}`;
}

/**
 * Go's `fmt.Sprintf("%.*g", precision, value)` for a float64, byte for byte: exact decimal
 * rounding with ties to even, no trailing zeros, exponent form when the exponent is < -4 or
 * ≥ the precision (so `%.3g` of 999.5 is `1e+03`), `+Inf`, `-Inf` and `NaN` spelled like Go.
 */
export function formatGoG(value: number, precision: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  let significant = Math.max(1, Math.trunc(precision));
  const decimal = roundDigits(exactDecimal(value), significant);
  const { digits, point } = decimal;
  let exponentThreshold = significant;
  if (exponentThreshold > digits.length && digits.length >= point) exponentThreshold = digits.length;
  const exponent = point - 1;
  if (exponent < -4 || exponent >= exponentThreshold) {
    return sign + formatExponent(decimal, Math.min(significant, digits.length) - 1);
  }
  if (significant > point) significant = digits.length;
  return sign + formatFixed(decimal, significant - point);
}
