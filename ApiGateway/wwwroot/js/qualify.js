// The qualification test (qualify.html?kind=corrective|painting): an annotator without the qualification answers a
// manager's short list of objects, each scored against its reference mask as soon as it is answered (where the clicks
// should have gone, how close the painting came); after the last one the server says passed or failed. The canvas of
// each kind is the annotation page's (clickstage.js) or the paint page's (paintstage.js).
//
// Test hooks: document.body.dataset.qualifyState is intro | item | feedback | result once that state is on screen,
// document.body.dataset.item the index of the item drawn (dataset.previewSeq counts the corrective previews drawn for
// it); window.qualifyPage.toScreen(x, y), .item(), .feedback(); window.paintPage as on paint.html for painting.
import { api, requireUser, problemText, ApiError, enc, clockSkewOf, jsonOf } from './api.js';
import { renderNav } from './nav.js';
import { maskLayer, drawMaskLayer } from './masklayer.js';
import { ClickStage, ImageCache } from './clickstage.js';
import { PaintStage, loadImage } from './paintstage.js';

export const KINDS = ['corrective', 'painting'];
const WARMING_AFTER_MS = 1500;
const REFERENCE_STROKE = '#22d3ee';
const VERDICT_COLOURS = { corrects: '#22c55e', redundant: '#9ca3af', unjudged: '#9ca3af', contradicts: '#ef4444' };
const LABEL_COLOURS = { foreground: '#22c55e', background: '#ef4444' };

const TEXT = {
  corrective: {
    title: 'Corrective clicks test',
    qualification: 'corrective-click qualification',
    what: n => `The test shows ${n === 1 ? '1 object with' : `${n} objects, one at a time, each with`} its box and the model's mask (magenta).`,
    how: 'Click where the mask is wrong: left click on missed object parts, Shift+click or right click on wrongly covered background; press D if the mask is already good.',
    note: 'Click where the mask is wrong: left click on a missed part of the object, Shift+click or right click on wrongly covered background. Press D if the mask is already good.',
    canvas: 'The object of this test item. Left click marks a missed part of the object, right click or Shift+click marks a wrongly covered part.',
    passed: 'You can now annotate in your campaigns.',
    labels: {
      undo: ['Undo', 'Z', 'Z'], redo: ['Redo', 'Y', 'Y Shift+Z'], submit: ['Submit clicks', 'Enter', 'Enter'], fit: ['Fit', 'F', 'F'],
    },
  },
  painting: {
    title: 'Painting test',
    qualification: 'painting qualification',
    what: n => `The test shows ${n === 1 ? '1 object with' : `${n} objects, one at a time, each with`} its box.`,
    how: 'Paint the whole object from scratch with the brush, straight lines (polygons) and fill, then submit the mask.',
    note: 'Paint the whole object inside the box: the brush, Lines and Fill add, the eraser removes.',
    canvas: 'The object to paint. Drag to paint with the brush or the eraser; in Lines mode click the corners of a polygon; in Fill mode click inside an outline to fill it.',
    passed: 'You can now paint reference masks in your campaigns.',
    labels: {
      undo: ['Undo', 'Ctrl+Z', 'Control+Z'], redo: ['Redo', 'Ctrl+Y', 'Control+Shift+Z Control+Y'],
      submit: ['Submit mask', 'Ctrl+Enter', 'Control+Enter'], fit: ['Fit', '0', '0'],
    },
  },
};

// ---------------------------------------------------------------------------------------------
// Pure pieces (exported for tests)

export function plural(n, one, many) { return `${n} ${n === 1 ? one : many}`; }

/** "87 %" for 0.87; "–" for a missing figure. */
export function percent(value) {
  return Number.isFinite(value) ? `${Math.round(value * 100)} %` : '–';
}

