/**
 * Devices: tensorgrad computes on the CPU only, and accepts PyTorch's spellings of it ('cpu',
 * tg.device('cpu'), { device: 'cpu' }) so that PyTorch code reads the same. Any other device is an
 * error that says so; a value that is no device at all is a TypeError.
 */
import { describeValue } from './options';

/** A device as PyTorch's torch.device: tensorgrad has one, the CPU. Prints as 'cpu'. */
export class Device {
  /** The kind of device: always 'cpu'. */
  readonly type = 'cpu' as const;
  /** The device's index: null, as for PyTorch's CPU device. */
  readonly index = null;

  /** @hidden */
  constructor() {
    Object.freeze(this);
  }

  /** 'cpu', as str(torch.device('cpu')). */
  toString(): string {
    return this.type;
  }

  /** @hidden */
  toJSON(): string {
    return this.type;
  }
}

// console.log prints 'cpu' (Node's util.inspect.custom key, without importing Node's types).
Object.defineProperty(Device.prototype, Symbol.for('nodejs.util.inspect.custom'), {
  value(this: Device): string {
    return this.type;
  },
});

/** The CPU device, which every tensor is on. */
export const CPU = new Device();

/** A device: tg.device('cpu') or its name, 'cpu'. @inline */
export type DeviceLike = Device | string;

// torch's device types (c10/core/DeviceType.h), so that a PyTorch name gets "not available"
const TORCH_DEVICES = new Set([
  'cpu', 'cuda', 'mps', 'xpu', 'meta', 'hip', 'xla', 'lazy', 'vulkan', 'ipu', 'hpu', 'mtia', 'maia',
  've', 'fpga', 'mkldnn', 'opengl', 'opencl', 'ideep', 'privateuseone',
]);

function unavailable(name: string): Error {
  return new Error(`tensorgrad runs on the CPU only: device '${name}' is not available; use 'cpu'`);
}

/**
 * The device a value names: the CPU for 'cpu' (also 'cpu:0') and a Device; an Error naming the
 * device for PyTorch's other devices ('cuda', 'cuda:0', 'mps', a CUDA index); null for anything
 * else.
 */
function parse(d: unknown): Device | null {
  if (d instanceof Device) return d;
  if (typeof d === 'number') {
    if (Number.isInteger(d) && d >= 0) throw unavailable(`cuda:${d}`);
    return null;
  }
  if (typeof d !== 'string') return null;
  const m = /^([a-z]+)(?::(\d+))?$/.exec(d);
  if (m === null || !TORCH_DEVICES.has(m[1])) return null;
  if (m[1] === 'cpu' && (m[2] === undefined || Number(m[2]) === 0)) return CPU;
  throw unavailable(d);
}

const WHAT = "a device ('cpu' or tg.device('cpu'))";

/**
 * Checks a device argument of fn and gives the device: a TypeError for what is no device, an Error
 * for a device tensorgrad does not have.
 */
export function toDevice(fn: string, d: unknown): Device {
  const device = parse(d);
  if (device === null) throw new TypeError(`${fn}(): expected ${WHAT}, but got ${describeValue(d)}`);
  return device;
}

/** The option kind of `{ device }` (see options.ts): other devices are an Error, not a TypeError. */
export const DEVICE_OPTION = { test: (v: unknown) => parse(v) !== null, what: WHAT };

/**
 * A device object, as torch.device: `tg.device('cpu')` (also 'cpu:0', or ('cpu', 0)). Any other
 * device, 'cuda' or 'mps', is an Error: tensorgrad runs on the CPU only.
 * @example const device = tg.device('cpu'); const x = tg.zeros(2, 3, { device });
 */
export function device(type: DeviceLike, index?: number): Device {
  if (index !== undefined) {
    if (!Number.isInteger(index) || index < 0) throw new TypeError(`device(): index must be a non-negative integer, but got ${describeValue(index)}`);
    if (typeof type !== 'string') throw new TypeError(`device(): expected a device type string with an index, but got ${describeValue(type)}`);
    return toDevice('device', `${type}:${index}`);
  }
  return toDevice('device', type);
}

/** torch.cuda's questions, answered for tensorgrad: there is no CUDA device. */
export const cuda = {
  /** false: tensorgrad runs on the CPU only. */
  isAvailable: (): boolean => false,
  /** 0. */
  deviceCount: (): number => 0,
};

/** Whether s is the name of one of PyTorch's devices ('cpu', 'cuda:0', 'mps'), available or not. */
export function isDeviceName(s: string): boolean {
  const m = /^([a-z]+)(?::(\d+))?$/.exec(s);
  return m !== null && TORCH_DEVICES.has(m[1]);
}
