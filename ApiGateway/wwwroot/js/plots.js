// Small SVG charts for the dashboard: a line chart (numbers or times on x) and a grouped or stacked bar
// chart, both with axes, ticks, labels, a legend and a tooltip per mark. The SVG scales with its box
// (viewBox), so the text grows with the card on large screens.

const SVG = 'http://www.w3.org/2000/svg';

export const colours = {
  ink: '#1f2937',
  axis: '#6b7280',
  grid: '#e5e7eb',
  skip: '#9ca3af',
  neutral: '#475569',
  zero: '#16a34a',
  series: ['#2563eb', '#9333ea', '#0d9488', '#db2777', '#ea580c'],
};

/** Colour of an answer: skip grey, 0 clicks green, then yellow to deep red as the clicks grow to K. */
export function answerColour(answer, maxClicks) {
  if (answer === 'skip') return colours.skip;
  const k = Number(answer);
  if (k === 0) return colours.zero;
  const K = Math.max(1, maxClicks);
  const t = K === 1 ? 1 : Math.min(1, Math.max(0, (k - 1) / (K - 1)));
  const hue = 46 - 46 * t, light = 52 - 12 * t;
  return `hsl(${hue.toFixed(0)}, 92%, ${light.toFixed(0)}%)`;
}

/** Dark or white text, whichever reads better on `colour` (#rrggbb or hsl(h, s%, l%)). */
export function textOn(colour) {
  const hsl = /^hsl\(\s*([\d.]+)\s*,\s*([\d.]+)%\s*,\s*([\d.]+)%/.exec(colour);
  if (hsl) {
    const hue = Number(hsl[1]), light = Number(hsl[3]);
    return light > 58 || (hue > 35 && hue < 75 && light > 45) ? colours.ink : '#ffffff';
  }
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour);
  if (hex) {
    const [r, g, b] = hex.slice(1).map(h => parseInt(h, 16) / 255);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.55 ? colours.ink : '#ffffff';
  }
  return '#ffffff';
}

/** A 1-2-2.5-5 step near span/count (integers only when `integer`). */
export function niceStep(span, count, integer = false) {
  const raw = span / Math.max(1, count);
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const n = raw / magnitude;
  let step = (n <= 1 ? 1 : n <= 2 ? 2 : n <= 2.5 && !(integer && magnitude === 1) ? 2.5 : n <= 5 ? 5 : 10) * magnitude;
  if (integer) step = Math.max(1, Math.round(step));
  return step;
}

function decimalsOf(step) {
  if (step >= 1 && Number.isInteger(step)) return 0;
  let d = 0;
  while (d < 10 && Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) > 1e-9) d++;
  return d;
}

/** Ticks covering [min, max] at a nice step; the domain is widened to whole steps. */
export function niceTicks(min, max, count = 5, { integer = false } = {}) {
  if (!Number.isFinite(min) || !Number.isFinite(max)) { min = 0; max = 1; }
  if (max < min) [min, max] = [max, min];
  if (max === min) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    max += pad;
    if (min !== 0) min = min > 0 && min - pad < 0 ? 0 : min - pad;
  }
  const step = niceStep(max - min, count, integer);
  const decimals = decimalsOf(step);
  const lo = Math.floor(min / step + 1e-9) * step, hi = Math.ceil(max / step - 1e-9) * step;
  const ticks = [];
  for (let i = 0, v = lo; v <= hi + step * 1e-6 && i < 100; i++, v = lo + i * step) ticks.push(Number(v.toFixed(decimals)));
  return { min: ticks[0], max: ticks[ticks.length - 1], step, decimals, ticks };
}

/** Tick text: thousands as "12k" from 10 000 on, else with the step's decimals. */
export function formatTick(value, decimals = 0) {
  const a = Math.abs(value);
  if (a >= 1e6) return `${Number((value / 1e6).toFixed(a >= 1e7 ? 0 : 1))}M`;
  if (a >= 1e4) return `${Number((value / 1e3).toFixed(a >= 1e5 ? 0 : 1))}k`;
  return value.toFixed(decimals);
}

const Second = 1000, Minute = 60 * Second, Hour = 60 * Minute, Day = 24 * Hour;
const timeSteps = [Second, 2 * Second, 5 * Second, 10 * Second, 15 * Second, 30 * Second,
  Minute, 2 * Minute, 5 * Minute, 10 * Minute, 15 * Minute, 30 * Minute,
  Hour, 2 * Hour, 3 * Hour, 6 * Hour, 12 * Hour, Day, 2 * Day, 7 * Day, 14 * Day, 30 * Day];

