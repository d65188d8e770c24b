// The view of an image on a canvas: a uniform scale and a translation from image pixels to CSS pixels
// of the canvas (view = image * scale + translation). Pure arithmetic, so it can be tested without a browser.

export class Viewport {
  constructor() {
    this.scale = 1;
    this.tx = 0;
    this.ty = 0;
    this.width = 0;        // view size in CSS pixels
    this.height = 0;
    this.imageWidth = 0;   // image size in image pixels
    this.imageHeight = 0;
    // How much of the image must stay in view, in CSS pixels, so a drag never loses it.
    this.keepVisible = 48;
  }

  /** Image point under the view point (cx, cy). */
  toImage(cx, cy) {
    return { x: (cx - this.tx) / this.scale, y: (cy - this.ty) / this.scale };
  }

  /** View point of the image point (x, y). */
  toView(x, y) {
    return { x: x * this.scale + this.tx, y: y * this.scale + this.ty };
  }

  /** The scale at which the whole image fits the view. */
  wholeImageScale() {
    if (!this.imageWidth || !this.imageHeight || !this.width || !this.height) return 1;
    return Math.min(this.width / this.imageWidth, this.height / this.imageHeight);
  }

  get minScale() { return Math.min(this.wholeImageScale(), 1) * 0.5; }
  get maxScale() { return Math.max(32, this.wholeImageScale() * 4); }

  setImage(width, height) {
    this.imageWidth = width;
    this.imageHeight = height;
  }

  /** A new view size; the image point at the centre of the view stays at the centre. */
  setSize(width, height) {
    if (this.width > 0 && this.height > 0) {
      const centre = this.toImage(this.width / 2, this.height / 2);
      this.width = width;
      this.height = height;
      this.tx = width / 2 - centre.x * this.scale;
      this.ty = height / 2 - centre.y * this.scale;
      this.constrain();
    } else {
      this.width = width;
      this.height = height;
    }
  }

  /**
   * Centres the rectangle {x0, y0, x1, y1} so that it fills `fraction` of the view in its tighter
   * dimension; tiny rectangles are not blown up past `maxZoom` screen pixels per image pixel.
   */
  fitRect(rect, fraction = 0.6, maxZoom = 16) {
    const w = Math.max(1, rect.x1 - rect.x0);
    const h = Math.max(1, rect.y1 - rect.y0);
    let scale = fraction * Math.min(this.width / w, this.height / h);
    scale = clamp(scale, this.minScale, Math.max(maxZoom, this.wholeImageScale()));
    this.scale = scale;
    this.tx = this.width / 2 - ((rect.x0 + rect.x1) / 2) * scale;
    this.ty = this.height / 2 - ((rect.y0 + rect.y1) / 2) * scale;
    this.constrain();
  }

  /** The whole image in view with a small margin. */
  fitImage(fraction = 0.96) {
    this.fitRect({ x0: 0, y0: 0, x1: this.imageWidth, y1: this.imageHeight }, fraction);
  }

  /** Zooms by `factor` keeping the image point under (cx, cy) where it is. */
  zoomAt(cx, cy, factor) {
    const next = clamp(this.scale * factor, this.minScale, this.maxScale);
    if (next === this.scale) return false;
    const p = this.toImage(cx, cy);
    this.scale = next;
    this.tx = cx - p.x * next;
    this.ty = cy - p.y * next;
    this.constrain();
    return true;
  }

  panBy(dx, dy) {
    this.tx += dx;
    this.ty += dy;
    this.constrain();
  }

  /** Keeps at least `keepVisible` CSS pixels of the image inside the view on each axis. */
  constrain() {
    const iw = this.imageWidth * this.scale;
    const ih = this.imageHeight * this.scale;
    if (!iw || !ih || !this.width || !this.height) return;
    const kx = Math.min(this.keepVisible, iw, this.width);
    const ky = Math.min(this.keepVisible, ih, this.height);
    this.tx = clamp(this.tx, kx - iw, this.width - kx);
    this.ty = clamp(this.ty, ky - ih, this.height - ky);
  }

  /** How far (CSS pixels) the view point lies outside the image; 0 inside. */
  distanceOutside(cx, cy) {
    const a = this.toView(0, 0);
    const b = this.toView(this.imageWidth, this.imageHeight);
    const dx = Math.max(a.x - cx, 0, cx - b.x);
    const dy = Math.max(a.y - cy, 0, cy - b.y);
    return Math.hypot(dx, dy);
  }

  /** Sets the context to draw in image pixels on a canvas whose backing store is `dpr` times the CSS size. */
  apply(context, dpr = 1) {
    context.setTransform(dpr * this.scale, 0, 0, dpr * this.scale, dpr * this.tx, dpr * this.ty);
  }
}

export function clamp(value, low, high) {
  return Math.min(high, Math.max(low, value));
}

/**
 * An image point moved inside [0, width) x [0, height) (the API refuses x == width) and rounded to
 * a hundredth of a pixel.
 */
export function clampToImage(x, y, width, height) {
  const round = v => Math.round(v * 100) / 100;
  return {
    x: clamp(round(x), 0, Math.max(0, width - 0.01)),
    y: clamp(round(y), 0, Math.max(0, height - 0.01)),
  };
}

/** The zoom factor of a wheel event: smooth for trackpads, a fixed step per mouse-wheel notch. */
export function wheelFactor(deltaY, deltaMode, pageHeight = 800) {
  const pixels = deltaMode === 1 ? deltaY * 16 : deltaMode === 2 ? deltaY * pageHeight : deltaY;
  return Math.exp(-clamp(pixels, -240, 240) * 0.0015);
}
