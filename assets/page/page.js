/* bp page: a lesson you can push on. Plain JS and SVG, no library, no network.
 *
 * The math below is the page's one copy of bpcore's (bpcore/model/activations.py, network.py,
 * chain.py, descent.py, and bpcore/display.py): the browser tests hold it to bpcore on every step of
 * every shipped lesson and on random networks, so keep each function beside its Python twin.
 */
(function () {
  "use strict";

  // ---- Math: activations, forward pass, chain rule, one step of descent ------------------

  // numpy's logaddexp(0, z), term for term, so softplus matches bpcore's to the last bits.
  function softplus(z) {
    if (z === 0) return Math.LN2;
    return z < 0 ? Math.log1p(Math.exp(z)) : z + Math.log1p(Math.exp(-z));
  }
  // bpcore.model.activations.sigmoid: e^-|z| never overflows and nothing nearly equal is
  // subtracted, so both tails keep their digits (1 + tanh(z/2) loses them below z = -25).
  function sigmoid(z) {
    const small = Math.exp(-Math.abs(z));
    return z >= 0 ? 1 / (1 + small) : small / (1 + small);
  }
  const ACTIVATIONS = {
    softplus: { fn: softplus, derivative: sigmoid },
    relu: { fn: (z) => Math.max(0, z), derivative: (z) => (z > 0 ? 1 : 0) },  // slope 0 at the kink
    // s(z) s(-z), without the cancellation in 1 - s(z) for large z.
    sigmoid: { fn: sigmoid, derivative: (z) => sigmoid(z) * sigmoid(-z) },
  };

  function paramNames(k) {
    const names = [];
    for (let i = 1; i <= 2 * k; i++) names.push("w" + i);
    for (let i = 1; i <= k + 1; i++) names.push("b" + i);
    return names;
  }

  // bpcore.model.network.forward_arrays: values in canonical order (w_in, w_out, b_in, b_out).
  function forward(values, k, activation, xs) {
    const act = ACTIVATIONS[activation].fn;
    const n = xs.length;
    const hiddenX = [], hiddenY = [], scaled = [];
    const summed = new Array(n).fill(0);
    for (let j = 0; j < k; j++) {
      const hx = new Array(n), hy = new Array(n), sc = new Array(n);
      for (let i = 0; i < n; i++) {
        hx[i] = values[j] * xs[i] + values[2 * k + j];
        hy[i] = act(hx[i]);
        sc[i] = values[k + j] * hy[i];
        summed[i] = j === 0 ? sc[i] : summed[i] + sc[i];
      }
      hiddenX.push(hx); hiddenY.push(hy); scaled.push(sc);
    }
    const predicted = summed.map((s) => s + values[3 * k]);
    return { x: xs, hiddenX, hiddenY, scaled, summed, predicted };
  }

  // bpcore.model.chain.fit
  function fit(values, k, activation, xs, ys) {
    const f = forward(values, k, activation, xs);
    const residuals = ys.map((y, i) => y - f.predicted[i]);
    let ssr = 0;
    for (const r of residuals) ssr += r * r;
    return { forward: f, residuals, ssr };
  }

  // bpcore.model.chain.jacobian_arrays: d predicted / d param, one row per parameter.
  function jacobian(values, k, activation, f) {
    const d = ACTIVATIONS[activation].derivative;
    const n = f.x.length;
    const rows = [];
    const through = [];
    for (let j = 0; j < k; j++) through.push(f.hiddenX[j].map((hx) => values[k + j] * d(hx)));
    for (let j = 0; j < k; j++) rows.push(through[j].map((t, i) => t * f.x[i]));
    for (let j = 0; j < k; j++) rows.push(f.hiddenY[j].slice());
    for (let j = 0; j < k; j++) rows.push(through[j].slice());
    rows.push(new Array(n).fill(1));
    return rows;
  }

  function dot(a, b) {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  }

  // bpcore.model.chain.gradient: d SSR / d param for every parameter.
  function gradient(values, k, activation, xs, ys) {
    const r = fit(values, k, activation, xs, ys);
    const outer = r.residuals.map((res) => -2 * res);
    return jacobian(values, k, activation, r.forward).map((row) => dot(row, outer));
  }

  // bpcore.model.chain.chain_rule for one parameter: its named factors per data point, and the sum.
  function chainRule(values, k, activation, xs, ys, name) {
    const r = fit(values, k, activation, xs, ys);
    const f = r.forward;
    const n = xs.length;
    const names = paramNames(k);
    const p = names.indexOf(name);
    const outer = { numerator: "SSR", denominator: "predicted", values: r.residuals.map((res) => -2 * res) };
    const ones = new Array(n).fill(1);
    let rest;
    if (p === 3 * k) {
      rest = [{ numerator: "predicted", denominator: name, values: ones }];
    } else if (p >= k && p < 2 * k) {
      const j = p - k;
      rest = [{ numerator: "predicted", denominator: name, values: f.hiddenY[j].slice() }];
    } else {
      const j = p < k ? p : p - 2 * k;
      const yj = "y" + (j + 1), xj = "x" + (j + 1);
      const d = ACTIVATIONS[activation].derivative;
      rest = [
        { numerator: "predicted", denominator: yj, values: new Array(n).fill(values[k + j]) },
        { numerator: yj, denominator: xj, values: f.hiddenX[j].map(d) },
        { numerator: xj, denominator: name, values: p < k ? xs.slice() : ones },
      ];
    }
    const factors = [outer, ...rest];
    // numpy.prod over the factors' axis multiplies them in order.
    const terms = new Array(n).fill(0).map((_, i) => factors.reduce((acc, fa, q) => (q === 0 ? fa.values[i] : acc * fa.values[i]), 0));
    let total = 0;
    for (const t of terms) total += t;
    return { param: name, factors, terms, total };
  }

  // One update of bpcore.model.descent.descend: checks (diverged, converged) come before the update.
  // A value beyond +-bound (bpcore's, from the page data) is divergence, as in bp trace.
  function descentStep(values, k, activation, xs, ys, rows, rate, minStep, bound) {
    const r = fit(values, k, activation, xs, ys);
    const jac = jacobian(values, k, activation, r.forward);
    const outer = r.residuals.map((res) => -2 * res);
    const grad = rows.map((row) => dot(jac[row], outer));
    const step = grad.map((g) => g * rate);
    const within = (v) => Math.abs(v) <= bound;  // false for NaN, as numpy's <= is
    if (!(r.ssr <= bound && step.every(within) && grad.every(within) && values.every(within))) {
      return { status: "diverged", ssr: r.ssr, values };
    }
    if (step.every((s) => Math.abs(s) < minStep)) return { status: "converged", ssr: r.ssr, values };
    const next = values.slice();
    rows.forEach((row, q) => { next[row] -= step[q]; });
    return { status: "stepped", ssr: r.ssr, values: next };
  }

  // ---- Numbers: bpcore.display.fmt, digit for digit ---------------------------------------

  const F64 = new Float64Array(1);
  const U64 = new BigUint64Array(F64.buffer);

  // round(|value| / 10^unit) as a BigInt, half to even on the exact binary value: the digits
  // Python's formatting prints (toFixed rounds ties away from zero and switches to exponents
  // at 1e21, so the digits come from exact integer arithmetic instead).
  function scaledUnits(value, unit) {
    F64[0] = Math.abs(value);
    const bits = U64[0];
    const exponent = Number((bits >> 52n) & 0x7ffn);
    const fraction = bits & 0xfffffffffffffn;
    const mantissa = exponent === 0 ? fraction : fraction | (1n << 52n);
    const shift = (exponent === 0 ? -1074 : exponent - 1075);
    let numerator = shift >= 0 ? mantissa << BigInt(shift) : mantissa;
    let denominator = shift >= 0 ? 1n : 1n << BigInt(-shift);
    if (unit >= 0) denominator *= 10n ** BigInt(unit); else numerator *= 10n ** BigInt(-unit);
    let units = numerator / denominator;
    const twice = 2n * (numerator - units * denominator);
    if (twice > denominator || (twice === denominator && units % 2n === 1n)) units += 1n;
    return units;
  }

  // Python's round(value, decimals) then "%.{decimals}f".
  function fixed(value, decimals) {
    let digits = scaledUnits(value, -decimals).toString();
    if (decimals > 0) {
      digits = digits.padStart(decimals + 1, "0");
      digits = digits.slice(0, -decimals) + "." + digits.slice(-decimals);
    }
    return (value < 0 ? "-" : "") + digits;
  }

  // |value| to `digits` significant digits as [digit string, power of ten of the first digit],
  // as Python's "%.{digits-1}e" rounds it.
  function scientific(value, digits) {
    let power = Math.floor(Math.log10(Math.abs(value)));
    for (;;) {
      const text = scaledUnits(value, power - (digits - 1)).toString();
      // log10 can be off by one near a power of ten, and rounding can carry into a new digit.
      if (text.length > digits) power += 1;
      else if (text.length < digits) power -= 1;
      else return [text, power];
    }
  }

  const SUPERSCRIPT = { "-": "\u207b", 0: "\u2070", 1: "\u00b9", 2: "\u00b2", 3: "\u00b3",
    4: "\u2074", 5: "\u2075", 6: "\u2076", 7: "\u2077", 8: "\u2078", 9: "\u2079" };

  // bpcore.display.fmt: below 10^-4 and from 10^6 on (bpcore's bounds, in the page data),
  // "2.14 × 10⁻¹⁰"; else fixed notation.
  function fmt(value, digits) {
    if (digits === undefined) digits = 3;
    if (value === 0) return "0";
    if (!Number.isFinite(value)) return Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
    const [significant, power] = scientific(value, Math.max(digits, 1));
    if (power < RULES.smallestFixed || power >= RULES.firstScientific) {
      let mantissa = significant.length > 1 ? significant[0] + "." + significant.slice(1)
        : significant;
      if (mantissa.includes(".")) mantissa = mantissa.replace(/0+$/, "").replace(/\.$/, "");
      const exponent = String(power).replace(/[-0-9]/g, (c) => SUPERSCRIPT[c]);
      return (value < 0 ? "-" : "") + mantissa + " \u00d7 10" + exponent;
    }
    const magnitude = Math.floor(Math.log10(Math.abs(value)));
    const decimals = Math.max(digits - 1 - magnitude, 0);
    let text = fixed(value, decimals);
    if (text.includes(".")) text = text.replace(/0+$/, "").replace(/\.$/, "");
    return text === "-0" || text === "0" ? "0" : text;
  }

  // ---- The lesson -------------------------------------------------------------------------

  const D = JSON.parse(document.getElementById("lesson-data").textContent);
  // bpcore's rules (bpcore/outputs/page.py page_rules): divergence bound, notation, log scale.
  const RULES = D.rules;
  const K = D.hidden, ACT = D.activation, XS = D.x, YS = D.y, NAMES = D.names;
  const ROWS = D.optimize.map((name) => NAMES.indexOf(name));
  const PATH = (function () {
    const bytes = Uint8Array.from(atob(D.path), (c) => c.charCodeAt(0));
    return new Float64Array(bytes.buffer);
  })();
  const STEPS = D.steps;
  const num = (v) => fmt(v, D.digits);

  function traceValues(step) {
    const values = D.start.slice();
    ROWS.forEach((row, q) => { values[row] = PATH[step * ROWS.length + q]; });
    return values;
  }
  const TRACE_SSR = new Float64Array(STEPS);
  for (let s = 0; s < STEPS; s++) TRACE_SSR[s] = fit(traceValues(s), K, ACT, XS, YS).ssr;

  const xMin = Math.min(...XS), xMax = Math.max(...XS);
  const GRID = Array.from({ length: D.grid }, (_, i) => xMin + (xMax - xMin) * i / (D.grid - 1));
  GRID[GRID.length - 1] = xMax;

  // ---- State ------------------------------------------------------------------------------

  const state = {
    values: D.start.slice(),
    step: 0,            // index into the lesson's descent, or null once the student moved off it
    selected: D.sweep || D.optimize[D.optimize.length - 1],
    run: [],            // the student's own training: [{ssr}], one entry per state
    runOrigin: 0,       // the lesson's step it started from (0 when off the lesson's path)
    drawable: null,     // the run's last values with SSR <= READABLE, and their step
    drawableFrom: 0,
    runMax: 0,          // the run's largest SSR, for the SSR-by-step axis
    runShown: 0,        // which of the run's states is shown
    status: "",
    statusKind: "",
    playing: false,
    training: false,
  };

  // ---- SVG helpers ------------------------------------------------------------------------

  const SVG = "http://www.w3.org/2000/svg";
  function el(parent, tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const key in attrs || {}) node.setAttribute(key, attrs[key]);
    if (text !== undefined) node.textContent = text;
    parent.appendChild(node);
    return node;
  }
  // Writing the same text again still makes the browser restyle; dragging rewrites dozens of
  // numbers a frame, most unchanged.
  function setText(node, text) { if (node.textContent !== text) node.textContent = text; }
  function setValue(input, text) { if (input.value !== text) input.value = text; }
  function scale(d0, d1, r0, r1) {
    const m = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
    return (v) => r0 + (v - d0) * m;
  }
  const clampPx = (v) => (Number.isFinite(v) ? Math.max(-1e5, Math.min(1e5, v)) : 0);
  function pathD(xs, ys, sx, sy) {
    let d = "";
    for (let i = 0; i < xs.length; i++) {
      d += (i ? "L" : "M") + clampPx(sx(xs[i])).toFixed(1) + "," + clampPx(sy(ys[i])).toFixed(1);
    }
    return d;
  }
  function niceTicks(lo, hi, count) {
    const span = hi - lo;
    if (!(span > 0)) return [lo];
    const raw = span / count;
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const unit = [1, 2, 5, 10].map((m) => m * mag).find((u) => span / u <= count) || 10 * mag;
    const ticks = [];
    for (let t = Math.ceil(lo / unit) * unit; t <= hi + unit * 1e-9; t += unit) ticks.push(Math.abs(t) < unit * 1e-9 ? 0 : t);
    return ticks;
  }

  // A plot frame: axes, tick labels and axis labels, with a clip rectangle for what it holds.
  function frame(svg, box, id) {
    const g = el(svg, "g");
    const clip = el(el(svg, "defs"), "clipPath", { id });
    el(clip, "rect", { x: box.left, y: box.top, width: box.right - box.left, height: box.bottom - box.top });
    const ticks = el(g, "g");
    el(g, "path", { class: "axis", d: `M${box.left},${box.top}V${box.bottom}H${box.right}` });
    const body = el(svg, "g", { "clip-path": `url(#${id})` });
    return { g, ticks, body, box };
  }
  function drawTicks(fr, xd, yd, sx, sy, yLog) {
    // Dragging redraws often with the same axes: rebuild the labels only when they change.
    const key = [xd, yd, yLog].join();
    if (fr.key === key) return;
    fr.key = key;
    const t = fr.ticks;
    t.textContent = "";
    const b = fr.box;
    for (const v of niceTicks(xd[0], xd[1], 5)) {
      tickLabel(el(t, "text", { class: "tick", x: sx(v), y: b.bottom + 13, "text-anchor": "middle" }), v);
    }
    if (yLog) {
      // Decades as powers of ten, every other one when there are many.
      const all = decades(yd[0], yd[1]);
      const every = Math.ceil(all.length / 5);
      all.forEach((e, i) => {
        if ((all.length - 1 - i) % every) return;
        const label = el(t, "text", { class: "tick", x: b.left - 4, y: sy(Math.pow(10, e)) + 4, "text-anchor": "end" });
        if (Math.abs(e) < 5) { label.textContent = num(Math.pow(10, e)); return; }
        label.textContent = "10";
        el(label, "tspan", { dy: -5, "font-size": "0.8em" }, String(e).replace("-", "\u2212"));
      });
      return;
    }
    for (const v of niceTicks(yd[0], yd[1], 4)) {
      tickLabel(el(t, "text", { class: "tick", x: b.left - 4, y: sy(v) + 4, "text-anchor": "end" }), v);
    }
  }
  // Axis labels are round numbers; past five digits they read better as a x 10^e.
  function tickLabel(label, v) {
    const e = v === 0 ? 0 : Math.floor(Math.log10(Math.abs(v)) + 1e-9);
    if (Math.abs(e) < 5) { label.textContent = num(v); return; }
    const m = v / Math.pow(10, e);
    label.textContent = (Math.abs(m - 1) < 1e-9 ? "" : num(m) + "\u00d7") + "10";
    el(label, "tspan", { dy: -5, "font-size": "0.8em" }, String(e).replace("-", "\u2212"));
  }
  function decades(lo, hi) {
    const out = [];
    for (let e = Math.ceil(Math.log10(lo)); e <= Math.floor(Math.log10(hi)); e++) out.push(e);
    return out;
  }

  // ---- Views ------------------------------------------------------------------------------

  const colorOf = (j) => D.colors["node" + ((j % 4) + 1)];
  // Red while a parameter learns; green when fixed, or on the lesson's path from the step it
  // settled at (bpcore.lesson.settling.settled_at, in the page data), as in the videos.
  const kindOf = (name) => {
    if (!D.optimize.includes(name)) return "fixed";
    const settled = D.settled[name];
    return state.step !== null && settled !== null && state.step >= settled ? "fixed" : "learning";
  };
  function colour(node, name) {
    const kind = kindOf(name);
    node.classList.toggle("fixed", kind === "fixed");
    node.classList.toggle("learning", kind === "learning");
  }

  // The data, squiggle, residuals and hidden curves. Axes are fixed by the lesson (data, the
  // start and end of its descent) so that moving a parameter moves the curves, not the axes.
  const fitView = (function () {
    const svg = document.getElementById("fit");
    const box = { left: 46, right: 450, top: 10, bottom: 232 };
    const fr = frame(svg, box, "fit-clip");
    let lo = Math.min(...YS), hi = Math.max(...YS);
    for (const s of [0, STEPS - 1]) {
      const f = forward(traceValues(s), K, ACT, GRID);
      for (const arr of [f.predicted, ...f.scaled]) for (const v of arr) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    }
    const pad = 0.08 * Math.max(hi - lo, 1e-9);
    const xd = [xMin - 0.05 * (xMax - xMin), xMax + 0.05 * (xMax - xMin)], yd = [lo - pad, hi + pad];
    const sx = scale(xd[0], xd[1], box.left, box.right), sy = scale(yd[0], yd[1], box.bottom, box.top);
    drawTicks(fr, xd, yd, sx, sy, false);
    el(fr.g, "text", { class: "label", x: (box.left + box.right) / 2, y: box.bottom + 30, "text-anchor": "middle" }, D.labels.x);
    el(fr.g, "text", { class: "label", transform: `translate(11,${(box.top + box.bottom) / 2}) rotate(-90)`, "text-anchor": "middle" }, D.labels.y);
    if (yd[0] < 0 && yd[1] > 0) el(fr.body, "line", { x1: box.left, x2: box.right, y1: sy(0), y2: sy(0), stroke: D.colors.muted, "stroke-width": 0.75 });
    const hidden = el(fr.body, "g");
    const curves = [];
    for (let j = 0; j < K; j++) curves.push(el(hidden, "path", { class: "hidden-curve", stroke: colorOf(j) }));
    const squiggle = el(fr.body, "path", { class: "squiggle" });
    const residuals = XS.map(() => el(fr.body, "line", { class: "residual" }));
    XS.forEach((x, i) => el(fr.body, "circle", { class: "datum", cx: sx(x), cy: sy(YS[i]), r: 5 }));
    const toggle = document.getElementById("show-hidden");
    return function draw(values) {
      const f = forward(values, K, ACT, GRID);
      squiggle.setAttribute("d", pathD(GRID, f.predicted, sx, sy));
      hidden.style.display = toggle.checked ? "" : "none";
      if (toggle.checked) curves.forEach((c, j) => c.setAttribute("d", pathD(GRID, f.scaled[j], sx, sy)));
      const p = forward(values, K, ACT, XS).predicted;
      residuals.forEach((line, i) => {
        line.setAttribute("x1", sx(XS[i])); line.setAttribute("x2", sx(XS[i]));
        line.setAttribute("y1", sy(YS[i])); line.setAttribute("y2", clampPx(sy(p[i])));
      });
    };
  })();

  // The network: input, k hidden nodes in their colours, the sum and the output, every
  // parameter's value on its edge or node.
  const networkView = (function () {
    const svg = document.getElementById("network");
    const W = 460, H = 250;
    const inX = 34, hidX = 250, sumX = 400;
    const mid = H / 2;
    const hy = (j) => (K === 1 ? mid : 30 + (H - 60) * j / (K - 1));
    const labels = {};
    function value(name, x, y, anchor) {
      const t = el(svg, "text", { class: `value halo ${kindOf(name)}`, x, y, "text-anchor": anchor || "middle" });
      labels[name] = t;
    }
    for (let j = 0; j < K; j++) {
      el(svg, "line", { class: "edge", x1: inX, y1: mid, x2: hidX, y2: hy(j) });
      el(svg, "line", { class: "edge", x1: hidX, y1: hy(j), x2: sumX, y2: mid });
    }
    el(svg, "line", { class: "edge", x1: sumX, y1: mid, x2: W - 6, y2: mid });
    el(svg, "circle", { class: "sum", cx: inX, cy: mid, r: 16 });
    el(svg, "text", { x: inX, y: mid + 34, "text-anchor": "middle", class: "tick" }, D.labels.x);
    const glyph = (j) => {
      const fn = ACTIVATIONS[ACT].fn;
      const zs = Array.from({ length: 21 }, (_, i) => -3 + 6 * i / 20);
      const vs = zs.map(fn);
      const top = Math.max(...vs), bot = Math.min(...vs);
      const g = Math.min(11, radius * 0.65);
      return pathD(zs, vs, scale(-3, 3, hidX - g, hidX + g), scale(bot, top, hy(j) + g * 0.7, hy(j) - g * 0.7));
    };
    const radius = K === 1 ? 17 : Math.min(17, (H - 60) / (K - 1) / 2 - 2);
    for (let j = 0; j < K; j++) {
      el(svg, "circle", { class: "node", cx: hidX, cy: hy(j), r: radius, stroke: colorOf(j) });
      el(svg, "path", { d: glyph(j), stroke: colorOf(j), "stroke-width": 2, fill: "none" });
    }
    el(svg, "circle", { class: "sum", cx: sumX, cy: mid, r: 15 });
    el(svg, "text", { x: sumX, y: mid + 5, "text-anchor": "middle", "font-size": 18 }, "+");
    const compact = K > 3;  // too many edges to label each: one line beside each node instead
    for (let j = 0; j < K; j++) {
      if (compact) {
        const left = el(svg, "text", { class: "value halo", x: hidX - radius - 5, y: hy(j) + 4, "text-anchor": "end" });
        for (const [q, name] of [j, 2 * K + j].map((p) => [p, NAMES[p]])) {
          if (q !== j) el(left, "tspan", {}, ", ");
          labels[name] = el(left, "tspan", { class: kindOf(name) });
        }
        const right = el(svg, "text", { class: "value halo", x: hidX + radius + 5, y: hy(j) + 4 });
        labels[NAMES[K + j]] = el(right, "tspan", { class: kindOf(NAMES[K + j]) });
        continue;
      }
      const t = 0.42;
      const y1 = mid + (hy(j) - mid) * t;
      value(NAMES[j], inX + (hidX - inX) * t, y1 - 5);
      if (K === 1) value(NAMES[2 * K + j], hidX, hy(j) + radius + 18);  // the edge is flat
      else value(NAMES[2 * K + j], hidX - 20, hy(j) - 20, "end");
      const y2 = hy(j) + (mid - hy(j)) * 0.45;
      value(NAMES[K + j], hidX + (sumX - hidX) * 0.45, y2 - 6);
    }
    value(NAMES[3 * K], sumX, mid - 24);
    return function draw(values) {
      NAMES.forEach((name, p) => {
        const label = labels[name];
        const prefix = name.startsWith("b") && p < 3 * K && !compact ? "+ " : "";
        setText(label, `${prefix}${name} = ${num(values[p])}`);
        label.classList.toggle("selected", name === state.selected);
        colour(label, name);
      });
    };
  })();

  // The pink SSR curve for the selected parameter, the others held; the point and tangent.
  const ssrView = (function () {
    const svg = document.getElementById("ssr-curve");
    const box = { left: 60, right: 450, top: 10, bottom: 192 };
    const fr = frame(svg, box, "ssr-clip");
    const xlabel = el(fr.g, "text", { class: "label", x: (box.left + box.right) / 2, y: box.bottom + 30, "text-anchor": "middle" });
    el(fr.g, "text", { class: "label", transform: `translate(11,${(box.top + box.bottom) / 2}) rotate(-90)`, "text-anchor": "middle" }, "SSR");
    const pink = el(fr.body, "path", { class: "pink" });
    const tangent = el(fr.body, "line", { class: "tangent" });
    const point = el(fr.body, "circle", { class: "point", r: 6 });
    const readout = document.getElementById("ssr-readout");
    const slopeOut = document.getElementById("slope-readout");
    return function draw(values, grad) {
      const name = state.selected, p = NAMES.indexOf(name);
      // The slider's range, stretched to the current value when training has left it.
      let [lo, hi] = D.ranges[name];
      const span = hi - lo;
      if (values[p] < lo) lo = values[p] - 0.05 * (hi - values[p]);
      if (values[p] > hi) hi = values[p] + 0.05 * (values[p] - lo);
      const xs = [], ys = [];
      const probe = values.slice();
      for (let i = 0; i < D.ssrSamples; i++) {
        probe[p] = lo + (hi - lo) * i / (D.ssrSamples - 1);
        xs.push(probe[p]);
        ys.push(fit(probe, K, ACT, XS, YS).ssr);
      }
      const here = fit(values, K, ACT, XS, YS).ssr;
      const finite = ys.filter(Number.isFinite);
      const top = Math.max(here, ...finite) * 1.05 || 1;
      const sx = scale(lo, hi, box.left, box.right), sy = scale(0, top, box.bottom, box.top);
      drawTicks(fr, [lo, hi], [0, top], sx, sy, false);
      setText(xlabel, name);
      pink.setAttribute("d", pathD(xs, ys, sx, sy));
      const v = values[p], slope = grad[p];
      const half = span * 0.18;
      tangent.setAttribute("x1", clampPx(sx(v - half))); tangent.setAttribute("y1", clampPx(sy(here - slope * half)));
      tangent.setAttribute("x2", clampPx(sx(v + half))); tangent.setAttribute("y2", clampPx(sy(here + slope * half)));
      point.setAttribute("cx", clampPx(sx(v))); point.setAttribute("cy", clampPx(sy(here)));
      setText(readout, `SSR = ${num(here)}`);
      setText(slopeOut, `slope d SSR / d ${name} = ${num(slope)}`);
    };
  })();

  // SSR at each step of the lesson's descent (log scale when it spans decades), the current
  // step, and the student's own training in red.
  const historyView = (function () {
    const svg = document.getElementById("history");
    const box = { left: 60, right: 450, top: 8, bottom: 152 };
    const fr = frame(svg, box, "history-clip");
    el(fr.g, "text", { class: "label", x: (box.left + box.right) / 2, y: box.bottom + 30, "text-anchor": "middle" }, "Step");
    el(fr.g, "text", { class: "label", transform: `translate(11,${(box.top + box.bottom) / 2}) rotate(-90)`, "text-anchor": "middle" }, "SSR");
    const trail = el(fr.body, "path", { class: "trail" });
    const run = el(fr.body, "path", { class: "run" });
    const marker = el(fr.body, "circle", { class: "point", r: 5 });
    const TRACE_MAX = TRACE_SSR.reduce((m, v) => Math.max(m, v), 0);
    let key = "";
    let sx, sy;
    function axes() {
      const all = Array.from(TRACE_SSR).concat(state.run.map((r) => r.ssr)).filter((v) => Number.isFinite(v));
      const positive = all.filter((v) => v > 0);
      const hi = Math.max(...all, 1e-12);
      // bpcore.display.wants_log, on the lesson's SSR and the student's run.
      const log = hi > RULES.logRatio * Math.max(Math.min(...all), hi * RULES.logFloor);
      const lo = Math.max(positive.length ? Math.min(...positive) : hi / 10, hi * RULES.logFloor);
      const last = Math.max(STEPS - 1, state.runOrigin + state.run.length - 1, 1);
      sx = scale(0, last, box.left, box.right);
      if (log) {
        const l0 = Math.log10(lo) - 0.1, l1 = Math.log10(hi) + 0.1;
        const ly = scale(l0, l1, box.bottom, box.top);
        sy = (v) => ly(Math.log10(Math.max(v, lo / 10)));
        drawTicks(fr, [0, last], [Math.pow(10, l0), Math.pow(10, l1)], sx, sy, true);
      } else {
        sy = scale(0, hi * 1.05, box.bottom, box.top);
        drawTicks(fr, [0, last], [0, hi * 1.05], sx, sy, false);
      }
      // Thousands of steps: one point per pixel column is all the eye can see.
      const every = Math.max(1, Math.floor(STEPS / 800));
      const xs = [], ys = [];
      for (let s = 0; s < STEPS; s += every) { xs.push(s); ys.push(TRACE_SSR[s]); }
      xs.push(STEPS - 1); ys.push(TRACE_SSR[STEPS - 1]);
      trail.setAttribute("d", pathD(xs, ys, sx, sy));
    }
    return function draw(values) {
      const runEnd = state.runOrigin + state.run.length;
      const runMax = state.run.length ? state.runMax : 0;
      const want = `${runEnd > STEPS ? Math.ceil(runEnd / 100) : 0}|${runMax > TRACE_MAX ? Math.ceil(Math.log10(runMax)) : 0}|${state.run.length ? 1 : 0}`;
      if (want !== key) { key = want; axes(); }
      const every = Math.max(1, Math.floor(state.run.length / 800));
      const xs = [], ys = [];
      for (let i = 0; i < state.run.length; i += every) { xs.push(state.runOrigin + i); ys.push(state.run[i].ssr); }
      if (state.run.length) { xs.push(runEnd - 1); ys.push(state.run[state.run.length - 1].ssr); }
      run.setAttribute("d", xs.length ? pathD(xs, ys, sx, sy) : "");
      const here = fit(values, K, ACT, XS, YS).ssr;
      const at = state.step !== null ? state.step : state.run.length ? state.runOrigin + state.runShown : null;
      marker.style.display = at === null ? "none" : "";
      if (at !== null) { marker.setAttribute("cx", sx(at)); marker.setAttribute("cy", clampPx(sy(here))); }
    };
  })();

  // The parameters with their values, slopes and step sizes (learning rate x slope).
  const tableView = (function () {
    const table = document.getElementById("param-table");
    table.innerHTML = "<thead><tr><th scope=col>Parameter</th><th scope=col>Value</th>" +
      "<th scope=col>Slope<br>d SSR / d param</th><th scope=col>Step size<br>slope &times; rate</th></tr></thead>";
    const body = table.createTBody();
    const cells = NAMES.map((name) => {
      const tr = body.insertRow();
      tr.className = kindOf(name);
      const c = [0, 1, 2, 3].map(() => tr.insertCell());
      c[0].textContent = name;
      return { tr, c };
    });
    return function draw(values, grad, rate) {
      NAMES.forEach((name, p) => {
        const { tr, c } = cells[p];
        tr.classList.toggle("selected", name === state.selected);
        colour(tr, name);
        setText(c[1], num(values[p]));
        setText(c[2], num(grad[p]));
        setText(c[3], D.optimize.includes(name) ? (Number.isFinite(rate) ? num(grad[p] * rate) : "") : "held");
      });
    };
  })();

  // The chain rule for the selected parameter: its factors at each data point, their product,
  // and the sum of the products, which is the slope.
  const chainView = (function () {
    const table = document.getElementById("chain-table");
    const formula = document.getElementById("chain-formula");
    const word = (name) => {
      if (name === "SSR") return "SSR";
      if (name === "predicted") return "Predicted";
      const m = /^([a-z])(\d+)$/.exec(name);
      return m ? `${m[1]}<sub>${m[2]}</sub>` : name;
    };
    const frac = (f) => `<span class="frac"><span>d ${word(f.numerator)}</span><span>d ${word(f.denominator)}</span></span>`;
    let shown = "";
    let cells = [];
    function build(chain) {
      const name = chain.param;
      formula.innerHTML = `${frac({ numerator: "SSR", denominator: name })} = ` + chain.factors.map(frac).join(" &times; ");
      let head = "<thead><tr><th scope=col>" + word("x") + "</th>" + chain.factors.map((f) => `<th scope=col>${frac(f)}</th>`).join("") + "<th scope=col>product</th></tr></thead>";
      table.innerHTML = head;
      const body = table.createTBody();
      cells = XS.map(() => {
        const tr = body.insertRow();
        return [0, ...chain.factors.map(() => 0), 0].map(() => tr.insertCell());
      });
      const sum = body.insertRow();
      sum.className = "sum";
      const label = sum.insertCell();
      label.colSpan = chain.factors.length + 1;
      label.innerHTML = `sum = ${frac({ numerator: "SSR", denominator: name })}`;
      cells.push([sum.insertCell()]);
    }
    return function draw(values) {
      const chain = chainRule(values, K, ACT, XS, YS, state.selected);
      if (shown !== state.selected) { shown = state.selected; build(chain); }
      XS.forEach((x, i) => {
        const row = cells[i];
        setText(row[0], num(x));
        chain.factors.forEach((f, q) => setText(row[q + 1], num(f.values[i])));
        setText(row[row.length - 1], num(chain.terms[i]));
      });
      setText(cells[cells.length - 1][0], num(chain.total));
      return chain;
    };
  })();

  // ---- Controls ---------------------------------------------------------------------------

  const sliders = {};
  const sliderBox = document.getElementById("sliders");
  NAMES.forEach((name, p) => {
    const [lo, hi, step] = D.ranges[name];
    const row = document.createElement("div");
    row.className = "slider " + kindOf(name);
    row.innerHTML = `<label for="slider-${name}">${name}</label>` +
      `<input type="range" id="slider-${name}" min="${lo}" max="${hi}" step="${step}">` +
      `<input type="number" id="value-${name}" step="any" aria-label="${name} value">`;
    sliderBox.appendChild(row);
    const range = row.querySelector("input[type=range]"), box = row.querySelector("input[type=number]");
    sliders[name] = { row, range, box };
    const set = (v) => {
      if (!Number.isFinite(v)) return;
      stopAll();
      state.values[p] = v;
      state.step = null;
      state.run = [];  // training from here starts a new run
      state.selected = name;
      clearStatus();
      render(range === document.activeElement ? "range" : "box");
    };
    range.addEventListener("input", () => set(parseFloat(range.value)));
    box.addEventListener("change", () => set(parseFloat(box.value)));
    const select = () => { if (state.selected !== name) { state.selected = name; render(); } };
    range.addEventListener("focus", select);
    box.addEventListener("focus", select);
  });

  const paramSelect = document.getElementById("param-select");
  NAMES.forEach((name) => paramSelect.add(new Option(name, name)));
  paramSelect.addEventListener("change", () => { state.selected = paramSelect.value; render(); });

  const stepInput = document.getElementById("step");
  stepInput.max = String(STEPS - 1);
  const stepReadout = document.getElementById("step-readout");
  const rateInput = document.getElementById("rate");
  rateInput.value = String(D.learningRate);
  const status = document.getElementById("train-status");
  const playButton = document.getElementById("play"), runButton = document.getElementById("train-run");

  function setStatus(text, kind) { state.status = text; state.statusKind = kind || ""; }
  function clearStatus() { setStatus("", ""); }

  function gotoStep(s) {
    s = Math.max(0, Math.min(STEPS - 1, Math.round(s)));
    state.values = traceValues(s);
    state.step = s;
    state.run = [];
    clearStatus();
    render();
  }

  function readRate() {
    const rate = parseFloat(rateInput.value);
    if (!(rate > 0) || !Number.isFinite(rate)) {
      setStatus("Type a learning rate greater than 0, such as " + D.learningRate + ".", "alert");
      return null;
    }
    return rate;
  }

  // One step of the student's training; returns the descent step's status.
  // Past this SSR a diverging run's numbers are too long to read; see trainOnce.
  const READABLE = 1e12;

  function trainOnce(rate) {
    if (!state.run.length) {
      state.runOrigin = state.step !== null ? state.step : 0;
      state.run.push({ ssr: fit(state.values, K, ACT, XS, YS).ssr });
      state.runMax = state.run[0].ssr;
      state.runShown = 0;
      state.drawable = state.values.slice();
      state.drawableFrom = 0;
    }
    const r = descentStep(state.values, K, ACT, XS, YS, ROWS, rate, D.minStepSize, RULES.divergenceBound);
    const taken = state.run.length - 1;
    if (r.status === "diverged") {
      // Stop where bpcore stops, but show the last state whose numbers are still readable.
      const shown = state.run.length - 1 - state.drawableFrom;
      state.values = state.drawable.slice();
      state.runShown = state.drawableFrom;
      state.step = null;
      setStatus(`Diverged at step ${taken} with learning rate ${rate}: the values overflowed. ` +
        "Each step overshoots the bottom of the SSR curve by more than the last: try a " +
        `smaller learning rate.` + (shown > 0 ? ` Showing step ${state.drawableFrom}, the last with SSR under 10\u00b9\u00b2.` : ""), "alert");
      return "diverged";
    }
    if (r.status === "converged") {
      setStatus(`Converged: every step size is below ${D.minStepSize} after ${taken} step${taken === 1 ? "" : "s"}. SSR = ${num(r.ssr)}.`, "done");
      return "converged";
    }
    state.values = r.values;
    const ssr = fit(state.values, K, ACT, XS, YS).ssr;
    state.run.push({ ssr });
    state.runMax = Math.max(state.runMax, ssr);
    state.runShown = state.run.length - 1;
    if (ssr <= READABLE) { state.drawable = state.values.slice(); state.drawableFrom = taken + 1; }
    state.step = state.runOrigin + taken + 1 < STEPS && sameAsTrace(state.runOrigin + taken + 1) ? state.runOrigin + taken + 1 : null;
    const recent = state.run.slice(-6).map((e) => e.ssr);
    const growing = recent.length === 6 && recent.every((v, i) => i === 0 || v > recent[i - 1]);
    if (growing) {
      setStatus(`SSR grows with every step (${num(ssr)} after ${taken + 1} steps): learning rate ${rate} overshoots. It is diverging.`, "alert");
    } else {
      setStatus(`Your training: ${taken + 1} step${taken ? "s" : ""} at learning rate ${rate}, SSR = ${num(ssr)}.`, "");
    }
    return "stepped";
  }

  // Training at the lesson's rate from a lesson state follows the lesson's path (to rounding:
  // the browser's exp and log may differ from numpy's in the last bit), so the player shows
  // where on that path the student is; the student's values are kept, never replaced.
  function sameAsTrace(s) {
    const t = traceValues(s);
    return t.every((v, i) => Math.abs(v - state.values[i]) <= 1e-9 * Math.max(Math.abs(v), 1e-3));
  }

  let frameRequest = null;
  function stopAll() {
    state.playing = false;
    state.training = false;
    if (frameRequest !== null) cancelAnimationFrame(frameRequest);
    frameRequest = null;
  }

  // Playing and training advance by the clock at the chosen speed, however fast frames come.
  const speedSelect = document.getElementById("speed");
  const SPEEDS = [2, 10, 60, 600, 6000];
  SPEEDS.forEach((v) => speedSelect.add(new Option(`${v} steps a second`, String(v))));
  // Default: the lesson's descent plays in about ten seconds.
  const defaultSpeed = SPEEDS.reduce((best, v) => (Math.abs(Math.log(v * 10 / STEPS)) < Math.abs(Math.log(best * 10 / STEPS)) ? v : best));
  speedSelect.value = String(defaultSpeed);
  let clock = null;
  function due() {
    const now = performance.now();
    const speed = parseFloat(speedSelect.value);
    const n = Math.min(Math.floor((now - clock.start) * speed / 1000) - clock.done, 2000);
    clock.done += Math.max(n, 0);
    return Math.max(n, 0);
  }
  function startClock() { clock = { start: performance.now(), done: 0 }; }
  speedSelect.addEventListener("change", () => { if (clock) startClock(); });

  function tick() {
    frameRequest = null;
    const n = due();
    if (state.playing) {
      const s = state.step === null ? 0 : state.step;
      if (s >= STEPS - 1) { stopAll(); render(); return; }
      if (n > 0) gotoStep(Math.min(STEPS - 1, s + n));
    } else if (state.training) {
      const rate = readRate();
      if (rate === null) { stopAll(); render(); return; }
      for (let i = 0; i < n; i++) {
        if (trainOnce(rate) !== "stepped") { stopAll(); break; }
      }
      if (n > 0 || !state.training) render();
    }
    if (state.playing || state.training) frameRequest = requestAnimationFrame(tick);
  }

  document.getElementById("to-start").addEventListener("click", () => { stopAll(); gotoStep(0); });
  document.getElementById("to-end").addEventListener("click", () => { stopAll(); gotoStep(STEPS - 1); });
  document.getElementById("back").addEventListener("click", () => { stopAll(); gotoStep(state.step === null ? 0 : state.step - 1); });
  document.getElementById("forward").addEventListener("click", () => { stopAll(); gotoStep(state.step === null ? 0 : state.step + 1); });
  stepInput.addEventListener("input", () => { stopAll(); gotoStep(parseInt(stepInput.value, 10)); });
  playButton.addEventListener("click", () => {
    if (state.playing) { stopAll(); render(); return; }
    stopAll();
    if (state.step === null || state.step >= STEPS - 1) gotoStep(0);
    state.playing = true;
    startClock();
    render();
    frameRequest = requestAnimationFrame(tick);
  });
  document.getElementById("train-step").addEventListener("click", () => {
    stopAll();
    const rate = readRate();
    if (rate !== null) trainOnce(rate);
    render();
  });
  runButton.addEventListener("click", () => {
    if (state.training) { stopAll(); render(); return; }
    stopAll();
    if (readRate() === null) { render(); return; }
    state.training = true;
    startClock();
    render();
    frameRequest = requestAnimationFrame(tick);
  });
  rateInput.addEventListener("input", () => render());
  document.getElementById("reset").addEventListener("click", () => {
    stopAll();
    rateInput.value = String(D.learningRate);
    state.selected = D.sweep || D.optimize[D.optimize.length - 1];
    document.getElementById("show-hidden").checked = false;
    gotoStep(0);
  });
  document.getElementById("show-hidden").addEventListener("change", () => render());

  // ---- Redraw -----------------------------------------------------------------------------

  function render(typing) {
    const values = state.values;
    const grad = gradient(values, K, ACT, XS, YS);
    const rate = parseFloat(rateInput.value);
    fitView(values);
    networkView(values);
    ssrView(values, grad);
    historyView(values);
    tableView(values, grad, rate);
    chainView(values);
    NAMES.forEach((name, p) => {
      const s = sliders[name];
      if (typing !== "range" || name !== state.selected) setValue(s.range, String(values[p]));
      if (typing !== "box" || name !== state.selected) setValue(s.box, num(values[p]));
      s.row.classList.toggle("selected", name === state.selected);
      colour(s.row, name);
    });
    paramSelect.value = state.selected;
    if (state.step !== null) setValue(stepInput, String(state.step));
    setText(stepReadout, state.step !== null
      ? `Step ${state.step} of ${STEPS - 1}` + (state.step === STEPS - 1 ? ` (${D.status === "converged" ? "converged" : "the lesson's last step"})` : "") + `: SSR = ${num(fit(values, K, ACT, XS, YS).ssr)}`
      : "Off the lesson's path: your own values.");
    setText(playButton, state.playing ? "Pause" : "Play");
    playButton.setAttribute("aria-label", state.playing ? "Pause" : "Play");
    setText(runButton, state.training ? "Stop" : "Train");
    setText(status, state.status);
    if (status.className !== "status " + state.statusKind) status.className = "status " + state.statusKind;
  }

  document.getElementById("summary").textContent =
    `${D.hidden} hidden node${D.hidden > 1 ? "s" : ""}, ${D.activation}; optimizing ${D.optimize.join(", ")} ` +
    `with learning rate ${D.learningRate}: ${STEPS - 1} step${STEPS === 2 ? "" : "s"} (${D.status === "converged" ? "converged" : "all steps taken"}).`;
  render();

  // ---- For tests and benchmarks: the page's math and state, read only --------------------

  window.bpPage = {
    fmt, forward, gradient, chainRule, paramNames, activations: ACTIVATIONS,
    kindOf,
    lesson: D,
    traceValues,
    goto: gotoStep,
    state() {
      const values = state.values;
      const grad = gradient(values, K, ACT, XS, YS);
      return {
        values: values.slice(), step: state.step, selected: state.selected,
        ssr: fit(values, K, ACT, XS, YS).ssr,
        slopes: ROWS.map((row) => grad[row]),
        status: state.status, training: state.training, playing: state.playing,
      };
    },
    // What the page computes at the lesson's step s, without drawing it.
    stateAt(s) {
      const values = traceValues(s);
      const grad = gradient(values, K, ACT, XS, YS);
      return { values, ssr: fit(values, K, ACT, XS, YS).ssr, slopes: ROWS.map((row) => grad[row]) };
    },
    // Takes up to n steps as the "One step" button does; the values after each.
    train(rate, n) {
      stopAll();
      rateInput.value = String(rate);
      const out = [];
      for (let i = 0; i < n; i++) {
        const r = trainOnce(rate);
        if (r !== "stepped") break;
        out.push(state.values.slice());
      }
      render();
      return { values: out, status: state.status };
    },
    render,
  };
})();
