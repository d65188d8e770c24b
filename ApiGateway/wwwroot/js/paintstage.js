// The painting canvas, shared by the paint page and the painting qualification test: the image and the object's box,
// and a mask at image resolution painted with a brush, an eraser, straight-line polygons and flood fill, with undo and
// redo, zoom and pan, and the tool controls of the panel. The page decides when painting is allowed and what is done
// with the mask, through the host it passes in. The canvas, the view and panning are canvasstage.js's.
import { encodeMask } from './masks.js';
import { clamp } from './viewport.js';
import { PaintBitmap, paintOverlay } from './paintcanvas.js';
import { CanvasStage } from './canvasstage.js';

const MASK_RGB = [255, 0, 255];
const MASK_FILL_ALPHA = 105;
export const BRUSH = { min: 1, max: 100, initial: 12 };
const CLOSE_PX = 8;                // a click this close to the first corner closes the polygon
const DOUBLE_CLICK = { ms: 400, px: 4 };

/**
 * The stage's elements (by property name): stage (the element the canvas fills), canvas, zoomLevel and toolHint
 * (badges over the canvas), toolButtons (buttons with data-tool), brushSize and brushSizeValue (a range input and its
 * output), undo, redo, clear, fit and toggleMask (buttons), paintedArea (optional: "Painted n px"). The host answers
 * canPaint() and is told hint(text) (a note on what to do next), clearHint() and changed() (update the page's
 * controls; the page's update calls updateControls(work) here).
 */
export class PaintStage extends CanvasStage {
  constructor(el, host) {
    super(el, el.canvas, host);
    // this.scene: {imageWidth, imageHeight, box}
    this.bitmap = null;
    this.overlay = null;           // {canvas, context, image}: the mask's look at image resolution
    this.tool = 'brush';
    this.brushSize = BRUSH.initial;
    this.readOnly = false;         // the painting is only shown (no brush cursor); the host refuses changes too
    this.stroke = null;            // {pointerId, x, y, value} while the brush or eraser is down
    this.polygon = null;           // the open polygon's corners, image coordinates
    this.lastCorner = null;        // {at, x, y} (CSS pixels) of the latest corner, to tell a double-click
  }

  start() {
    this.bindControls();
    super.start();
    this.setBrushSize(BRUSH.initial);
  }

  /** A read-only view of the painting for the browser tests. */
  exposeHook() {
    window.paintPage = Object.freeze({
      toScreen: (x, y) => this.toScreen(x, y),
      pixel: (x, y) => this.bitmap?.pixel(x, y) ?? 0,
      count: () => this.bitmap?.count ?? 0,
      encoded: () => (this.bitmap ? encodeMask(this.bitmap) : null),
    });
  }

  /** Shows a task ({imageWidth, imageHeight, box}) with an empty painting, without its image yet. */
  show(task) {
    this.clear();
    this.scene = task;
    this.bitmap = new PaintBitmap(task.imageWidth, task.imageHeight);
    this.overlay = createOverlay(task.imageWidth, task.imageHeight);
    this.showScene(task);
  }

  clear() {
    this.scene = null;
    this.image = null;
    this.bitmap = null;
    this.overlay = null;
    this.stroke = null;
    this.polygon = null;
    this.lastCorner = null;
    this.readOnly = false;
    this.decorate = null;
    this.el.toolHint.textContent = '';
    this.requestRender();
  }

  /** The COCO RLE of the painting, or null without one. */
  encoded() {
    return this.bitmap ? encodeMask(this.bitmap) : null;
  }

  // ----- controls

  updateControls(work) {
    const e = this.el;
    const b = this.bitmap;
    for (const button of e.toolButtons) button.setAttribute('aria-pressed', String(button.dataset.tool === this.tool));
    e.stage.dataset.tool = this.tool;
    e.undo.disabled = !work || !(b.canUndo || this.polygon);
    e.redo.disabled = !work || !b.canRedo || !!this.polygon;
    e.clear.disabled = !work || b.count === 0;
    e.toggleMask.setAttribute('aria-pressed', String(this.showMask));
    if (e.paintedArea) e.paintedArea.textContent = `Painted ${(b?.count ?? 0).toLocaleString('en')} px`;
  }

