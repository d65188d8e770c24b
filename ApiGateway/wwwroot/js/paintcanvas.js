// The painting model of the paint page: a mask at image resolution (row-major Uint8Array, 1 = object) changed by
// brush segments, polygons and flood fills, with unlimited undo and redo. No DOM, so it can be tested on its own.
//
// Pixel (x, y) covers the image square [x, x+1) x [y, y+1); every rule below decides by its centre (x+0.5, y+0.5).
//  - Brush of diameter `size` dragged from A to B: the pixel is covered when its centre lies within size/2 of the
//    segment AB (distance <= size/2), so consecutive pointer positions join into one gap-free stroke. The pixels
//    containing A and B are covered too, so the smallest brush always paints the pixel under the pointer.
//  - Polygon: the pixel is covered when its centre is inside the polygon by the nonzero winding rule (a pentagram is
//    filled whole). A centre exactly on a left edge is inside, on a right edge outside.
//  - Flood fill: the 4-connected region of pixels equal to the clicked one.

/** The bounds of a set of pixels, grown one pixel at a time without allocating. */
class Bounds {
  constructor() { this.reset(); }
  reset() { this.x0 = this.y0 = Infinity; this.x1 = this.y1 = -Infinity; }
  add(x, y) {
    if (x < this.x0) this.x0 = x;
    if (x > this.x1) this.x1 = x;
    if (y < this.y0) this.y0 = y;
    if (y > this.y1) this.y1 = y;
  }
  addRect(r) {
    this.add(r.x, r.y);
    this.add(r.x + r.width - 1, r.y + r.height - 1);
  }
  /** The bounds as {x, y, width, height} grown by `margin` within width x height, or null when empty; then empties them. */
  take(margin = 0, width = Infinity, height = Infinity) {
    if (this.x1 < this.x0) return null;
    const x = Math.max(0, this.x0 - margin), y = Math.max(0, this.y0 - margin);
    const rect = { x, y, width: Math.min(width, this.x1 + 1 + margin) - x, height: Math.min(height, this.y1 + 1 + margin) - y };
    this.reset();
    return rect;
  }
}

export class PaintBitmap {
  constructor(width, height) {
    this.width = width;
    this.height = height;
    this.data = new Uint8Array(width * height);
    this.count = 0;                        // pixels set to 1
    // The mask as of the last undo step, to find what an operation changed without copying the image per operation.
    this.base = new Uint8Array(width * height);
    this.done = [];                        // undo steps: {rect, runs} (see diffSince)
    this.undone = [];
    this.changed = new Bounds();           // the pixels written since the last undo step
    this.dirty = new Bounds();             // the pixels changed since the last takeDirty()
  }

  get canUndo() { return this.done.length > 0; }
  get canRedo() { return this.undone.length > 0; }

  pixel(x, y) {
    if (!(x >= 0 && y >= 0 && x < this.width && y < this.height)) return 0;
    return this.data[Math.floor(y) * this.width + Math.floor(x)];
  }

  /** The bounds of the pixels changed since the last call, grown by one pixel (a change alters its neighbours' edges), or null. */
  takeDirty() {
    return this.dirty.take(1, this.width, this.height);
  }

  // ----- operations: each writes pixels; commit() makes what they wrote one undo step

