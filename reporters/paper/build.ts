/**
 * Writes a study's documents from verdicts.json and its run records: `figures/*.svg`, `runs.csv`, `verdicts.csv`,
 * `slides-script.md`, `paper.pdf` and `slides.pdf`. Deterministic: the same records give the same bytes (the PDFs'
 * creation date is the time the last run finished). When a PDF cannot be built, everything else is still written,
 * the Typst source is kept beside it (`paper.typ`, `slides.typ`) and the returned messages say why.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readRecord, recordPath, resultsDirectory, type RunRecord } from '../../harness/store.ts';
import type { VerdictsFile } from '../render/verdictTable.ts';
import { buildArmsDocuments } from './armsDocuments.ts';
import { armsReportData } from './armsData.ts';
import { armsFigures } from './armsFigures.ts';
import { NEURIPS_SECTIONS } from './neurips.ts';
import { runsCsv, verdictsCsv } from './csv.ts';
import { renderFigures, reportFigures, type ReportFigure } from './figures.ts';
import { fillNarrative, NARRATIVE_FILE, type Narrative } from './narrative.ts';
import { PAPER_SECTIONS, paperSource } from './paper.ts';
import { ScriptTimingError, slidesScript, slidesSource, WORDS_PER_MINUTE } from './slides.ts';
import { compilePdf, PdfBuildError } from './typst.ts';

/** Inputs of {@link buildStudyDocuments}. */
export interface StudyDocumentsInput {
  file: VerdictsFile;
  /** The study's run records (those of the design's cells and seeds are used; an arms study also reads its search trials). */
  runs: readonly RunRecord[];
  /** Raw text of the narrative file, or null when the study has none. */
  narrative: string | null;
  /** Project-relative study folder with a trailing slash, e.g. `experiments/ablation/`. */
  studyFolder: string;
  /** The PDF compiler (tests replace it to exercise the fallback). */
  compile?: typeof compilePdf;
}

/** The documents as bytes, by file name relative to the study's report folder, and why any PDF is missing. */
export interface StudyDocuments {
  files: Record<string, Buffer | string>;
  problems: string[];
}

/** The figures a study's paper shows (arms studies: the NeurIPS-style paper's; factorial: the ablation layout's), unrendered. */
export function studyFigures(file: VerdictsFile, runs: readonly RunRecord[]): ReportFigure[] {
  return file.design.analysis.model === 'paired' ? armsFigures(file, armsReportData(file, runs)) : reportFigures(file, runs);
}

/** The section headings of a study's paper, in order. */
export function studySections(file: VerdictsFile): readonly string[] {
  return file.design.analysis.model === 'paired' ? NEURIPS_SECTIONS : PAPER_SECTIONS;
}

/** Seconds since the epoch at which the last run of the design finished (the PDFs' creation date); lock time without runs. */
export function documentTimestamp(file: VerdictsFile, runs: readonly RunRecord[]): number {
  const times = runs.map((r) => Date.parse(r.timings.finishedAt)).filter((x) => Number.isFinite(x));
  if (times.length > 0) return Math.floor(Math.max(...times) / 1000);
  return file.study.lockedAt ? Math.floor(Date.parse(file.study.lockedAt) / 1000) : 0;
}

/**
 * Builds every document of a study in memory. A study whose analysis model is `paired` (arms) gets the NeurIPS-style
 * paper and its readout (./armsDocuments.ts); a factorial study the ablation's layout.
 *
 * @throws {NarrativeReferenceError} when the narrative names a reference the records do not have.
 */
