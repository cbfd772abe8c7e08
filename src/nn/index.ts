/** tg.nn: modules, layers, losses, init and the functional interface. @module */
export { Module, Parameter } from './module';
export type { NamedModulesOptions } from './module';
export type { ForwardHook, ForwardHookWithKwargs, ForwardPreHook, ForwardPreHookWithKwargs, FullBackwardHook, FullBackwardPreHook, GradList, HookHandle, Kwargs } from './hooks';
export type { LoadResult } from './module';
export { Dropout, Embedding, Flatten, GELU, Identity, LayerNorm, LeakyReLU, Linear, LogSoftmax, ReLU, Sequential, Sigmoid, Softmax, Tanh } from './layers';
export { ModuleDict, ModuleList } from './containers';
export { BatchNorm1d, BatchNorm2d, BatchNormBase, GroupNorm, RMSNorm } from './norm';
export type { BatchNormOptions } from './norm';
export { Dropout2d, ELU, Hardtanh, Mish, PReLU, SELU, SiLU, Softplus, Softsign, Unflatten } from './activation';
export { ParameterDict, ParameterList } from './param_containers';
export { CosineEmbeddingLoss, CTCLoss, GaussianNLLLoss, HuberLoss, KLDivLoss, MarginRankingLoss, PoissonNLLLoss, SmoothL1Loss, TripletMarginLoss } from './loss_extra';
export { Conv2d, MaxPool2d } from './conv';
export { BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss } from './loss';
export * as functional from './functional';
export * as init from './init';
export * as utils from './utils';
export * as parallel from './parallel';
