/** tg.nn: modules, layers, losses, init and the functional interface. @module */
export { Module, Parameter } from './module';
export type { LoadResult } from './module';
export { Dropout, Embedding, Flatten, GELU, Identity, LayerNorm, LeakyReLU, Linear, LogSoftmax, ReLU, Sequential, Sigmoid, Softmax, Tanh } from './layers';
export { ModuleDict, ModuleList } from './containers';
export { Conv1d, Conv2d, ConvTranspose2d } from './conv';
export type { ConvLayerOptions, PaddingMode } from './conv';
export { AdaptiveAvgPool1d, AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d } from './pooling';
export type { MaxPoolResult } from './pooling';
export { Upsample, UpsamplingBilinear2d, UpsamplingNearest2d } from './upsampling';
export type { UpsampleOptions, Upsampling2dOptions } from './upsampling';
export { BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss } from './loss';
export * as functional from './functional';
export * as init from './init';
export * as utils from './utils';
export * as parallel from './parallel';