export async function buildStudyDocuments(input: StudyDocumentsInput): Promise<StudyDocuments> {
  const { file } = input;
  const isTrial = (r: RunRecord) => (r as { search?: { kind?: string } }).search?.kind === 'trial';
  const runs = input.runs.filter((r) => !isTrial(r) && file.design.cells.includes(r.cell) && file.design.seeds.includes(r.seed));
  const narrative: Narrative | null = input.narrative === null ? null : fillNarrative(input.narrative, file, `${input.studyFolder}${NARRATIVE_FILE}`);
  if (file.design.analysis.model === 'paired') {
    const trials = input.runs.filter((r) => isTrial(r) && file.design.cells.includes(r.cell));
    return buildArmsDocuments({ file, runs: [...runs, ...trials], narrative, studyFolder: input.studyFolder, creationTimestamp: documentTimestamp(file, runs), compile: input.compile });
  }
  const figures = reportFigures(file, runs);
  const svgs = await renderFigures(figures);
  const files: Record<string, Buffer | string> = {};
  for (const [name, svg] of Object.entries(svgs)) files[`figures/${name}`] = svg;
  files['runs.csv'] = runsCsv(file, runs);
  files['verdicts.csv'] = verdictsCsv(file);
  const problems: string[] = [];
  const slidesInput = { file, figures, narrative, studyFolder: input.studyFolder };
  let strict = true;
  try {
    files['slides-script.md'] = slidesScript(slidesInput);
  } catch (error) {
    if (!(error instanceof ScriptTimingError)) throw error;
    // Still write the script and slides, timed proportionally, and say why the timing is off.
    strict = false;
    files['slides-script.md'] = slidesScript(slidesInput, { strict });
    problems.push(`slides-script.md is not timed within ${WORDS_PER_MINUTE.min}–${WORDS_PER_MINUTE.max} words a minute: ${error.message}`);
  }
  const mapped = Object.fromEntries(Object.entries(svgs).map(([name, svg]) => [`/figures/${name}`, svg]));
  const creationTimestamp = documentTimestamp(file, runs);
  const documents = {
    'paper': () => paperSource({ file, figures, narrative, studyFolder: input.studyFolder }),
    'slides': () => slidesSource(slidesInput, { strict }),
  };
  for (const [name, source] of Object.entries(documents)) {
    const text = source();
    try {
      files[`${name}.pdf`] = (input.compile ?? compilePdf)(text, { files: mapped, creationTimestamp });
    } catch (error) {
      if (!(error instanceof PdfBuildError)) throw error;
      files[`${name}.typ`] = text;
      problems.push(`${name}.pdf not built: ${error.message}`);
    }
  }
  return { files, problems };
}

/**
 * The study's run records for its design and profile, read from `results/` (missing ones are skipped), then the search
 * trials stored beside them (`<cell>/search/trial-<k>.json`, `search.kind === 'trial'`), if the study has any. Under the
 * registered profile only records made under the verdicts' lock count.
 */
export function readStudyRuns(root: string, file: VerdictsFile): RunRecord[] {
  const runs: RunRecord[] = [];
  const current = (record: RunRecord | null): record is RunRecord => !!record && (file.profile !== 'registered' || record.lockHash === file.study.lockHash);
  for (const cell of file.design.cells) {
    for (const seed of file.design.seeds) {
      const record = readRecord(recordPath(root, file.study.name, file.profile, cell, seed));
      if (current(record)) runs.push(record);
    }
  }
  for (const cell of file.design.cells) {
    const dir = join(resultsDirectory(root, file.study.name, file.profile), cell, 'search');
    if (!existsSync(dir)) continue;
    const trials = readdirSync(dir).filter((name) => /^trial-\d+\.json$/.test(name)).sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0]));
    for (const name of trials) {
      const record = readRecord(join(dir, name));
      if (current(record) && (record as { search?: { kind?: string } }).search?.kind === 'trial') runs.push(record);
    }
  }
  return runs;
}

/** The study's narrative text, or null. */
export function readNarrative(root: string, study: string): string | null {
  const path = join(root, 'experiments', study, NARRATIVE_FILE);
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

/**
 * Builds and writes a study's documents into `dir` (its report folder). Stale `.typ` fallbacks and figures are
 * removed first. Returns the problems (missing PDFs) for the caller to print.
 */
export async function writeStudyDocuments(dir: string, input: StudyDocumentsInput): Promise<string[]> {
  const { files, problems } = await buildStudyDocuments(input);
  rmSync(join(dir, 'figures'), { recursive: true, force: true });
  for (const stale of ['paper.typ', 'slides.typ']) if (!(stale in files)) rmSync(join(dir, stale), { force: true });
  mkdirSync(join(dir, 'figures'), { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    // Write beside, then rename: a reader never sees half a PDF.
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(`${path}.tmp-${process.pid}`, content);
    renameSync(`${path}.tmp-${process.pid}`, path);
  }
  return problems;
}
