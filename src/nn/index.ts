/** tg.nn: modules, layers, losses, init and the functional interface. @module */
export { Module, Parameter } from './module';
export type { LoadResult } from './module';
export { Dropout, Embedding, Flatten, GELU, Identity, LayerNorm, LeakyReLU, Linear, LogSoftmax, ReLU, Sequential, Sigmoid, Softmax, Tanh } from './layers';
export { ModuleDict, ModuleList } from './containers';
export { MultiheadAttention, NonDynamicallyQuantizableLinear } from './attention';
export type { MultiheadAttentionForwardOptions, MultiheadAttentionOptions } from './attention';
export { TransformerDecoder, TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer, deepCopyModule, generateSquareSubsequentMask } from './transformer';
export type { Activation, DecoderLayerForwardOptions, EncoderForwardOptions, EncoderLayerForwardOptions, TransformerLayerOptions } from './transformer';
export { Conv2d, MaxPool2d } from './conv';
export { BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss } from './loss';
export * as functional from './functional';
export * as init from './init';
export * as utils from './utils';
export * as parallel from './parallel';
