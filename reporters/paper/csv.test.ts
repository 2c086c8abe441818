import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { REPO } from '../../fixtures/projects/run.ts';
import type { VerdictsFile } from '../render/verdictTable.ts';
import { readStudyRuns } from './build.ts';
import { csvField, runsCsv, RUNS_COLUMNS, verdictsCsv, VERDICTS_COLUMNS } from './csv.ts';

const file: VerdictsFile = JSON.parse(readFileSync(join(REPO, 'reports', 'ablation', 'verdicts.json'), 'utf8'));
const runs = readStudyRuns(REPO, file);

/** A small RFC 4180 parser, independent of the writer. */
function parse(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; } else field += c;
  }
  return rows;
}

describe('CSV exports', () => {
  test('the schema is stable: these exact columns, in this order (README "Exports")', () => {
    expect(RUNS_COLUMNS.join(',')).toBe('study,cell,config,seed,profile,status,backend,lock_hash,key,epochs_trained,train_seconds,finished_at,train_accuracy,train_nll,validation_accuracy,validation_nll,test_accuracy,test_nll,shift_accuracy,shift_nll');
    expect(VERDICTS_COLUMNS.join(',')).toBe('study,id,family,confirmatory,correction,metric,unit,split,profile,direction,sesoi,effect,estimate,lower,upper,confidence,df,standard_error,p_value,adjusted_p_value,minimum_detectable_effect,power,verdict,code,runs_complete,runs_expected,claim,reason');
  });

  test('runs.csv: one row per run record with its metrics in full precision', () => {
    const rows = parse(runsCsv(file, runs));
    expect(rows[0]).toEqual([...RUNS_COLUMNS]);
    expect(rows).toHaveLength(55);
    for (const row of rows.slice(1)) {
      const record = runs.find((r) => r.cell === row[1] && r.seed === Number(row[3]))!;
      expect(JSON.parse(row[2])).toEqual(record.config);
      expect(Number(row[RUNS_COLUMNS.indexOf('test_accuracy')])).toBe(record.metrics.test!.accuracy);
      expect(Number(row[RUNS_COLUMNS.indexOf('validation_nll')])).toBe(record.metrics.validation!.nll);
      expect(row[RUNS_COLUMNS.indexOf('shift_accuracy')]).toBe('');
      expect(row[RUNS_COLUMNS.indexOf('backend')]).toBe(record.environment.backend);
    }
  });

  test('verdicts.csv: one row per hypothesis; claims with commas and quotes survive', () => {
    const rows = parse(verdictsCsv(file));
    expect(rows).toHaveLength(file.hypotheses.length + 1);
    for (const [i, h] of file.hypotheses.entries()) {
      const row = Object.fromEntries(VERDICTS_COLUMNS.map((c, k) => [c, rows[i + 1][k]]));
      expect(row).toMatchObject({ id: h.id, verdict: h.verdict, claim: h.claim, reason: h.reason, estimate: String(h.estimate), adjusted_p_value: String(h.adjustedPValue) });
    }
    expect(csvField('a "b", c')).toBe('"a ""b"", c"');
    expect(csvField(null)).toBe('');
    expect(csvField(Number.NaN)).toBe('');
  });
});
