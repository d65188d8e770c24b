// The annotation page: one object at a time, its box and current mask over the image; the annotator
// corrects the mask with up to K clicks per round (live preview from the model), accepts it, or skips it.
import { api, requireUser, describeError, ApiError, enc } from './api.js';
import { renderNav } from './nav.js';
import { rleCounts, drawClick, drawBox } from './masks.js';
import { Viewport, clamp, clampToImage, wheelFactor } from './viewport.js';

const MASK_RGB = [255, 0, 255];
const OUTLINE_CSS_PX = 1.5;
const MASK_OPACITY = { min: 0.1, max: 0.9, keyStep: 0.1, initial: 0.4 };
const MASK_LOOK_KEY = 'annotate.maskLook';
const EMPTY_MASK = { canvas: null };  // a preview that removed the whole object
const BOX_FRACTION = 0.6;          // the box fills this much of the view when a task opens
const WARMING_AFTER_MS = 1500;     // a preview slower than this gets a "warming up" note
const TRAJECTORY_EVERY_MS = 50;
const TRAJECTORY_POINTS = 4000;
const OUTSIDE_TOLERANCE_PX = 16;   // clicks this close to the image edge snap onto it; farther ones are refused
const IMAGE_CACHE_SIZE = 4;
const TIMINGS_KEPT = 2000;
const NETWORK_RETRIES_MS = [800, 2500];
const NOT_RUNNING_POLL_S = 15;
const LEASE_SHORT_MS = 120_000;    // the time left is shown prominently below this
const FLASH_MS = 2000;

// ---------------------------------------------------------------------------------------------
// Pure pieces (exported for tests)

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

/** The mouse path over the image: [ms since the task was shown, x, y] integers, the latest `limit` points. */
export class Trajectory {
  constructor(limit = TRAJECTORY_POINTS) { this.limit = limit; this.start(0); }
  start(t0) { this.t0 = t0; this.points = []; }
  add(now, x, y) {
    this.points.push([Math.round(now - this.t0), Math.round(x), Math.round(y)]);
    // Trimmed in batches so a long session does not shift the array on every sample.
    if (this.points.length > this.limit + 500) this.points.splice(0, this.points.length - this.limit);
  }
  latest() { return this.points.length > this.limit ? this.points.slice(-this.limit) : this.points.slice(); }
}

/** Seconds from a Retry-After header (seconds or an HTTP date), within [1, 300]. */
export function retryAfterSeconds(value, nowMs = Date.now(), fallback = 2) {
  let seconds = fallback;
  if (value != null && value !== '') {
    const n = Number(value);
    if (Number.isFinite(n)) seconds = n;
    else {
      const at = Date.parse(value);
      if (Number.isFinite(at)) seconds = (at - nowMs) / 1000;
    }
  }
  return Math.min(300, Math.max(1, seconds));
}

/** "9:42" for a positive number of milliseconds. */
export function formatRemaining(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const m = Math.floor(total / 60), s = total % 60;
  return `${m}:${String(s).padStart(2, '0')}`;
}

