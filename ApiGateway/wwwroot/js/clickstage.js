// The canvas of a corrective-click task, shared by the annotation page and the qualification test: the image, the
// object's box, the mask (the model's, or the live preview of the clicks) and the clicks, with zoom and pan; a left
// click adds a missed part (foreground), a right or Shift click a wrongly covered one (background). The page decides
// when clicks are allowed and what happens after one (a preview request), through the host it passes in.
import { drawClick, drawBox } from './masks.js';
import { maskLayer, drawMaskLayer, MASK_RGB } from './masklayer.js';
import { Viewport, clamp, clampToImage, wheelFactor } from './viewport.js';

export const MASK_OPACITY = { min: 0.1, max: 0.9, keyStep: 0.1, initial: 0.4 };
const MASK_LOOK_KEY = 'annotate.maskLook';
export const EMPTY_MASK = { canvas: null };  // a preview that removed the whole object
export const BOX_FRACTION = 0.6;          // the box fills this much of the view when a task opens
const OUTSIDE_TOLERANCE_PX = 16;          // clicks this close to the image edge snap onto it; farther ones are refused

/** This round's clicks with undo and redo; never more than `max`. */
export class ClickHistory {
  constructor(max = 0) { this.reset(max); }
  reset(max) { this.max = max; this.clicks = []; this.undone = []; }
  get count() { return this.clicks.length; }
  get canAdd() { return this.clicks.length < this.max; }
  get canUndo() { return this.clicks.length > 0; }
  get canRedo() { return this.undone.length > 0 && this.canAdd; }
  add(click) {
    if (!this.canAdd) return false;
    this.clicks.push(click);
    this.undone = [];
    return true;
  }
  undo() {
    if (!this.canUndo) return false;
    this.undone.push(this.clicks.pop());
    return true;
  }
  redo() {
    if (!this.canRedo) return false;
    this.clicks.push(this.undone.pop());
    return true;
  }
  /** The clicks as the API takes them. */
  payload() { return this.clicks.map(({ x, y, label }) => ({ x, y, label })); }
}

/** A mask opacity within the allowed range, to the hundredth. */
export function clampOpacity(value) {
  return clamp(Math.round(value * 100) / 100, MASK_OPACITY.min, MASK_OPACITY.max);
}

/** The saved mask look {opacity, outlineOnly} from a Storage, with defaults for what is missing or unreadable. */
export function readMaskLook(storage) {
  let saved = null;
  try {
    saved = JSON.parse(storage?.getItem(MASK_LOOK_KEY) ?? 'null');
  } catch {
    // A value written by something else is ignored rather than breaking the page.
  }
  const opacity = Number(saved?.opacity);
  return {
    opacity: Number.isFinite(opacity) ? clampOpacity(opacity) : MASK_OPACITY.initial,
    outlineOnly: saved?.outlineOnly === true,
  };
}

/** localStorage, or null where the browser refuses it (storage disabled, sandboxed frames). */
function localStore() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Images: decoded once and kept for the next tasks (objects of one image share it).

export class ImageCache {
  constructor(limit) { this.limit = limit; this.entries = new Map(); }
  get(url) {
    let entry = this.entries.get(url);
    if (entry) this.entries.delete(url);
    else {
      const image = new Image();
      image.decoding = 'async';
      image.src = url;
      const promise = image.decode().then(() => image);
      entry = { promise };
      promise.catch(() => { if (this.entries.get(url) === entry) this.entries.delete(url); });
      while (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value);
    }
    this.entries.set(url, entry);
    return entry.promise;
  }
}

// ---------------------------------------------------------------------------------------------
// The stage

/**
 * The canvas `canvas` filling the element `stage`, with the zoom shown in `zoomLevel`. The host answers
 * canClick() (may a click be added now), and is told clickOutside(), clickLimitReached(), clickAdded(at) (a click
 * was added to `history`; `at` is when the pointer went down) and lookChanged() (mask shown, opacity or outline).
 */
export class ClickStage {
  constructor({ stage, canvas, zoomLevel }, host) {
    this.el = { stage, zoomLevel };
    this.canvas = canvas;
    this.context = canvas.getContext('2d');
    this.host = host;
    this.viewport = new Viewport();
    this.history = new ClickHistory(0);
    this.dpr = window.devicePixelRatio || 1;

    this.scene = null;            // what is drawn: {imageWidth, imageHeight, box, earlierClicks}, null for nothing
    this.image = null;            // its decoded image, once loaded
    this.taskMask = null;         // maskLayer of the mask the round started from
    this.previewMask = null;      // maskLayer of the latest preview answer
    this.showMask = true;
    const look = readMaskLook(localStore());
    this.maskOpacity = look.opacity;
    this.outlineOnly = look.outlineOnly;
    this.hideClicks = false;      // the clicks are drawn by `decorate` instead
    this.decorate = null;         // (context in CSS pixels, viewport) => void, drawn last
    this.pointer = null;          // last pointer position over the canvas, CSS pixels
    this.drag = null;
    this.spaceHeld = false;
    this.renderQueued = false;
    this.afterPaint = [];
  }

