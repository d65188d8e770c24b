// The paint page: a painter takes one object at a time (image, box, class policy) and paints its reference mask from
// scratch with a brush, an eraser, straight-line polygons and flood fill; the mask goes to the server as COCO RLE.
import { api, problemText, ApiError, enc, clockSkewOf, jsonOf } from './api.js';
import { bootCampaignPage } from './nav.js';
import { encodeMask } from './masks.js';
import { clamp } from './viewport.js';
import { PaintStage, loadImage } from './paintstage.js';

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
    // The image, box and painting on the canvas with the tools of the panel; the page is its host (canPaint, hint...).
    const e = this.el;
    this.stage = new PaintStage({
      stage: e.stage, canvas: e.paintCanvas, zoomLevel: e.zoomLevel, toolHint: e.toolHint,
      toolButtons: [...document.querySelectorAll('[data-tool]')], brushSize: e.brushSize, brushSizeValue: e.brushSizeValue,
      undo: e.undo, redo: e.redo, clear: e.clear, fit: e.fit, toggleMask: e.toggleMask, paintedArea: e.paintedArea,
    }, this);
    this.canvas = this.stage.canvas;

    this.task = null;
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
    this.statusIsHint = false;
  }

  /** The painting of the task on screen, null without one. */
  get bitmap() { return this.stage.bitmap; }

  start() {
    this.el.campaignName.textContent = this.campaignId;
    this.stage.exposeHook();
    this.bindControls();
    this.stage.start();
    this.bindKeys();
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
    this.updateControls();
    this.fetchNext();
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
    this.clockSkew = clockSkewOf(response, this.clockSkew);
    return { response, json: await jsonOf(response) };
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
    this.stage.clear();
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
  }

  async showTask(task) {
    this.clearTask();
    this.setStatus('');
    this.task = task;
    this.submissionId = newSubmissionId();
    this.stage.show(task);
    this.leaseExpiresAt = Date.parse(task.leaseExpiresAt) - this.clockSkew;
    this.el.className.textContent = task.className || '(no class)';
    this.el.classPolicy.textContent = task.classPolicy || 'No instructions for this class.';
    this.el.classPolicy.classList.toggle('muted', !task.classPolicy);
    this.el.instanceId.textContent = task.instanceId;
    this.el.instanceLine.hidden = false;
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
    this.stage.image = image;
    this.showMessage(null);
    this.stage.requestRender(drawnAt => {
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
    if (kind === 'submit' && this.stage.polygon) {
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

  // ----- the stage's host

  get canWork() {
    return !!this.task && !this.busy && !this.leaseLost && this.shownAt !== null;
  }

  canPaint() {
    return this.canWork;
  }

  changed() {
    this.updateControls();
  }

  chooseSkipReason(index) {
    const select = this.el.skipReason;
    if (select.disabled || index >= select.options.length) return;
    select.selectedIndex = index;
    this.clearHint();
  }

  // ----- controls

  updateControls() {
    const work = this.canWork;
    const e = this.el;
    this.stage.updateControls(work);
    e.submit.disabled = !work;
    e.skip.disabled = !work;
    e.skipReason.disabled = !work;
    e.release.disabled = !this.task || this.busy || this.leaseLost;
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
    // The tools, brush size, undo, redo, clear, fit and mask buttons are the stage's.
    e.submit.addEventListener('click', act(() => this.answer('submit')));
    e.skip.addEventListener('click', act(() => this.answer('skip')));
    e.release.addEventListener('click', act(() => this.release()));
    e.tryAgain.addEventListener('click', () => { this.setStatus(''); this.fetchNext(); });
    e.skipReason.addEventListener('change', () => this.clearHint());
  }

  // ----- keys

  bindKeys() {
    document.addEventListener('keydown', event => this.onKeyDown(event));
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
    const plain = !event.ctrlKey && !event.metaKey && !event.altKey;
    if ((event.ctrlKey || event.metaKey) && key === 'Enter') {
      if (event.repeat) return;
      event.preventDefault();
      this.answer('submit');
    } else if (plain && key === 's') {
      event.preventDefault();
      if (!event.repeat) this.answer('skip');
    } else if (plain && ['1', '2', '3', '4', '5'].includes(key)) {
      event.preventDefault();
      this.chooseSkipReason(Number(key));
    } else {
      // Undo and redo, the tools, Enter on an open polygon, the brush size, the mask, fit, zoom and pan.
      this.stage.handleKey(event, key);
    }
  }
}

bootCampaignPage('Paint', 'stage-text', campaignId => new PaintPage(campaignId).start());
