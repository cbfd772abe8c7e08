// A dataset that does real work per item: it reads a small binary PGM image (P5) from disk and
// decodes it into a float32 [1, H, W] tensor in [0, 1], with its label from the file name
// (digit-<label>-<k>.pgm). Worker threads import it from here (workerModule).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const tg = require('../../..');

function decodePgm(bytes, file) {
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(bytes.subarray(0, 32).toString('latin1'));
  if (header === null) throw new RangeError(`${path.basename(file)} is not a binary PGM image`);
  const [whole, w, h, max] = header;
  const pixels = bytes.subarray(whole.length);
  if (pixels.length !== w * h) throw new RangeError(`${path.basename(file)}: expected ${w * h} pixels, found ${pixels.length}`);
  return tg.tensor(Float32Array.from(pixels, (p) => p / Number(max))).reshape(1, Number(h), Number(w));
}

class Images extends tg.utils.data.Dataset {
  static workerModule = __filename;

  /** files: the image paths; exitAt: an index whose loading ends the thread (a worker that dies). */
  constructor(files, exitAt = -1) {
    super();
    this.files = files;
    this.exitAt = exitAt;
  }

  workerArgs() {
    return [this.files, this.exitAt];
  }

  get length() {
    return this.files.length;
  }

  getItem(i) {
    if (i === this.exitAt) process.exit(7);
    const file = this.files[i];
    const label = Number(/digit-(\d)-/.exec(path.basename(file))[1]);
    return { image: decodePgm(fs.readFileSync(file), file), label, name: path.basename(file) };
  }
}

/** Writes n small images into dir (deterministic pixels), one of them corrupt when badAt >= 0. */
function writeImages(dir, n, badAt = -1) {
  const files = [];
  for (let k = 0; k < n; k++) {
    const w = 6, h = 5;
    const pixels = Buffer.alloc(w * h, 0).map((_, p) => (k * 37 + p * 11) % 256);
    const file = path.join(dir, `digit-${k % 10}-${k}.pgm`);
    fs.writeFileSync(file, k === badAt ? Buffer.from('not an image') : Buffer.concat([Buffer.from(`P5 ${w} ${h} 255\n`), pixels]));
    files.push(file);
  }
  return files;
}

module.exports = { Images, writeImages };
