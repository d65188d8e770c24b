// The campaign dashboard: lifecycle, import, progress per round, charts, the lowest-ranked masks,
// annotators and members. Everything refreshes every 3 s while the tab is visible; parts whose data did
// not change are left untouched.
import { api, upload, describeError, enc } from './api.js';
import { decodeMask } from './masks.js';
import { lineChart, barChart, renderPlot, answerColour, colours } from './plots.js';
import {
  $, el, fmt, fmtClock, fmtTime, plural, words, setStatus, showError, syncChildren, emptyRow, imageUrl, loadImage, cropAround,
  drawCrop, pageFailed, param, startPage,
} from './manage.js';

const RefreshMs = 3000;
const ActionNoteMs = 5000;
const campaignId = param('id');
const base = `/api/v1/campaigns/${enc(campaignId ?? '')}`;

// Which lifecycle buttons a status allows.
const transitions = {
  draft: ['start'],
  importing: ['start'],
  running: ['pause', 'finish'],
  paused: ['resume', 'finish'],
  finished: [],
};

let campaign = null;
let progress = null;
let timer = null;
let refreshing = null;
let stopped = false;
let importBusy = false;
let actionNoteTimer = null;

// ---------------------------------------------------------------- header and lifecycle

function showCampaign(c) {
  campaign = c;
  document.title = `${c.id} · Campaign · Annotate`;
  $('campaign-id').textContent = c.id;
  const status = $('campaign-status');
  status.textContent = c.status;
  status.className = `badge ${c.status}`;
  const st = c.settings ?? {};
  $('campaign-settings').textContent = [
    `${st.rounds} rounds`, `up to ${st.maxClicksPerRound} clicks per round`, `model ${st.model}`,
    `lease ${fmt(st.leaseSeconds)} s`,
    st.groundTruthFraction > 0 ? `ground truth ${fmt(st.groundTruthFraction * 100, 2)}%` : null,
    st.reprioritizeBelowIoU > 0 ? `re-prioritise below IoU ${fmt(st.reprioritizeBelowIoU, 2)}` : null,
  ].filter(Boolean).join(' · ');
  $('campaign-settings').title = c.imageRoot ? `Images under ${c.imageRoot}` : '';
  const allowed = transitions[c.status] ?? [];
  for (const action of ['start', 'pause', 'resume', 'finish']) $(action).hidden = !allowed.includes(action);

  const importable = c.status === 'draft' || c.status === 'importing';
  $('dashboard').classList.toggle('setup', importable);
  for (const id of ['import-file', 'import-format', 'import-on-error', 'import-upload']) $(id).disabled = !importable || importBusy;
  $('import-locked').hidden = importable;
  $('import-locked').textContent = importable ? '' : `Imports are taken while a campaign is in draft or importing; this one is ${c.status}.`;

  const ranked = st.groundTruthFraction > 0 || st.referenceFraction > 0;
  $('quality-card').hidden = !ranked;
  $('quality-off').hidden = ranked;
}

async function transition(action) {
  const status = $('action-status');
  const buttons = ['start', 'pause', 'resume', 'finish'].map($);
  buttons.forEach(b => { b.disabled = true; });
  clearTimeout(actionNoteTimer);
  setStatus(status, '');
  try {
    showCampaign(await api('POST', `${base}/${action}`));
    setStatus(status, {
      start: 'Started: the model computes the first masks, and instances reach annotators as they get them.',
      pause: 'Paused: annotators get no new tasks until you resume.',
      resume: 'Resumed.',
      finish: 'Finished. The masks can be exported.',
    }[action], 'ok');
    // The badge keeps showing the status; the note is only the confirmation. Errors stay until the next action.
    actionNoteTimer = setTimeout(() => setStatus(status, ''), ActionNoteMs);
    refresh();
  } catch (e) {
    showError(status, e);
  } finally {
    buttons.forEach(b => { b.disabled = false; });
  }
}

function askFinish() {
  const dialog = $('finish-dialog');
  dialog.returnValue = '';
  dialog.showModal();
}

// ---------------------------------------------------------------- import

function guessFormat() {
  const file = $('import-file').files[0];
  if (!file) return;
  const name = file.name.toLowerCase();
  if (name.endsWith('.csv')) $('import-format').value = 'openimages';
  else if (name.endsWith('.json')) $('import-format').value = 'coco';
}