/** What the short confirmation after an answer says. */
export function answerNote(kind, instanceId, clickCount) {
  if (kind === 'skip') return `Skipped object ${instanceId}`;
  if (kind === 'done') return `Accepted object ${instanceId}`;
  return `Submitted ${clickCount} ${clickCount === 1 ? 'click' : 'clicks'} for object ${instanceId}`;
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

/** A random version 4 UUID; crypto.randomUUID exists only on https and localhost pages. */
export function newSubmissionId() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, x => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** An error after which the server may or may not have stored the answer, so a retry must reuse the id. */
export function outcomeUnknown(error) {
  return !(error instanceof ApiError) || error.status === 0 || error.status >= 500;
}

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

// ---------------------------------------------------------------------------------------------
// Images: decoded once and kept for the next tasks (objects of one image share it).

class ImageCache {
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
// The page

class AnnotationPage {
  constructor(campaignId) {
    this.campaignId = campaignId;
    this.base = `/api/v1/campaigns/${enc(campaignId)}`;
    this.el = Object.fromEntries([
      'stage', 'image-canvas', 'stage-message', 'loading-message', 'idle-message', 'lease-message', 'take-next',
      'model-status', 'zoom-level', 'class-name', 'class-policy', 'round-label', 'click-counter', 'click-limit',
      'undo', 'redo', 'done', 'submit', 'skip', 'skip-reason', 'toggle-mask', 'outline-only', 'mask-opacity',
      'mask-opacity-value', 'fit', 'release', 'status', 'instance-id', 'instance-line', 'lease-expiry', 'model-time',
      'session-count', 'campaign-name', 'round-note', 'answer-flash',
    ].map(id => [id.replace(/-(\w)/g, (_, c) => c.toUpperCase()), document.getElementById(id)]));
    this.canvas = this.el.imageCanvas;
    this.context = this.canvas.getContext('2d');
    this.viewport = new Viewport();
    this.images = new ImageCache(IMAGE_CACHE_SIZE);
    this.history = new ClickHistory(0);
    this.trajectory = new Trajectory();
    this.dpr = window.devicePixelRatio || 1;

    this.task = null;             // the task on screen (or loading)
    this.image = null;            // its decoded image, once drawn
    this.imageFailed = false;
    this.taskMask = null;         // maskLayer of the mask the round started from
    this.previewMask = null;      // maskLayer of the latest preview answer
    this.showMask = true;
    const look = readMaskLook(localStore());
    this.maskOpacity = look.opacity;
    this.outlineOnly = look.outlineOnly;
    this.shownAt = null;          // performance.now() when the task was painted
    this.previewSeq = 0;
    this.previewAbort = null;
    this.previewsDrawn = 0;
    this.previewUnavailable = false;
    this.warmingTimer = 0;
    this.busy = false;            // a submit/skip is on its way
    this.leaseLost = false;
    this.pending = null;          // {instanceId, round, submissionId} while an answer's fate is unknown
    this.pollTimer = 0;
    this.pollWhenVisible = false;
    this.leaseExpiresAt = 0;      // in local clock milliseconds
    this.clockSkew = 0;           // server clock minus local clock
    this.pointer = null;          // last pointer position over the canvas, CSS pixels
    this.drag = null;
    this.spaceHeld = false;
    this.renderQueued = false;
    this.afterPaint = [];
    this.statusFrom = null;       // which part of the page set the status line
    this.overlay = 'loading';     // what the message over the image says, null when none
    this.answered = 0;
    this.flashTimer = 0;

    window.annotationTimings = { previews: [], submits: [] };
  }

  start() {
    this.el.campaignName.textContent = this.campaignId;
    this.bindControls();
    this.bindCanvas();
    this.bindKeys();
    new ResizeObserver(() => this.resize()).observe(this.el.stage);
    window.addEventListener('resize', () => this.resize());
    this.resize();
    setInterval(() => this.updateLease(), 1000);
    setInterval(() => this.sampleTrajectory(), TRAJECTORY_EVERY_MS);
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden && this.pollWhenVisible) { this.pollWhenVisible = false; this.fetchNext(); }
    });
    window.addEventListener('beforeunload', event => {
      if (this.task && !this.leaseLost && (this.history.count > 0 || this.busy)) {
        event.preventDefault();
        event.returnValue = '';
      }
    });
    this.updateControls();
    this.fetchNext();
  }

  // ----- status line and overlays

  setStatus(text, from = 'page') {
    this.el.status.textContent = text;
    this.statusFrom = text ? from : null;
  }

  clearStatus(from) {
    if (!from || this.statusFrom === from) this.setStatus('');
  }

  /** A short note over the image that goes away by itself, so an answer given by a stray key is noticed. */
  flash(text) {
    clearTimeout(this.flashTimer);
    this.el.answerFlash.textContent = text;
    this.flashTimer = setTimeout(() => { this.el.answerFlash.textContent = ''; }, FLASH_MS);
  }

  /** One of: 'loading', 'idle', 'lease', 'released', 'blocked', or null (the task is on screen). */
  showOverlay(kind, text = '') {
    const { stageMessage, loadingMessage, idleMessage, leaseMessage, takeNext } = this.el;
    this.overlay = kind;
    stageMessage.hidden = kind === null;
    loadingMessage.hidden = kind !== 'loading' && kind !== 'blocked';
    if (kind === 'loading' || kind === 'blocked') loadingMessage.textContent = text || 'Loading…';
    idleMessage.hidden = kind !== 'idle';
    if (kind === 'idle') idleMessage.textContent = text || 'Nothing to annotate right now. This page checks again by itself.';
    leaseMessage.hidden = kind !== 'lease' && kind !== 'released';
    if (kind === 'lease' || kind === 'released') leaseMessage.textContent = text;
    takeNext.hidden = kind !== 'lease' && kind !== 'released';
  }

  // ----- fetching tasks

  async call(method, path, body, options = {}) {
    const response = await api(method, path, body, { ...options, raw: true });
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

  async fetchNext() {
    clearTimeout(this.pollTimer);
    this.pollTimer = 0;
    // While idle the message stays put between polls instead of flickering.
    if (!this.task && this.overlay !== 'idle') this.showOverlay('loading', 'Looking for the next object…');
    try {
      const { response, json } = await this.call('POST', `${this.base}/tasks/next`);
      if (json) await this.showTask(json);
      else this.goIdle(retryAfterSeconds(response.headers.get('Retry-After')));
    } catch (e) {
      this.onTaskRequestError(e);
    }
  }

  onTaskRequestError(e) {
    if (e instanceof ApiError && e.code === 'not_qualified') {
      this.clearTask();
      this.showOverlay('blocked', 'You are not qualified for this campaign yet.');
      this.setStatus('You cannot annotate yet: a manager has to qualify you. Reload this page once they have.');
    } else if (e instanceof ApiError && e.code === 'campaign_not_running') {
      this.goIdle(NOT_RUNNING_POLL_S, 'This campaign is paused or finished, so there is nothing to annotate. This page checks again by itself.');
    } else if (e instanceof ApiError && e.status === 404) {
      this.clearTask();
      this.showOverlay('blocked', 'There is no such campaign.');
      this.setStatus(`Could not open the campaign: ${describeError(e)}`);
    } else if (e instanceof ApiError && e.status === 403) {
      this.clearTask();
      this.showOverlay('blocked', 'You cannot annotate in this campaign.');
      this.setStatus(`${describeError(e)} Ask a manager to add you to the campaign.`);
    } else if (outcomeUnknown(e)) {
      this.setStatus(`Could not get the next object: ${describeError(e)}. Trying again…`, 'next');
      this.goIdle(5, 'The server did not answer; this page tries again by itself.');
    } else {
      this.clearTask();
      this.showOverlay('blocked', 'No object could be given to you.');
      this.setStatus(`Could not get the next object: ${describeError(e)}`);
    }
  }

  goIdle(seconds, message) {
    this.clearTask();
    this.showOverlay('idle', message);
    clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => {
      this.pollTimer = 0;
      // A hidden tab would take leases nobody works on.
      if (document.hidden) this.pollWhenVisible = true;
      else this.fetchNext();
    }, seconds * 1000);
  }

  clearTask() {
    this.abortPreview();
    this.task = null;
    this.image = null;
    this.taskMask = null;
    this.previewMask = null;
    this.history.reset(0);
    this.leaseLost = false;
    this.pending = null;
    this.shownAt = null;
    delete document.body.dataset.instance;
    delete document.body.dataset.round;
    this.el.className.textContent = '\u00a0';
    this.el.classPolicy.textContent = '';
    this.el.roundLabel.textContent = 'Round –';
    this.el.roundNote.hidden = true;
    this.el.instanceId.textContent = '';
    this.el.instanceLine.hidden = true;
    this.el.leaseExpiry.textContent = '';
    this.el.modelStatus.textContent = '';
    this.el.modelTime.textContent = '';
    this.updateControls();
    this.requestRender();
  }

  // ----- showing a task

  async showTask(task, submitAt = null) {
    try {
      await this.presentTask(task, submitAt);
    } catch (e) {
      this.setStatus(`Could not show object ${task?.instanceId}: ${describeError(e)}`, 'task');
    }
  }

  async presentTask(task, submitAt) {
    clearTimeout(this.pollTimer);
    this.pollTimer = 0;
    this.abortPreview();
    this.task = task;
    this.image = null;
    this.imageFailed = false;
    this.previewMask = null;
    this.previewsDrawn = 0;
    this.previewUnavailable = false;
    this.leaseLost = false;
    this.shownAt = null;
    this.history.reset(task.maxClicks);
    this.el.skipReason.value = '';
    this.clearStatus('next');
    this.clearStatus('preview');
    this.clearStatus('answer');
    this.clearStatus('task');
    this.clearStatus('image');
    delete document.body.dataset.instance;
    delete document.body.dataset.round;
    document.body.dataset.previewSeq = '0';

    this.el.className.textContent = task.className || '(no class)';
    this.el.classPolicy.textContent = task.classPolicy || 'No instructions for this class.';
    this.el.classPolicy.classList.toggle('muted', !task.classPolicy);
    this.el.roundLabel.textContent = `Round ${task.round}`;
    this.el.roundNote.hidden = !(task.round > 1);
    this.el.instanceId.textContent = task.instanceId;
    this.el.instanceLine.hidden = false;
    this.el.modelStatus.textContent = '';
    this.leaseExpiresAt = Date.parse(task.leaseExpiresAt) - this.clockSkew;
    this.updateLease();
    this.updateControls();

    const imagePromise = this.images.get(task.imageUrl);
    // Built while the browser decodes the image off the main thread.
    this.taskMask = task.mask ? maskLayer(task.mask) : null;
    this.viewport.setImage(task.imageWidth, task.imageHeight);
    this.viewport.fitRect(task.box, BOX_FRACTION);

    if (!this.image) this.showOverlay('loading', 'Loading the image…');
    let image = null;
    try {
      image = await imagePromise;
    } catch {
      if (this.task !== task) return;
      this.imageFailed = true;
      this.setStatus(`The image of object ${task.instanceId} could not be loaded (${task.imageUrl}). Skip it with the reason "Other", or reload the page.`, 'image');
    }
    if (this.task !== task) return;
    this.image = image;
    this.showOverlay(null);
    this.updateControls();
    this.requestRender(drawnAt => {
      if (this.task !== task) return;
      this.shownAt = drawnAt;
      this.trajectory.start(drawnAt);
      document.body.dataset.instance = task.instanceId;
      document.body.dataset.round = String(task.round);
      this.updateControls();
      if (submitAt !== null) pushTiming('submits', { submitAt, drawnAt });
    });
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
    if (first && this.task) this.viewport.fitRect(this.task.box, BOX_FRACTION);
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
    const { context: ctx, canvas, viewport: view, task } = this;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = '#111418';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    this.el.zoomLevel.textContent = task ? `${Math.round(view.scale * 100)} %` : '';
    if (!task) return;
    const W = task.imageWidth, H = task.imageHeight;

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
    const a = view.toView(task.box.x0, task.box.y0), b = view.toView(task.box.x1, task.box.y1);
    drawBox(ctx, { x0: a.x, y0: a.y, x1: b.x, y1: b.y }, 2);
    for (const click of task.earlierClicks ?? []) {
      const p = view.toView(click.x, click.y);
      drawClick(ctx, p.x, p.y, click.label, { radius: 4.5, faded: true });
    }
    for (const click of this.history.clicks) {
      const p = view.toView(click.x, click.y);
      drawClick(ctx, p.x, p.y, click.label, { radius: 6.5 });
    }
  }

  /** The mask layer filled at the chosen opacity (unless outline only) and outlined; the context is in CSS pixels. */
  drawMask(mask) {
    const { context: ctx, viewport: view, task } = this;
    const kx = view.scale * task.imageWidth / mask.maskWidth, ky = view.scale * task.imageHeight / mask.maskHeight;
    if (!this.outlineOnly) {
      ctx.imageSmoothingEnabled = false;
      ctx.globalAlpha = this.maskOpacity;
      ctx.drawImage(mask.canvas, view.tx + mask.x0 * kx, view.ty + mask.y0 * ky, mask.width * kx, mask.height * ky);
      ctx.globalAlpha = 1;
    }
    const outline = new Path2D();
    outline.addPath(mask.outline, new DOMMatrix([kx, 0, 0, ky, view.tx, view.ty]));
    ctx.lineWidth = OUTLINE_CSS_PX;
    ctx.lineCap = 'square';
    ctx.strokeStyle = `rgb(${MASK_RGB.join(', ')})`;
    ctx.stroke(outline);
  }

  // ----- controls

  get canWork() {
    return !!this.task && !this.busy && !this.leaseLost && this.shownAt !== null;
  }

  updateControls() {
    const work = this.canWork;
    const h = this.history;
    const e = this.el;
    e.undo.disabled = !work || !h.canUndo;
    e.redo.disabled = !work || !h.canRedo;
    e.done.disabled = !work || h.count > 0 || this.imageFailed;
    e.done.title = work && h.count > 0 ? 'Undo your clicks or submit them first' : '';
    e.submit.disabled = !work || h.count === 0;
    e.submit.title = work && h.count === 0 ? 'Click on the image first, or press Done if the mask is good' : '';
    e.skip.disabled = !work;
    e.skipReason.disabled = !work;
    e.release.disabled = !this.task || this.busy || this.leaseLost;
    e.clickCounter.textContent = this.task ? `Clicks ${h.count} of ${h.max}` : 'Clicks 0 of 0';
    const full = !!this.task && h.max > 0 && h.count >= h.max;
    e.clickCounter.classList.toggle('full', full);
    e.clickLimit.hidden = !full;
    if (full) e.clickLimit.textContent = `That is the most clicks for one round (${h.max}). Submit them, or undo one to place it elsewhere.`;
    e.toggleMask.setAttribute('aria-pressed', String(this.showMask));
    e.outlineOnly.setAttribute('aria-pressed', String(this.outlineOnly));
    e.maskOpacity.value = String(this.maskOpacity);
    e.maskOpacityValue.textContent = `${Math.round(this.maskOpacity * 100)} %`;
    e.sessionCount.textContent = this.answered ? `${this.answered} answered in this session` : '';
  }

  bindControls() {
    const e = this.el;
    const act = fn => event => { fn(performance.now()); if (event.detail > 0) this.canvas.focus({ preventScroll: true }); };
    e.undo.addEventListener('click', act(t => this.undo(t)));
    e.redo.addEventListener('click', act(t => this.redo(t)));
    e.done.addEventListener('click', act(t => this.answer('done', t)));
    e.submit.addEventListener('click', act(t => this.answer('submit', t)));
    e.skip.addEventListener('click', act(t => this.answer('skip', t)));
    e.toggleMask.addEventListener('click', act(() => this.toggleMask()));
    e.outlineOnly.addEventListener('click', act(() => this.toggleOutlineOnly()));
    e.maskOpacity.addEventListener('input', () => this.setMaskOpacity(Number(e.maskOpacity.value)));
    e.fit.addEventListener('click', act(() => this.fit(false)));
    e.release.addEventListener('click', act(() => this.release()));
    e.takeNext.addEventListener('click', () => { this.clearTask(); this.clearStatus(); this.fetchNext(); });
    e.skipReason.addEventListener('change', () => this.clearStatus('skip'));
  }

  undo(at) {
    if (!this.canWork || !this.history.undo()) return;
    this.clicksChanged(at);
  }

  redo(at) {
    if (!this.canWork || !this.history.redo()) return;
    this.clicksChanged(at);
  }

  toggleMask() {
    this.showMask = !this.showMask;
    this.updateControls();
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
    this.clearStatus('skip');
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
    if (!this.canWork || !this.image) return;
    const label = event.button === 2 || event.shiftKey ? 'background' : 'foreground';
    if (this.viewport.distanceOutside(p.x, p.y) > OUTSIDE_TOLERANCE_PX) {
      this.setStatus('That click was outside the image; click on the image.', 'click');
      return;
    }
    if (!this.history.canAdd) {
      this.el.clickLimit.hidden = false;
      this.el.clickLimit.textContent = `No more than ${this.history.max} clicks per round: submit them, or undo one to place it elsewhere.`;
      return;
    }
    const q = this.viewport.toImage(p.x, p.y);
    const { x, y } = clampToImage(q.x, q.y, this.task.imageWidth, this.task.imageHeight);
    this.history.add({ x, y, label });
    this.clearStatus('click');
    this.clicksChanged(handledAt);
  }

  sampleTrajectory() {
    if (!this.task || this.shownAt === null || !this.pointer) return;
    const q = this.viewport.toImage(this.pointer.x, this.pointer.y);
    if (q.x < 0 || q.y < 0 || q.x >= this.task.imageWidth || q.y >= this.task.imageHeight) return;
    this.trajectory.add(performance.now(), q.x, q.y);
  }

  // ----- keys

  bindKeys() {
    document.addEventListener('keydown', event => this.onKeyDown(event));
    document.addEventListener('keyup', event => {
      if (event.key === ' ') { this.spaceHeld = false; this.el.stage.classList.remove('panning'); }
    });
    window.addEventListener('blur', () => { this.spaceHeld = false; this.el.stage.classList.remove('panning'); });
  }

  onKeyDown(event) {
    const at = performance.now();
    const target = event.target;
    const tag = target?.tagName;
    // The opacity slider uses only arrow and paging keys, so the shortcuts keep working after it is dragged.
    const typing = (tag === 'INPUT' && target.type !== 'range') || tag === 'TEXTAREA' || tag === 'SELECT' || target?.isContentEditable;
    if (typing) {
      if (event.key === 'Escape' && tag === 'SELECT') this.canvas.focus({ preventScroll: true });
      return;
    }
    // Enter and Space on a focused button or link do what that control does.
    if ((tag === 'BUTTON' || tag === 'A' || tag === 'SUMMARY') && (event.key === 'Enter' || event.key === ' ')) return;
    if (event.altKey) return;
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    if (event.ctrlKey || event.metaKey) {
      if (key === 'z' && !event.shiftKey) { event.preventDefault(); this.undo(at); }
      else if ((key === 'z' && event.shiftKey) || key === 'y') { event.preventDefault(); this.redo(at); }
      return;
    }
    // Held keys would answer twice.
    const once = !event.repeat;
    switch (key) {
      case ' ':
        event.preventDefault();
        this.spaceHeld = true;
        this.el.stage.classList.add('panning');
        return;
      case 'z': if (event.shiftKey) this.redo(at); else this.undo(at); break;
      case 'y': this.redo(at); break;
      case 'Enter': if (once) this.answer('submit', at); break;
      case 'd': if (once) this.answer('done', at); break;
      case 's': if (once) this.answer('skip', at); break;
      case 'm': if (once) this.toggleMask(); break;
      case 'o': if (once) this.toggleOutlineOnly(); break;
      case '[': this.setMaskOpacity(this.maskOpacity - MASK_OPACITY.keyStep); break;
      case ']': this.setMaskOpacity(this.maskOpacity + MASK_OPACITY.keyStep); break;
      case 'f': this.fit(event.shiftKey); break;
      case '+': case '=': this.zoomBy(1.25); break;
      case '-': case '_': this.zoomBy(1 / 1.25); break;
      case '1': case '2': case '3': case '4': case '5': this.chooseSkipReason(Number(key)); break;
      default: return;
    }
    event.preventDefault();
  }

  // ----- live preview

  clicksChanged(clickAt) {
    this.clearStatus('hint');
    this.updateControls();
    this.requestRender();
    this.requestPreview(clickAt);
  }

  abortPreview() {
    this.previewSeq++;
    clearTimeout(this.warmingTimer);
    this.warmingTimer = 0;
    if (this.previewAbort) { this.previewAbort.abort(); this.previewAbort = null; }
    if (this.el) this.el.modelStatus.textContent = '';
  }

  /** Asks the model for the mask of this round's clicks; only the latest question's answer is drawn. */
  async requestPreview(clickAt) {
    this.abortPreview();
    const task = this.task;
    const seq = this.previewSeq;
    if (this.history.count === 0) {
      this.previewMask = null;
      this.clearStatus('preview');
      this.requestRender();
      return;
    }
    if (this.previewUnavailable) return;
    const controller = new AbortController();
    this.previewAbort = controller;
    this.warmingTimer = setTimeout(() => {
      if (seq === this.previewSeq) this.el.modelStatus.textContent = 'The model is warming up…';
    }, WARMING_AFTER_MS);
    const body = { round: task.round, clicks: this.history.payload() };
    let answer;
    try {
      answer = await api('POST', `${this.base}/tasks/${enc(task.instanceId)}/preview`, body, { signal: controller.signal });
    } catch (e) {
      if (e?.name === 'AbortError' || seq !== this.previewSeq) return;
      this.previewAbort = null;
      clearTimeout(this.warmingTimer);
      this.el.modelStatus.textContent = '';
      this.onPreviewError(e);
      return;
    }
    if (seq !== this.previewSeq || this.task !== task) return;
    this.previewAbort = null;
    clearTimeout(this.warmingTimer);
    this.el.modelStatus.textContent = '';
    this.clearStatus('preview');
    this.previewMask = maskLayer(answer.mask) ?? EMPTY_MASK;
    const timing = answer.timing ?? {};
    this.showModelTime(timing, answer.modelScore);
    this.requestRender(drawnAt => {
      if (seq !== this.previewSeq || this.task !== task) return;
      this.previewsDrawn++;
      document.body.dataset.previewSeq = String(this.previewsDrawn);
      pushTiming('previews', { clickAt, drawnAt, serverMs: timing.serverMs ?? null, modelMs: timing.modelMs ?? null });
    });
  }

  showModelTime(timing, modelScore) {
    const ms = Number.isFinite(timing.modelMs) ? timing.modelMs : timing.serverMs;
    this.el.modelTime.textContent = Number.isFinite(ms) ? `model ${Math.round(ms)} ms` : '';
    const parts = [];
    const add = (name, value) => { if (Number.isFinite(value)) parts.push(`${name} ${Math.round(value)} ms`); };
    add('server', timing.serverMs); add('model', timing.modelMs); add('queue', timing.queueMs);
    add('encoder', timing.encoderMs); add('decoder', timing.decoderMs);
    if (Number.isFinite(modelScore)) parts.push(`model's own IoU estimate ${modelScore.toFixed(2)}`);
    this.el.modelTime.title = parts.join(', ');
  }

  onPreviewError(e) {
    if (e instanceof ApiError && e.code === 'lease_not_held') return this.onLeaseLost();
    if (e instanceof ApiError && e.code === 'wrong_status' && e.field === 'modelName') {
      // Masks of this campaign come from outside: there is no model to ask, clicks are still recorded.
      this.previewUnavailable = true;
      this.el.modelTime.textContent = 'no live preview in this campaign';
      return;
    }
    this.setStatus(`The model could not redraw the mask: ${describeError(e)}`, 'preview');
  }

  // ----- answers

  /** Submit (this round's clicks), done (0 clicks: the mask is good) or skip (with a reason). */
  async answer(kind, actionAt) {
    if (!this.canWork) return;
    const task = this.task;
    const h = this.history;
    if (kind === 'submit' && h.count === 0) {
      this.setStatus('No clicks in this round yet. If the mask is good, press Done (D).', 'hint');
      return;
    }
    if (kind === 'done' && h.count > 0) {
      this.setStatus('This round has clicks: Submit them (Enter), or undo them (Z) if the mask was good.', 'hint');
      return;
    }
    if (kind === 'done' && this.imageFailed) return;
    const reason = this.el.skipReason.value;
    if (kind === 'skip' && !reason) {
      this.setStatus('Choose why you skip this object (keys 1–5 or the list), then Skip again.', 'skip');
      return;
    }
    this.clearStatus('hint');

    // The same id until the server has answered, so a resend after a lost answer cannot count twice.
    if (!this.pending || this.pending.instanceId !== task.instanceId || this.pending.round !== task.round)
      this.pending = { instanceId: task.instanceId, round: task.round, submissionId: newSubmissionId() };
    const secondsSpent = Math.round(Math.max(0, actionAt - (this.shownAt ?? actionAt))) / 1000;
    const body = kind === 'skip'
      ? { submissionId: this.pending.submissionId, round: task.round, secondsSpent, reason, trajectory: this.trajectory.latest() }
      : { submissionId: this.pending.submissionId, round: task.round, clicks: kind === 'done' ? [] : h.payload(), secondsSpent, trajectory: this.trajectory.latest() };
    const path = `${this.base}/tasks/${enc(task.instanceId)}/${kind === 'skip' ? 'skip' : 'submit'}?next=true`;

    this.abortPreview();
    this.busy = true;
    this.updateControls();
    const button = { submit: this.el.submit, done: this.el.done, skip: this.el.skip }[kind];
    button.setAttribute('aria-busy', 'true');
    try {
      const { json, response } = await this.sendAnswer(path, body);
      const result = json ?? {};
      this.busy = false;
      if (this.task !== task) return;
      this.pending = null;
      this.answered++;
      this.clearStatus('answer');
      this.flash(answerNote(kind, task.instanceId, body.clicks?.length ?? 0));
      if (result.next) this.showTask(result.next, actionAt);
      else this.goIdle(retryAfterSeconds(response.headers.get('Retry-After'), Date.now(), 1));
    } catch (e) {
      this.busy = false;
      if (this.task !== task) return;
      if (!outcomeUnknown(e)) this.pending = null;
      this.onAnswerError(e, kind);
    } finally {
      button.removeAttribute('aria-busy');
      this.updateControls();
    }
  }

  /** Sends the answer, resending the same body after network failures. */
  async sendAnswer(path, body) {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.call('POST', path, body);
      } catch (e) {
        if (!outcomeUnknown(e) || attempt >= NETWORK_RETRIES_MS.length) throw e;
        this.setStatus(`The server did not confirm your answer (${describeError(e)}); sending it again…`, 'answer');
        await new Promise(resolve => setTimeout(resolve, NETWORK_RETRIES_MS[attempt]));
      }
    }
  }

  onAnswerError(e, kind) {
    const again = { submit: 'Submit', done: 'Done', skip: 'Skip' }[kind];
    if (e instanceof ApiError && e.code === 'lease_not_held') return this.onLeaseLost();
    if (e instanceof ApiError && e.code === 'not_qualified') {
      this.setStatus('Your answer was refused: a manager has to qualify you before you can annotate.', 'answer');
      return;
    }
    if (e instanceof ApiError && (e.code === 'wrong_round' || e.code === 'wrong_status')) {
      this.leaseLost = true;
      this.updateControls();
      this.showOverlay('lease', `This object has moved on (${describeError(e)}), so this answer was not needed. Take the next object to go on.`);
      return;
    }
    if (e instanceof ApiError && e.code === 'campaign_not_running') {
      this.goIdle(NOT_RUNNING_POLL_S, 'This campaign was paused or finished, so your last answer was not stored. This page checks again by itself.');
      return;
    }
    if (outcomeUnknown(e)) {
      this.setStatus(`Your answer may not have arrived: ${describeError(e)}. Press ${again} again to resend it; it will not count twice.`, 'answer');
      return;
    }
    this.setStatus(`Your answer was refused: ${describeError(e)}`, 'answer');
  }

  onLeaseLost() {
    this.abortPreview();
    this.leaseLost = true;
    this.busy = false;
    this.pending = null;
    this.updateControls();
    this.showOverlay('lease', 'Your hold on this object ended: its time ran out or it went to someone else, so your clicks on it were not stored. Take the next object to go on.');
  }

  async release() {
    if (!this.task || this.busy) return;
    const n = this.history.count;
    if (n > 0 && !window.confirm(`Give object ${this.task.instanceId} back? Your ${n === 1 ? 'click' : `${n} clicks`} in this round will not be stored.`)) return;
    this.abortPreview();
    this.busy = true;
    this.updateControls();
    try {
      await api('POST', `${this.base}/tasks/release`);
      this.clearTask();
      this.showOverlay('released', 'You gave the object back; someone else can take it. Take the next object when you want to go on.');
    } catch (e) {
      this.setStatus(`Could not give the object back: ${describeError(e)}`, 'release');
    } finally {
      this.busy = false;
      this.updateControls();
    }
  }

  // ----- lease clock

  updateLease() {
    const el = this.el.leaseExpiry;
    if (!this.task || this.leaseLost || !Number.isFinite(this.leaseExpiresAt)) {
      el.textContent = '';
      el.classList.remove('lease-short');
      return;
    }
    const remaining = this.leaseExpiresAt - Date.now();
    el.textContent = remaining > 0 ? `Time left on this object: ${formatRemaining(remaining)}`
      : 'The time on this object is up: the server may refuse this answer';
    el.classList.toggle('lease-short', remaining < LEASE_SHORT_MS);
  }
}

function pushTiming(kind, entry) {
  const list = window.annotationTimings[kind];
  list.push(entry);
  if (list.length > TIMINGS_KEPT) list.splice(0, list.length - TIMINGS_KEPT);
}

async function boot() {
  const status = document.getElementById('status');
  try {
    const user = await requireUser();
    renderNav(user);
    const campaignId = new URLSearchParams(location.search).get('campaign');
    if (!campaignId) {
      document.getElementById('loading-message').textContent = 'No campaign chosen.';
      status.textContent = 'Open this page from My campaigns: the address names no campaign.';
      return;
    }
    document.title = `${campaignId} · Annotate`;
    new AnnotationPage(campaignId).start();
  } catch (e) {
    status.textContent = `The page could not start: ${describeError(e)}`;
  }
}

if (typeof document !== 'undefined') boot();