  bindControls() {
    const e = this.el;
    const act = fn => event => { fn(event); if (event.detail > 0) this.canvas.focus({ preventScroll: true }); };
    for (const button of e.toolButtons) button.addEventListener('click', act(() => this.setTool(button.dataset.tool)));
    e.brushSize.addEventListener('input', () => this.setBrushSize(Number(e.brushSize.value)));
    e.undo.addEventListener('click', act(() => this.undo()));
    e.redo.addEventListener('click', act(() => this.redo()));
    e.clear.addEventListener('click', act(() => this.clearMask()));
    e.fit.addEventListener('click', act(event => this.fit(event.shiftKey)));
    e.toggleMask.addEventListener('click', act(() => this.toggleMask()));
  }

  /**
   * The painting's keys, after the page has taken its own: Ctrl+Z / Ctrl+Y undo and redo, Enter closes an open
   * polygon, 0 fits, Space pans, B E L F pick a tool, Esc cancels a polygon, [ ] size the brush, M shows the mask,
   * + and − zoom. `key` is one character lower-cased, as the pages compare it. True when the key was one of them
   * (its default action is then prevented).
   */
  handleKey(event, key) {
    if (event.ctrlKey || event.metaKey) {
      if (key === 'z' && !event.shiftKey) this.undo();
      else if ((key === 'z' && event.shiftKey) || key === 'y') this.redo();
      else return false;
      event.preventDefault();
      return true;
    }
    if (key === 'Enter' && this.polygon) {
      event.preventDefault();
      this.closePolygon(event.altKey);
      return true;
    }
    if (event.altKey) return false;
    if (event.code === 'Digit0' || event.code === 'Numpad0') {
      event.preventDefault();
      this.fit(event.shiftKey);
      return true;
    }
    if (this.panZoomKey(key, event)) return true;
    switch (key) {
      case 'b': this.setTool('brush'); break;
      case 'e': this.setTool('eraser'); break;
      case 'l': this.setTool('lines'); break;
      case 'f': this.setTool('fill'); break;
      case 'Escape': this.cancelPolygon(); break;
      case '[': this.stepBrush(-1); break;
      case ']': this.stepBrush(1); break;
      case 'm': if (!event.repeat) this.toggleMask(); break;
      default: return false;
    }
    event.preventDefault();
    return true;
  }

  // ----- painting

  /** Redraws what the last operation changed. */
  maskChanged() {
    const rect = this.bitmap.takeDirty();
    if (rect) {
      const { context, image } = this.overlay;
      paintOverlay(this.bitmap, image.data, rect, MASK_RGB, MASK_FILL_ALPHA);
      context.putImageData(image, 0, 0, rect.x, rect.y, rect.width, rect.height);
      this.host.clearHint();
    }
    this.host.changed();
    this.requestRender();
  }

  /** Ends the operation in progress as one undo step. */
  commit() {
    this.bitmap.commit();
    this.maskChanged();
  }

  setTool(tool) {
    if (tool !== 'lines') this.cancelPolygon();
    this.tool = tool;
    this.host.changed();
    this.requestRender();
  }

  setBrushSize(size) {
    this.brushSize = clamp(Math.round(size), BRUSH.min, BRUSH.max);
    this.el.brushSize.value = String(this.brushSize);
    this.el.brushSizeValue.textContent = `${this.brushSize} px`;
    this.requestRender();
  }

  /** A step that grows with the size, so both ends of the range are a few presses away. */
  stepBrush(direction) {
    this.setBrushSize(this.brushSize + direction * Math.max(1, Math.round(this.brushSize * 0.15)));
  }

  undo() {
    if (!this.host.canPaint() || this.stroke) return;
    if (this.polygon) return this.removeCorner();
    if (this.bitmap.undo()) this.maskChanged();
  }

  redo() {
    if (!this.host.canPaint() || this.stroke || this.polygon) return;
    if (this.bitmap.redo()) this.maskChanged();
  }

