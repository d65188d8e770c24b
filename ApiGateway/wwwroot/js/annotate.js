// The annotation page: one object at a time, its box and current mask over the image; the annotator
// corrects the mask with up to K clicks per round (live preview from the model), accepts it, or skips it.
import { api, describeError, ApiError, enc, clockSkewOf, jsonOf } from './api.js';
import { bootCampaignPage } from './nav.js';
import { ClickStage, ImageCache } from './clickstage.js';

// The canvas, the clicks and the mask layers live in clickstage.js and masklayer.js (shared with the qualification
// test); they are exported from here too, as before.
export { ClickHistory, clampOpacity, readMaskLook } from './clickstage.js';
export { maskRegion, outlineSegments, maskLayer } from './masklayer.js';

const WARMING_AFTER_MS = 1500;     // a preview slower than this gets a "warming up" note
const TRAJECTORY_EVERY_MS = 50;
const TRAJECTORY_POINTS = 4000;
const IMAGE_CACHE_SIZE = 4;
const TIMINGS_KEPT = 2000;
const NETWORK_RETRIES_MS = [800, 2500];
const NOT_RUNNING_POLL_S = 15;
const LEASE_SHORT_MS = 120_000;    // the time left is shown prominently below this
const FLASH_MS = 2000;

// ---------------------------------------------------------------------------------------------
// Pure pieces (exported for tests)

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
    // The image, box, mask and clicks on the canvas, with zoom and pan; the page is its host (canClick, click...).
    this.stage = new ClickStage({ stage: this.el.stage, canvas: this.el.imageCanvas, zoomLevel: this.el.zoomLevel }, this);
    this.canvas = this.stage.canvas;
    this.history = this.stage.history;
    this.images = new ImageCache(IMAGE_CACHE_SIZE);
    this.trajectory = new Trajectory();

    this.task = null;             // the task on screen (or loading)
    this.imageFailed = false;
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
    this.statusFrom = null;       // which part of the page set the status line
    this.overlay = 'loading';     // what the message over the image says, null when none
    this.answered = 0;
    this.flashTimer = 0;

    window.annotationTimings = { previews: [], submits: [] };
  }

  start() {
    this.el.campaignName.textContent = this.campaignId;
    this.bindControls();
    this.stage.start();
    this.bindKeys();
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
    this.clockSkew = clockSkewOf(response, this.clockSkew);
    return { response, json: await jsonOf(response) };
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
    this.stage.clear();
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
    // The image is decoded off the main thread while the stage builds the mask's layer and fits the box.
    const imagePromise = this.images.get(task.imageUrl);
    this.stage.show(task);
    this.imageFailed = false;
    this.previewsDrawn = 0;
    this.previewUnavailable = false;
    this.leaseLost = false;
    this.shownAt = null;
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

    this.showOverlay('loading', 'Loading the image…');
    let image = null;
    try {
      image = await imagePromise;
    } catch {
      if (this.task !== task) return;
      this.imageFailed = true;
      this.setStatus(`The image of object ${task.instanceId} could not be loaded (${task.imageUrl}). Skip it with the reason "Other", or reload the page.`, 'image');
    }
    if (this.task !== task) return;
    this.stage.image = image;
    this.showOverlay(null);
    this.updateControls();
    this.stage.requestRender(drawnAt => {
      if (this.task !== task) return;
      this.shownAt = drawnAt;
      this.trajectory.start(drawnAt);
      document.body.dataset.instance = task.instanceId;
      document.body.dataset.round = String(task.round);
      this.updateControls();
      if (submitAt !== null) pushTiming('submits', { submitAt, drawnAt });
    });
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
    const s = this.stage;
    e.toggleMask.setAttribute('aria-pressed', String(s.showMask));
    e.outlineOnly.setAttribute('aria-pressed', String(s.outlineOnly));
    e.maskOpacity.value = String(s.maskOpacity);
    e.maskOpacityValue.textContent = `${Math.round(s.maskOpacity * 100)} %`;
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
    e.toggleMask.addEventListener('click', act(() => this.stage.toggleMask()));
    e.outlineOnly.addEventListener('click', act(() => this.stage.toggleOutlineOnly()));
    e.maskOpacity.addEventListener('input', () => this.stage.setMaskOpacity(Number(e.maskOpacity.value)));
    e.fit.addEventListener('click', act(() => this.stage.fit(false)));
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

  chooseSkipReason(index) {
    const select = this.el.skipReason;
    if (select.disabled || index >= select.options.length) return;
    select.selectedIndex = index;
    this.clearStatus('skip');
  }

  // ----- the stage's host: clicks on the canvas

  canClick() {
    return this.canWork;
  }

  clickOutside() {
    this.setStatus('That click was outside the image; click on the image.', 'click');
  }

  clickLimitReached() {
    this.el.clickLimit.hidden = false;
    this.el.clickLimit.textContent = `No more than ${this.history.max} clicks per round: submit them, or undo one to place it elsewhere.`;
  }

  clickAdded(at) {
    this.clearStatus('click');
    this.clicksChanged(at);
  }

  lookChanged() {
    this.updateControls();
  }

  sampleTrajectory() {
    const pointer = this.stage.pointer;
    if (!this.task || this.shownAt === null || !pointer) return;
    const q = this.stage.viewport.toImage(pointer.x, pointer.y);
    if (q.x < 0 || q.y < 0 || q.x >= this.task.imageWidth || q.y >= this.task.imageHeight) return;
    this.trajectory.add(performance.now(), q.x, q.y);
  }

  // ----- keys

  bindKeys() {
    document.addEventListener('keydown', event => this.onKeyDown(event));
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
      case 'z': if (event.shiftKey) this.redo(at); else this.undo(at); break;
      case 'y': this.redo(at); break;
      case 'Enter': if (once) this.answer('submit', at); break;
      case 'd': if (once) this.answer('done', at); break;
      case 's': if (once) this.answer('skip', at); break;
      case '1': case '2': case '3': case '4': case '5': this.chooseSkipReason(Number(key)); break;
      // Space (pan), M, O, [ ], F, + and −: the view's keys.
      default: this.stage.viewKey(key, event); return;
    }
    event.preventDefault();
  }

  // ----- live preview

  clicksChanged(clickAt) {
    this.clearStatus('hint');
    this.updateControls();
    this.stage.requestRender();
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
      this.stage.previewMask = null;
      this.clearStatus('preview');
      this.stage.requestRender();
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
    this.stage.setPreview(answer.mask);
    const timing = answer.timing ?? {};
    this.showModelTime(timing, answer.modelScore);
    this.stage.requestRender(drawnAt => {
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

if (typeof document !== 'undefined') bootCampaignPage('Annotate', 'loading-message', campaignId => new AnnotationPage(campaignId).start());