  start() {
    this.bindCanvas();
    const stopPanning = () => { this.spaceHeld = false; this.el.stage.classList.remove('panning'); };
    document.addEventListener('keyup', event => { if (event.key === ' ') stopPanning(); });
    window.addEventListener('blur', stopPanning);
    new ResizeObserver(() => this.resize()).observe(this.el.stage);
    window.addEventListener('resize', () => this.resize());
    this.resize();
  }

  /** Shows a task ({imageWidth, imageHeight, box, earlierClicks, mask, maxClicks}) without its image yet. */
  show(task) {
    this.scene = task;
    this.image = null;
    this.previewMask = null;
    this.hideClicks = false;
    this.decorate = null;
    this.history.reset(task.maxClicks);
    // Built while the browser decodes the image off the main thread.
    this.taskMask = task.mask ? maskLayer(task.mask) : null;
    this.viewport.setImage(task.imageWidth, task.imageHeight);
    this.viewport.fitRect(task.box, BOX_FRACTION);
  }

  clear() {
    this.scene = null;
    this.image = null;
    this.taskMask = null;
    this.previewMask = null;
    this.hideClicks = false;
    this.decorate = null;
    this.history.reset(0);
    this.requestRender();
  }

  /** The latest preview answer's mask ({size, counts}), drawn instead of the task's mask while there are clicks. */
  setPreview(mask) {
    this.previewMask = maskLayer(mask) ?? EMPTY_MASK;
  }

  /** Where the image point (x, y) is on the page, in CSS pixels of the window. */
  toScreen(x, y) {
    const rect = this.canvas.getBoundingClientRect();
    const p = this.viewport.toView(x, y);
    return { x: rect.left + p.x, y: rect.top + p.y };
  }

  // ----- drawing

  resize() {
    const rect = this.el.stage.getBoundingClientRect();
    const width = Math.max(1, Math.round(rect.width));
    const height = Math.max(1, Math.round(rect.height));
    this.dpr = window.devicePixelRatio || 1;
    const bw = Math.round(width * this.dpr), bh = Math.round(height * this.dpr);
    if (this.canvas.width !== bw || this.canvas.height !== bh) {
      this.canvas.width = bw;
      this.canvas.height = bh;
    }
    const first = this.viewport.width === 0;
    this.viewport.setSize(width, height);
    if (first && this.scene) this.viewport.fitRect(this.scene.box, BOX_FRACTION);
    this.requestRender();
  }

