/**
 * Formats a number with fixed digits for verdict lines, tables and figures. A null, undefined or non-finite value
 * becomes `missing` when given (tables use '—'), and `String(value)` otherwise ('null', 'NaN', 'Infinity'). Pure.
 *
 * @example
 * formatNumber(1.234) // '1.23'
 * formatNumber(null, { missing: '—' }) // '—'
 */
export function formatNumber(value: number | null | undefined, options: { digits?: number; missing?: string } = {}): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return options.missing ?? String(value);
  return value.toFixed(options.digits ?? 2);
}

/*
 * Unit-aware formatting for verdicts, tables, figures and documents: digits follow the unit (percentage points to
 * 0.01, nats to 0.001), signs are real minus signs, p-values are shown as "< 0.0001" below that.
 */

/** Decimal places per unit of a metric; unknown units get three significant digits. */
export const UNIT_DECIMALS: Record<string, number> = { pp: 2, '%': 2, nats: 3 };

/** Decimals to print a value in `unit` with: the unit's default, or enough for three significant digits. */
export function decimalsFor(unit: string, value?: number): number {
  if (unit in UNIT_DECIMALS) return UNIT_DECIMALS[unit];
  if (value === undefined || value === 0 || !Number.isFinite(value)) return 3;
  return Math.max(0, 2 - Math.floor(Math.log10(Math.abs(value))));
}

/**
 * A value in its unit's precision, with a real minus sign; `signed` adds "+" to positive values.
 *
 * @example
 * formatValue(-0.7144, 'pp') // '−0.71'
 * formatValue(-0.0058, 'nats', { signed: true }) // '−0.006'
 */
export function formatValue(value: number | null | undefined, unit: string, options: { signed?: boolean; decimals?: number } = {}): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const digits = options.decimals ?? decimalsFor(unit, value);
  let text = Math.abs(value).toFixed(digits);
  const zero = Number(text) === 0;
  if (value < 0 && !zero) text = `−${text}`;
  else if (options.signed && value > 0 && !zero) text = `+${text}`;
  return text;
}

/** An interval `[lower, upper]` in the unit's precision. */
export function formatInterval(lower: number | null, upper: number | null, unit: string): string {
  return `[${formatValue(lower, unit, { signed: true })}, ${formatValue(upper, unit, { signed: true })}]`;
}

/** A p-value: three significant digits, "< 0.0001" below. */
export function formatP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '—';
  if (p < 1e-4) return '< 0.0001';
  return p.toPrecision(2).replace(/e.*$/, '');
}

/** A confidence level as a percentage: 0.9875 → "98.75%". */
export function formatConfidence(confidence: number): string {
  return `${+(confidence * 100).toFixed(2)}%`;
}

/** The claim's threshold in words-and-symbols: "< −0.5 pp", "> +0.5 pp", "within ±0.5 pp". */
export function formatClaimThreshold(direction: 'greater' | 'less' | 'equivalent', sesoi: number, unit: string): string {
  if (direction === 'equivalent') return `within ±${sesoi} ${unit}`;
  return `${direction === 'greater' ? '> +' : '< −'}${sesoi} ${unit}`;
}