function showImportErrors(rows) {
  const box = $('import-errors-box');
  box.hidden = !rows.length;
  $('import-errors').querySelector('tbody').replaceChildren(...rows.map(r => el('tr', {},
    el('td', { className: 'num' }, String(r.row)), el('td', {}, el('code', {}, r.field ?? '')), el('td', {}, r.message ?? ''))));
}

async function runImport(event) {
  event.preventDefault();
  const status = $('import-status');
  const file = $('import-file').files[0];
  if (!file) {
    setStatus(status, 'Choose a file to import.');
    $('import-file').focus();
    return;
  }
  const format = $('import-format').value, onError = $('import-on-error').value;
  const bar = $('import-progress');
  importBusy = true;
  for (const id of ['import-file', 'import-format', 'import-on-error', 'import-upload']) $(id).disabled = true;
  bar.hidden = false;
  bar.value = 0;
  $('import-result').textContent = '';
  showImportErrors([]);
  setStatus(status, `Uploading ${file.name}…`, 'info');
  try {
    const report = await upload(`${base}/imports?format=${enc(format)}&onError=${enc(onError)}`, file,
      format === 'coco' ? 'application/json' : 'text/csv',
      fraction => {
        bar.value = fraction;
        if (fraction >= 1) setStatus(status, 'Uploaded; the server is checking and importing the rows…', 'info');
      });
    const rejected = report.rejected ?? [];
    $('import-result').textContent = `${plural(report.rowsRead, 'row')} read: ${fmt(report.imported)} imported, `
      + `${fmt(report.alreadyPresent)} already present, ${fmt(rejected.length)} refused.`;
    showImportErrors(rejected);
    setStatus(status, rejected.length
      ? `${file.name} imported, but ${plural(rejected.length, 'row was', 'rows were')} refused (listed below).` : `${file.name} imported.`,
      rejected.length ? 'warn' : 'ok');
    refresh();
  } catch (e) {
    const rows = e.problem?.errors ?? [];
    showImportErrors(rows);
    setStatus(status, e.code === 'import_rejected' ? `Nothing was imported: ${describeError(e)}` : describeError(e));
  } finally {
    bar.hidden = true;
    importBusy = false;
    if (campaign) showCampaign(campaign);
  }
}

// ---------------------------------------------------------------- progress and statistics

function showProgress(p) {
  progress = p;
  $('imported-count').textContent = fmt(p.importedInstances);
  $('done-count').textContent = fmt(p.done);
  $('skipped-count').textContent = fmt(p.skipped);
  $('remaining-count').textContent = fmt(p.remaining);
  $('model-pending').textContent = fmt(p.model?.pending);
  const finished = p.done + p.skipped;
  const share = p.importedInstances ? finished / p.importedInstances : 0;
  $('done-progress').value = share;
  $('done-share').textContent = p.importedInstances
    ? `${fmt(share * 100, 1)}% finished${p.complete ? ' · complete' : ''}` : 'No instances imported yet.';

  const regular = campaign?.settings?.rounds ?? Infinity;
  syncChildren($('rounds-table').querySelector('tbody'), p.rounds ?? [], r => r.round, r => {
    const answered = r.corrected + r.accepted + r.skipped;
    const total = answered + r.waiting + r.leased;
    const bar = el('div', { className: 'stack-bar', role: 'img',
      'aria-label': `${fmt(answered)} of ${fmt(total)} answered in round ${r.round}` });
    for (const [name, value] of [['accepted', r.accepted], ['corrected', r.corrected], ['skipped', r.skipped], ['leased', r.leased], ['waiting', r.waiting]]) {
      if (!value) continue;
      const part = el('span', { className: `seg seg-${name}`, title: `${name}: ${fmt(value)}` });
      part.style.flexGrow = String(value);
      bar.append(part);
    }
    return el('tr', {},
      el('th', { scope: 'row' }, r.round > regular ? `Extra ${r.round}` : String(r.round)),
      el('td', { className: 'num' }, fmt(r.waiting)),
      el('td', { className: 'num' }, fmt(r.leased)),
      el('td', { className: 'num' }, fmt(r.corrected)),
      el('td', { className: 'num' }, fmt(r.accepted)),
      el('td', { className: 'num' }, fmt(r.skipped)),
      el('td', { className: 'num' }, fmt(r.expiredLeases)),
      el('td', { className: 'bar-col' }, el('div', { className: 'bar-cell' }, bar,
        el('span', { className: 'muted small' }, total ? `${fmt(100 * answered / total)}%` : ''))));
  }, { empty: emptyRow(8, 'No round has work yet.') });

  const m = p.model ?? {};
  const byRound = Object.entries(m.completedByRound ?? {}).sort((a, b) => Number(a[0]) - Number(b[0]))
    .map(([round, n]) => `${round === '0' ? 'initial masks from boxes' : `round ${round}`}: ${fmt(n)}`).join(', ');
  $('model-summary').textContent = `Model masks: ${fmt(m.completed)} computed${byRound ? ` (${byRound})` : ''}, `
    + `${fmt(m.pending)} pending, ${fmt(m.failed)} failed.`;
  const errors = m.recentErrors ?? [];
  const list = $('model-errors');
  list.hidden = !errors.length;
  if (list.dataset.sig !== JSON.stringify(errors)) {
    list.replaceChildren(...errors.map(e => el('li', {}, e)));
    list.dataset.sig = JSON.stringify(errors);
  }
}

