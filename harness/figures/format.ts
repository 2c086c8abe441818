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
