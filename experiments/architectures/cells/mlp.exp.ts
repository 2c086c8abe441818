import { cell, trainMlp, type MlpCellConfig, type TrainContext } from '../../../harness/index.ts';
import study from '../study.ts';

// The arms have one config shape per family: each cell hands its training function its own (checked at run time).
cell(study, 'mlp', { train: (ctx) => trainMlp(ctx as TrainContext<MlpCellConfig>) });
