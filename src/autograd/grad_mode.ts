/** Whether ops record the autograd graph: on by default, off inside noGrad. */

let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

/**
 * What `tg.noGrad()`, `tg.enableGrad()`, `tg.inferenceMode()` and `tg.setGradEnabled(b)` return:
 * the mode they set lasts until exit() (or the end of a `using` block), which puts back the mode
 * that was on before. Exiting twice does nothing.
 * @example
 * {
 *   using _ = tg.noGrad();
 *   w.sub_(w.grad!.mul(lr));
 * } // recording is back on here
 */
export interface GradModeGuard {
  /** Puts back the grad mode that was on when the guard was made. */
  exit(): void;
  /** exit(), for `using`. */
  [Symbol.dispose](): void;
}

/**
 * Makes the change `enter` makes, undone by the function enter returns: around fn's run when fn is
 * given (fn's result is returned), else until the returned guard exits (exiting twice does nothing).
 * The grad modes' guards are made with it, and so is DistributedDataParallel's noSync().
 */
export function guarded<T>(enter: () => () => void, fn?: () => T): T | GradModeGuard {
  const undo = enter();
  if (fn !== undefined) {
    try {
      return fn();
    } finally {
      undo();
    }
  }
  let open = true;
  const exit = (): void => {
    if (!open) return;
    open = false;
    undo();
  };
  return { exit, [Symbol.dispose]: exit };
}

/** Sets the grad mode; returns what puts the previous one back. */
function setMode(mode: boolean): () => () => void {
  return () => {
    const previous = enabled;
    enabled = mode;
    return () => {
      enabled = previous;
    };
  };
}

/**
 * Turns graph recording on or off (torch.set_grad_enabled). Also a guard, as in PyTorch's
 * `with torch.set_grad_enabled(False):`, whose exit() puts back the previous mode.
 * @example using _ = tg.setGradEnabled(false);
 */
export function setGradEnabled(mode: boolean): GradModeGuard {
  if (typeof mode !== 'boolean') throw new TypeError(`setGradEnabled(): mode must be a boolean, but got ${typeof mode}`);
  return guarded(setMode(mode)) as GradModeGuard;
}

function withMode<T>(fn: string, mode: boolean, body: (() => T) | undefined): T | GradModeGuard {
  if (body !== undefined && typeof body !== 'function') {
    throw new TypeError(`${fn}(): expected a function to run, or nothing (for a guard), but got ${body === null ? 'null' : typeof body}`);
  }
  return guarded(setMode(mode), body);
}

/**
 * Runs fn without recording the graph (torch.no_grad()). The mode is restored when fn returns,
 * so an async fn's continuations after its first await run in the caller's mode. Without fn,
 * turns recording off until the returned guard exits, as Python's `with torch.no_grad():`.
 * @example tg.noGrad(() => { w1.sub_(w1.grad!.mul(lr)); })
 * @example { using _ = tg.noGrad(); w1.sub_(w1.grad!.mul(lr)); }
 */
export function noGrad<T>(fn: () => T): T;
export function noGrad(): GradModeGuard;
export function noGrad<T>(fn?: () => T): T | GradModeGuard {
  return withMode('noGrad', false, fn);
}

/** Runs fn with recording on, even inside noGrad (torch.enable_grad()); without fn, a guard. */
export function enableGrad<T>(fn: () => T): T;
export function enableGrad(): GradModeGuard;
export function enableGrad<T>(fn?: () => T): T | GradModeGuard {
  return withMode('enableGrad', true, fn);
}

/**
 * torch.inference_mode(): in tensorgrad the same as noGrad (recording off). PyTorch's inference
 * tensors, which may never enter autograd later, have no counterpart: tensors made here are
 * ordinary tensors that do not require grad.
 * @example const logits = tg.inferenceMode(() => model(x));
 */
export function inferenceMode<T>(fn: () => T): T;
export function inferenceMode(): GradModeGuard;
export function inferenceMode<T>(fn?: () => T): T | GradModeGuard {
  return withMode('inferenceMode', false, fn);
}
