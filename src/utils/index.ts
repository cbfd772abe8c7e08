/** tg.utils: helpers around training, as torch.utils. */
export * as data from './data';
