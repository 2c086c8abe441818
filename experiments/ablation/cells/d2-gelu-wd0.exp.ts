import { cell, trainMlp } from '../../../harness/index.ts';
import study from '../study.ts';

cell(study, 'd2-gelu-wd0', { train: trainMlp });