/** Answer bins in chart order: 0, 1, .. K clicks, then skip. */
function answerBins(K) {
  return [...Array.from({ length: K + 1 }, (_, k) => String(k)), 'skip'];
}

const binName = b => b === 'skip' ? 'skip' : b === '1' ? '1 click' : `${b} clicks`;

function showStatistics(st) {
  $('instances-per-hour').textContent = fmt(st.instancesPerHour, 1);
  $('seconds-per-instance').textContent = fmt(st.secondsPerInstance, 1);
  $('clicks-per-instance').textContent = fmt(st.clicksPerInstance, 2);

  const imported = progress?.importedInstances ?? campaign?.importedInstances ?? 0;
  const timeline = st.timeline ?? [];
  // A single point would be a lone dot that reads as a broken chart.
  const points = timeline.length >= 2 ? timeline : [];
  renderPlot($('plot-progress'), JSON.stringify([timeline, imported]), () => lineChart({
    label: 'Instances done and answers given over time',
    xType: 'time', xLabel: 'time', yLabel: 'count', yInteger: true,
    series: [
      { name: 'instances done', colour: colours.series[0], area: true, points: points.map(t => [Date.parse(t.at), t.instancesDone]) },
      // Dashed, so it stays visible where it equals instances done (every answer accepted at once).
      { name: 'answers', colour: colours.series[1], dashed: true, points: points.map(t => [Date.parse(t.at), t.answers]) },
    ],
    refLines: imported ? [{ y: imported, label: `all ${fmt(imported)} instances`, colour: colours.axis }] : [],
    format: { y: v => fmt(v), x: v => fmtTime(new Date(v).toISOString()) },
    empty: timeline.length ? 'The chart starts when answers have come in at two different times' : 'No answers yet',
  }));

  const rounds = st.answersByRound ?? [];
  const K = Math.max(campaign?.settings?.maxClicksPerRound ?? 0, ...rounds.map(r => (r.byClicks?.length ?? 1) - 1), 0);
  const bins = answerBins(K);
  const regular = campaign?.settings?.rounds ?? Infinity;
  renderPlot($('plot-answers'), JSON.stringify([rounds, K]), () => barChart({
    label: 'Answers per round by number of clicks',
    stacked: true, yLabel: 'answers', xLabel: 'round', yInteger: true,
    categories: rounds.map(r => {
      const n = (r.byClicks ?? []).reduce((a, b) => a + b, 0) + (r.skipped ?? 0);
      return { label: r.round > regular ? `extra ${r.round}` : `round ${r.round}`, sublabel: `n = ${fmt(n)}` };
    }),
    series: bins.map(b => ({
      name: binName(b),
      colour: answerColour(b, K),
      values: rounds.map(r => b === 'skip' ? (r.skipped ?? 0) : (r.byClicks?.[Number(b)] ?? 0)),
    })),
    valueLabel: (v, ci, si, total) => total && v / total >= 0.04 ? `${Math.round(100 * v / total)}%` : null,
    tooltip: (v, ci, si, total) => `${rounds[ci].round > regular ? 'Extra round' : 'Round'} ${rounds[ci].round}, ${binName(bins[si])}: ${fmt(v)} answers (${fmt(100 * v / total, 1)}%)`,
    empty: 'No answers yet',
  }));

  const order = b => b.answer === 'skip' ? Infinity : Number(b.answer);
  const seconds = [...(st.secondsByAnswer ?? [])].filter(b => b.count > 0).sort((a, b) => order(a) - order(b));
  renderPlot($('plot-seconds'), JSON.stringify(seconds), () => barChart({
    label: 'Mean and median seconds per answer by number of clicks',
    yLabel: 'seconds', xLabel: 'answer',
    categories: seconds.map(b => ({ label: binName(b.answer), sublabel: `n = ${fmt(b.count)}` })),
    series: [
      { name: 'mean', colour: colours.neutral, values: seconds.map(b => b.meanSeconds) },
      { name: 'median', colour: colours.neutral, opacity: 0.35, stroke: true, values: seconds.map(b => b.medianSeconds) },
    ],
    valueLabel: v => v === null || v === undefined ? null : fmt(v, v < 10 ? 1 : 0),
    tooltip: (v, ci, si) => `${binName(seconds[ci].answer)}: ${si ? 'median' : 'mean'} ${fmt(v, 1)} s over ${fmt(seconds[ci].count)} answers`,
    empty: 'No answers yet',
  }));
}

