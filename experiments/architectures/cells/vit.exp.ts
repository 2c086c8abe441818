import { cell, trainVit, type TrainContext, type VitCellConfig } from '../../../harness/index.ts';
import study from '../study.ts';

cell(study, 'vit', { train: (ctx) => trainVit(ctx as TrainContext<VitCellConfig>) });
