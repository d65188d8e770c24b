// The paint page: a painter takes one object at a time (image, box, class policy) and paints its reference mask from
// scratch with a brush, an eraser, straight-line polygons and flood fill; the mask goes to the server as COCO RLE.
import { api, requireUser, ApiError, enc } from './api.js';
import { renderNav } from './nav.js';
import { encodeMask } from './masks.js';
import { Viewport, clamp, wheelFactor } from './viewport.js';
import { PaintBitmap, paintOverlay } from './paintcanvas.js';

const MASK_RGB = [255, 0, 255];
const MASK_FILL_ALPHA = 105;
const BOX_FRACTION = 0.6;          // the box fills this much of the view when a task opens
const BRUSH = { min: 1, max: 100, initial: 12 };
const CLOSE_PX = 8;                // a click this close to the first corner closes the polygon
const DOUBLE_CLICK = { ms: 400, px: 4 };
const FLASH_MS = 2000;
const LEASE_SHORT_MS = 120_000;
const NOT_RUNNING_POLL_S = 15;
const NOT_QUALIFIED = 'You are not qualified for painting in this campaign; ask a manager.';
// Refusals after which this task cannot be answered any more: the lease ended, or the object needs no painting from you.
const LOST_TASK_CODES = ['lease_not_held', 'wrong_status', 'already_painted'];

/** Seconds to wait from a Retry-After header in seconds, within [1, 300]. */
function retryAfterSeconds(value) {
  const seconds = Number(value);
  return clamp(value && Number.isFinite(seconds) ? seconds : 2, 1, 300);
}

/** "1:05" for a number of milliseconds. */
function minutesSeconds(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

/** An id for one answer: the server counts an answer once however often the same id is sent. */
function newSubmissionId() {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), b => b.toString(16).padStart(2, '0')).join('');
}

/** The problem's title and detail (and the field it names), or the error's message. */
function problemText(error) {
  const problem = error instanceof ApiError ? error.problem : null;
  if (!problem) return String(error?.message ?? error);
  const parts = [problem.title, problem.detail].filter((part, i, all) => part && all.indexOf(part) === i);
  const field = problem.field && problem.field !== 'body' ? ` (${problem.field})` : '';
  return `${parts.join(': ') || `HTTP ${error.status}`}${field}`;
}