// ---------------------------------------------------------------- quality ranking

function showCurve(curve) {
  const hasModel = curve.modelVersion > 0;
  const note = $('quality-note');
  const host = $('plot-quality');
  $('low-ranked-card').hidden = !hasModel;
  if (!hasModel) {
    note.textContent = 'No quality model yet: it is trained once 20 rounds of ground-truth instances are finished.';
    renderPlot(host, 'none', () => el('p', { className: 'plot-empty muted' }, 'The curve appears when the ranking has a model.'));
    return;
  }
  const h = curve.heldOut ?? { instances: 0, topPercent: [] }, t = curve.training ?? { instances: 0, topPercent: [] };
  note.textContent = `Mean true IoU of the top N% of masks by predicted IoU (model v${curve.modelVersion}). `
    + `Held out: ${fmt(h.instances)} instances${h.spearman !== null && h.spearman !== undefined ? `, Spearman ${fmt(h.spearman, 2)}` : ''}; `
    + `training: ${fmt(t.instances)}.`;
  const values = [...(h.topPercent ?? []), ...(t.topPercent ?? [])].map(p => p.meanTrueIoU).concat(h.meanTrueIoU ?? []);
  const lo = Math.max(0, Math.floor((Math.min(...values) - 0.02) * 20) / 20);
  const hi = Math.min(1, Math.ceil((Math.max(...values) + 0.02) * 20) / 20);
  renderPlot(host, JSON.stringify(curve), () => lineChart({
    label: 'Mean true IoU of the top N% by predicted IoU',
    xLabel: 'top N% of masks by predicted IoU', yLabel: 'mean true IoU',
    xDomain: [10, 100], xTicks: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100], yDomain: values.length ? [lo, hi] : [0, 1], yZero: false,
    series: [
      { name: `held out (${fmt(h.instances)})`, colour: colours.series[0], markers: true, points: (h.topPercent ?? []).map(p => [p.percent, p.meanTrueIoU]) },
      { name: `training, in-sample (${fmt(t.instances)})`, colour: colours.axis, dashed: true, markers: true, points: (t.topPercent ?? []).map(p => [p.percent, p.meanTrueIoU]) },
    ],
    refLines: h.meanTrueIoU !== null && h.meanTrueIoU !== undefined ? [{ y: h.meanTrueIoU, label: `all held out: ${fmt(h.meanTrueIoU, 3)}`, colour: colours.series[2] }] : [],
    format: { x: v => `top ${v}%`, y: v => fmt(v, 3) },
    empty: 'No held-out ground-truth instances yet',
  }));
}

const ReportEveryMs = 30_000;
let reportReadAt = 0;

/** Up to this many classes get a line of their own; more would not be readable. */
const MaxClassLines = 5;

