/**
 * tensorgrad: PyTorch-style tensors and autograd for Node.js.
 * @example
 * import * as tg from 'tensorgrad';
 * const x = tg.randn(64, 1000), w = tg.randn(1000, 100);
 * console.log(x.mm(w).clamp(0).shape); // [64, 100]
 * @module
 */
export { Tensor } from './tensor';
export type { DimOptions, KeepdimOptions, NestedList, VarOptions } from './tensor';
export type { CumsumOptions } from './ops/scan';
export type { DiagonalOptions } from './ops/view';
export type { FillDiagonalOptions } from './ops/diagonal';
export type { RepeatInterleaveOptions } from './ops/rearrange';
export type { MinMax, NamedTensors, ValuesIndices } from './ops/named';
export type { SelectOptions, SortOptions, TopkOptions } from './ops/sort';
export type { UniqueConsecutiveOptions, UniqueExtras, UniqueFields, UniqueOptions, UniqueResult } from './ops/unique';
export type { BincountOptions, BucketizeOptions, HistcOptions, SearchsortedOptions } from './ops/histogram';
export type { CloseOptions, ScaleOptions } from './ops/pointwise';
export type { AddProductOptions, CdistOptions, TensordotDims } from './ops/linalg_ext';
export type { LinalgNormOptions, MatrixNormOptions, MatrixOrd, VectorNormOptions } from './ops/linalg_norm';
export type { OptionKind, OptionSpec } from './options';
export {
  bool, float32, float64, getDefaultDtype, int32, int64, isFloatingPoint, promoteTypes, setDefaultDtype,
} from './dtype';
export type { DType, DTypeLike, TypedArray } from './dtype';
export { cuda, device, Device } from './device';
export type { DeviceLike } from './device';
export type { ToOptions, ToTarget } from './ops/convert';
export { AutogradError, DTypeError, FormatError, IndexError, ShapeError } from './errors';
export {
  arange, empty, emptyLike, eye, full, fullLike, linspace, ones, onesLike, tensor, zeros, zerosLike,
} from './ops/creation';
export type { NestedArray, TensorOptions } from './ops/creation';
export type { Scalar, TensorLike } from './ops/common';
export type { ClampBounds } from './ops/unary';
export type { Dims } from './ops/reduce';
export type { IndexPutOptions, IndexSpec } from './ops/subscript';
export type { IndexAddOptions, NonzeroOptions } from './ops/indexing';
export type { ScatterReduceOptions, ScatterReduction } from './ops/scatter_reduce';
export type { DivOptions } from './ops/binary';
export { cat, stack } from './ops/join';
export {
  Generator, defaultGenerator, initialSeed, manualSeed, rand, randint, randLike, randn, randnLike, randperm,
} from './ops/random';
export type { RandomOptions } from './ops/random';
export { bernoulli, multinomial, normal, randintLike } from './ops/sampling';
export type { MultinomialOptions } from './ops/sampling';
export { backendInfo, getNumThreads, setNumThreads } from './runtime';
export { getPrintoptions, setPrintoptions } from './format';
export type { PrintOptions } from './format';
export { scope } from './scope';
export { loadMetadata } from './io/safetensors';
export { load, loadAsync } from './io/load';
export type { NarrowDtype, TensorRecord } from './io/safetensors';
export { save, saveAsync } from './io/save';
export type { SaveFormat, SaveOptions } from './io/save';
export type { TorchSaveable } from './io/torch-save';
export { loadNpy, loadNpz, saveNpy, saveNpz } from './io/npy';
export type { LoadOptions } from './io/bytes';
export * as autograd from './autograd/index';
export * as nn from './nn/index';
export * as F from './nn/functional';
export * as optim from './optim/index';
export * as linalg from './linalg';
export * as distributed from './distributed/index';
export * as utils from './utils/index';
export { enableGrad, inferenceMode, isGradEnabled, noGrad, setGradEnabled } from './autograd/grad_mode';
export type { GradModeGuard } from './autograd/grad_mode';
export type { BackendInfo } from './runtime';
export * from './functions';
export { variance as var } from './functions';
