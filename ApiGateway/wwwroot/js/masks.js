// Masks as the API sends them (COCO compressed RLE, column-major) and their drawing on a canvas.

/** Decodes pycocotools' compressed counts string into run lengths. */
export function rleCounts(counts) {
  const runs = [];
  let p = 0;
  while (p < counts.length) {
    let x = 0, k = 0, more = true;
    while (more) {
      const c = counts.charCodeAt(p) - 48;
      x |= (c & 0x1f) << (5 * k);
      more = (c & 0x20) !== 0;
      p++; k++;
      if (!more && (c & 0x10)) x |= -1 << (5 * k);
    }
    if (runs.length > 2) x += runs[runs.length - 2];
    runs.push(x);
  }
  return runs;
}

/** A row-major Uint8Array (1 = object) of a {size:[h,w], counts} mask. */
export function decodeMask(mask) {
  const [h, w] = mask.size;
  const out = new Uint8Array(w * h);
  const runs = rleCounts(mask.counts);
  let index = 0;
  for (let r = 0; r < runs.length; r++) {
    const n = runs[r];
    if (r % 2 === 1) {
      for (let i = index; i < index + n; i++) {
        const x = (i / h) | 0, y = i - x * h;
        out[y * w + x] = 1;
      }
    }
    index += n;
  }
  return { width: w, height: h, data: out };
}

/**
 * The {size:[h,w], counts} COCO compressed RLE of a row-major mask (nonzero = object): the inverse of decodeMask.
 * Runs go down each column in turn and start with a run of zeros (0 when the first pixel is set).
 */
export function encodeMask({ width, height, data }) {
  const runs = [];
  let value = 0, run = 0;
  for (let x = 0; x < width; x++) {
    for (let i = x, end = width * height; i < end; i += width) {
      const pixel = data[i] ? 1 : 0;
      if (pixel !== value) { runs.push(run); run = 0; value = pixel; }
      run++;
    }
  }
  runs.push(run);
  return { size: [height, width], counts: compressCounts(runs) };
}

/** pycocotools' string form of run lengths: from the fourth on, the difference to the one two back; 5 bits a character. */
function compressCounts(runs) {
  let out = '';
  for (let r = 0; r < runs.length; r++) {
    let x = r > 2 ? runs[r] - runs[r - 2] : runs[r];
    for (let more = true; more;) {
      let c = x & 0x1f;
      x >>= 5;
      more = (c & 0x10) ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      out += String.fromCharCode(c + 48);
    }
  }
  return out;
}

/** An offscreen canvas with the mask painted in `rgba` ([r,g,b,a], 0..255) and its outline opaque. */
export function maskCanvas(decoded, rgba = [255, 0, 255, 110]) {
  const { width: w, height: h, data } = decoded;
  const canvas = document.createElement('canvas');
  canvas.width = w; canvas.height = h;
  const context = canvas.getContext('2d');
  const image = context.createImageData(w, h);
  const px = image.data;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!data[i]) continue;
      const edge = x === 0 || y === 0 || x === w - 1 || y === h - 1 || !data[i - 1] || !data[i + 1] || !data[i - w] || !data[i + w];
      const o = i * 4;
      px[o] = rgba[0]; px[o + 1] = rgba[1]; px[o + 2] = rgba[2]; px[o + 3] = edge ? 255 : rgba[3];
    }
  }
  context.putImageData(image, 0, 0);
  return canvas;
}

/** Bounding box {x0,y0,x1,y1} of a decoded mask, or null when empty. */
export function maskBounds(decoded) {
  const { width: w, height: h, data } = decoded;
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    if (!data[y * w + x]) continue;
    if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
  }
  return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

/** Draws a click marker at image coordinates already transformed by the context. */
export function drawClick(context, x, y, label, { radius = 6, faded = false } = {}) {
  context.save();
  context.globalAlpha = faded ? 0.45 : 1;
  context.beginPath();
  context.arc(x, y, radius, 0, Math.PI * 2);
  context.fillStyle = label === 'foreground' ? '#22c55e' : '#ef4444';
  context.fill();
  context.lineWidth = Math.max(1, radius / 3);
  context.strokeStyle = '#ffffff';
  context.stroke();
  context.restore();
}

/** The box {x0,y0,x1,y1} outlined in yellow. */
export function drawBox(context, box, lineWidth = 2) {
  context.save();
  context.strokeStyle = '#facc15';
  context.lineWidth = lineWidth;
  context.setLineDash([]);
  context.strokeRect(box.x0, box.y0, box.x1 - box.x0, box.y1 - box.y0);
  context.restore();
}