function showReferenceReport(report) {
  const card = $('reference-card');
  card.hidden = !(report.references > 0);
  if (card.hidden) return;
  $('report-json').href = `${base}/quality/report`;
  const agreement = report.humanAgreement;
  $('reference-note').textContent = `${fmt(report.references)} objects have a reference mask. After each round, every object counts with its `
    + 'latest mask; boundary F counts boundary pixels within 5 px.'
    + (agreement ? ` Two painters agree at ${fmt(agreement.meanIoU * 100, 1)}% mIoU on ${fmt(agreement.instances)} objects painted twice: the ceiling.` : '');
  const classes = (report.classes ?? []).length > 1 ? report.classes.slice(0, MaxClassLines) : [];
  const series = [
    { name: 'mIoU, all', colour: colours.series[0], markers: true, points: report.rounds.map(r => [r.round, r.meanIoU]) },
    { name: 'boundary F, all', colour: colours.series[1], dashed: true, markers: true, points: report.rounds.map(r => [r.round, r.meanBoundaryF]) },
    ...classes.map((c, i) => ({ name: `mIoU, ${c.className} (${fmt(c.instances)})`, colour: colours.series[(i + 2) % colours.series.length],
      points: c.rounds.map(r => [r.round, r.meanIoU]) })),
  ];
  const rounds = report.rounds.map(r => r.round);
  renderPlot($('plot-reference'), JSON.stringify(report.rounds) + JSON.stringify(classes) + JSON.stringify(agreement), () => lineChart({
    label: 'Mean IoU and boundary F of the masks against the reference masks, after each round',
    xLabel: 'after round (0 = the box model)', yLabel: 'mean over objects',
    xDomain: [Math.min(...rounds), Math.max(...rounds)], xTicks: rounds, yDomain: [0, 1],
    series,
    refLines: agreement ? [{ y: agreement.meanIoU, label: `human agreement ${fmt(agreement.meanIoU, 3)}`, colour: colours.axis }] : [],
    format: { x: v => `round ${v}`, y: v => fmt(v, 3) },
  }));
}

const instanceCache = new Map();
function fetchInstance(id, round) {
  const key = `${id}\u0000${round}`;
  let p = instanceCache.get(key);
  if (!p) {
    p = api('GET', `${base}/instances/${enc(id)}`);
    p.catch(() => instanceCache.delete(key));
    instanceCache.set(key, p);
    while (instanceCache.size > 48) instanceCache.delete(instanceCache.keys().next().value);
  }
  return p;
}

function thumbnail(item) {
  const canvas = el('canvas', { className: 'thumb-canvas', 'aria-hidden': 'true' });
  const frame = el('span', { className: 'thumb-frame' }, canvas);
  const caption = el('span', { className: 'thumb-caption' },
    el('strong', {}, `IoU ≈ ${fmt(item.predictedIoU, 2)}`),
    el('span', { className: 'muted' }, ` round ${item.round}${item.trueIoU !== null && item.trueIoU !== undefined ? ` · true ${fmt(item.trueIoU, 2)}` : ''}`),
    el('span', { className: 'thumb-id' }, item.instanceId));
  const link = el('a', {
    className: 'thumb', href: `/instance.html?campaign=${enc(campaignId)}&id=${enc(item.instanceId)}`,
    'aria-label': `Instance ${item.instanceId}, predicted IoU ${fmt(item.predictedIoU, 2)}, round ${item.round}`,
    dataset: { instance: item.instanceId },
  }, frame, caption);
  frame.classList.add('loading');
  (async () => {
    try {
      const instance = await fetchInstance(item.instanceId, item.round);
      const image = await loadImage(imageUrl(campaignId, instance.imagePath));
      const last = [...(instance.masks ?? [])].sort((a, b) => b.round - a.round)[0];
      const crop = cropAround(instance.box, image.naturalWidth, image.naturalHeight, [], { margin: 0.15 });
      const width = frame.clientWidth || 176, height = frame.clientHeight || 132;
      drawCrop(canvas, { image, crop, box: instance.box, mask: last ? decodeMask(last.mask) : null, maxWidth: width, maxHeight: height });
      link.title = `${instance.className}: ${words(instance.status)}`;
    } catch (e) {
      frame.append(el('span', { className: 'thumb-error' }, describeError(e)));
    } finally {
      frame.classList.remove('loading');
    }
  })();
  return link;
}

