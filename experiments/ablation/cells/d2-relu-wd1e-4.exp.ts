import { cell, trainMlp } from '../../../harness/index.ts';
import study from '../study.ts';

cell(study, 'd2-relu-wd1e-4', { train: trainMlp });