/** The text as a sentence: with a full stop unless it already ends with one. */
function sentence(text) {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** An error after which the server may or may not have stored the answer. */
function outcomeUnknown(error) {
  return !(error instanceof ApiError) || error.status === 0 || error.status >= 500;
}

class PaintPage {
  constructor(campaignId) {
    this.campaignId = campaignId;
    this.base = `/api/v1/campaigns/${enc(campaignId)}/paint`;
    this.el = Object.fromEntries([
      'stage', 'paint-canvas', 'stage-message', 'stage-text', 'try-again', 'tool-hint', 'answer-flash', 'zoom-level',
      'class-name', 'campaign-name', 'class-policy', 'brush-size', 'brush-size-value', 'undo', 'redo', 'clear', 'fit',
      'submit', 'painted-area', 'time-on-task', 'skip-reason', 'skip', 'toggle-mask', 'release', 'status',
      'instance-line', 'instance-id', 'lease-expiry', 'session-count',
    ].map(id => [id.replace(/-(\w)/g, (_, c) => c.toUpperCase()), document.getElementById(id)]));
    this.toolButtons = [...document.querySelectorAll('[data-tool]')];
    this.canvas = this.el.paintCanvas;
    this.context = this.canvas.getContext('2d');
    this.viewport = new Viewport();
    this.dpr = window.devicePixelRatio || 1;

    this.task = null;
    this.image = null;
    this.bitmap = null;
    this.overlay = null;           // {canvas, context, image}: the mask's look at image resolution
    this.tool = 'brush';
    this.brushSize = BRUSH.initial;
    this.showMask = true;
    this.stroke = null;            // {pointerId, x, y, value} while the brush or eraser is down
    this.polygon = null;           // the open polygon's corners, image coordinates
    this.lastCorner = null;        // {at, x, y} (CSS pixels) of the latest corner, to tell a double-click
    this.drag = null;              // panning: {pointerId, x, y}
    this.spaceHeld = false;
    this.pointer = null;           // CSS pixels over the canvas
    this.shownAt = null;           // performance.now() when the task was drawn
    this.submissionId = null;      // one per task, so a resend after a lost answer cannot count twice
    this.busy = false;
    this.leaseLost = false;
    this.leaseExpiresAt = NaN;
    this.clockSkew = 0;
    this.pollTimer = 0;
    this.pollWhenVisible = false;
    this.answered = 0;
    this.flashTimer = 0;
    this.renderQueued = false;
    this.afterPaint = [];
    this.statusIsHint = false;
  }

  start() {
    this.el.campaignName.textContent = this.campaignId;
    this.exposeHook();
    this.bindControls();
    this.bindCanvas();
    this.bindKeys();
    new ResizeObserver(() => this.resize()).observe(this.el.stage);
    this.resize();
    setInterval(() => this.updateClock(), 1000);
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden && this.pollWhenVisible) { this.pollWhenVisible = false; this.fetchNext(true); }
    });
    window.addEventListener('beforeunload', event => {
      if (this.task && !this.leaseLost && (this.bitmap?.count > 0 || this.busy)) {
        event.preventDefault();
        event.returnValue = '';
      }
    });
    this.setBrushSize(BRUSH.initial);
    this.updateControls();
    this.fetchNext();
  }

  /** A read-only view of the page for the browser tests. */
  exposeHook() {
    window.paintPage = Object.freeze({
      toScreen: (x, y) => {
        const rect = this.canvas.getBoundingClientRect();
        const p = this.viewport.toView(x, y);
        return { x: rect.left + p.x, y: rect.top + p.y };
      },
      pixel: (x, y) => this.bitmap?.pixel(x, y) ?? 0,
      count: () => this.bitmap?.count ?? 0,
      encoded: () => (this.bitmap ? encodeMask(this.bitmap) : null),
    });
  }

  // ----- messages

  setStatus(text) {
    this.el.status.textContent = text;
    this.statusIsHint = false;
  }

  /** A status that only says what to do next, so the next change to the painting or the reason takes it away. */
  hint(text) {
    this.setStatus(text);
    this.statusIsHint = true;
  }

  clearHint() {
    if (this.statusIsHint) this.setStatus('');
  }

  /** A message over the image (null hides it), with the button under it when `button` names its label. */
  showMessage(text, button = null) {
    this.el.stageMessage.hidden = text === null;
    this.el.stageText.textContent = text ?? '';
    this.el.tryAgain.hidden = !button;
    if (button) this.el.tryAgain.textContent = button;
  }

  flash(text) {
    clearTimeout(this.flashTimer);
    this.el.answerFlash.textContent = text;
    this.flashTimer = setTimeout(() => { this.el.answerFlash.textContent = ''; }, FLASH_MS);
  }

  // ----- tasks

  async call(method, path, body) {
    const response = await api(method, path, body, { raw: true });
    const date = Date.parse(response.headers.get('Date') || '');
    // The Date header has whole seconds; only a clearly wrong local clock is corrected.
    if (Number.isFinite(date)) {
      const skew = date - Date.now();
      this.clockSkew = Math.abs(skew) > 2000 ? skew : 0;
    }
    if (response.status === 204) return { response, json: null };
    const text = await response.text();
    return { response, json: text ? JSON.parse(text) : null };
  }

  /** Asks for a task; a poll while idle leaves the idle message up instead of flickering. */
  async fetchNext(poll = false) {
    clearTimeout(this.pollTimer);
    this.pollTimer = 0;
    if (!poll) this.showMessage('Looking for the next object…');
    try {
      const { response, json } = await this.call('POST', `${this.base}/next`);
      if (json) await this.showTask(json);
      else this.goIdle(retryAfterSeconds(response.headers.get('Retry-After')));
    } catch (e) {
      this.onNextError(e);
    }
  }

  onNextError(e) {
    this.clearTask();
    if (e instanceof ApiError && e.code === 'not_qualified') {
      this.showMessage(NOT_QUALIFIED, 'Try again');
    } else if (e instanceof ApiError && e.code === 'campaign_not_running') {
      this.goIdle(NOT_RUNNING_POLL_S, 'This campaign is paused or finished, so there is nothing to paint. This page checks again by itself.');
    } else if (e instanceof ApiError && e.status === 404) {
      this.showMessage('There is no such campaign.');
      this.setStatus(problemText(e));
    } else if (e instanceof ApiError && e.status === 403) {
      this.showMessage('You cannot paint in this campaign; ask a manager to add you to it.');
      this.setStatus(problemText(e));
    } else if (outcomeUnknown(e)) {
      this.goIdle(5, 'The server did not answer; this page tries again by itself.');
      this.setStatus(`Could not get the next object: ${problemText(e)}`);
    } else {
      this.showMessage('No object could be given to you.', 'Try again');
      this.setStatus(`Could not get the next object: ${problemText(e)}`);
    }
  }

  goIdle(seconds, text = 'Nothing to paint right now.') {
    this.clearTask();
    this.showMessage(text, 'Try again');
    this.pollTimer = setTimeout(() => {
      this.pollTimer = 0;
      // A hidden tab would take leases nobody works on.
      if (document.hidden) this.pollWhenVisible = true;
      else this.fetchNext(true);
    }, seconds * 1000);
  }

  clearTask() {
    clearTimeout(this.pollTimer);
    this.pollTimer = 0;
    this.task = null;
    this.image = null;
    this.bitmap = null;
    this.overlay = null;
    this.stroke = null;
    this.polygon = null;
    this.shownAt = null;
    this.leaseLost = false;
    this.submissionId = null;
    delete document.body.dataset.instance;
    this.el.className.textContent = '\u00a0';
    this.el.classPolicy.textContent = '';
    this.el.instanceLine.hidden = true;
    this.el.skipReason.value = '';
    this.updateClock();
    this.updateControls();
    this.requestRender();
  }

  async showTask(task) {
    this.clearTask();
    this.setStatus('');
    this.task = task;
    this.submissionId = newSubmissionId();
    this.bitmap = new PaintBitmap(task.imageWidth, task.imageHeight);
    this.overlay = createOverlay(task.imageWidth, task.imageHeight);
    this.leaseExpiresAt = Date.parse(task.leaseExpiresAt) - this.clockSkew;
    this.el.className.textContent = task.className || '(no class)';
    this.el.classPolicy.textContent = task.classPolicy || 'No instructions for this class.';
    this.el.classPolicy.classList.toggle('muted', !task.classPolicy);
    this.el.instanceId.textContent = task.instanceId;
    this.el.instanceLine.hidden = false;
    this.viewport.setImage(task.imageWidth, task.imageHeight);
    this.viewport.fitRect(task.box, BOX_FRACTION);
    this.showMessage('Loading the image…');
    this.updateControls();

    let image = null;
    try {
      image = await loadImage(task.imageUrl);
    } catch {
      if (this.task !== task) return;
      this.setStatus(`The image of object ${task.instanceId} could not be loaded (${task.imageUrl}). Skip it with the reason "Other", or reload the page.`);
    }
    if (this.task !== task) return;
    this.image = image;
    this.showMessage(null);
    this.requestRender(drawnAt => {
      if (this.task !== task) return;
      this.shownAt = drawnAt;
      document.body.dataset.instance = task.instanceId;
      this.updateClock();
      this.updateControls();
    });
  }

  // ----- answers

  /** Submit the painted mask, or skip the object with a reason. */
  async answer(kind) {
    if (!this.canWork) return;
    const task = this.task;
    if (kind === 'submit' && this.polygon) {
      this.hint('A polygon is still open: close it (Enter or double-click) or cancel it (Esc), then submit.');
      return;
    }
    if (kind === 'submit' && this.bitmap.count === 0) {
      this.hint('Nothing is painted yet: paint the object before you submit. If it cannot be painted, skip it.');
      return;
    }
    const reason = this.el.skipReason.value;
    if (kind === 'skip' && !reason) {
      this.hint('Choose why you skip this object (keys 1–5 or the list), then Skip again.');
      return;
    }
    const secondsSpent = Math.round(performance.now() - this.shownAt) / 1000;
    const body = kind === 'skip'
      ? { submissionId: this.submissionId, secondsSpent, reason }
      : { submissionId: this.submissionId, mask: encodeMask(this.bitmap), secondsSpent };
    const button = kind === 'skip' ? this.el.skip : this.el.submit;
    this.busy = true;
    this.updateControls();
    button.setAttribute('aria-busy', 'true');
    try {
      const { json } = await this.call('POST', `${this.base}/${enc(task.instanceId)}/${kind}?next=true`, body);
      this.busy = false;
      if (this.task !== task) return;
      this.answered++;
      document.body.dataset.answered = String(this.answered);
      this.setStatus('');
      this.flash(kind === 'skip' ? `Skipped object ${task.instanceId}` : `Submitted the mask of object ${task.instanceId}`);
      if (json?.next) await this.showTask(json.next);
      else this.afterLastTask(json?.nextRefused ?? null);
    } catch (e) {
      this.busy = false;
      if (this.task === task) this.onAnswerError(e, kind);
    } finally {
      button.removeAttribute('aria-busy');
      this.updateControls();
    }
  }

  /** Nothing came with the answer: why (a problem code) or null when there is simply nothing left now. */
  afterLastTask(refused) {
    if (refused === 'not_qualified') {
      this.clearTask();
      this.showMessage(NOT_QUALIFIED, 'Try again');
    } else if (refused === 'campaign_not_running') {
      this.goIdle(NOT_RUNNING_POLL_S, 'This campaign is paused or finished, so there is nothing to paint. This page checks again by itself.');
    } else {
      this.goIdle(1);
    }
  }

  onAnswerError(e, kind) {
    const again = kind === 'skip' ? 'Skip' : 'Submit';
    const text = problemText(e);
    if (e instanceof ApiError && LOST_TASK_CODES.includes(e.code)) {
      this.leaseLost = true;
      this.updateControls();
      this.showMessage(`This object is no longer yours to paint, so your answer was not stored: ${sentence(text)} Take the next object to go on.`, 'Take the next object');
    } else if (e instanceof ApiError && e.code === 'not_qualified') {
      this.setStatus(`Your answer was refused: ${NOT_QUALIFIED}`);
    } else if (outcomeUnknown(e)) {
      this.setStatus(`Your answer may not have arrived: ${sentence(text)} Your painting is kept: press ${again} again to resend it; it will not count twice.`);
    } else {
      this.setStatus(`Your answer was refused: ${sentence(text)} Your painting is kept.`);
    }
  }

  async release() {
    if (!this.task || this.busy) return;
    if (this.bitmap.count > 0 && !window.confirm(`Give object ${this.task.instanceId} back? Your painting of it will not be stored.`)) return;
    this.busy = true;
    this.updateControls();
    try {
      await api('POST', `${this.base}/release`);
      this.clearTask();
      this.showMessage('You gave the object back; someone else can take it.', 'Take the next object');
    } catch (e) {
      this.setStatus(`Could not give the object back: ${problemText(e)}`);
    } finally {
      this.busy = false;
      this.updateControls();
    }
  }

  // ----- painting

  get canWork() {
    return !!this.task && !this.busy && !this.leaseLost && this.shownAt !== null;
  }

  /** Redraws what the last operation changed. */
  maskChanged() {
    const rect = this.bitmap.takeDirty();
    if (rect) {
      const { context, image } = this.overlay;
      paintOverlay(this.bitmap, image.data, rect, MASK_RGB, MASK_FILL_ALPHA);
      context.putImageData(image, 0, 0, rect.x, rect.y, rect.width, rect.height);
      this.clearHint();
    }
    this.updateControls();
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
    this.updateControls();
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
    if (!this.canWork || this.stroke) return;
    if (this.polygon) return this.removeCorner();
    if (this.bitmap.undo()) this.maskChanged();
  }

  redo() {
    if (!this.canWork || this.stroke || this.polygon) return;
    if (this.bitmap.redo()) this.maskChanged();
  }

  clearMask() {
    if (!this.canWork) return;
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
      this.hint('A polygon needs at least three corners.');
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
    if (n) this.clearHint();
    this.el.toolHint.textContent = n
      ? `${n} ${n === 1 ? 'corner' : 'corners'}: double-click, Enter or a click on the first corner fills the polygon (Alt: erases); Esc cancels`
      : '';
    this.updateControls();
    this.requestRender();
  }

  toggleMask() {
    this.showMask = !this.showMask;
    this.updateControls();
    this.requestRender();
  }

  fit(wholeImage) {
    if (!this.task) return;
    if (wholeImage) this.viewport.fitImage();
    else this.viewport.fitRect(this.task.box, BOX_FRACTION);
    this.requestRender();
  }

  zoomBy(factor) {
    if (this.viewport.zoomAt(this.viewport.width / 2, this.viewport.height / 2, factor)) this.requestRender();
  }

  chooseSkipReason(index) {
    const select = this.el.skipReason;
    if (select.disabled || index >= select.options.length) return;
    select.selectedIndex = index;
    this.clearHint();
  }

  // ----- drawing

  resize() {
    const rect = this.el.stage.getBoundingClientRect();
    const width = Math.max(1, Math.round(rect.width)), height = Math.max(1, Math.round(rect.height));
    this.dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(width * this.dpr);
    this.canvas.height = Math.round(height * this.dpr);
    const first = this.viewport.width === 0;
    this.viewport.setSize(width, height);
    if (first && this.task) this.viewport.fitRect(this.task.box, BOX_FRACTION);
    this.requestRender();
  }

  /** Draws on the next frame; `afterPaint(drawnAt)` runs once that frame is drawn. */
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
    const { context: ctx, canvas, viewport: view, task } = this;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = '#111418';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    this.el.zoomLevel.textContent = task ? `${Math.round(view.scale * 100)} %` : '';
    if (!task) return;

    view.apply(ctx, this.dpr);
    // Pixels stay sharp when zoomed in: the painter needs to see the object's edge and the mask's pixels.
    ctx.imageSmoothingEnabled = view.scale < 1;
    if (this.image) ctx.drawImage(this.image, 0, 0, task.imageWidth, task.imageHeight);
    else {
      ctx.fillStyle = '#1f2937';
      ctx.fillRect(0, 0, task.imageWidth, task.imageHeight);
    }
    if (this.showMask && this.overlay) ctx.drawImage(this.overlay.canvas, 0, 0);

    // Box, polygon and cursor in CSS pixels, so they keep their width at any zoom.
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    this.drawBox();
    if (this.polygon) this.drawPolygon();
    else if (this.pointer && !this.drag && (this.tool === 'brush' || this.tool === 'eraser')) this.drawBrushCursor();
  }

  drawBox() {
    const { context: ctx, viewport: view } = this;
    const a = view.toView(this.task.box.x0, this.task.box.y0), b = view.toView(this.task.box.x1, this.task.box.y1);
    ctx.lineWidth = 1.5;
    ctx.setLineDash([]);
    ctx.strokeStyle = 'rgba(0, 0, 0, 0.55)';
    ctx.strokeRect(a.x, a.y, b.x - a.x, b.y - a.y);
    ctx.setLineDash([6, 4]);
    ctx.strokeStyle = '#facc15';
    ctx.strokeRect(a.x, a.y, b.x - a.x, b.y - a.y);
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

  // ----- controls

  updateControls() {
    const work = this.canWork;
    const e = this.el;
    const b = this.bitmap;
    for (const button of this.toolButtons) button.setAttribute('aria-pressed', String(button.dataset.tool === this.tool));
    this.el.stage.dataset.tool = this.tool;
    e.undo.disabled = !work || !(b.canUndo || this.polygon);
    e.redo.disabled = !work || !b.canRedo || !!this.polygon;
    e.clear.disabled = !work || b.count === 0;
    e.submit.disabled = !work;
    e.skip.disabled = !work;
    e.skipReason.disabled = !work;
    e.release.disabled = !this.task || this.busy || this.leaseLost;
    e.toggleMask.setAttribute('aria-pressed', String(this.showMask));
    e.paintedArea.textContent = `Painted ${(b?.count ?? 0).toLocaleString('en')} px`;
    e.sessionCount.textContent = this.answered ? `${this.answered} answered in this session` : '';
  }

  /** Time on task (and its limit, when the task has one) and the time left on the lease. */
  updateClock() {
    const e = this.el;
    const shown = this.task && this.shownAt !== null;
    const spent = shown ? performance.now() - this.shownAt : 0;
    const limit = this.task?.maxSeconds;
    e.timeOnTask.textContent = minutesSeconds(spent) + (shown && limit ? ` of ${minutesSeconds(limit * 1000)}` : '');
    e.timeOnTask.classList.toggle('over', !!(shown && limit && spent > limit * 1000));
    if (!this.task || this.leaseLost || !Number.isFinite(this.leaseExpiresAt)) {
      e.leaseExpiry.textContent = '';
      e.leaseExpiry.classList.remove('lease-short');
      return;
    }
    const remaining = this.leaseExpiresAt - Date.now();
    e.leaseExpiry.textContent = remaining > 0 ? `Time left on this object: ${minutesSeconds(remaining)}`
      : 'The time on this object is up: the server may refuse this answer';
    e.leaseExpiry.classList.toggle('lease-short', remaining < LEASE_SHORT_MS);
  }

  bindControls() {
    const e = this.el;
    const act = fn => event => { fn(event); if (event.detail > 0) this.canvas.focus({ preventScroll: true }); };
    for (const button of this.toolButtons) button.addEventListener('click', act(() => this.setTool(button.dataset.tool)));
    e.brushSize.addEventListener('input', () => this.setBrushSize(Number(e.brushSize.value)));
    e.undo.addEventListener('click', act(() => this.undo()));
    e.redo.addEventListener('click', act(() => this.redo()));
    e.clear.addEventListener('click', act(() => this.clearMask()));
    e.fit.addEventListener('click', act(event => this.fit(event.shiftKey)));
    e.submit.addEventListener('click', act(() => this.answer('submit')));
    e.skip.addEventListener('click', act(() => this.answer('skip')));
    e.toggleMask.addEventListener('click', act(() => this.toggleMask()));
    e.release.addEventListener('click', act(() => this.release()));
    e.tryAgain.addEventListener('click', () => { this.setStatus(''); this.fetchNext(); });
    e.skipReason.addEventListener('change', () => this.clearHint());
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
    const end = event => {
      if (this.drag?.pointerId === event.pointerId) {
        this.drag = null;
        this.el.stage.classList.remove('dragging');
      }
      if (this.stroke?.pointerId === event.pointerId) this.endStroke();
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
    canvas.addEventListener('pointerleave', () => {
      if (this.drag || this.stroke) return;
      this.pointer = null;
      this.requestRender();
    });
    canvas.addEventListener('wheel', event => {
      event.preventDefault();
      const p = this.canvasPoint(event);
      if (this.viewport.zoomAt(p.x, p.y, wheelFactor(event.deltaY, event.deltaMode, this.viewport.height))) this.requestRender();
    }, { passive: false });
  }

  onPointerDown(event) {
    const p = this.canvasPoint(event);
    this.pointer = p;
    if (event.button === 1 || (event.button === 0 && this.spaceHeld)) {
      event.preventDefault();
      this.drag = { pointerId: event.pointerId, x: p.x, y: p.y };
      this.canvas.setPointerCapture(event.pointerId);
      this.el.stage.classList.add('dragging');
      return;
    }
    if (event.button !== 0) return;
    event.preventDefault();
    this.canvas.focus({ preventScroll: true });
    if (!this.canWork || this.stroke) return;
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
    if (this.drag?.pointerId === event.pointerId) {
      this.viewport.panBy(p.x - this.drag.x, p.y - this.drag.y);
      this.drag.x = p.x;
      this.drag.y = p.y;
    } else if (this.stroke?.pointerId === event.pointerId) {
      this.continueStroke(event);
      return;
    }
    this.requestRender();
  }

  // ----- keys

  bindKeys() {
    document.addEventListener('keydown', event => this.onKeyDown(event));
    const stopPanning = () => { this.spaceHeld = false; this.el.stage.classList.remove('panning'); };
    document.addEventListener('keyup', event => { if (event.key === ' ') stopPanning(); });
    window.addEventListener('blur', stopPanning);
  }

  onKeyDown(event) {
    const target = event.target;
    const tag = target?.tagName;
    // The brush slider uses only arrow and paging keys, so the shortcuts keep working after it is dragged.
    const typing = (tag === 'INPUT' && target.type !== 'range') || tag === 'TEXTAREA' || tag === 'SELECT' || target?.isContentEditable;
    if (typing) {
      if (event.key === 'Escape' && tag === 'SELECT') this.canvas.focus({ preventScroll: true });
      return;
    }
    // Enter and Space on a focused button or link do what that control does.
    if ((tag === 'BUTTON' || tag === 'A' || tag === 'SUMMARY') && (event.key === 'Enter' || event.key === ' ')) return;
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    if (event.ctrlKey || event.metaKey) {
      if (key === 'z' && !event.shiftKey) this.undo();
      else if ((key === 'z' && event.shiftKey) || key === 'y') this.redo();
      else if (key === 'Enter' && !event.repeat) this.answer('submit');
      else return;
      event.preventDefault();
      return;
    }
    if (key === 'Enter' && this.polygon) {
      event.preventDefault();
      this.closePolygon(event.altKey);
      return;
    }
    if (event.altKey) return;
    if (event.code === 'Digit0' || event.code === 'Numpad0') {
      event.preventDefault();
      this.fit(event.shiftKey);
      return;
    }
    switch (key) {
      case ' ':
        event.preventDefault();
        this.spaceHeld = true;
        this.el.stage.classList.add('panning');
        return;
      case 'b': this.setTool('brush'); break;
      case 'e': this.setTool('eraser'); break;
      case 'l': this.setTool('lines'); break;
      case 'f': this.setTool('fill'); break;
      case 'Escape': this.cancelPolygon(); break;
      case '[': this.stepBrush(-1); break;
      case ']': this.stepBrush(1); break;
      case 'm': if (!event.repeat) this.toggleMask(); break;
      case 's': if (!event.repeat) this.answer('skip'); break;
      case '+': case '=': this.zoomBy(1.25); break;
      case '-': case '_': this.zoomBy(1 / 1.25); break;
      case '1': case '2': case '3': case '4': case '5': this.chooseSkipReason(Number(key)); break;
      default: return;
    }
    event.preventDefault();
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

async function loadImage(url) {
  const image = new Image();
  image.decoding = 'async';
  image.src = url;
  await image.decode();
  return image;
}

async function boot() {
  const status = document.getElementById('status');
  try {
    const user = await requireUser();
    renderNav(user);
    const campaignId = new URLSearchParams(location.search).get('campaign');
    if (!campaignId) {
      document.getElementById('stage-text').textContent = 'No campaign chosen.';
      status.textContent = 'Open this page from My campaigns: the address names no campaign.';
      return;
    }
    document.title = `${campaignId} · Paint`;
    new PaintPage(campaignId).start();
  } catch (e) {
    status.textContent = `The page could not start: ${problemText(e)}`;
  }
}

boot();
