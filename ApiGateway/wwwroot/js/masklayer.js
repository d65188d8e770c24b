// Masks drawn over an image at any zoom: the part of a {size:[h,w], counts} mask that holds the object, filled on a
// canvas the size of that part, and its outline as a path, stroked in screen pixels. Used by the annotation page for
// the model's mask and by the qualification page for the reference's outline.
import { rleCounts } from './masks.js';

export const MASK_RGB = [255, 0, 255];
const OUTLINE_CSS_PX = 1.5;

/**
 * The part of a {size:[h,w], counts} mask that holds the object: its bounds (x0, y0, width, height in mask
 * pixels) and the pixels as a Uint8Array with a one-pixel empty border (row-major, (width+2) x (height+2)),
 * or null for an empty mask. Works on the runs, so the cost follows the object, not the image.
 */
export function maskRegion(mask) {
  const [h, w] = mask.size;
  const runs = rleCounts(mask.counts);
  let x0 = w, x1 = -1, y0 = h, y1 = -1;
  for (let r = 1, index = runs[0] ?? 0; r < runs.length; index += runs[r], r++) {
    if (r % 2 === 0 || runs[r] <= 0) continue;
    const first = index, last = index + runs[r] - 1;
    const ca = (first / h) | 0, cb = (last / h) | 0;
    if (ca < x0) x0 = ca;
    if (cb > x1) x1 = cb;
    if (ca === cb) {
      y0 = Math.min(y0, first - ca * h);
      y1 = Math.max(y1, last - cb * h);
    } else {
      // The run wraps from the bottom of one column to the top of the next.
      y0 = 0;
      y1 = h - 1;
    }
  }
  if (x1 < 0) return null;
  const width = x1 - x0 + 1, height = y1 - y0 + 1, pw = width + 2;
  const bits = new Uint8Array(pw * (height + 2));
  for (let r = 1, index = runs[0] ?? 0; r < runs.length; index += runs[r], r++) {
    if (r % 2 === 0 || runs[r] <= 0) continue;
    const end = index + runs[r];
    for (let i = index; i < end;) {
      const x = (i / h) | 0;
      const columnEnd = Math.min(end, (x + 1) * h);
      const base = x - x0 + 1;
      for (let y = i - x * h, yEnd = columnEnd - x * h; y < yEnd; y++) bits[(y - y0 + 1) * pw + base] = 1;
      i = columnEnd;
    }
  }
  return { maskWidth: w, maskHeight: h, x0, y0, width, height, bits };
}

/**
 * The boundary of a maskRegion as straight segments in mask pixels, [xa, ya, xb, yb, ...]: the pixel edges
 * between the object and the rest, neighbouring edges along a row or a column joined into one segment.
 */
export function outlineSegments({ x0, y0, width, height, bits }) {
  const pw = width + 2;
  const out = [];
  // Where the vertical run on each column boundary started (padded row), -1 when none is open.
  const open = new Int32Array(pw).fill(-1);
  for (let r = 1; r <= height + 1; r++) {
    const above = (r - 1) * pw, here = r * pw, y = y0 + r - 1;
    let start = -1;
    for (let c = 1; c <= width + 1; c++) {
      const horizontal = c <= width && bits[above + c] !== bits[here + c];
      if (horizontal && start < 0) start = c;
      else if (!horizontal && start >= 0) { out.push(x0 + start - 1, y, x0 + c - 1, y); start = -1; }
      const vertical = r <= height && bits[here + c - 1] !== bits[here + c];
      if (vertical && open[c] < 0) open[c] = r;
      else if (!vertical && open[c] >= 0) { out.push(x0 + c - 1, y0 + open[c] - 1, x0 + c - 1, y); open[c] = -1; }
    }
  }
  return out;
}

/**
 * The mask's object region filled in `rgb` on a canvas the size of that region, to be drawn at (x0, y0) in
 * mask pixels with the chosen opacity, and its outline as a Path2D in mask pixels, stroked in screen pixels
 * so it stays visible at any zoom. Painting the whole image area would cost hundreds of milliseconds per
 * answer on a 6000 px image.
 */
export function maskLayer(mask, rgb = MASK_RGB) {
  const region = maskRegion(mask);
  if (!region) return null;
  const { width, height, bits, x0, y0, maskWidth, maskHeight } = region;
  const pw = width + 2;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  const image = context.createImageData(width, height);
  const out = new Uint32Array(image.data.buffer);
  // ImageData bytes are r, g, b, a; every browser runs little-endian, so a is the high byte.
  const fill = ((255 << 24) | (rgb[2] << 16) | (rgb[1] << 8) | rgb[0]) >>> 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0, p = (y + 1) * pw + 1; x < width; x++, p++) if (bits[p]) out[y * width + x] = fill;
  }
  context.putImageData(image, 0, 0);
  const outline = new Path2D();
  const segments = outlineSegments(region);
  for (let i = 0; i < segments.length; i += 4) {
    outline.moveTo(segments[i], segments[i + 1]);
    outline.lineTo(segments[i + 2], segments[i + 3]);
  }
  return { canvas, outline, x0, y0, width, height, maskWidth, maskHeight };
}

/**
 * Draws a maskLayer on a context set to CSS pixels, for an image of imageWidth x imageHeight shown through `view`
 * (a Viewport): filled at `opacity` (nothing when 0) and outlined in `stroke` (nothing when null), `lineWidth` CSS
 * pixels wide, dashed when `dash` is given.
 */
export function drawMaskLayer(ctx, layer, view, imageWidth, imageHeight,
  { opacity = 0.4, stroke = `rgb(${MASK_RGB.join(', ')})`, lineWidth = OUTLINE_CSS_PX, dash = null } = {}) {
  const kx = view.scale * imageWidth / layer.maskWidth, ky = view.scale * imageHeight / layer.maskHeight;
  if (opacity > 0 && layer.canvas) {
    ctx.imageSmoothingEnabled = false;
    ctx.globalAlpha = opacity;
    ctx.drawImage(layer.canvas, view.tx + layer.x0 * kx, view.ty + layer.y0 * ky, layer.width * kx, layer.height * ky);
    ctx.globalAlpha = 1;
  }
  if (!stroke || !layer.outline) return;
  const outline = new Path2D();
  outline.addPath(layer.outline, new DOMMatrix([kx, 0, 0, ky, view.tx, view.ty]));
  ctx.lineWidth = lineWidth;
  ctx.lineCap = 'square';
  ctx.strokeStyle = stroke;
  if (dash) ctx.setLineDash(dash);
  ctx.stroke(outline);
  if (dash) ctx.setLineDash([]);
}
