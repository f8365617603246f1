// The recognizer page: a drawing pad (mouse, touch, pen), the top 10 answers, votes, and the
// Train tab. Plain JavaScript, no library, no network beyond this server.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { mode: "recognize", symbols: [], target: null, seq: 0, results: [] };

// ------------------------------------------------------------------------- drawing pad
class Pad {
  constructor(canvas, onStrokeEnd) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.strokes = [];
    this.current = null;
    this.onStrokeEnd = onStrokeEnd;
    this.resize();
    window.addEventListener("resize", () => this.resize());
    if (window.PointerEvent) {
      canvas.addEventListener("pointerdown", (e) => this.start(e, e.pointerId));
      canvas.addEventListener("pointermove", (e) => this.move(e));
      canvas.addEventListener("pointerup", (e) => this.end(e));
      canvas.addEventListener("pointercancel", (e) => this.end(e));
    } else {  // old mobile browsers: touch events, then mouse events
      canvas.addEventListener("touchstart", (e) => this.start(e.changedTouches[0], null, e));
      canvas.addEventListener("touchmove", (e) => this.move(e.changedTouches[0], e));
      canvas.addEventListener("touchend", (e) => this.end(e.changedTouches[0], e));
      canvas.addEventListener("mousedown", (e) => this.start(e));
      canvas.addEventListener("mousemove", (e) => this.move(e));
      window.addEventListener("mouseup", (e) => this.end(e));
    }
  }
  point(e) {
    const r = this.canvas.getBoundingClientRect();
    return [Math.round((e.clientX - r.left) * 10) / 10, Math.round((e.clientY - r.top) * 10) / 10];
  }
  start(e, pointerId, raw) {
    const event = raw || e;
    if (event.preventDefault) event.preventDefault();
    if (pointerId != null && this.canvas.setPointerCapture) {
      try { this.canvas.setPointerCapture(pointerId); } catch (_) { /* synthetic events */ }
    }
    this.current = [this.point(e)];
    this.strokes.push(this.current);
    this.draw();
  }
  move(e, raw) {
    if (!this.current) return;
    const event = raw || e;
    if (event.preventDefault) event.preventDefault();
    const p = this.point(e), last = this.current[this.current.length - 1];
    if (Math.abs(p[0] - last[0]) + Math.abs(p[1] - last[1]) < 1) return;
    this.current.push(p);
    this.draw();
  }
  end(e, raw) {
    if (!this.current) return;
    raw && raw.preventDefault();
    this.current = null;
    this.onStrokeEnd(this.strokes);
  }
  undo() { this.strokes.pop(); this.current = null; this.draw(); }
  clear() { this.strokes = []; this.current = null; this.draw(); }
  resize() {
    const ratio = window.devicePixelRatio || 1, r = this.canvas.getBoundingClientRect();
    this.canvas.width = Math.max(1, Math.round(r.width * ratio));
    this.canvas.height = Math.max(1, Math.round(r.height * ratio));
    this.ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    this.draw();
  }
  draw() {
    const c = this.ctx, r = this.canvas.getBoundingClientRect();
    c.clearRect(0, 0, r.width, r.height);
    c.lineWidth = Math.max(3, r.width / 70);
    c.lineCap = "round"; c.lineJoin = "round"; c.strokeStyle = "#1d2330"; c.fillStyle = "#1d2330";
    for (const s of this.strokes) {
      if (s.length === 1) {
        c.beginPath(); c.arc(s[0][0], s[0][1], c.lineWidth / 2, 0, 2 * Math.PI); c.fill();
        continue;
      }
      c.beginPath(); c.moveTo(s[0][0], s[0][1]);
      for (const p of s.slice(1)) c.lineTo(p[0], p[1]);
      c.stroke();
    }
  }
}

// ---------------------------------------------------------------------------- server
// A server on a network needs its token to store drawings: `lamina serve` prints the page's
// address with ?token=...; the page keeps it for this tab and takes it out of the address bar.
const token = (() => {
  const params = new URLSearchParams(location.search);
  let value = params.get("token");
  try {
    if (value) sessionStorage.setItem("lamina-token", value);
    else value = sessionStorage.getItem("lamina-token");
  } catch (_) { /* storage disabled: the token lives as long as the page */ }
  if (params.has("token")) {
    params.delete("token");
    const rest = params.toString();
    history.replaceState(null, "", location.pathname + (rest ? `?${rest}` : "") + location.hash);
  }
  return value || "";
})();

