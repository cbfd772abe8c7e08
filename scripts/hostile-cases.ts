/**
 * The cases of scripts/hostile.ts: files crafted against each loader, and API misuse. Each case's
 * `run` is JavaScript run in a child process (see hostile-child.ts for what it has in scope).
 */
import { killDuringSave, MB, type HostileCase } from './hostile-child';

export const CASES: HostileCase[] = [
  {
    name: 'npz: zip64 end record claiming 2^32-1 entries (98 bytes)',
    declaredBytes: 0,
    expect: 'FormatError',
    run: `
      const b = Buffer.alloc(98);
      b.writeUInt32LE(0x06064b50, 0); b.writeBigUInt64LE(44n, 4); b.writeUInt16LE(45, 12); b.writeUInt16LE(45, 14);
      b.writeBigUInt64LE(0xffffffffn, 24); b.writeBigUInt64LE(0xffffffffn, 32); b.writeBigUInt64LE(98n, 48); // the directory: at the end
      b.writeUInt32LE(0x07064b50, 56); b.writeUInt32LE(1, 72);
      b.writeUInt32LE(0x06054b50, 76); b.writeUInt16LE(0xffff, 84); b.writeUInt16LE(0xffff, 86); b.writeUInt32LE(0xffffffff, 88); b.writeUInt32LE(0xffffffff, 92);
      tg.loadNpz(file('bomb.npz', b));`,
  },
  {
    name: 'npz: member claiming 1 GB uncompressed for a 1-element array',
    declaredBytes: 0,
    expect: 'FormatError',
    run: `
      const data = zlib.deflateRawSync(Buffer.concat([npy('<f4', [1], Buffer.alloc(4)), require('crypto').randomBytes(1 << 20)]));
      tg.loadNpz(file('huge.npz', zip([{ name: 'a.npy', data, method: 8, size: 1 << 30 }])));`,
  },
  {
    name: 'npz: 1-element array followed by 1 GB of deflated zeros (bomb)',
    declaredBytes: 0,
    expect: 'FormatError',
    run: `
      const head = npy('<f4', [1], Buffer.alloc(4));
      const data = Buffer.concat([zlib.deflateRawSync(head, { finishFlush: zlib.constants.Z_SYNC_FLUSH }), zerosDeflated(1024)]);
      tg.loadNpz(file('bomb.npz', zip([{ name: 'a.npy', data, method: 8, size: head.length, crc: crc32(head) }])));`,
  },
  {
    name: 'npz: member that is not .npy (1 GB of deflated zeros)',
    declaredBytes: 0,
    expect: 'FormatError',
    run: `tg.loadNpz(file('zeros.npz', zip([{ name: 'a.npy', data: zerosDeflated(1024), method: 8, size: 1 << 30, crc: 0 }])));`,
  },
  {
    name: 'npz: one flipped byte (CRC-32)',
    declaredBytes: 4096,
    expect: 'FormatError',
    run: `
      const b = zip([{ name: 'a.npy', data: npy('<f4', [1024], Buffer.alloc(4096, 7)) }]);
      b[30 + 5 + 128 + 100] ^= 1;
      tg.loadNpz(file('flipped.npz', b));`,
  },
  {
    name: "npz: loadNpz('/dev/zero')",
    declaredBytes: 0,
    expect: 'FormatError',
    run: `tg.loadNpz('/dev/zero');`,
  },
  {
    name: 'npz: save and load 64 MB (peak memory)',
    declaredBytes: 64 * MB,
    expect: 'ok',
    seconds: 10,
    run: `
      const p = path.join(tmp, 'big.npz');
      (() => { tg.saveNpz({ w: tg.full([${(64 * MB) / 4}], 3) }, p); })();
      global.gc?.();
      const w = tg.loadNpz(p).w;
      if (w.numel() !== ${(64 * MB) / 4} || w.min().item() !== 3 || w.max().item() !== 3) throw new Error('wrong values');`,
  },
  {
    name: 'safetensors: 100 MB header of nested arrays',
    declaredBytes: 100e6,
    expect: 'FormatError',
    seconds: 10,
    run: `
      const p = path.join(tmp, 'nested.safetensors');
      const fd = fs.openSync(p, 'w');
      const n = 100e6 - 8, len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(n));
      fs.writeSync(fd, len);
      fs.writeSync(fd, '{"a":{"dtype":"F32","shape":');
      const chunk = Buffer.alloc(1 << 20, '[');
      for (let left = n - 28; left > 0; left -= chunk.length) fs.writeSync(fd, chunk, 0, Math.min(left, chunk.length));
      fs.closeSync(fd);
      tg.load(p);`,
  },
  {
    name: 'safetensors: 100 MB header of 14M metadata entries',
    declaredBytes: 100e6,
    expect: 'ok',
    seconds: 10,
    slow: true,
    run: `
      const p = path.join(tmp, 'meta.safetensors');
      const fd = fs.openSync(p, 'w');
      const n = 100e6 - 8, len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(n));
      fs.writeSync(fd, len);
      fs.writeSync(fd, '{"__metadata__":{');
      const chunk = Buffer.from('"k":"",'.repeat(1 << 17));
      let left = n - 17 - 7;
      for (; left >= chunk.length; left -= chunk.length) fs.writeSync(fd, chunk);
      fs.writeSync(fd, ' '.repeat(left) + '"":""}}');
      fs.closeSync(fd);
      const t = tg.load(p);
      if (Object.keys(t).length !== 0) throw new Error('tensors from nowhere');`,
  },
  {
    name: 'safetensors: shape of 65 dims',
    declaredBytes: 0,
    expect: 'FormatError',
    run: `tg.load(file('dims.safetensors', st(JSON.stringify({ a: { dtype: 'F32', shape: Array(65).fill(1), data_offsets: [0, 4] } }), 4)));`,
  },
  {
    name: 'safetensors: shape whose product overflows',
    declaredBytes: 0,
    expect: 'FormatError',
    run: `tg.load(file('overflow.safetensors', st(JSON.stringify({ a: { dtype: 'F32', shape: [2 ** 40, 2 ** 40, 2 ** 40], data_offsets: [0, 4] } }), 4)));`,
  },
  {
    name: 'safetensors: dtype "constructor"',
    declaredBytes: 0,
    expect: 'FormatError',
    run: `tg.load(file('ctor.safetensors', st('{"a":{"dtype":"constructor","shape":[1],"data_offsets":[0,4]}}', 4)));`,
  },
  {
    name: 'safetensors: tensor named "__proto__"',
    declaredBytes: 4,
    expect: 'ok',
    run: `
      const r = tg.load(file('proto.safetensors', st('{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 4)));
      if (Object.getPrototypeOf(r) !== Object.prototype || !Object.hasOwn(r, '__proto__') || Object.keys(r).join() !== '__proto__') throw new Error('the prototype changed');`,
  },
  {
    name: 'torch: a storage declaring 2^40 float32 elements over a 16-byte record',
    declaredBytes: 0,
    expect: 'FormatError',
    run: `tg.load(file('big.pt', zip([{ name: 'a/data.pkl', data: torchPkl(2 ** 40, 4) }, { name: 'a/data/0', data: Buffer.alloc(16) }])));`,
  },
  {
    name: 'torch: a tensor of 2^40 elements over a 4-element storage',
    declaredBytes: 0,
    expect: 'FormatError',
    run: `tg.load(file('big.pt', zip([{ name: 'a/data.pkl', data: torchPkl(4, 2 ** 40) }, { name: 'a/data/0', data: Buffer.alloc(16) }])));`,
  },
  {
    name: 'torch: data.pkl of 1 GB deflated into 1 MB, maxBytes 64 MB',
    declaredBytes: 0,
    expect: 'RangeError',
    run: `tg.load(file('bomb.pt', zip([{ name: 'a/data.pkl', data: zerosDeflated(1024), method: 8, size: 1 << 30, crc: 0 }])), { maxBytes: 64 << 20 });`,
  },
  {
    name: 'torch: data.pkl claiming 2^40 bytes (zip64) from 1 KB deflated',
    declaredBytes: 0,
    expect: 'FormatError',
    run: `tg.load(file('lie.pt', zip([{ name: 'a/data.pkl', data: zerosDeflated(1).subarray(0, 1024), method: 8, size: 2 ** 40, crc: 0 }])));`,
  },
  {
    name: 'torch: a 1 MB pickle of 1M nested lists, maxBytes 64 MB',
    declaredBytes: 0,
    expect: 'RangeError',
    run: `
      const n = 1 << 20;
      tg.load(file('deep.pt', zip([{ name: 'a/data.pkl', data: Buffer.from('\\x80\\x02' + ']'.repeat(n) + 'a'.repeat(n - 1) + '.', 'latin1') }])), { maxBytes: 64 << 20 });`,
  },
  {
    name: 'torch: a pickle of 256K nested lists',
    declaredBytes: 0,
    expect: 'ok',
    run: `
      const n = 1 << 18;
      let v = tg.load(file('deep.pt', zip([{ name: 'a/data.pkl', data: Buffer.from('\\x80\\x02' + ']'.repeat(n) + 'a'.repeat(n - 1) + '.', 'latin1') }])));
      let depth = 0;
      for (; Array.isArray(v); v = v[0]) depth++;
      if (depth !== n) throw new Error('depth ' + depth);`,
  },
  {
    name: 'torch: a 1 MB pickle passing one 256K-element list to set() 100K times',
    declaredBytes: 0,
    expect: 'FormatError',
    run: `
      const n = 1 << 18, calls = 100000;
      const l = (s) => Buffer.from(s, 'latin1');
      const pkl = l('\\x80\\x02(' + 'K\\x00'.repeat(n) + 'l\\x85q\\x000cbuiltins\\nset\\nq\\x010](' + 'h\\x01h\\x00R'.repeat(calls) + 'e.');
      tg.load(file('sets.pt', zip([{ name: 'a/data.pkl', data: pkl }])));`,
  },
  {
    name: 'torch: a pickle calling os.system',
    declaredBytes: 0,
    expect: 'FormatError',
    run: `
      const marker = path.join(tmp, 'ran');
      const pkl = Buffer.concat([Buffer.from('\\x80\\x02cposix\\nsystem\\n(', 'latin1'), pstr('touch ' + marker), Buffer.from('tR.')]);
      try { tg.load(file('system.pt', zip([{ name: 'a/data.pkl', data: pkl }]))); } finally { if (fs.existsSync(marker)) throw new Error('it ran'); }`,
  },
  {
    name: 'api: tensor() of an array nested in itself',
    declaredBytes: 0,
    expect: 'RangeError',
    run: `const a = [1]; a[0] = a; tg.tensor(a);`,
  },
  {
    name: 'api: tensor() of 3000 x 40000 nested numbers (past V8\'s array length limit)',
    declaredBytes: 3000 * 40000 * (8 + 4), // the nested arrays (8 bytes a number) and the float32 tensor
    expect: 'ok',
    seconds: 30,
    slow: true,
    run: `
      const rows = [];
      for (let i = 0; i < 3000; i++) { const r = new Array(40000); for (let j = 0; j < 40000; j++) r[j] = (i + j) % 7; rows.push(r); }
      const t = tg.tensor(rows);
      if (t.shape.join() !== '3000,40000' || t.sum(1).double().sum().item() !== 359999992) throw new Error('wrong tensor: ' + t.shape);`,
  },
  {
    name: 'api: int64 beyond 2^63 in tensor(), full and fill_',
    declaredBytes: 0,
    expect: 'RangeError',
    run: `refuseAll(RangeError, () => tg.tensor([2n ** 63n]), () => tg.full([1], 2n ** 70n), () => tg.zeros(1, { dtype: 'int64' }).fill_(2 ** 64));`,
  },
  {
    name: 'api: fill_(undefined) and a dtype named "toString"',
    declaredBytes: 0,
    expect: 'TypeError',
    run: `refuseAll(TypeError, () => tg.zeros(2).fill_(undefined), () => tg.zeros(2, { dtype: 'toString' }));`,
  },
  {
    name: 'api: unknown and misplaced options',
    declaredBytes: 0,
    expect: 'TypeError',
    run: `
      refuseAll(TypeError, () => tg.ones(2, 3).sum({ dims: 1 }), () => new tg.optim.SGD([tg.zeros(1, { requiresGrad: true })], { lr: 0.1, momentom: 0.9 }),
        () => tg.zeros(2).add(1, 2));`,
  },
  {
    name: 'api: aliasing (scatter_ from itself, an expanded parameter, w.grad = w)',
    declaredBytes: 0,
    expect: 'ok',
    run: `
      const refuse = (f) => { try { f(); } catch { return; } throw new Error('no error: ' + f); };
      const a = tg.tensor([1, 2, 3, 4]);
      refuse(() => a.scatter_(0, tg.tensor([3, 2, 1, 0], { dtype: 'int64' }), a));
      const p = tg.ones(1).expand(4).requiresGrad_(), opt = new tg.optim.SGD([p], 0.1);
      p.sum().backward();
      refuse(() => opt.step());
      const w = tg.ones(2, { requiresGrad: true });
      refuse(() => { w.grad = w; });`,
  },
  {
    name: 'save and saveNpz killed with SIGKILL midway (4 moments)',
    declaredBytes: 32 * MB,
    expect: 'ok',
    seconds: 30,
    parent: (lib) => killDuringSave(lib),
  },
];

