// What the click canvas (clickstage.js) and the painting canvas (paintstage.js) share: a canvas filling its stage at the
// device's pixel ratio, the image and the object's box under a zoomable view, drawing on the next frame, and the view's
// mouse and keys (wheel zoom, pan with Space+drag or the middle button, + and −, fit). Each stage adds its own drawing
// and its own use of the left button.
import { Viewport, wheelFactor } from './viewport.js';

export const BOX_FRACTION = 0.6;   // the box fills this much of the view when a task opens

/**
 * The canvas `canvas` filling the element `el.stage`, with the zoom shown in `el.zoomLevel`. Subclasses draw the
 * scene in draw(), take the left button in onPointerDown() after startDrag(), and may extend the pointer hooks.
 */
export class CanvasStage {
  constructor(el, canvas, host) {
    this.el = el;
    this.canvas = canvas;
    this.context = canvas.getContext('2d');
    this.host = host;
    this.viewport = new Viewport();
    this.dpr = window.devicePixelRatio || 1;

    this.scene = null;             // what is drawn: {imageWidth, imageHeight, box, …}, null for nothing
    this.image = null;             // its decoded image, once loaded
    this.showMask = true;
    this.decorate = null;          // (context in CSS pixels, viewport) => void, drawn last
    this.pointer = null;           // last pointer position over the canvas, CSS pixels
    this.drag = null;              // panning: {pointerId, x, y}
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
    this.resize();
  }

  /** Where the image point (x, y) is on the page, in CSS pixels of the window. */
  toScreen(x, y) {
    const rect = this.canvas.getBoundingClientRect();
    const p = this.viewport.toView(x, y);
    return { x: rect.left + p.x, y: rect.top + p.y };
  }

  /** The view on a new scene: the box filling BOX_FRACTION of it. */
  showScene(scene) {
    this.viewport.setImage(scene.imageWidth, scene.imageHeight);
    this.viewport.fitRect(scene.box, BOX_FRACTION);
  }

  // ----- the view

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
   * Space (held: the left button pans), + and − (zoom on the centre); `key` is one character lower-cased, as the
   * pages compare it. True when the key was one of them (its default action is then prevented).
   */
  panZoomKey(key, event) {
    switch (key) {
      case ' ':
        this.spaceHeld = true;
        this.el.stage.classList.add('panning');
        break;
      case '+': case '=': this.zoomBy(1.25); break;
      case '-': case '_': this.zoomBy(1 / 1.25); break;
      default: return false;
    }
    event.preventDefault();
    return true;
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

  /**
   * Clears the canvas, shows the zoom and, with a scene, draws its image (a grey rectangle until it has loaded) with
   * the context left in image coordinates. Smoothing is on below the zoom `smoothBelow`, at `smoothingQuality`.
   * False when there is nothing to draw.
   */
  drawImageLayer(smoothBelow, smoothingQuality) {
    const { context: ctx, canvas, viewport: view, scene } = this;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = '#111418';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    this.el.zoomLevel.textContent = scene ? `${Math.round(view.scale * 100)} %` : '';
    if (!scene) return false;

    view.apply(ctx, this.dpr);
    // Pixels stay sharp when zoomed in: the annotator needs to see the object's edge.
    ctx.imageSmoothingEnabled = view.scale < smoothBelow;
    ctx.imageSmoothingQuality = smoothingQuality;
    if (this.image) ctx.drawImage(this.image, 0, 0, scene.imageWidth, scene.imageHeight);
    else {
      ctx.fillStyle = '#1f2937';
      ctx.fillRect(0, 0, scene.imageWidth, scene.imageHeight);
    }
    return true;
  }

  /** The scene's box in view coordinates (the context in CSS pixels). */
  boxInView() {
    const { viewport: view, scene: { box } } = this;
    const a = view.toView(box.x0, box.y0), b = view.toView(box.x1, box.y1);
    return { x0: a.x, y0: a.y, x1: b.x, y1: b.y };
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
    canvas.addEventListener('pointermove', event => this.onPointerMove(event));
    canvas.addEventListener('pointerup', event => this.onPointerEnd(event));
    canvas.addEventListener('pointercancel', event => this.onPointerEnd(event));
    canvas.addEventListener('pointerleave', () => this.onPointerLeave());
    canvas.addEventListener('wheel', event => {
      event.preventDefault();
      const p = this.canvasPoint(event);
      if (this.viewport.zoomAt(p.x, p.y, wheelFactor(event.deltaY, event.deltaMode, this.viewport.height))) this.requestRender();
    }, { passive: false });
  }

  /** A middle-button press, or a left one while Space is held, starts panning: true when it did. */
  startDrag(event, p) {
    if (event.button !== 1 && !(event.button === 0 && this.spaceHeld)) return false;
    event.preventDefault();
    this.drag = { pointerId: event.pointerId, x: p.x, y: p.y };
    this.canvas.setPointerCapture(event.pointerId);
    this.el.stage.classList.add('dragging');
    return true;
  }

  onPointerDown(event) {
    this.pointer = this.canvasPoint(event);
    this.startDrag(event, this.pointer);
  }

  /** Pans by the move of the panning pointer to `p`: true when `event` is that pointer's. */
  dragTo(event, p) {
    if (this.drag?.pointerId !== event.pointerId) return false;
    this.viewport.panBy(p.x - this.drag.x, p.y - this.drag.y);
    this.drag.x = p.x;
    this.drag.y = p.y;
    return true;
  }

  onPointerMove(event) {
    this.pointer = this.canvasPoint(event);
    if (this.dragTo(event, this.pointer)) this.requestRender();
  }

  onPointerEnd(event) {
    if (this.drag?.pointerId === event.pointerId) {
      this.drag = null;
      this.el.stage.classList.remove('dragging');
    }
  }

  onPointerLeave() {
    if (!this.drag) this.pointer = null;
  }
}
