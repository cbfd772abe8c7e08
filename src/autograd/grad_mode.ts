/** Whether ops record the autograd graph: on by default, off inside noGrad. */

let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

/** Turns graph recording on or off (torch.set_grad_enabled). */
export function setGradEnabled(mode: boolean): void {
  enabled = Boolean(mode);
}

function withMode<T>(mode: boolean, fn: () => T): T {
  if (typeof fn !== 'function') throw new TypeError('expected a function to run');
  const previous = enabled;
  enabled = mode;
  try {
    return fn();
  } finally {
    enabled = previous;
  }
}

/**
 * Runs fn without recording the graph (torch.no_grad()). The mode is restored when fn returns,
 * so an async fn's continuations after its first await run in the caller's mode.
 * @example tg.noGrad(() => { w1.sub_(w1.grad!.mul(lr)); })
 */
export function noGrad<T>(fn: () => T): T {
  return withMode(false, fn);
}

/** Runs fn with recording on, even inside noGrad (torch.enable_grad()). */
export function enableGrad<T>(fn: () => T): T {
  return withMode(true, fn);
}