function pad2(n) { return String(n).padStart(2, '0'); }
const monthDay = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

/**
 * Ticks for a time axis over [t0, t1] (ms), at local-time boundaries, with a label format fitting the step
 * (seconds, hours and minutes, or days; the date is added where the day changes).
 */
export function timeTicks(t0, t1, count = 6) {
  const span = Math.max(1, t1 - t0);
  const step = timeSteps.find(s => span / s <= count) ?? Math.ceil(span / count / Day) * Day;
  const offset = new Date(t0).getTimezoneOffset() * Minute;
  let first;
  if (step < Day) first = Math.ceil((t0 - offset) / step) * step + offset;
  else {
    const d = new Date(t0);
    d.setHours(0, 0, 0, 0);
    if (d.getTime() < t0) d.setDate(d.getDate() + 1);
    first = d.getTime();
  }
  const ticks = [];
  for (let t = first; t <= t1 && ticks.length < 60; t += step) ticks.push(t);
  const multiDay = new Date(t0).toDateString() !== new Date(t1).toDateString();
  let lastDay = null;
  const format = t => {
    const d = new Date(t);
    const day = d.toDateString();
    const dayLabel = multiDay && day !== lastDay ? monthDay.format(d) : null;
    lastDay = day;
    if (step >= Day) return monthDay.format(d);
    const clock = step < Minute ? `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`
      : `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
    return dayLabel ? `${dayLabel} ${clock}` : clock;
  };
  return { ticks, step, format };
}

function s(tag, attrs = {}, ...children) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null && v !== false) e.setAttribute(k, String(v));
  for (const c of children) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

const tip = text => s('title', {}, text);
const FontSize = 12;
const charWidth = size => size * 0.58;

function root(width, height, label) {
  return s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'plot', role: 'img', 'aria-label': label ?? 'chart',
    'font-size': FontSize, 'font-family': 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' },
  label ? tip(label) : null);
}

/** Legend items laid out in rows from (x, y) within `maxWidth`; answers the group and its height. */
function legend(items, x, y, maxWidth) {
  const g = s('g', { class: 'plot-legend' });
  const size = 11, box = 10, gap = 16;
  let cx = 0, cy = 0;
  for (const item of items) {
    const w = box + 5 + item.name.length * charWidth(size);
    if (cx > 0 && cx + w > maxWidth) { cx = 0; cy += 17; }
    const swatch = item.line
      ? s('line', { x1: x + cx, x2: x + cx + box + 4, y1: y + cy + 6, y2: y + cy + 6, stroke: item.colour, 'stroke-width': 3,
        'stroke-dasharray': item.dashed ? '5 3' : null })
      : s('rect', { x: x + cx, y: y + cy + 1, width: box, height: box, rx: 2, fill: item.colour,
        'fill-opacity': item.opacity ?? 1, stroke: item.stroke ?? 'none', 'stroke-width': 1.2 });
    g.append(swatch, s('text', { x: x + cx + box + (item.line ? 9 : 5), y: y + cy + 10, 'font-size': size, fill: colours.ink }, item.name));
    cx += w + (item.line ? 4 : 0) + gap;
  }
  return { g, height: items.length ? cy + 17 : 0 };
}

function emptyNote(svg, width, text) {
  // A low strip instead of a full-height empty frame.
  const height = 110;
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.append(s('rect', { x: 0.5, y: 0.5, width: width - 1, height: height - 1, rx: 6, fill: '#f9fafb', stroke: colours.grid }),
    s('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle', 'dominant-baseline': 'middle', fill: colours.axis, 'font-size': 14 }, text));
  return svg;
}

function yAxis(svg, area, yt, yScale, label, tickFormat) {
  const g = s('g', { class: 'axis y' });
  for (const v of yt.ticks) {
    const y = yScale(v);
    g.append(s('line', { x1: area.x0, x2: area.x1, y1: y, y2: y, stroke: colours.grid, 'stroke-width': 1 }),
      s('text', { x: area.x0 - 6, y, 'text-anchor': 'end', 'dominant-baseline': 'middle', fill: colours.axis }, tickFormat(v)));
  }
  g.append(s('line', { x1: area.x0, x2: area.x0, y1: area.y0, y2: area.y1, stroke: colours.axis }));
  if (label) {
    const cy = (area.y0 + area.y1) / 2;
    g.append(s('text', { x: 14, y: cy, transform: `rotate(-90 14 ${cy})`, 'text-anchor': 'middle', fill: colours.ink, 'font-weight': 600 }, label));
  }
  svg.append(g);
}

function xAxisLabel(svg, area, height, label) {
  if (label) svg.append(s('text', { x: (area.x0 + area.x1) / 2, y: height - 6, 'text-anchor': 'middle', fill: colours.ink, 'font-weight': 600 }, label));
}

/**
 * Line chart. `series`: [{name, colour, points: [[x, y]...], dashed, area, markers}]; `xType` 'linear' | 'time'
 * (x in ms); `refLines`: [{y, label, colour, labelAt: 'left' | 'right'}] dashed horizontal lines; `yDomain`/`xDomain`: [min, max] to fix;
 * `yZero`: include 0; `format.x/y`: tooltip value formats.
 */
export function lineChart({ label, xLabel, yLabel, series, refLines = [], xType = 'linear', xDomain, yDomain, yZero = true,
  yInteger = false, xTicks, format = {}, width = 600, height = 300, empty = 'No data yet' }) {
  const svg = root(width, height, label);
  const all = series.flatMap(se => se.points);
  if (!all.length) return emptyNote(svg, width, empty);

  const leg = legend(series.map(se => ({ name: se.name, colour: se.colour, line: true, dashed: se.dashed }))
    .concat(refLines.filter(r => r.legend).map(r => ({ name: r.legend, colour: r.colour ?? colours.axis, line: true, dashed: true }))),
  60, 6, width - 70);
  const area = { x0: 60, x1: width - 18, y0: 14 + leg.height, y1: height - 46 };
  svg.append(leg.g);

  let xMin = xDomain?.[0] ?? Math.min(...all.map(p => p[0])), xMax = xDomain?.[1] ?? Math.max(...all.map(p => p[0]));
  if (xMin === xMax) { const pad = xType === 'time' ? 30 * Second : 1; xMin -= pad; xMax += pad; }
  let yMin = yDomain?.[0] ?? Math.min(...all.map(p => p[1]), ...refLines.map(r => r.y)),
    yMax = yDomain?.[1] ?? Math.max(...all.map(p => p[1]), ...refLines.map(r => r.y));
  if (yZero && !yDomain) yMin = Math.min(0, yMin);
  const yt = niceTicks(yMin, yMax, 5, { integer: yInteger });
  if (yDomain) { yt.ticks = yt.ticks.filter(v => v >= yDomain[0] - 1e-9 && v <= yDomain[1] + 1e-9); yt.min = yDomain[0]; yt.max = yDomain[1]; }
  const yScale = v => area.y1 - (v - yt.min) / (yt.max - yt.min || 1) * (area.y1 - area.y0);

  let xScale, xTickList, xTickText, xTip;
  if (xType === 'time') {
    const tt = timeTicks(xMin, xMax, Math.max(3, Math.floor((area.x1 - area.x0) / 95)));
    xTickList = tt.ticks; xTickText = tt.format;
    xScale = v => area.x0 + (v - xMin) / (xMax - xMin) * (area.x1 - area.x0);
    xTip = format.x ?? (v => new Date(v).toLocaleString());
  } else {
    const xt = niceTicks(xMin, xMax, 6);
    if (!xDomain) { xMin = xt.min; xMax = xt.max; }
    xTickList = xTicks ?? xt.ticks.filter(v => v >= xMin - 1e-9 && v <= xMax + 1e-9);
    // Ticks the caller gives as whole numbers (rounds, percentages) are written as such.
    const tickDecimals = xTicks?.every(Number.isInteger) ? 0 : xt.decimals;
    xTickText = v => formatTick(v, tickDecimals);
    xScale = v => area.x0 + (v - xMin) / (xMax - xMin) * (area.x1 - area.x0);
    xTip = format.x ?? (v => formatTick(v, xt.decimals));
  }
  const yTip = format.y ?? (v => formatTick(v, Math.max(yt.decimals, yInteger ? 0 : 2)));

  yAxis(svg, area, yt, yScale, yLabel, v => formatTick(v, yt.decimals));
  const gx = s('g', { class: 'axis x' });
  gx.append(s('line', { x1: area.x0, x2: area.x1, y1: area.y1, y2: area.y1, stroke: colours.axis }));
  for (const v of xTickList) {
    const x = xScale(v);
    gx.append(s('line', { x1: x, x2: x, y1: area.y1, y2: area.y1 + 5, stroke: colours.axis }),
      s('text', { x, y: area.y1 + 18, 'text-anchor': 'middle', fill: colours.axis }, xTickText(v)));
  }
  svg.append(gx);
  xAxisLabel(svg, area, height, xLabel);

  for (const r of refLines) {
    const y = yScale(r.y), colour = r.colour ?? colours.axis;
    svg.append(s('line', { x1: area.x0, x2: area.x1, y1: y, y2: y, stroke: colour, 'stroke-dasharray': '6 4', 'stroke-width': 1.5 }, tip(r.label ?? '')));
    if (r.label) {
      const right = r.labelAt === 'right';
      // Above the line, unless that would reach out of the plot area into the legend.
      const labelY = y - 16 >= area.y0 ? y - 5 : y + 14;
      svg.append(s('text', { x: right ? area.x1 - 4 : area.x0 + 6, y: labelY, 'text-anchor': right ? 'end' : 'start', fill: colour, 'font-size': 11 }, r.label));
    }
  }

  for (const se of series) {
    if (!se.points.length) continue;
    const pts = [...se.points].sort((a, b) => a[0] - b[0]);
    const d = pts.map((p, i) => `${i ? 'L' : 'M'}${xScale(p[0]).toFixed(1)},${yScale(p[1]).toFixed(1)}`).join('');
    if (se.area) {
      svg.append(s('path', { d: `${d}L${xScale(pts[pts.length - 1][0]).toFixed(1)},${area.y1}L${xScale(pts[0][0]).toFixed(1)},${area.y1}Z`,
        fill: se.colour, 'fill-opacity': 0.1, stroke: 'none' }));
    }
    svg.append(s('path', { d, fill: 'none', stroke: se.colour, 'stroke-width': se.width ?? 2.5, 'stroke-linejoin': 'round',
      'stroke-linecap': 'round', 'stroke-dasharray': se.dashed ? '7 4' : null }));
    const marks = s('g', { class: 'points' });
    const showMarkers = se.markers ?? pts.length <= 24;
    for (const p of pts) {
      marks.append(s('circle', { cx: xScale(p[0]).toFixed(1), cy: yScale(p[1]).toFixed(1), r: showMarkers ? 3.5 : 6,
        fill: showMarkers ? '#ffffff' : 'transparent', stroke: showMarkers ? se.colour : 'none', 'stroke-width': 2 },
      tip(`${se.name}: ${yTip(p[1])} at ${xTip(p[0])}`)));
    }
    svg.append(marks);
  }
  return svg;
}

/**
 * Bar chart. `categories`: [{label, sublabel}]; `series`: [{name, values, colour (string or (categoryIndex) => colour),
 * opacity, stroke}]; `stacked` stacks the series per category, otherwise they stand side by side.
 * `valueLabel(v, ci, si, total)` gives the text written on or above a bar (null for none), `tooltip(...)` the hover text,
 * `legendItems` replaces the legend made from the series.
 */
export function barChart({ label, categories, series, stacked = false, xLabel, yLabel, yInteger = false, valueLabel, tooltip,
  legendItems, width = 600, height = 300, empty = 'No data yet' }) {
  const svg = root(width, height, label);
  const colourOf = (se, ci) => typeof se.colour === 'function' ? se.colour(ci) : se.colour;
  const totals = categories.map((_, ci) => series.reduce((sum, se) => sum + (se.values[ci] ?? 0), 0));
  if (!categories.length || totals.every(t => t === 0)) return emptyNote(svg, width, empty);

  const leg = legend(legendItems ?? series.map(se => ({ name: se.name, colour: colourOf(se, 0), opacity: se.opacity, stroke: se.stroke ? colourOf(se, 0) : null })),
    62, 6, width - 72);
  svg.append(leg.g);
  const hasSub = categories.some(c => c.sublabel);
  const area = { x0: 62, x1: width - 14, y0: 16 + leg.height, y1: height - (hasSub ? 58 : 44) };

  const max = stacked ? Math.max(...totals) : Math.max(...series.flatMap(se => se.values.map(v => v ?? 0)));
  const yt = niceTicks(0, max * (stacked ? 1 : 1.08), 5, { integer: yInteger });
  const yScale = v => area.y1 - (v - yt.min) / (yt.max - yt.min || 1) * (area.y1 - area.y0);
  yAxis(svg, area, yt, yScale, yLabel, v => formatTick(v, yt.decimals));

  const band = (area.x1 - area.x0) / categories.length;
  const gx = s('g', { class: 'axis x' });
  gx.append(s('line', { x1: area.x0, x2: area.x1, y1: area.y1, y2: area.y1, stroke: colours.axis }));
  const labelSize = Math.min(FontSize, Math.max(9, band / Math.max(3, ...categories.map(c => c.label.length)) / 0.58));
  categories.forEach((c, ci) => {
    const cx = area.x0 + band * (ci + 0.5);
    gx.append(s('text', { x: cx, y: area.y1 + 17, 'text-anchor': 'middle', fill: colours.ink, 'font-size': labelSize }, c.label));
    if (c.sublabel) gx.append(s('text', { x: cx, y: area.y1 + 31, 'text-anchor': 'middle', fill: colours.axis, 'font-size': Math.min(11, labelSize) }, c.sublabel));
  });
  svg.append(gx);
  xAxisLabel(svg, area, height, xLabel);

  const bars = s('g', { class: 'bars' });
  const labels = s('g', { class: 'bar-labels', 'font-size': 11, 'text-anchor': 'middle', 'pointer-events': 'none' });
  categories.forEach((c, ci) => {
    const left = area.x0 + band * ci;
    if (stacked) {
      const w = Math.min(90, band * 0.62);
      const x = left + (band - w) / 2;
      let acc = 0;
      series.forEach((se, si) => {
        const v = se.values[ci] ?? 0;
        if (v <= 0) return;
        const yTop = yScale(acc + v), yBottom = yScale(acc);
        const colour = colourOf(se, ci);
        bars.append(s('rect', { x: x.toFixed(1), y: yTop.toFixed(1), width: w.toFixed(1), height: Math.max(0.5, yBottom - yTop).toFixed(1),
          fill: colour, 'fill-opacity': se.opacity ?? 1, stroke: '#ffffff', 'stroke-width': 0.75 },
        tip(tooltip ? tooltip(v, ci, si, totals[ci]) : `${se.name}: ${v}`)));
        const text = valueLabel?.(v, ci, si, totals[ci]);
        if (text && yBottom - yTop >= 14 && w >= text.length * charWidth(11) + 4) {
          labels.append(s('text', { x: x + w / 2, y: (yTop + yBottom) / 2, 'dominant-baseline': 'middle', fill: textOn(colour) }, text));
        }
        acc += v;
      });
    } else {
      const inner = band * 0.76, w = Math.min(46, inner / series.length);
      const start = left + (band - w * series.length) / 2;
      series.forEach((se, si) => {
        const v = se.values[ci];
        if (v === null || v === undefined) return;
        const x = start + si * w, y = yScale(v);
        const colour = colourOf(se, ci);
        bars.append(s('rect', { x: (x + 1).toFixed(1), y: y.toFixed(1), width: Math.max(1, w - 2).toFixed(1), height: Math.max(0.5, area.y1 - y).toFixed(1),
          fill: colour, 'fill-opacity': se.opacity ?? 1, stroke: se.stroke ? colour : 'none', 'stroke-width': 1.5, rx: 1.5 },
        tip(tooltip ? tooltip(v, ci, si, totals[ci]) : `${se.name}: ${v}`)));
        const text = valueLabel?.(v, ci, si, totals[ci]);
        if (text && w >= text.length * charWidth(10) - 2) {
          labels.append(s('text', { x: x + w / 2, y: y - 4, fill: colours.ink, 'font-size': 10 }, text));
        }
      });
    }
  });
  svg.append(bars, labels);
  return svg;
}

/** Puts the chart `build()` makes into `host`, only when `key` (the data it shows) changed: no flicker on refresh. */
export function renderPlot(host, key, build) {
  if (host.dataset.plotKey === key) return false;
  host.replaceChildren(build());
  host.dataset.plotKey = key;
  return true;
}