async function post(url, body) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(url, { method: "POST", headers, body: JSON.stringify(body) });
  let data = null;
  try { data = await response.json(); } catch (_) { /* not JSON */ }
  if (!response.ok) {
    const detail = data && data.detail;
    throw new Error(typeof detail === "string" ? detail : `server answered ${response.status}`);
  }
  return data;
}

function status(text, isError) {
  const el = $("status");
  el.textContent = text || "";
  el.classList.toggle("error", !!isError);
}

// ------------------------------------------------------------------------- recognize
async function classify(strokes) {
  const seq = ++state.seq;
  const list = $("results");
  list.dataset.asked = seq;  // the answer shown is the last one asked when these match
  if (!strokes.length) { showResults([]); list.dataset.answered = seq; return; }
  try {
    const data = await post("/api/classify", { strokes, k: 10 });
    if (seq === state.seq) { showResults(data.results); status(""); list.dataset.answered = seq; }
  } catch (err) {
    if (seq === state.seq) { showResults([]); status(err.message, true); list.dataset.answered = seq; }
  }
}

function showResults(results) {
  state.results = results;
  const list = $("results");
  list.textContent = "";
  $("hint").hidden = results.length > 0;
  for (const r of results) {
    const li = document.createElement("li");
    li.className = "result";
    li.dataset.latex = r.latex;
    const pct = 100 * r.probability;
    li.style.setProperty("--p", `${pct.toFixed(1)}%`);
    const glyph = document.createElement("span");
    glyph.className = "glyph"; glyph.textContent = r.unicode;
    const code = document.createElement("button");
    code.className = "code"; code.textContent = r.latex; code.title = "Copy this LaTeX";
    code.addEventListener("click", () => copy(r.latex, code));
    const share = document.createElement("span");
    share.className = "pct";
    share.textContent = pct >= 10 ? `${pct.toFixed(1)}%` : pct >= 0.01 ? `${pct.toFixed(2)}%`
      : "<0.01%";
    const vote = document.createElement("button");
    vote.className = "vote"; vote.textContent = "✓";
    vote.title = `This is ${r.latex}: store the drawing with this label`;
    vote.setAttribute("aria-label", vote.title);
    vote.addEventListener("click", () => store(r.latex, "vote"));
    li.append(glyph, code, share, vote);
    list.append(li);
  }
}

async function copy(text, el) {
  try {
    await navigator.clipboard.writeText(text);
  } catch (_) {  // plain http on a LAN address: no Clipboard API, use a hidden textarea
    const area = document.createElement("textarea");
    area.value = text; area.style.position = "fixed"; area.style.opacity = "0";
    document.body.append(area); area.select();
    try { document.execCommand("copy"); } catch (_e) { /* nothing more to try */ }
    area.remove();
  }
  document.querySelectorAll(".code.copied").forEach((c) => c.classList.remove("copied"));
  el.classList.add("copied");
  status(`Copied ${text}`);
}

async function store(label, mode) {
  if (!pad.strokes.length) { status("nothing drawn", true); return; }
  try {
    const data = await post("/api/drawings", { label, mode, strokes: pad.strokes });
    status(`Stored as ${data.label} (drawing #${data.id}; ${data.count} of this symbol, ` +
           `${data.total} in all). Thank you!`);
    pad.clear(); showResults([]);
    $("search").value = ""; $("search-results").textContent = "";
    const symbol = state.symbols.find((s) => s.latex === data.label);
    if (symbol) symbol.drawings = data.count;
    if (mode === "train") nextTarget();
  } catch (err) {
    status(err.message, true);
  }
}

// ---------------------------------------------------------------------------- search
// Any symbol, not only the ten shown: by LaTeX command (with or without its backslash), by
// the Unicode name of its glyph ("greek small letter alpha"), by the glyph, or by group.
function searchSymbols(query) {
  const raw = query.trim(), q = raw.toLowerCase().replace(/^\\/, "");
  if (!q) return [];
  const scored = [];
  for (const s of state.symbols) {
    const latex = s.latex.toLowerCase().replace(/^\\/, ""), name = s.name || "";
    const score = latex === q || s.unicode === raw ? 0 : latex.startsWith(q) ? 1
      : latex.includes(q) ? 2 : name.split(" ").includes(q) ? 3
      : name.includes(q) || s.group === q ? 4 : -1;
    if (score >= 0) scored.push([score, s]);
  }
  scored.sort((a, b) => a[0] - b[0]);  // stable: the classes' order within a score
  return scored.slice(0, 12).map(([, s]) => s);
}