  /** Brush from (ax, ay) to (bx, by) with diameter `size`, writing `value` (see the rule at the top). */
  segment(ax, ay, bx, by, size, value) {
    const r = size / 2, r2 = r * r;
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - r)), x1 = Math.min(this.width - 1, Math.ceil(Math.max(ax, bx) + r));
    const y0 = Math.max(0, Math.floor(Math.min(ay, by) - r)), y1 = Math.min(this.height - 1, Math.ceil(Math.max(ay, by) + r));
    const dx = bx - ax, dy = by - ay, length2 = dx * dx + dy * dy;
    for (let y = y0; y <= y1; y++) {
      const py = y + 0.5 - ay;
      for (let x = x0; x <= x1; x++) {
        const px = x + 0.5 - ax;
        const t = length2 > 0 ? Math.min(1, Math.max(0, (px * dx + py * dy) / length2)) : 0;
        const ex = px - t * dx, ey = py - t * dy;
        if (ex * ex + ey * ey <= r2) this.set(x, y, value);
      }
    }
    this.setAt(ax, ay, value);
    this.setAt(bx, by, value);
  }

  /** Fills the polygon [{x, y}, ...] (image coordinates) with `value` by the nonzero rule on pixel centres. */
  fillPolygon(points, value) {
    if (points.length < 3) return;
    const ys = points.map(p => p.y);
    const y0 = Math.max(0, Math.ceil(Math.min(...ys) - 0.5)), y1 = Math.min(this.height - 1, Math.floor(Math.max(...ys) - 0.5));
    for (let y = y0; y <= y1; y++) {
      const crossings = polygonCrossings(points, y + 0.5);
      let winding = 0, start = 0;
      for (const { x, direction } of crossings) {
        const before = winding;
        winding += direction;
        if (before === 0 && winding !== 0) start = x;
        else if (before !== 0 && winding === 0) this.fillSpan(y, start, x, value);
      }
    }
  }

  /** Sets to `value` the 4-connected region of equal pixels around (x, y); nothing when that pixel already has it. */
  floodFill(x, y, value) {
    const { width: w, height: h, data } = this;
    x = Math.floor(x);
    y = Math.floor(y);
    if (!(x >= 0 && y >= 0 && x < w && y < h)) return;
    const target = data[y * w + x];
    if (target === value) return;
    const seeds = [x, y];
    while (seeds.length) {
      const sy = seeds.pop(), sx = seeds.pop(), row = sy * w;
      if (data[row + sx] !== target) continue;
      let left = sx, right = sx;
      while (left > 0 && data[row + left - 1] === target) left--;
      while (right < w - 1 && data[row + right + 1] === target) right++;
      for (let k = left; k <= right; k++) this.set(k, sy, value);
      // One seed per run of target pixels next to this span, above and below.
      for (const ny of [sy - 1, sy + 1]) {
        if (ny < 0 || ny >= h) continue;
        const nrow = ny * w;
        for (let k = left; k <= right; k++) {
          if (data[nrow + k] === target && (k === left || data[nrow + k - 1] !== target)) seeds.push(k, ny);
        }
      }
    }
  }

  clear() {
    const { width: w, data } = this;
    for (let i = 0; i < data.length; i++) if (data[i]) this.set(i % w, (i / w) | 0, 0);
  }

  /** Makes everything written since the last undo step one step; false when nothing changed (no step). */
  commit() {
    const rect = this.changed.take();
    if (!rect) return false;
    const runs = this.diffSince(rect);
    if (runs.length < 2) return false;
    this.done.push({ rect, runs });
    this.undone = [];
    return true;
  }

  undo() {
    this.commit();
    const step = this.done.pop();
    if (!step) return false;
    this.flip(step);
    this.undone.push(step);
    return true;
  }

  redo() {
    const step = this.undone.pop();
    if (!step) return false;
    this.flip(step);
    this.done.push(step);
    return true;
  }

  // ----- internals

  set(x, y, value) {
    const i = y * this.width + x;
    if (this.data[i] === value) return;
    this.data[i] = value;
    this.count += value ? 1 : -1;
    this.changed.add(x, y);
    this.dirty.add(x, y);
  }

  setAt(x, y, value) {
    if (x >= 0 && y >= 0 && x < this.width && y < this.height) this.set(Math.floor(x), Math.floor(y), value);
  }

  /** Pixels of row y whose centres lie in [from, to). */
  fillSpan(y, from, to, value) {
    const x0 = Math.max(0, Math.ceil(from - 0.5)), x1 = Math.min(this.width, Math.ceil(to - 0.5));
    for (let x = x0; x < x1; x++) this.set(x, y, value);
  }

  /**
   * What changed in `rect` since the last step, as alternating run lengths over the rectangle in row-major order,
   * unchanged first ([same, changed, same, changed, ...]); brings `base` up to date. Storing changes as runs keeps a
   * step small however large its rectangle: a brush stroke costs a few numbers per row it crosses.
   */
  diffSince(rect) {
    const { width: w, data, base } = this;
    const runs = [];
    let changing = false, run = 0;
    for (let y = rect.y; y < rect.y + rect.height; y++) {
      for (let i = y * w + rect.x, end = i + rect.width; i < end; i++) {
        const changed = data[i] !== base[i];
        if (changed !== changing) { runs.push(run); run = 0; changing = changed; }
        run++;
        if (changed) base[i] = data[i];
      }
    }
    runs.push(run);
    return Uint32Array.from(runs);
  }

  /** Inverts the pixels a step changed: its undo and its redo. */
  flip({ rect, runs }) {
    const { width: w, data, base } = this;
    let offset = 0;
    for (let r = 0; r < runs.length; r++) {
      const end = offset + runs[r];
      if (r % 2 === 1) {
        for (let k = offset; k < end; k++) {
          const i = (rect.y + ((k / rect.width) | 0)) * w + rect.x + (k % rect.width);
          const value = data[i] ^ 1;
          data[i] = base[i] = value;
          this.count += value ? 1 : -1;
        }
      }
      offset = end;
    }
    this.dirty.addRect(rect);
  }
}

/** Where the polygon's edges cross the line y = yc, sorted by x; an edge includes its lower end and excludes its upper one. */
function polygonCrossings(points, yc) {
  const crossings = [];
  for (let k = 0; k < points.length; k++) {
    const a = points[k], b = points[(k + 1) % points.length];
    const upward = a.y <= yc && yc < b.y, downward = b.y <= yc && yc < a.y;
    if (!upward && !downward) continue;
    crossings.push({ x: a.x + (yc - a.y) * (b.x - a.x) / (b.y - a.y), direction: upward ? 1 : -1 });
  }
  return crossings.sort((p, q) => p.x - q.x);
}

/**
 * Writes into `rgba` (the RGBA bytes of an image-sized ImageData) how the mask looks inside `rect`: object pixels in
 * `rgb` at `fillAlpha`, those on its edge (a 4-neighbour outside the object or the image) opaque, the rest clear.
 */
export function paintOverlay(bitmap, rgba, rect, rgb, fillAlpha) {
  const { width: w, height: h, data } = bitmap;
  for (let y = rect.y; y < rect.y + rect.height; y++) {
    for (let x = rect.x, i = y * w + x; x < rect.x + rect.width; x++, i++) {
      const o = i * 4;
      if (!data[i]) { rgba[o + 3] = 0; continue; }
      const edge = x === 0 || y === 0 || x === w - 1 || y === h - 1 || !data[i - 1] || !data[i + 1] || !data[i - w] || !data[i + w];
      rgba[o] = rgb[0];
      rgba[o + 1] = rgb[1];
      rgba[o + 2] = rgb[2];
      rgba[o + 3] = edge ? 255 : fillAlpha;
    }
  }
}
