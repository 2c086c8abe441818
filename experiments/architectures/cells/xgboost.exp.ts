import { cell, trainXgboost, type TrainContext, type XgboostCellConfig } from '../../../harness/index.ts';
import study from '../study.ts';

cell(study, 'xgboost', { train: (ctx) => trainXgboost(ctx as TrainContext<XgboostCellConfig>) });
