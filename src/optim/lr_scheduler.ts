/**
 * Learning-rate schedulers (torch.optim.lr_scheduler): each step() sets every parameter group's
 * lr by PyTorch's formula, in PyTorch's order of float operations, so the values are PyTorch's but
 * for the last bits where V8's cos and pow round differently from the C library's.
 * @module
 */
export { LRScheduler } from './schedulers/base';
export type { SchedulerStateDict } from './schedulers/base';
export { ConstantLR, CosineAnnealingLR, ExponentialLR, LambdaLR, LinearLR, MultiStepLR, PolynomialLR, StepLR } from './schedulers/basic';
export type { LrLambda } from './schedulers/basic';
export { CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR } from './schedulers/cyclic';
export type { CyclicLROptions, OneCycleLROptions, ScaleFn } from './schedulers/cyclic';
export { ChainedScheduler, ReduceLROnPlateau, SequentialLR } from './schedulers/compose';
export type { ReduceLROnPlateauOptions } from './schedulers/compose';
