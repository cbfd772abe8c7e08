/** tg.optim: optimizers. @module */
export { Optimizer } from './optimizer';
export type { Group, OptimizerStateDict, ParamState, Params, StateValue } from './optimizer';
export type { TorchOptimizerStateDict } from './torch_state';
export { SGD } from './sgd';
export type { SGDOptions } from './sgd';
export { Adam, AdamW } from './adam';
export type { AdamOptions } from './adam';
export * as lrScheduler from './lr_scheduler';