async function showSearch() {
  try { await loadSymbols(); } catch (err) { status(err.message, true); return; }
  const list = $("search-results");
  list.textContent = "";
  for (const s of searchSymbols($("search").value)) {
    const li = document.createElement("li");
    li.className = "result"; li.dataset.latex = s.latex;
    const glyph = document.createElement("span");
    glyph.className = "glyph"; glyph.textContent = s.unicode;
    const code = document.createElement("button");
    code.className = "code"; code.textContent = s.latex; code.title = "Copy this LaTeX";
    code.addEventListener("click", () => copy(s.latex, code));
    const count = document.createElement("span");
    count.className = "pct"; count.textContent = `${s.drawings} stored`;
    const vote = document.createElement("button");
    vote.className = "vote"; vote.textContent = "✓";
    vote.title = `This is ${s.latex}: store the drawing with this label`;
    vote.setAttribute("aria-label", vote.title);
    vote.addEventListener("click", () => store(s.latex, "vote"));
    li.append(glyph, code, count, vote);
    list.append(li);
  }
}

// ----------------------------------------------------------------------------- train
async function loadSymbols() {
  if (state.symbols.length) return;
  const response = await fetch("/api/symbols");
  state.symbols = (await response.json()).symbols;
}

function nextTarget() {
  // Ask for one of the symbols with the fewest drawings, at random among them.
  const fewest = Math.min(...state.symbols.map((s) => s.drawings));
  const pool = state.symbols.filter((s) => s.drawings <= fewest + 2 && s !== state.target);
  state.target = pool[Math.floor(Math.random() * pool.length)] || state.symbols[0];
  $("train-char").textContent = state.target.unicode;
  $("train-latex").textContent = state.target.latex;
  // "Draw y", not "Draw y y": the LaTeX only when it differs from the glyph
  $("train-latex").hidden = state.target.latex === state.target.unicode;
  pad.clear();
}

// A drawing whose top 3 lacks the prompted symbol is stored only if the user says so: a "+"
// drawn while "y" was asked must not become a "y" unnoticed.
async function storeTrain() {
  const target = state.target;
  if (!target) return;
  if (!pad.strokes.length) { status("nothing drawn", true); return; }
  let top;
  try {
    top = (await post("/api/classify", { strokes: pad.strokes, k: 3 })).results;
  } catch (err) { status(err.message, true); return; }
  if (!top.some((r) => r.latex === target.latex)) {
    const seen = top.map((r) => r.latex).join(", ");
    const ok = window.confirm(`The recognizer reads this drawing as ${seen}, not ` +
                              `${target.latex}. Store it as ${target.latex} anyway?`);
    if (!ok) { status(`Not stored: draw ${target.latex} again, or Skip.`); return; }
  }
  store(target.latex, "train");
}

async function setMode(mode) {
  state.mode = mode;
  $("tab-recognize").setAttribute("aria-selected", String(mode === "recognize"));
  $("tab-train").setAttribute("aria-selected", String(mode === "train"));
  $("train-prompt").hidden = $("train-buttons").hidden = mode !== "train";
  $("answers").hidden = mode === "train";
  pad.clear(); showResults([]); status("");
  if (mode === "train") {
    try { await loadSymbols(); nextTarget(); } catch (err) { status(err.message, true); }
  }
}

const pad = new Pad($("pad"), (strokes) => {
  if (state.mode === "recognize") classify(strokes);
});
$("undo").addEventListener("click", () => { pad.undo(); if (state.mode === "recognize") classify(pad.strokes); });
$("clear").addEventListener("click", () => { pad.clear(); showResults([]); status(""); });
$("tab-recognize").addEventListener("click", () => setMode("recognize"));
$("tab-train").addEventListener("click", () => setMode("train"));
$("train-skip").addEventListener("click", nextTarget);
$("train-submit").addEventListener("click", storeTrain);
$("search").addEventListener("input", showSearch);

// How honest the percentages are: the calibration `lamina recognizer calibrate` measured.
fetch("/api/model").then((r) => (r.ok ? r.json() : null)).then((info) => {
  if (info && info.calibration_text) {
    $("calibration").textContent = `Percentages calibrated: ${info.calibration_text}.`;
  }
}).catch(() => {});