/** "9:05" or "1:02:03" for a number of milliseconds, rounded up to the second. */
export function countdown(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** The local time of `at` (ms) as the person reads it: "14:05", with the date when it is not today. */
export function clockTime(at, now = Date.now()) {
  const date = new Date(at);
  const time = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return new Date(now).toDateString() === date.toDateString()
    ? time : `${date.toLocaleDateString([], { day: 'numeric', month: 'short' })} ${time}`;
}

/** What a click's verdict means, for the list under the score. */
export function verdictText(verdict) {
  switch (verdict) {
    case 'corrects': return 'corrected the mask';
    case 'redundant': return 'changed nothing: the mask was already right there';
    case 'contradicts': return 'the wrong way: the reference says the opposite there';
    default: return 'not judged: too close to the object\'s edge';
  }
}

/** One sentence on the suggested clicks: how many, and of which kind. */
export function suggestedText(suggested, clickCount) {
  const add = suggested.filter(c => c.label === 'foreground').length;
  const remove = suggested.length - add;
  if (!suggested.length) return clickCount ? 'The mask needed no clicks: it was already good (D).' : 'Right: the mask needed no clicks.';
  const parts = [];
  if (add) parts.push(`${plural(add, 'click', 'clicks')} on missed object parts (+)`);
  if (remove) parts.push(`${plural(remove, 'click', 'clicks')} on wrongly covered background (−)`);
  return `Hollow rings: where clicks would have corrected the mask, ${parts.join(' and ')}.`;
}

/** Whether a feedback is the attempt's last: the server says so, or it carries the result. */
export function finished(feedback) {
  return feedback.finished ?? (feedback.result != null || feedback.item + 1 >= feedback.of);
}

/** The text as a sentence: with a full stop unless it already ends with one. */
export function sentence(text) {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** An error after which the server may or may not have stored the answer. */
function outcomeUnknown(error) {
  return !(error instanceof ApiError) || error.status === 0 || error.status >= 500;
}

// ---------------------------------------------------------------------------------------------
// Drawing the feedback (in CSS pixels)

/** A plus (object) or minus (not object) of half-width r at (x, y). */
function glyph(ctx, x, y, label, r) {
  ctx.beginPath();
  ctx.moveTo(x - r, y);
  ctx.lineTo(x + r, y);
  if (label === 'foreground') {
    ctx.moveTo(x, y - r);
    ctx.lineTo(x, y + r);
  }
  ctx.stroke();
}

/** The annotator's click: a disc in its verdict's colour with its label's sign. */
function drawJudgedClick(ctx, x, y, click) {
  ctx.save();
  ctx.beginPath();
  ctx.arc(x, y, 8, 0, Math.PI * 2);
  ctx.fillStyle = VERDICT_COLOURS[click.verdict] ?? VERDICT_COLOURS.unjudged;
  ctx.fill();
  ctx.lineWidth = 2;
  ctx.strokeStyle = '#ffffff';
  ctx.stroke();
  ctx.lineWidth = 2.5;
  ctx.lineCap = 'round';
  ctx.strokeStyle = '#111418';
  glyph(ctx, x, y, click.label, 4);
  ctx.restore();
}

/** A suggested click: a hollow ring in its label's colour with the label's sign. */
function drawSuggestedClick(ctx, x, y, label) {
  const colour = LABEL_COLOURS[label] ?? '#ffffff';
  ctx.save();
  ctx.beginPath();
  ctx.arc(x, y, 11, 0, Math.PI * 2);
  ctx.lineWidth = 5;
  ctx.strokeStyle = 'rgba(17, 20, 24, 0.75)';
  ctx.stroke();
  ctx.lineWidth = 2.5;
  ctx.strokeStyle = colour;
  ctx.stroke();
  ctx.lineCap = 'round';
  ctx.lineWidth = 4.5;
  ctx.strokeStyle = 'rgba(17, 20, 24, 0.75)';
  glyph(ctx, x, y, label, 4.5);
  ctx.lineWidth = 2;
  ctx.strokeStyle = colour;
  glyph(ctx, x, y, label, 4.5);
  ctx.restore();
}

/** The reference's outline, dark under cyan so it shows on any image. */
function drawReference(ctx, layer, view, width, height) {
  drawMaskLayer(ctx, layer, view, width, height, { opacity: 0, stroke: 'rgba(17, 20, 24, 0.8)', lineWidth: 4 });
  drawMaskLayer(ctx, layer, view, width, height, { opacity: 0, stroke: REFERENCE_STROKE, lineWidth: 2 });
}

// ---------------------------------------------------------------------------------------------
// The page

class QualifyPage {
  constructor(kind) {
    this.kind = kind;
    this.text = TEXT[kind];
    this.base = `/api/v1/me/qualifications/${enc(kind)}`;
    this.el = Object.fromEntries([
      'card-view', 'intro', 'intro-title', 'intro-loading', 'intro-body', 'intro-what', 'intro-how', 'intro-scoring',
      'intro-thresholds', 'intro-last', 'intro-qualified', 'intro-wait', 'start', 'intro-campaigns', 'result',
      'result-title', 'result-summary', 'result-figures', 'result-retry', 'retry', 'result-campaigns', 'card-status',
      'work-view', 'stage', 'qualify-canvas', 'stage-message', 'stage-text', 'tool-hint', 'zoom-level', 'test-title',
      'item-line', 'class-name', 'class-policy', 'answer-controls', 'task-note', 'click-counter', 'click-limit',
      'brush-size', 'brush-size-value', 'undo', 'redo', 'clear', 'painted-area', 'done', 'submit', 'feedback',
      'feedback-title', 'feedback-iou', 'feedback-clicks', 'feedback-suggested', 'feedback-painting', 'next',
      'toggle-mask', 'outline-only', 'fit', 'mask-opacity', 'mask-opacity-value', 'status',
    ].map(id => [id.replace(/-(\w)/g, (_, c) => c.toUpperCase()), document.getElementById(id)]));
    this.canvas = this.el.qualifyCanvas;

    this.state = 'loading';        // intro | item | feedback | result, as on screen
    this.status = null;            // this kind's entry of GET /me/qualifications
    this.item = null;              // the item on screen (feedback included)
    this.feedback = null;          // the latest item's feedback
    this.reference = null;         // maskLayer of its reference
    this.shownAt = null;           // performance.now() when the item was drawn
    this.busy = false;             // a request that changes the attempt is on its way
    this.clockSkew = 0;            // server clock minus local clock
    this.waitUntil = null;         // local ms when a retry is allowed (intro or result), null when none
    this.previewSeq = 0;
    this.previewAbort = null;
    this.previewsDrawn = 0;
    this.warmingTimer = 0;
    this.images = new ImageCache(2);
  }

  start() {
    document.body.classList.toggle('paint-page', this.kind === 'painting');
    for (const element of document.querySelectorAll('[data-kind]')) if (element.dataset.kind !== this.kind) element.remove();
    for (const [id, [label, keys, shortcuts]] of Object.entries(this.text.labels)) {
      const button = this.el[id];
      const kbd = document.createElement('kbd');
      kbd.textContent = keys;
      button.replaceChildren(`${label} `, kbd);
      button.setAttribute('aria-keyshortcuts', shortcuts);
    }
    this.el.testTitle.textContent = this.text.title;
    this.el.introTitle.textContent = this.text.title;
    document.title = `${this.text.title} · Annotate`;
    this.el.taskNote.textContent = this.text.note;
    this.canvas.setAttribute('aria-label', this.text.canvas);

    const e = this.el;
    if (this.kind === 'corrective') {
      this.stage = new ClickStage({ stage: e.stage, canvas: this.canvas, zoomLevel: e.zoomLevel }, this);
      this.history = this.stage.history;
    } else {
      this.stage = new PaintStage({
        stage: e.stage, canvas: this.canvas, zoomLevel: e.zoomLevel, toolHint: e.toolHint,
        toolButtons: [...document.querySelectorAll('[data-tool]')], brushSize: e.brushSize, brushSizeValue: e.brushSizeValue,
        undo: e.undo, redo: e.redo, clear: e.clear, fit: e.fit, toggleMask: e.toggleMask, paintedArea: e.paintedArea,
      }, this);
      this.stage.exposeHook();
    }
    this.exposeHook();
    this.bindControls();
    this.stage.start();
    document.addEventListener('keydown', event => this.onKeyDown(event));
    setInterval(() => this.tick(), 1000);
    window.addEventListener('beforeunload', event => {
      if (this.state === 'item' && (this.busy || this.hasWork())) {
        event.preventDefault();
        event.returnValue = '';
      }
    });
    this.updateControls();
    this.loadStatus();
  }

  exposeHook() {
    window.qualifyPage = Object.freeze({
      kind: this.kind,
      toScreen: (x, y) => this.stage.toScreen(x, y),
      item: () => (this.item ? structuredClone(this.item) : null),
      feedback: () => (this.feedback ? structuredClone(this.feedback) : null),
    });
  }

  /** Sets the state once it is on screen, for the person (views) and the tests (dataset). */
  setState(state) {
    this.state = state;
    const working = state === 'item' || state === 'feedback';
    this.el.cardView.hidden = working;
    this.el.workView.hidden = !working;
    this.el.intro.hidden = state !== 'intro';
    this.el.result.hidden = state !== 'result';
    document.body.dataset.qualifyState = state;
    if (!working) delete document.body.dataset.item;
    for (const element of document.querySelectorAll('[data-phase]')) element.hidden = element.dataset.phase !== (state === 'feedback' ? 'feedback' : 'item');
    this.updateControls();
  }

  // ----- calls

  async call(method, path, body, options = {}) {
    const response = await api(method, path, body, { ...options, raw: true });
    this.clockSkew = clockSkewOf(response, this.clockSkew);
    return jsonOf(response);
  }

  /** Local milliseconds of a server time (ISO), or null. */
  localTime(iso) {
    const at = Date.parse(iso ?? '');
    return Number.isFinite(at) ? at - this.clockSkew : null;
  }

  // ----- intro

  async loadStatus() {
    this.setCardStatus('');
    try {
      const all = await this.call('GET', '/api/v1/me/qualifications');
      const list = Array.isArray(all) ? all : all?.qualifications ?? [];
      this.status = list.find(q => q.kind === this.kind) ?? { kind: this.kind, qualified: false, testAvailable: false, items: 0 };
      this.showIntro();
    } catch (e) {
      this.el.introLoading.textContent = 'Your qualifications could not be loaded.';
      this.setCardStatus(`Could not load your qualifications: ${problemText(e)}`);
      this.setState('intro');
    }
  }

  showIntro() {
    const s = this.status;
    const e = this.el;
    e.introWait.hidden = true;
    const items = Number(s.items ?? s.testItems ?? 0);
    e.introLoading.hidden = true;
    e.introBody.hidden = s.qualified || !s.testAvailable;
    e.introWhat.textContent = this.text.what(items);
    e.introHow.textContent = this.text.how;
    e.introScoring.textContent = 'Each answer is scored at once against a reference mask, and you see how close you came'
      + (this.kind === 'corrective' ? ' and where clicks should have gone.' : '.')
      + ' After the last object you learn whether you passed.';
    const thresholds = [];
    if (Number.isFinite(s.minMeanIoU)) thresholds.push(`a mean overlap (IoU) of at least ${percent(s.minMeanIoU)}`);
    if (Number.isFinite(s.minRightPolarityShare)) thresholds.push(`at least ${percent(s.minRightPolarityShare)} of the judged clicks the right way (object or not)`);
    e.introThresholds.hidden = !thresholds.length;
    e.introThresholds.textContent = thresholds.length ? `To pass you need ${thresholds.join(' and ')}.` : '';
    const last = s.lastResult;
    e.introLast.hidden = !last || s.qualified;
    if (last) e.introLast.textContent = `Your last attempt ${last.passed ? 'passed' : 'did not pass'}: ${this.figuresText(last)}.`;

    e.introQualified.hidden = !s.qualified;
    e.introQualified.textContent = s.qualified ? `You hold the ${this.text.qualification}. ${this.text.passed}` : '';
    e.introCampaigns.classList.toggle('btn-primary', !!s.qualified);
    const attempt = s.attempt;
    e.start.textContent = attempt ? `Continue the test (object ${Math.min(items, (attempt.item ?? attempt.answered ?? 0) + 1)} of ${items})`
      : last && !last.passed ? 'Take the test again' : 'Start the test';
    this.waitUntil = !s.qualified && !attempt ? this.localTime(s.retryAt) : null;
    if (!s.qualified && !s.testAvailable) {
      this.setCardStatus('');
      e.introWait.hidden = false;
      e.introWait.textContent = `There is no ${this.kind === 'painting' ? 'painting' : 'corrective clicks'} test yet: a manager has to set one, or qualify you by hand.`;
    }
    this.setState('intro');
    this.tick();
    if (!e.start.hidden && !e.start.disabled) e.start.focus({ preventScroll: true });
  }

  figuresText(result) {
    const parts = [`mean IoU ${percent(result.meanIoU)}`];
    if (this.kind === 'corrective' && result.rightPolarityShare != null) parts.push(`clicks the right way ${percent(result.rightPolarityShare)}`);
    return parts.join(', ');
  }

  /** Once a second: the wait before a retry counts down, and Start / Take the test again appear when it is over. */
  tick() {
    const e = this.el;
    const s = this.status;
    if (this.state === 'intro' && s) {
      const waiting = this.waitUntil !== null && this.waitUntil > Date.now();
      const canStart = !s.qualified && !!s.testAvailable && !waiting;
      e.start.hidden = !canStart;
      e.start.disabled = this.busy;
      if (s.testAvailable && !s.qualified) {
        e.introWait.hidden = !waiting;
        e.introWait.textContent = waiting
          ? `You can try again at ${clockTime(this.waitUntil)} (in ${countdown(this.waitUntil - Date.now())}).` : '';
      }
    } else if (this.state === 'result' && this.result && !this.result.passed) {
      const waiting = this.waitUntil !== null && this.waitUntil > Date.now();
      e.retry.disabled = waiting || this.busy;
      e.resultRetry.hidden = false;
      e.resultRetry.classList.toggle('warn', waiting);
      e.resultRetry.classList.toggle('info', !waiting);
      e.resultRetry.textContent = waiting
        ? `You can try again at ${clockTime(this.waitUntil)} (in ${countdown(this.waitUntil - Date.now())}).`
        : 'You can take the test again now.';
    }
  }

  setCardStatus(text) {
    this.el.cardStatus.textContent = text;
  }

  // ----- items

  /** Asks for the attempt's current item (starting an attempt when none is under way) and shows it. */
  async begin() {
    if (this.busy) return;
    this.busy = true;
    this.tick();
    this.setCardStatus('');
    this.setStatus('');
    try {
      await this.fetchItem();
    } finally {
      this.tick();
      this.updateControls();
    }
  }

  /** Asks for the attempt's current item and shows it, while `busy`; a refusal goes to onNextError. */
  async fetchItem() {
    try {
      const item = await this.call('POST', `${this.base}/next`);
      this.busy = false;
      await this.showItem(item);
    } catch (e) {
      this.busy = false;
      this.onNextError(e);
    }
  }

  onNextError(e) {
    const code = e instanceof ApiError ? e.code : null;
    if (code === 'already_qualified' || code === 'retry_later' || code === 'not_initialized') {
      // The status says why, with the time of the next try; the server's words go under it.
      this.loadStatus().then(() => this.setCardStatus(problemText(e)));
      return;
    }
    const text = `Could not get the next object: ${problemText(e)}`;
    if (this.state === 'feedback') this.setStatus(text);
    else this.setCardStatus(text);
  }

  async showItem(item) {
    this.abortPreview();
    this.item = item;
    this.feedback = null;
    this.reference = null;
    this.shownAt = null;
    this.previewsDrawn = 0;
    document.body.dataset.previewSeq = '0';
    const e = this.el;
    e.itemLine.textContent = `Object ${item.item + 1} of ${item.of}`;
    e.className.textContent = item.className || '(no class)';
    e.classPolicy.textContent = item.classPolicy || 'No instructions for this class.';
    e.classPolicy.classList.toggle('muted', !item.classPolicy);
    e.feedback.hidden = true;
    e.answerControls.hidden = false;
    e.toolHint.textContent = '';
    this.setStatus('');
    // The stage needs its size before it fits the box.
    e.cardView.hidden = true;
    e.workView.hidden = false;
    this.stage.resize();
    const imagePromise = this.kind === 'corrective' ? this.images.get(item.imageUrl) : loadImage(item.imageUrl);
    this.stage.show(item);
    this.showStageMessage('Loading the image…');
    this.updateControls();
    let image = null;
    try {
      image = await imagePromise;
    } catch {
      if (this.item !== item) return;
      this.setStatus(`The image of this object could not be loaded (${item.imageUrl}). Reload the page to try again.`);
    }
    if (this.item !== item) return;
    this.stage.image = image;
    this.showStageMessage(null);
    this.stage.requestRender(drawnAt => {
      if (this.item !== item || this.feedback) return;
      this.shownAt = drawnAt;
      document.body.dataset.item = String(item.item);
      this.setState('item');
      this.canvas.focus({ preventScroll: true });
    });
  }

  showStageMessage(text) {
    this.el.stageMessage.hidden = text === null;
    this.el.stageText.textContent = text ?? '';
  }

  get canWork() {
    return this.state === 'item' && !!this.item && !this.feedback && !this.busy && this.shownAt !== null;
  }

  hasWork() {
    return this.kind === 'corrective' ? this.history.count > 0 : (this.stage.bitmap?.count ?? 0) > 0;
  }

  // ----- the stage's host (clicks on the corrective canvas, painting on the other)

  canClick() { return this.canWork; }

  clickOutside() { this.hint('That click was outside the image; click on the image.'); }

  clickLimitReached() {
    this.el.clickLimit.hidden = false;
    this.el.clickLimit.textContent = `No more than ${this.history.max} clicks: submit them, or undo one to place it elsewhere.`;
  }

  clickAdded() {
    this.clicksChanged();
  }

  lookChanged() { this.updateControls(); }

  canPaint() { return this.canWork; }

  hint(text) { this.setStatus(text); this.statusIsHint = true; }

  clearHint() { if (this.statusIsHint) this.setStatus(''); }

  changed() { this.updateControls(); }

  setStatus(text) {
    this.el.status.textContent = text;
    this.statusIsHint = false;
  }

  // ----- corrective clicks and their previews

  undo() {
    if (!this.canWork || !this.history.undo()) return;
    this.clicksChanged();
  }

  redo() {
    if (!this.canWork || !this.history.redo()) return;
    this.clicksChanged();
  }

  clicksChanged() {
    this.clearHint();
    this.updateControls();
    this.stage.requestRender();
    this.requestPreview();
  }

  abortPreview() {
    this.previewSeq++;
    clearTimeout(this.warmingTimer);
    this.warmingTimer = 0;
    if (this.previewAbort) { this.previewAbort.abort(); this.previewAbort = null; }
    this.modelNote('');
  }

  /** The note on the model over the image, unless the feedback's note is there. */
  modelNote(text) {
    if (this.kind === 'corrective' && !this.feedback) this.el.toolHint.textContent = text;
  }

  /** The model's mask for the clicks so far; only the latest question's answer is drawn. Nothing is stored. */
  async requestPreview() {
    this.abortPreview();
    const item = this.item;
    const seq = this.previewSeq;
    if (this.history.count === 0) {
      this.stage.previewMask = null;
      this.stage.requestRender();
      return;
    }
    const controller = new AbortController();
    this.previewAbort = controller;
    this.warmingTimer = setTimeout(() => {
      if (seq === this.previewSeq) this.modelNote('The model is warming up…');
    }, WARMING_AFTER_MS);
    let answer;
    try {
      answer = await api('POST', `${this.base}/items/${item.item}/preview`, { clicks: this.history.payload() }, { signal: controller.signal });
    } catch (e) {
      if (e?.name === 'AbortError' || seq !== this.previewSeq) return;
      this.previewAbort = null;
      clearTimeout(this.warmingTimer);
      this.modelNote('');
      // Once the item is answered the server may refuse previews of it; the feedback shows what counted.
      if (!this.feedback) this.setStatus(`The model could not redraw the mask: ${problemText(e)}`);
      return;
    }
    if (seq !== this.previewSeq || this.item !== item) return;
    this.previewAbort = null;
    clearTimeout(this.warmingTimer);
    this.modelNote('');
    this.stage.setPreview(answer.mask);
    this.stage.requestRender(() => {
      if (seq !== this.previewSeq || this.item !== item) return;
      this.previewsDrawn++;
      document.body.dataset.previewSeq = String(this.previewsDrawn);
    });
  }

  // ----- answers

  /** 'submit' (the clicks, or the painting) or 'done' (corrective: 0 clicks, the mask is good). */
  async answer(kind) {
    if (!this.canWork) return;
    const item = this.item;
    let body;
    if (this.kind === 'corrective') {
      const h = this.history;
      if (kind === 'submit' && h.count === 0) return this.hint('No clicks yet. If the mask is already good, press Done (D).');
      if (kind === 'done' && h.count > 0) return this.hint('You have clicks: submit them (Enter), or undo them (Z) if the mask was good.');
      body = { clicks: kind === 'done' ? [] : h.payload() };
    } else {
      if (this.stage.polygon) return this.hint('A polygon is still open: close it (Enter or double-click) or cancel it (Esc), then submit.');
      if (this.stage.bitmap.count === 0) return this.hint('Nothing is painted yet: paint the object before you submit.');
      body = { mask: this.stage.encoded() };
    }
    body.secondsSpent = Math.max(0.01, Math.round(performance.now() - this.shownAt) / 1000);
    // A preview on its way is left to finish: the mask of the last clicks stays on screen with the feedback.
    this.busy = true;
    this.updateControls();
    const button = kind === 'done' ? this.el.done : this.el.submit;
    button.setAttribute('aria-busy', 'true');
    try {
      // A repeated answer to the same item gets the same feedback, so a resend after a lost answer is safe.
      const feedback = await this.call('POST', `${this.base}/items/${item.item}/submit`, body);
      this.busy = false;
      if (this.item !== item) return;
      this.showFeedback(feedback);
    } catch (e) {
      this.busy = false;
      if (this.item !== item) return;
      const kept = this.kind === 'corrective' ? 'Your clicks are kept' : 'Your painting is kept';
      const again = kind === 'done' ? 'Done' : 'Submit';
      if (outcomeUnknown(e)) this.setStatus(`Your answer may not have arrived: ${sentence(problemText(e))} ${kept}: press ${again} again to resend it.`);
      else this.setStatus(`Your answer was refused: ${sentence(problemText(e))} ${kept}.`);
    } finally {
      button.removeAttribute('aria-busy');
      this.updateControls();
    }
  }

  showFeedback(answer) {
    const e = this.el;
    const item = this.item;
    // The API names it iou; a serializer's camel case of IoU would be ioU.
    const feedback = { ...answer, iou: answer.iou ?? answer.ioU };
    this.feedback = feedback;
    this.reference = feedback.reference ? maskLayer(feedback.reference) : null;
    this.setStatus('');
    e.answerControls.hidden = true;
    e.feedback.hidden = false;
    if (this.kind === 'corrective') e.clickLimit.hidden = true;
    e.feedbackTitle.textContent = `Object ${feedback.item + 1} of ${feedback.of}: scored`;
    e.feedbackIou.textContent = percent(feedback.iou);
    if (this.kind === 'corrective') {
      const clicks = feedback.clicks ?? [];
      const suggested = feedback.suggestedClicks ?? [];
      e.feedbackClicks.replaceChildren(...clicks.map((click, i) => {
        const li = document.createElement('li');
        li.dataset.verdict = click.verdict;
        const swatch = document.createElement('span');
        swatch.className = `verdict-mark verdict-${click.verdict}`;
        swatch.setAttribute('aria-hidden', 'true');
        swatch.textContent = click.label === 'foreground' ? '+' : '−';
        li.append(swatch, `Click ${i + 1} (${click.label === 'foreground' ? 'object' : 'not object'}): ${verdictText(click.verdict)}`);
        return li;
      }));
      e.feedbackClicks.hidden = clicks.length === 0;
      e.feedbackSuggested.textContent = (clicks.length ? '' : 'You accepted the mask with no clicks. ') + suggestedText(suggested, clicks.length);
      this.stage.hideClicks = true;
    } else {
      e.feedbackPainting.textContent = 'Your painting (magenta) against the reference (cyan outline).';
      this.stage.readOnly = true;
    }
    e.toolHint.textContent = `Reference in cyan · IoU ${percent(feedback.iou)}`;
    const width = item.imageWidth, height = item.imageHeight;
    const reference = this.reference;
    this.stage.decorate = (ctx, view) => {
      if (reference) drawReference(ctx, reference, view, width, height);
      if (this.kind !== 'corrective') return;
      for (const click of feedback.suggestedClicks ?? []) {
        const p = view.toView(click.x, click.y);
        drawSuggestedClick(ctx, p.x, p.y, click.label);
      }
      for (const click of feedback.clicks ?? []) {
        const p = view.toView(click.x, click.y);
        drawJudgedClick(ctx, p.x, p.y, click);
      }
    };
    e.next.replaceChildren(finished(feedback) ? 'See the result ' : 'Next object ', Object.assign(document.createElement('kbd'), { textContent: 'Enter' }));
    this.stage.requestRender(() => {
      if (this.feedback !== feedback) return;
      this.setState('feedback');
      e.next.focus({ preventScroll: true });
    });
  }

  /** After the feedback: the next item, or the result after the last one. */
  async next() {
    const feedback = this.feedback;
    if (this.state !== 'feedback' || this.busy || !feedback) return;
    if (finished(feedback)) {
      this.showResult(feedback.result ?? null);
      return;
    }
    this.busy = true;
    this.updateControls();
    this.el.next.setAttribute('aria-busy', 'true');
    try {
      await this.fetchItem();
    } finally {
      this.el.next.removeAttribute('aria-busy');
      this.updateControls();
    }
  }

  showResult(result) {
    const e = this.el;
    this.abortPreview();
    this.stage.clear();
    this.item = null;
    this.result = result ?? { passed: false };
    const passed = !!this.result.passed;
    e.resultTitle.textContent = passed ? 'Passed' : 'Failed';
    e.resultTitle.classList.toggle('passed', passed);
    e.resultTitle.classList.toggle('failed', !passed);
    e.resultSummary.textContent = passed
      ? `You passed the ${this.text.title.toLowerCase()} and now hold the ${this.text.qualification}. ${this.text.passed}`
      : `You did not pass the ${this.text.title.toLowerCase()} this time.`;
    const figures = [['Mean overlap (IoU) with the references', percent(this.result.meanIoU)]];
    if (this.kind === 'corrective') figures.push(['Judged clicks the right way (object or not)', percent(this.result.rightPolarityShare)]);
    e.resultFigures.replaceChildren(...figures.flatMap(([name, value]) => [
      Object.assign(document.createElement('dt'), { textContent: name }),
      Object.assign(document.createElement('dd'), { textContent: value }),
    ]));
    e.retry.hidden = passed;
    e.resultRetry.hidden = passed;
    e.resultCampaigns.classList.toggle('btn-primary', passed);
    e.resultCampaigns.textContent = passed ? 'Go to my campaigns' : 'My campaigns';
    this.waitUntil = passed ? null : this.localTime(this.result.retryAt);
    this.setState('result');
    this.tick();
    (passed ? e.resultCampaigns : e.retry).focus({ preventScroll: true });
  }

  // ----- controls

  updateControls() {
    const e = this.el;
    const work = this.canWork;
    if (this.kind === 'corrective') {
      const h = this.history;
      e.undo.disabled = !work || !h.canUndo;
      e.redo.disabled = !work || !h.canRedo;
      e.done.disabled = !work || h.count > 0;
      e.submit.disabled = !work || h.count === 0;
      e.clickCounter.textContent = this.item ? `Clicks ${h.count} of ${h.max}` : 'Clicks 0 of 0';
      const full = !!this.item && h.max > 0 && h.count >= h.max;
      e.clickCounter.classList.toggle('full', full);
      if (!full) e.clickLimit.hidden = true;
      const s = this.stage;
      e.toggleMask.setAttribute('aria-pressed', String(s.showMask));
      e.outlineOnly.setAttribute('aria-pressed', String(s.outlineOnly));
      e.maskOpacity.value = String(s.maskOpacity);
      e.maskOpacityValue.textContent = `${Math.round(s.maskOpacity * 100)} %`;
    } else if (this.stage) {
      this.stage.updateControls(work);
      e.submit.disabled = !work;
    }
    e.next.disabled = this.state !== 'feedback' || this.busy;
  }

  bindControls() {
    const e = this.el;
    const act = fn => event => { fn(event); if (event.detail > 0) this.canvas.focus({ preventScroll: true }); };
    e.start.addEventListener('click', () => this.begin());
    e.retry.addEventListener('click', () => this.begin());
    e.next.addEventListener('click', act(() => this.next()));
    e.submit.addEventListener('click', act(() => this.answer('submit')));
    if (this.kind === 'corrective') {
      e.undo.addEventListener('click', act(() => this.undo()));
      e.redo.addEventListener('click', act(() => this.redo()));
      e.done.addEventListener('click', act(() => this.answer('done')));
      e.toggleMask.addEventListener('click', act(() => this.stage.toggleMask()));
      e.outlineOnly.addEventListener('click', act(() => this.stage.toggleOutlineOnly()));
      e.maskOpacity.addEventListener('input', () => this.stage.setMaskOpacity(Number(e.maskOpacity.value)));
      e.fit.addEventListener('click', act(() => this.stage.fit(false)));
    }
    // Painting: the tools, brush size, undo, redo, clear, fit and mask buttons are the stage's.
  }

  onKeyDown(event) {
    if (this.state !== 'item' && this.state !== 'feedback') return;
    const target = event.target;
    const tag = target?.tagName;
    // The sliders use only arrow and paging keys, so the shortcuts keep working after one is dragged.
    const typing = (tag === 'INPUT' && target.type !== 'range') || tag === 'TEXTAREA' || tag === 'SELECT' || target?.isContentEditable;
    if (typing) return;
    // Enter and Space on a focused button or link do what that control does.
    if ((tag === 'BUTTON' || tag === 'A' || tag === 'SUMMARY') && (event.key === 'Enter' || event.key === ' ')) return;
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    const plain = !event.ctrlKey && !event.metaKey && !event.altKey;
    if (this.state === 'feedback' && key === 'Enter' && plain) {
      event.preventDefault();
      if (!event.repeat) this.next();
      return;
    }
    if (this.kind === 'corrective') this.correctiveKey(event, key);
    else this.paintingKey(event, key, plain);
  }

  correctiveKey(event, key) {
    if (event.altKey) return;
    if (event.ctrlKey || event.metaKey) {
      if (key === 'z' && !event.shiftKey) { event.preventDefault(); this.undo(); }
      else if ((key === 'z' && event.shiftKey) || key === 'y') { event.preventDefault(); this.redo(); }
      return;
    }
    // Held keys would answer twice.
    const once = !event.repeat;
    switch (key) {
      case 'z': if (event.shiftKey) this.redo(); else this.undo(); break;
      case 'y': this.redo(); break;
      case 'Enter': if (once) this.answer('submit'); break;
      case 'd': if (once) this.answer('done'); break;
      // Space (pan), M, O, [ ], F, + and −: the view's keys.
      default: this.stage.viewKey(key, event); return;
    }
    event.preventDefault();
  }

  paintingKey(event, key) {
    if ((event.ctrlKey || event.metaKey) && key === 'Enter') {
      if (event.repeat) return;
      event.preventDefault();
      this.answer('submit');
      return;
    }
    // Undo and redo, the tools, Enter on an open polygon, the brush size, the mask, fit, zoom and pan.
    this.stage.handleKey(event, key);
  }
}

async function boot() {
  const status = document.getElementById('card-status');
  try {
    const user = await requireUser();
    renderNav(user);
    const kind = new URLSearchParams(location.search).get('kind');
    if (!KINDS.includes(kind)) {
      document.getElementById('intro-loading').textContent = 'Which test? Choose one:';
      const links = KINDS.map(k => Object.assign(document.createElement('a'), {
        className: 'btn', href: `/qualify.html?kind=${k}`, textContent: TEXT[k].title,
      }));
      document.getElementById('start').after(...links);
      document.body.dataset.qualifyState = 'intro';
      return;
    }
    new QualifyPage(kind).start();
  } catch (e) {
    status.textContent = `The page could not start: ${problemText(e)}`;
  }
}

if (typeof document !== 'undefined') boot();
