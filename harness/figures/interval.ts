import type { HypothesisResult } from '../analysis/index.ts';

const COLOURS: Record<string, string> = { supported: '#1a7f37', refuted: '#cf222e', inconclusive: '#b35900', incomplete: '#6e7781', error: '#6e7781' };

/**
 * A small SVG of one verdict: the deciding interval and estimate against zero and the SESOI (shaded band
 * for an equivalence margin, dashed line for a directional threshold), coloured by verdict. Inline-safe
 * (no external fonts or links), for Vitest UI annotations and reports.
 *
 * @example
 * intervalFigure(result) // '<svg xmlns=...>...</svg>'
 */
export function intervalFigure(r: HypothesisResult, width = 420, height = 74): string {
  const colour = COLOURS[r.verdict] ?? '#6e7781';
  const title = `${r.id} ${r.verdict}`;
  if (r.lower === null || r.upper === null || r.estimate === null) {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="28" viewBox="0 0 ${width} 28" font-family="Liberation Sans, Arial, sans-serif" font-size="12"><text x="4" y="18" fill="${colour}">${escapeXml(title)}: no interval (${escapeXml(r.code)})</text></svg>`;
  }
  const lower = Number.isFinite(r.lower) ? r.lower : Math.min(r.estimate, -r.sesoi) - r.sesoi;
  const upper = Number.isFinite(r.upper) ? r.upper : Math.max(r.estimate, r.sesoi) + r.sesoi;
  let min = Math.min(lower, -r.sesoi, 0);
  let max = Math.max(upper, r.sesoi, 0);
  const pad = (max - min) * 0.08 || 1;
  min -= pad;
  max += pad;
  const left = 12;
  const right = width - 12;
  const x = (v: number) => left + ((v - min) / (max - min)) * (right - left);
  const axisY = 46;
  const parts: string[] = [];
  if (r.direction === 'equivalent') {
    parts.push(`<rect x="${x(-r.sesoi).toFixed(1)}" y="16" width="${(x(r.sesoi) - x(-r.sesoi)).toFixed(1)}" height="36" fill="#d0d7de" opacity="0.5"/>`);
  } else {
    const threshold = r.direction === 'greater' ? r.sesoi : -r.sesoi;
    parts.push(`<line x1="${x(threshold).toFixed(1)}" y1="14" x2="${x(threshold).toFixed(1)}" y2="54" stroke="#57606a" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${x(threshold).toFixed(1)}" y="66" text-anchor="middle" fill="#57606a">SESOI ${r.direction === 'greater' ? '+' : '−'}${r.sesoi}</text>`);
  }
  parts.push(`<line x1="${left}" y1="${axisY}" x2="${right}" y2="${axisY}" stroke="#8c959f"/>`);
  parts.push(`<line x1="${x(0).toFixed(1)}" y1="14" x2="${x(0).toFixed(1)}" y2="54" stroke="#24292f"/>`);
  parts.push(`<text x="${x(0).toFixed(1)}" y="66" text-anchor="middle" fill="#24292f">0</text>`);
  if (r.direction === 'equivalent') parts.push(`<text x="${x(r.sesoi).toFixed(1)}" y="66" text-anchor="middle" fill="#57606a">±${r.sesoi}</text>`);
  parts.push(`<line x1="${x(lower).toFixed(1)}" y1="32" x2="${x(upper).toFixed(1)}" y2="32" stroke="${colour}" stroke-width="3"/>`);
  for (const end of [lower, upper]) parts.push(`<line x1="${x(end).toFixed(1)}" y1="26" x2="${x(end).toFixed(1)}" y2="38" stroke="${colour}" stroke-width="2"/>`);
  parts.push(`<circle cx="${x(r.estimate).toFixed(1)}" cy="32" r="4.5" fill="${colour}"/>`);
  parts.push(`<text x="${left}" y="11" fill="${colour}" font-weight="bold">${escapeXml(`${title}: ${r.estimate.toFixed(2)} ${r.unit} [${r.lower.toFixed(2)}, ${r.upper.toFixed(2)}]`)}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Liberation Sans, Arial, sans-serif" font-size="11">${parts.join('')}</svg>`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