  /** Draws on the next frame; `afterPaint(drawnAt)` runs once that frame is painted. */
  requestRender(afterPaint) {
    if (afterPaint) this.afterPaint.push(afterPaint);
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      this.draw();
      const drawnAt = performance.now();
      const callbacks = this.afterPaint;
      this.afterPaint = [];
      for (const callback of callbacks) callback(drawnAt);
    });
  }

  draw() {
    const { context: ctx, canvas, viewport: view, scene } = this;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = '#111418';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    this.el.zoomLevel.textContent = scene ? `${Math.round(view.scale * 100)} %` : '';
    if (!scene) return;
    const W = scene.imageWidth, H = scene.imageHeight;

    view.apply(ctx, this.dpr);
    if (this.image) {
      // Pixels stay sharp when zoomed in: the annotator needs to see the object's edge.
      ctx.imageSmoothingEnabled = view.scale < 2;
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(this.image, 0, 0, W, H);
    } else {
      ctx.fillStyle = '#1f2937';
      ctx.fillRect(0, 0, W, H);
    }

    // Mask, box and clicks in CSS pixels so the outline, box and clicks keep their size at any zoom.
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    const mask = this.history.count > 0 && this.previewMask ? this.previewMask : this.taskMask;
    if (this.showMask && mask?.canvas) this.drawMask(mask);
    const a = view.toView(scene.box.x0, scene.box.y0), b = view.toView(scene.box.x1, scene.box.y1);
    drawBox(ctx, { x0: a.x, y0: a.y, x1: b.x, y1: b.y }, 2);
    for (const click of scene.earlierClicks ?? []) {
      const p = view.toView(click.x, click.y);
      drawClick(ctx, p.x, p.y, click.label, { radius: 4.5, faded: true });
    }
    if (!this.hideClicks) {
      for (const click of this.history.clicks) {
        const p = view.toView(click.x, click.y);
        drawClick(ctx, p.x, p.y, click.label, { radius: 6.5 });
      }
    }
    if (this.decorate) this.decorate(ctx, view);
  }

  /** The mask layer filled at the chosen opacity (unless outline only) and outlined; the context is in CSS pixels. */
  drawMask(mask) {
    drawMaskLayer(this.context, mask, this.viewport, this.scene.imageWidth, this.scene.imageHeight, {
      opacity: this.outlineOnly ? 0 : this.maskOpacity,
      stroke: `rgb(${MASK_RGB.join(', ')})`,
    });
  }

  // ----- the view and the mask's look

  toggleMask() {
    this.showMask = !this.showMask;
    this.host.lookChanged();
    this.requestRender();
  }

  toggleOutlineOnly() {
    this.outlineOnly = !this.outlineOnly;
    this.maskLookChanged();
  }

  setMaskOpacity(value) {
    this.maskOpacity = clampOpacity(value);
    this.maskLookChanged();
  }

  maskLookChanged() {
    // A change to a hidden mask would go unseen.
    this.showMask = true;
    try {
      localStore()?.setItem(MASK_LOOK_KEY, JSON.stringify({ opacity: this.maskOpacity, outlineOnly: this.outlineOnly }));
    } catch {
      // A full or refused storage only means the look is not remembered.
    }
    this.host.lookChanged();
    this.requestRender();
  }

  fit(wholeImage) {
    if (!this.scene) return;
    if (wholeImage) this.viewport.fitImage();
    else this.viewport.fitRect(this.scene.box, BOX_FRACTION);
    this.requestRender();
  }

  zoomBy(factor) {
    if (this.viewport.zoomAt(this.viewport.width / 2, this.viewport.height / 2, factor)) this.requestRender();
  }

  /**
   * The view's keys (key as the pages compare it: one character lower-cased): Space to pan, M, O, [ ], F, + and −.
   * True when the key was one of them (its default action is then prevented).
   */
  viewKey(key, event) {
    const once = !event.repeat;
    switch (key) {
      case ' ':
        event.preventDefault();
        this.spaceHeld = true;
        this.el.stage.classList.add('panning');
        return true;
      case 'm': if (once) this.toggleMask(); break;
      case 'o': if (once) this.toggleOutlineOnly(); break;
      case '[': this.setMaskOpacity(this.maskOpacity - MASK_OPACITY.keyStep); break;
      case ']': this.setMaskOpacity(this.maskOpacity + MASK_OPACITY.keyStep); break;
      case 'f': this.fit(event.shiftKey); break;
      case '+': case '=': this.zoomBy(1.25); break;
      case '-': case '_': this.zoomBy(1 / 1.25); break;
      default: return false;
    }
    event.preventDefault();
    return true;
  }

  // ----- canvas input

  canvasPoint(event) {
    const rect = this.canvas.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  }

  bindCanvas() {
    const canvas = this.canvas;
    canvas.addEventListener('contextmenu', event => event.preventDefault());
    canvas.addEventListener('auxclick', event => event.preventDefault());
    // No autoscroll or paste from the middle button: it pans.
    canvas.addEventListener('mousedown', event => { if (event.button === 1) event.preventDefault(); });
    canvas.addEventListener('pointerdown', event => this.onPointerDown(event));
    canvas.addEventListener('pointermove', event => {
      this.pointer = this.canvasPoint(event);
      if (this.drag && this.drag.pointerId === event.pointerId) {
        this.viewport.panBy(this.pointer.x - this.drag.x, this.pointer.y - this.drag.y);
        this.drag.x = this.pointer.x;
        this.drag.y = this.pointer.y;
        this.requestRender();
      }
    });
    const endDrag = event => {
      if (this.drag && this.drag.pointerId === event.pointerId) {
        this.drag = null;
        this.el.stage.classList.remove('dragging');
      }
    };
    canvas.addEventListener('pointerup', endDrag);
    canvas.addEventListener('pointercancel', endDrag);
    canvas.addEventListener('pointerleave', () => { if (!this.drag) this.pointer = null; });
    canvas.addEventListener('wheel', event => {
      event.preventDefault();
      const p = this.canvasPoint(event);
      if (this.viewport.zoomAt(p.x, p.y, wheelFactor(event.deltaY, event.deltaMode, this.viewport.height))) this.requestRender();
    }, { passive: false });
  }

  onPointerDown(event) {
    const handledAt = performance.now();
    const p = this.canvasPoint(event);
    this.pointer = p;
    if (event.button === 1 || (event.button === 0 && this.spaceHeld)) {
      event.preventDefault();
      this.drag = { pointerId: event.pointerId, x: p.x, y: p.y };
      this.canvas.setPointerCapture(event.pointerId);
      this.el.stage.classList.add('dragging');
      return;
    }
    if (event.button !== 0 && event.button !== 2) return;
    event.preventDefault();
    this.canvas.focus({ preventScroll: true });
    if (!this.host.canClick() || !this.image) return;
    const label = event.button === 2 || event.shiftKey ? 'background' : 'foreground';
    if (this.viewport.distanceOutside(p.x, p.y) > OUTSIDE_TOLERANCE_PX) {
      this.host.clickOutside();
      return;
    }
    if (!this.history.canAdd) {
      this.host.clickLimitReached();
      return;
    }
    const q = this.viewport.toImage(p.x, p.y);
    const { x, y } = clampToImage(q.x, q.y, this.scene.imageWidth, this.scene.imageHeight);
    this.history.add({ x, y, label });
    this.host.clickAdded(handledAt);
  }
}