function showLowRanked(page) {
  syncChildren($('low-ranked'), page.items ?? [], i => i.instanceId, thumbnail, {
    signature: i => `${i.round}|${i.predictedIoU}|${i.trueIoU}`,
    empty: () => el('p', { className: 'muted' }, 'No ranked masks yet.'),
  });
}

// ---------------------------------------------------------------- annotators and members

/** Whether each annotator is qualified, from the last annotators list: the quality table offers suspension only to the qualified. */
const qualifiedById = new Map();

function showAnnotators(list) {
  for (const a of list.annotators ?? []) qualifiedById.set(a.id, !!a.qualified);
  const rows = [...(list.annotators ?? [])].sort((a, b) => (b.statistics?.answers ?? 0) - (a.statistics?.answers ?? 0) || a.id.localeCompare(b.id));
  syncChildren($('annotators-table').querySelector('tbody'), rows, a => a.id, a => {
    const s = a.statistics ?? {};
    return el('tr', { dataset: { annotator: a.id } },
      el('th', { scope: 'row' }, a.id, a.leasedInstance ? el('span', { className: 'muted small', title: `Working on ${a.leasedInstance}` }, ' · working') : null),
      el('td', {}, el('span', { className: a.qualified ? 'badge yes' : 'badge no' }, a.qualified ? 'yes' : 'no')),
      el('td', { className: 'num' }, fmt(s.answers)),
      el('td', { className: 'num' }, fmt(s.instances)),
      el('td', { className: 'num' }, fmt(s.clicksPerInstance, 2)),
      el('td', { className: 'num' }, fmt(s.secondsPerInstance, 1)),
      el('td', { className: 'num' }, fmt(s.skips)));
  }, { empty: emptyRow(7, 'Nobody has taken work in this campaign yet.') });
}

/** IoU points per click, signed, with a tenth of a point (a gain that rounds to zero shows as 0, not -0). */
function gainPoints(gain) {
  if (gain === null || gain === undefined) return '—';
  const points = Math.round(gain * 1000) / 10;
  return points === 0 ? '0 pt' : `${points > 0 ? '+' : ''}${fmt(points, 1)} pt`;
}

function percent(share) {
  return share === null || share === undefined ? '—' : `${fmt(share * 100, 1)}%`;
}

function showQuality(rows) {
  // Flagged first, then the lowest share of right-polarity clicks.
  const sorted = [...rows].sort((a, b) => (b.flagged - a.flagged) || ((a.rightPolarityShare ?? 2) - (b.rightPolarityShare ?? 2)) || a.annotatorId.localeCompare(b.annotatorId));
  syncChildren($('quality-table').querySelector('tbody'), sorted, q => q.annotatorId, q => {
    const qualified = qualifiedById.get(q.annotatorId) ?? true;
    const action = q.flagged && qualified
      ? el('button', { type: 'button', className: 'danger', dataset: { suspend: q.annotatorId }, onclick: e => suspend(q.annotatorId, e.currentTarget) }, 'Suspend')
      : null;
    return el('tr', { dataset: { annotator: q.annotatorId }, className: q.flagged ? 'flagged' : '' },
      el('th', { scope: 'row' }, q.annotatorId),
      el('td', { className: 'num' }, fmt(q.answers)),
      el('td', { className: 'num' }, fmt(q.judgedClicks)),
      el('td', { className: 'num' }, percent(q.rightPolarityShare)),
      el('td', { className: 'num', title: `${fmt(q.firstClicksJudged)} first clicks judged` }, percent(q.firstClickCorrectingShare)),
      el('td', { className: 'num', title: `${fmt(q.roundsWithGain)} rounds with their next mask` },
        gainPoints(q.iouGainPerClick)),
      el('td', { className: 'num', title: `${fmt(q.goldSkips)} skipped` }, fmt(q.goldAnswers)),
      el('td', { className: 'num' }, gainPoints(q.goldIouGainPerClick)),
      el('td', { className: 'num', title: `${fmt(q.predictedGainRounds)} rounds` }, gainPoints(q.predictedIouGainPerClick)),
      el('td', { className: 'num', title: `${fmt(q.acceptedWithReference)} masks accepted` }, percent(q.acceptedBadShare)),
      el('td', { className: 'num' }, fmt(q.secondsPerAnswer, 1)),
      el('td', {}, q.flagged ? el('span', { className: 'badge no flag' }, 'flagged') : null,
        qualified ? null : el('span', { className: 'badge suspended' }, 'suspended')),
      el('td', {}, action));
  }, {
    signature: q => `${q.answers}|${q.judgedClicks}|${q.rightPolarityShare}|${q.roundsWithGain}|${q.goldAnswers}|${q.flagged}|${qualifiedById.get(q.annotatorId)}`,
    empty: emptyRow(13, 'No answers on objects with a reference mask yet.'),
  });
}

