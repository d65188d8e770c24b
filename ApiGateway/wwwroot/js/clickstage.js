// The canvas of a corrective-click task, shared by the annotation page and the qualification test: the image, the
// object's box, the mask (the model's, or the live preview of the clicks) and the clicks, with zoom and pan; a left
// click adds a missed part (foreground), a right or Shift click a wrongly covered one (background). The page decides
// when clicks are allowed and what happens after one (a preview request), through the host it passes in. The canvas,
// the view and panning are canvasstage.js's.
import { drawClick, drawBox } from './masks.js';
import { maskLayer, drawMaskLayer, MASK_RGB } from './masklayer.js';
import { clamp, clampToImage } from './viewport.js';
import { CanvasStage } from './canvasstage.js';

export const MASK_OPACITY = { min: 0.1, max: 0.9, keyStep: 0.1, initial: 0.4 };
const MASK_LOOK_KEY = 'annotate.maskLook';
export const EMPTY_MASK = { canvas: null };  // a preview that removed the whole object
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
export class ClickStage extends CanvasStage {
  constructor({ stage, canvas, zoomLevel }, host) {
    super({ stage, zoomLevel }, canvas, host);
    this.history = new ClickHistory(0);
    // this.scene: {imageWidth, imageHeight, box, earlierClicks}
    this.taskMask = null;         // maskLayer of the mask the round started from
    this.previewMask = null;      // maskLayer of the latest preview answer
    const look = readMaskLook(localStore());
    this.maskOpacity = look.opacity;
    this.outlineOnly = look.outlineOnly;
    this.hideClicks = false;      // the clicks are drawn by `decorate` instead
  }

  start() {
    window.addEventListener('resize', () => this.resize());
    super.start();
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
    this.showScene(task);
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

  // ----- drawing

  draw() {
    if (!this.drawImageLayer(2, 'high')) return;
    const { context: ctx, viewport: view, scene } = this;

    // Mask, box and clicks in CSS pixels so the outline, box and clicks keep their size at any zoom.
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    const mask = this.history.count > 0 && this.previewMask ? this.previewMask : this.taskMask;
    if (this.showMask && mask?.canvas) this.drawMask(mask);
    drawBox(ctx, this.boxInView(), 2);
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

  /**
   * The view's keys (key as the pages compare it: one character lower-cased): Space to pan, M, O, [ ], F, + and −.
   * True when the key was one of them (its default action is then prevented).
   */
  viewKey(key, event) {
    if (this.panZoomKey(key, event)) return true;
    const once = !event.repeat;
    switch (key) {
      case 'm': if (once) this.toggleMask(); break;
      case 'o': if (once) this.toggleOutlineOnly(); break;
      case '[': this.setMaskOpacity(this.maskOpacity - MASK_OPACITY.keyStep); break;
      case ']': this.setMaskOpacity(this.maskOpacity + MASK_OPACITY.keyStep); break;
      case 'f': this.fit(event.shiftKey); break;
      default: return false;
    }
    event.preventDefault();
    return true;
  }

  // ----- canvas input

  onPointerDown(event) {
    const handledAt = performance.now();
    const p = this.canvasPoint(event);
    this.pointer = p;
    if (this.startDrag(event, p)) return;
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