  clearMask() {
    if (!this.host.canPaint()) return;
    this.cancelPolygon();
    this.bitmap.clear();
    this.commit();
  }

  beginStroke(event, q) {
    this.stroke = { pointerId: event.pointerId, x: q.x, y: q.y, value: this.tool === 'eraser' ? 0 : 1 };
    this.canvas.setPointerCapture(event.pointerId);
    this.bitmap.segment(q.x, q.y, q.x, q.y, this.brushSize, this.stroke.value);
    this.maskChanged();
  }

  /** Paints from the last point through every pointer position the browser merged into this event. */
  continueStroke(event) {
    const s = this.stroke;
    const events = event.getCoalescedEvents?.() ?? [];
    for (const e of events.length ? events : [event]) {
      const p = this.canvasPoint(e);
      const q = this.viewport.toImage(p.x, p.y);
      this.bitmap.segment(s.x, s.y, q.x, q.y, this.brushSize, s.value);
      s.x = q.x;
      s.y = q.y;
    }
    this.maskChanged();
  }

  endStroke() {
    this.stroke = null;
    this.commit();
  }

  /** A click in Lines mode: a new corner, or the polygon closed by a double-click or a click on its first corner. */
  addCorner(p, q, erase) {
    const now = performance.now();
    const last = this.lastCorner;
    const doubleClick = last && now - last.at < DOUBLE_CLICK.ms && Math.hypot(p.x - last.x, p.y - last.y) <= DOUBLE_CLICK.px;
    if (this.polygon && doubleClick) return this.closePolygon(erase);
    if (this.polygon && this.polygon.length >= 3) {
      const first = this.viewport.toView(this.polygon[0].x, this.polygon[0].y);
      if (Math.hypot(p.x - first.x, p.y - first.y) <= CLOSE_PX) return this.closePolygon(erase);
    }
    this.polygon ??= [];
    this.polygon.push(q);
    this.lastCorner = { at: now, x: p.x, y: p.y };
    this.polygonChanged();
  }

  removeCorner() {
    this.polygon.pop();
    if (!this.polygon.length) this.polygon = null;
    this.polygonChanged();
  }

  closePolygon(erase) {
    const corners = this.polygon;
    this.polygon = null;
    this.lastCorner = null;
    if (corners && corners.length >= 3) {
      this.bitmap.fillPolygon(corners, erase ? 0 : 1);
      this.commit();
    } else if (corners) {
      this.host.hint('A polygon needs at least three corners.');
    }
    this.polygonChanged();
  }

  cancelPolygon() {
    if (!this.polygon) return;
    this.polygon = null;
    this.lastCorner = null;
    this.polygonChanged();
  }

  polygonChanged() {
    const n = this.polygon?.length ?? 0;
    if (n) this.host.clearHint();
    this.el.toolHint.textContent = n
      ? `${n} ${n === 1 ? 'corner' : 'corners'}: double-click, Enter or a click on the first corner fills the polygon (Alt: erases); Esc cancels`
      : '';
    this.host.changed();
    this.requestRender();
  }

  toggleMask() {
    this.showMask = !this.showMask;
    this.host.changed();
    this.requestRender();
  }

  // ----- drawing

  draw() {
    // The painter needs to see the mask's pixels too: smoothing (of the image and the mask) only below 100 %.
    if (!this.drawImageLayer(1, 'low')) return;
    const { context: ctx, viewport: view } = this;
    if (this.showMask && this.overlay) ctx.drawImage(this.overlay.canvas, 0, 0);

    // Box, polygon and cursor in CSS pixels, so they keep their width at any zoom.
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    this.drawBox();
    if (this.polygon) this.drawPolygon();
    else if (this.pointer && !this.drag && !this.readOnly && (this.tool === 'brush' || this.tool === 'eraser')) this.drawBrushCursor();
    if (this.decorate) this.decorate(ctx, view);
  }