async function suspend(userName, button) {
  if (!window.confirm(`Suspend ${userName}? They get no more tasks in any campaign until qualified again, and their open task goes back to the queue.`)) return;
  const status = $('quality-status');
  button.disabled = true;
  try {
    await api('PUT', `/api/v1/annotators/${enc(userName)}/qualification`, { qualified: false });
    setStatus(status, `${userName} is suspended; their open task went back to the queue.`, 'ok');
    await Promise.all([loadMembers(), loadAnnotators()]);
    await loadQuality();
  } catch (e) {
    button.disabled = false;
    showError(status, e);
  }
}

async function loadQuality() { showQuality(await api('GET', `${base}/quality/annotators`)); }

async function setQualified(userName, qualified, input) {
  const status = $('members-status');
  input.disabled = true;
  try {
    await api('PUT', `/api/v1/annotators/${enc(userName)}/qualification`, { qualified });
    setStatus(status, qualified ? `${userName} is qualified in all campaigns.` : `${userName} is no longer qualified in any campaign.`, 'ok');
    await Promise.all([loadMembers(), loadAnnotators()]);
  } catch (e) {
    input.checked = !qualified;
    showError(status, e);
  } finally {
    input.disabled = false;
  }
}

function showMembers(list) {
  const rows = [...(list.members ?? [])].sort((a, b) => a.userName.localeCompare(b.userName));
  syncChildren($('members-table').querySelector('tbody'), rows, m => m.userName, m => {
    const checkbox = el('input', { type: 'checkbox', id: `member-qualified-${m.userName}`, checked: !!m.qualified, className: 'qualify-toggle',
      dataset: { user: m.userName } });
    checkbox.addEventListener('change', () => {
      // Qualification belongs to the account, so unticking stops this person's work in every campaign.
      if (!checkbox.checked && !window.confirm(`${m.userName} will no longer be qualified in any campaign and gets no more tasks until qualified again. Untick?`)) {
        checkbox.checked = true;
        return;
      }
      setQualified(m.userName, checkbox.checked, checkbox);
    });
    const remove = el('button', { type: 'button', className: 'btn btn-small danger', id: `remove-member-${m.userName}`, dataset: { user: m.userName },
      'aria-label': `Remove ${m.userName} from the campaign` }, 'Remove');
    remove.addEventListener('click', () => removeMember(m.userName, remove));
    return el('tr', { dataset: { user: m.userName } },
      el('th', { scope: 'row' }, m.userName),
      el('td', {}, m.role ?? ''),
      el('td', {}, el('label', { className: 'inline toggle', for: checkbox.id }, checkbox, el('span', {}, 'qualified (all campaigns)'))),
      el('td', { className: 'actions' }, remove));
  }, { empty: emptyRow(4, 'No members yet: add annotators by user name.') });
}

async function addMember(event) {
  event.preventDefault();
  const status = $('members-status');
  const input = $('member-name'), button = $('add-member');
  const name = input.value.trim();
  if (!name) { setStatus(status, 'Type the user name of the person to add.'); input.focus(); return; }
  button.disabled = true;
  try {
    await api('PUT', `${base}/members/${enc(name)}`);
    input.value = '';
    const list = await api('GET', `${base}/members`);
    showMembers(list);
    const added = (list.members ?? []).find(m => m.userName === name);
    setStatus(status, added && !added.qualified && added.role === 'annotator'
      ? `Added ${name}. ${name} is not qualified yet: tick "qualified (all campaigns)" so they can take tasks.` : `Added ${name}.`, 'ok');
  } catch (e) {
    showError(status, e);
    input.focus();
  } finally {
    button.disabled = false;
  }
}

async function removeMember(userName, button) {
  const status = $('members-status');
  button.disabled = true;
  try {
    await api('DELETE', `${base}/members/${enc(userName)}`);
    setStatus(status, `Removed ${userName}.`, 'ok');
    await loadMembers();
  } catch (e) {
    showError(status, e);
    button.disabled = false;
  }
}

