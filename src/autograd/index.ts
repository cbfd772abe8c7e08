/** tg.autograd: computing gradients without (or besides) .backward(). @module */
export { backward, grad } from './api';
export type { BackwardOptions, GradOptions } from './api';
export { gradcheck } from './gradcheck';
export type { GradcheckOptions } from './gradcheck';
export { Node } from './graph';
export type { GradHook, PostAccumulateGradHook, RemovableHandle } from './graph';
export { AutogradFunction as Function, FunctionCtx } from './function';
export type { ForwardArgs, ForwardResult } from './function';
