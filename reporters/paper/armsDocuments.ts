/**
 * The documents of an arms study (analysis model `paired`): the NeurIPS-style paper (`paper.pdf`), the readout slides
 * and their script, the figures and the CSV exports, from verdicts.json and the stored records (final runs and search
 * trials). `buildStudyDocuments` (./build.ts) hands a paired study here; a factorial study keeps the ablation's layout.
 * The paper is set as designed, then tighter (see `NeuripsInput.compact`) while its content runs past four pages.
 */
import type { RunRecord } from '../../harness/store.ts';
import type { VerdictsFile } from '../render/verdictTable.ts';
import { armsFigures } from './armsFigures.ts';
import { armsReportData } from './armsData.ts';
import { armsSlides } from './armsSlides.ts';
import { runsCsv, verdictsCsv } from './csv.ts';
import { renderFigures } from './figures.ts';
import type { Narrative } from './narrative.ts';
import { neuripsSource } from './neurips.ts';
import { ScriptTimingError, slidesDocument, scriptDocument, timeSlides, WORDS_PER_MINUTE } from './slides.ts';
import { compilePdf, PdfBuildError } from './typst.ts';

/** Pages of content the paper may have before its references. */
export const PAPER_PAGES = 4;

/** The number of pages of a PDF (its page objects). */
export function pdfPageCount(pdf: Buffer): number {
  return (pdf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length;
}

/** Inputs of {@link buildArmsDocuments}. */
export interface ArmsDocumentsInput {
  file: VerdictsFile;
  /** Final runs and search trials of the study. */
  runs: readonly RunRecord[];
  narrative: Narrative | null;
  studyFolder: string;
  creationTimestamp: number;
  compile?: typeof compilePdf;
}

/**
 * Builds every document of an arms study in memory: file name → bytes, and why any PDF is missing.
 *
 * @example
 * const { files, problems } = await buildArmsDocuments({ file, runs, narrative, studyFolder: 'experiments/architectures/', creationTimestamp });
 */
export async function buildArmsDocuments(input: ArmsDocumentsInput): Promise<{ files: Record<string, Buffer | string>; problems: string[] }> {
  const { file, narrative } = input;
  const data = armsReportData(file, input.runs);
  const figures = armsFigures(file, data);
  const svgs = await renderFigures(figures);
  const files: Record<string, Buffer | string> = {};
  for (const [name, svg] of Object.entries(svgs)) files[`figures/${name}`] = svg;
  files['runs.csv'] = runsCsv(file, data.finals);
  files['verdicts.csv'] = verdictsCsv(file);
  const problems: string[] = [];
  const slides = armsSlides({ file, data, figures, narrative, studyFolder: input.studyFolder });
  let minutes: number[];
  try {
    minutes = timeSlides(slides);
  } catch (error) {
    if (!(error instanceof ScriptTimingError)) throw error;
    minutes = timeSlides(slides, { strict: false });
    problems.push(`slides-script.md is not timed within ${WORDS_PER_MINUTE.min}–${WORDS_PER_MINUTE.max} words a minute: ${error.message}`);
  }
  files['slides-script.md'] = scriptDocument(file, slides, minutes);
  const mapped = Object.fromEntries(Object.entries(svgs).map(([name, svg]) => [`/figures/${name}`, svg]));
  const compile = (name: string, text: string): Buffer | null => {
    try {
      return (input.compile ?? compilePdf)(text, { files: mapped, creationTimestamp: input.creationTimestamp });
    } catch (error) {
      if (!(error instanceof PdfBuildError)) throw error;
      files[`${name}.typ`] = text;
      problems.push(`${name}.pdf not built: ${error.message}`);
      return null;
    }
  };
  // Four pages of content, then the references on a page of their own: set tighter until the content fits.
  for (const compact of [0, 1, 2] as const) {
    const paper = compile('paper', neuripsSource({ file, data, figures, narrative, studyFolder: input.studyFolder, compact }));
    if (!paper) break;
    files['paper.pdf'] = paper;
    const pages = pdfPageCount(paper);
    if (pages <= PAPER_PAGES + 1) break;
    if (compact === 2) problems.push(`paper.pdf has ${pages - 1} pages of content before the references, more than ${PAPER_PAGES} even set tightly. Fix: shorten the narrative's Introduction and Discussion (${input.studyFolder}narrative.md).`);
  }
  const deck = compile('slides', slidesDocument(file, slides, minutes));
  if (deck) files['slides.pdf'] = deck;
  return { files, problems };
}