  drawBox() {
    const { context: ctx } = this;
    const { x0, y0, x1, y1 } = this.boxInView();
    ctx.lineWidth = 1.5;
    ctx.setLineDash([]);
    ctx.strokeStyle = 'rgba(0, 0, 0, 0.55)';
    ctx.strokeRect(x0, y0, x1 - x0, y1 - y0);
    ctx.setLineDash([6, 4]);
    ctx.strokeStyle = '#facc15';
    ctx.strokeRect(x0, y0, x1 - x0, y1 - y0);
    ctx.setLineDash([]);
  }

  /** The open polygon's edges, a line on to the pointer, and its corners; the first one ringed once it can close. */
  drawPolygon() {
    const { context: ctx, viewport: view } = this;
    const points = this.polygon.map(q => view.toView(q.x, q.y));
    const path = new Path2D();
    points.forEach((p, i) => (i ? path.lineTo(p.x, p.y) : path.moveTo(p.x, p.y)));
    if (this.pointer) path.lineTo(this.pointer.x, this.pointer.y);
    ctx.lineWidth = 3;
    ctx.strokeStyle = 'rgba(0, 0, 0, 0.6)';
    ctx.stroke(path);
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = '#ffffff';
    ctx.stroke(path);
    ctx.fillStyle = '#ffffff';
    for (const p of points) ctx.fillRect(p.x - 2.5, p.y - 2.5, 5, 5);
    const first = points[0];
    if (points.length >= 3 && this.pointer && Math.hypot(this.pointer.x - first.x, this.pointer.y - first.y) <= CLOSE_PX) {
      ctx.beginPath();
      ctx.arc(first.x, first.y, CLOSE_PX, 0, Math.PI * 2);
      ctx.strokeStyle = '#22c55e';
      ctx.lineWidth = 2;
      ctx.stroke();
    }
  }

  /** A circle as big as the brush on the image; dashed for the eraser. */
  drawBrushCursor() {
    const { context: ctx, pointer: p } = this;
    const radius = Math.max(1.5, (this.brushSize / 2) * this.viewport.scale);
    ctx.beginPath();
    ctx.arc(p.x, p.y, radius, 0, Math.PI * 2);
    ctx.lineWidth = 3;
    ctx.strokeStyle = 'rgba(0, 0, 0, 0.6)';
    ctx.stroke();
    ctx.setLineDash(this.tool === 'eraser' ? [4, 3] : []);
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = '#ffffff';
    ctx.stroke();
    ctx.setLineDash([]);
  }

  // ----- canvas input

  onPointerDown(event) {
    const p = this.canvasPoint(event);
    this.pointer = p;
    if (this.startDrag(event, p)) return;
    if (event.button !== 0) return;
    event.preventDefault();
    this.canvas.focus({ preventScroll: true });
    if (!this.host.canPaint() || this.stroke) return;
    const q = this.viewport.toImage(p.x, p.y);
    if (this.tool === 'brush' || this.tool === 'eraser') this.beginStroke(event, q);
    else if (this.tool === 'lines') this.addCorner(p, q, event.altKey);
    else if (this.tool === 'fill') {
      this.bitmap.floodFill(q.x, q.y, event.altKey ? 0 : 1);
      this.commit();
    }
  }

  onPointerMove(event) {
    const p = this.canvasPoint(event);
    this.pointer = p;
    if (!this.dragTo(event, p) && this.stroke?.pointerId === event.pointerId) {
      this.continueStroke(event);
      return;
    }
    this.requestRender();
  }

  onPointerEnd(event) {
    super.onPointerEnd(event);
    if (this.stroke?.pointerId === event.pointerId) this.endStroke();
  }

  onPointerLeave() {
    if (this.drag || this.stroke) return;
    this.pointer = null;
    this.requestRender();
  }
}

/** An image-sized canvas and its pixels, where the mask's look is kept up to date region by region. */
function createOverlay(width, height) {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  return { canvas, context, image: context.createImageData(width, height) };
}

export async function loadImage(url) {
  const image = new Image();
  image.decoding = 'async';
  image.src = url;
  await image.decode();
  return image;
}