function findInstance(event) {
  const input = $('find-instance');
  input.value = input.value.trim();
  if (!input.value) {
    event.preventDefault();
    input.focus();
  }
}

async function loadMembers() { showMembers(await api('GET', `${base}/members`)); }
async function loadAnnotators() { showAnnotators(await api('GET', `${base}/annotators`)); }

async function loadUsers() {
  try {
    const { users } = await api('GET', '/api/v1/users');
    $('users-list').replaceChildren(...users.map(u => el('option', { value: u.userName, label: `${u.userName} (${u.role})` })));
  } catch (e) {
    showError($('members-status'), e);
  }
}

// ---------------------------------------------------------------- refreshing

async function refreshOnce() {
  const parts = [
    ['campaign', api('GET', base).then(showCampaign)],
  ];
  await parts[0][1].catch(() => {});
  parts.push(
    ['progress', api('GET', `${base}/progress`).then(showProgress)],
    ['statistics', api('GET', `${base}/statistics`).then(showStatistics)],
    ['annotators', loadAnnotators().then(loadQuality)],
    ['members', loadMembers()],
  );
  // The report repeats the ranking curve and the statistics read below, and changes slowly: read it now and then.
  if (Date.now() - reportReadAt > ReportEveryMs) {
    reportReadAt = Date.now();
    parts.push(['report', api('GET', `${base}/quality/report`).then(showReferenceReport, e => { reportReadAt = 0; throw e; })]);
  }
  if (campaign?.settings?.groundTruthFraction > 0 || campaign?.settings?.referenceFraction > 0) {
    parts.push(['ranking', api('GET', `${base}/ranking/curve`).then(async curve => {
      showCurve(curve);
      if (curve.modelVersion > 0) showLowRanked(await api('GET', `${base}/ranking?order=worst&limit=12`));
    })]);
  }
  const results = await Promise.allSettled(parts.map(p => p[1]));
  const campaignResult = results[0];
  if (campaignResult.status === 'rejected' && campaignResult.reason?.status === 404) {
    stopped = true;
    pageFailed(campaignResult.reason);
    return;
  }
  const failures = results.map((r, i) => [parts[i][0], r]).filter(([, r]) => r.status === 'rejected');
  setStatus($('refresh-status'), failures.length
    ? `Could not refresh ${failures.map(([name, r]) => `${name} (${describeError(r.reason)})`).join('; ')}. Retrying every ${RefreshMs / 1000} s.`
    : '');
  $('updated-at').textContent = `Updated ${fmtClock(new Date())}${failures.length ? ' (partly)' : ''}; refreshes every ${RefreshMs / 1000} s while this tab is visible.`;
}

function refresh() {
  if (!refreshing) refreshing = refreshOnce().finally(() => { refreshing = null; });
  return refreshing;
}

function schedule() {
  clearTimeout(timer);
  timer = null;
  if (stopped || document.hidden) return;
  timer = setTimeout(async () => {
    await refresh();
    schedule();
  }, RefreshMs);
}

async function main() {
  if (!await startPage(['manager', 'admin'])) return;
  if (!campaignId) {
    pageFailed(new Error('No campaign given: open a campaign from the campaign list.'));
    return;
  }
  $('campaign-id').textContent = campaignId;
  $('export-coco').href = `${base}/export?format=coco`;
  $('export-coco').download = `${campaignId}-coco.json`;
  $('export-openimages').href = `${base}/export?format=openimages`;
  $('export-openimages').download = `${campaignId}-openimages.zip`;
  for (const action of ['start', 'pause', 'resume']) $(action).addEventListener('click', () => transition(action));
  $('finish').addEventListener('click', askFinish);
  $('finish-dialog').addEventListener('close', () => {
    if ($('finish-dialog').returnValue === 'finish') transition('finish');
  });
  $('import-file').addEventListener('change', guessFormat);
  $('import-form').addEventListener('submit', runImport);
  $('member-form').addEventListener('submit', addMember);
  $('find-campaign').value = campaignId;
  $('find-form').addEventListener('submit', findInstance);
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) { clearTimeout(timer); timer = null; }
    else refresh().then(schedule);
  });
  loadUsers();
  await refresh();
  schedule();
}

main();
