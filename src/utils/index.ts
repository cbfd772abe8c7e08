/** tg.utils: helpers around training, as torch.utils. @module */
export * as data from './data';
