// The image page: pick a sample or upload a picture, pick a task, paint the hole for
// inpainting, and see input | result | original with the PSNRs. Plain JavaScript, no library,
// no network beyond this server.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { picture: null, width: 0, height: 0, painted: false, runs: 0 };

function status(text, isError) {
  const el = $("status");
  el.textContent = text;
  el.classList.toggle("error", !!isError);
}

async function answer(response) {
  let data = null;
  try { data = await response.json(); } catch (_) { /* not JSON: say the status below */ }
  if (!response.ok) {
    const detail = data && data.detail;
    throw new Error(typeof detail === "string" ? detail : `the server answered ${response.status}`);
  }
  return data;
}

function task() { return document.querySelector('input[name="task"]:checked').value; }
function use() { return document.querySelector('input[name="use"]:checked').value; }

// ------------------------------------------------------------------------- the picture
function showPicture(blob, note) {
  return new Promise((resolve, reject) => {
    const img = $("picture");
    const url = URL.createObjectURL(blob);
    img.onload = () => {
      state.picture = blob;
      state.width = img.naturalWidth;
      state.height = img.naturalHeight;
      const mask = $("mask");
      mask.width = state.width;
      mask.height = state.height;
      clearMask();
      $("picture-note").textContent =
        `${state.width}×${state.height} pixels` + (note ? ` — ${note}` : "");
      resolve();
    };
    img.onerror = () => reject(new Error("the browser cannot show this picture"));
    img.src = url;
  });
}

async function loadSample(name) {
  status(`Loading ${name}…`);
  const response = await fetch(`/api/imaging/samples/${encodeURIComponent(name)}`);
  if (!response.ok) { await answer(response); return; }
  await showPicture(await response.blob(), "");
  status("");
}

async function upload(file) {
  status(`Uploading ${file.name}…`);
  const form = new FormData();
  form.append("file", file, file.name);
  const data = await answer(await fetch("/api/imaging/picture", { method: "POST", body: form }));
  const blob = await (await fetch(data.picture)).blob();
  await showPicture(blob, data.note);
  $("sample").value = "";
  status(data.note ? `Uploaded; ${data.note}` : "Uploaded");
}

// ------------------------------------------------------------------------- the hole
function brush() { return Math.max(6, Math.round(Math.max(state.width, state.height) / 24)); }

function clearMask() {
  const mask = $("mask");
  mask.getContext("2d").clearRect(0, 0, mask.width, mask.height);
  state.painted = false;
}

function setupPainter() {
  const mask = $("mask");
  const ctx = mask.getContext("2d");
  let last = null;
  const point = (e) => {
    const r = mask.getBoundingClientRect();
    return [(e.clientX - r.left) * mask.width / r.width, (e.clientY - r.top) * mask.height / r.height];
  };
  const stroke = (from, to) => {
    ctx.strokeStyle = "rgb(255, 40, 40)";
    ctx.fillStyle = "rgb(255, 40, 40)";
    ctx.lineWidth = brush();
    ctx.lineCap = "round";
    ctx.beginPath();
    ctx.moveTo(from[0], from[1]);
    ctx.lineTo(to[0], to[1]);
    ctx.stroke();
    state.painted = true;
  };
  mask.addEventListener("pointerdown", (e) => {
    e.preventDefault();
    try { mask.setPointerCapture(e.pointerId); } catch (_) { /* synthetic events */ }
    last = point(e);
    stroke(last, last);
  });
  mask.addEventListener("pointermove", (e) => {
    if (!last) return;
    const p = point(e);
    stroke(last, p);
    last = p;
  });
  const end = () => { last = null; };
  mask.addEventListener("pointerup", end);
  mask.addEventListener("pointercancel", end);
}

// The mask the server reads: opaque white where painted, transparent elsewhere.
function maskBlob() {
  const out = document.createElement("canvas");
  out.width = state.width;
  out.height = state.height;
  const ctx = out.getContext("2d");
  ctx.drawImage($("mask"), 0, 0);
  ctx.globalCompositeOperation = "source-in";
  ctx.fillStyle = "white";
  ctx.fillRect(0, 0, out.width, out.height);
  return new Promise((resolve) => out.toBlob(resolve, "image/png"));
}

// ------------------------------------------------------------------------- running
function db(value) { return value === null || value === undefined ? "" :
  (value === Infinity || value > 1e6 ? "∞ dB" : `${value.toFixed(2)} dB`); }

// Each figure says its image's size in pixels once the image is loaded.
function sizeCaptions() {
  document.querySelectorAll("#results figure").forEach((figure) => {
    const img = figure.querySelector("img");
    img.addEventListener("load", () => {
      figure.querySelector(".size").textContent = `${img.naturalWidth}×${img.naturalHeight}`;
    });
  });
}

function showResult(data) {
  $("out-input").src = data.input;
  $("out-result").src = data.result;
  $("original-figure").hidden = !data.original;
  if (data.original) $("out-original").src = data.original;
  const psnr = data.psnr || {};
  $("psnr-input").textContent = psnr.input !== undefined ? `PSNR ${db(psnr.input)}` : "";
  $("psnr-result").textContent = psnr.result !== undefined ? `PSNR ${db(psnr.result)}` : "";
  const parts = [];
  if (data.baseline) parts.push(`Input PSNR: ${data.baseline}.`);
  parts.push(`${data.size[0]}×${data.size[1]} result in ${data.seconds.toFixed(2)} s.`);
  if (data.note) parts.push(data.note);
  $("result-note").textContent = parts.join(" ");
  const results = $("results");
  results.dataset.task = data.task;
  results.hidden = false;
}

async function run() {
  $("run").disabled = true;
  try {
    await runOnce();
  } catch (err) {
    status(err.message, true);
  } finally {
    $("run").disabled = false;
    state.runs += 1;  // every click gets an answer: a result or a message (tests wait on it)
    document.body.dataset.runs = state.runs;
  }
}

async function runOnce() {
  if (!state.picture) { status("pick a sample or upload a picture first", true); return; }
  if (task() === "inpaint" && !state.painted) {
    status("paint the hole on the picture first (press and drag)", true);
    return;
  }
  const form = new FormData();
  form.append("picture", state.picture, "picture.png");
  form.append("task", task());
  form.append("use", use());
  form.append("scale", "2");
  if (task() === "denoise" && use() === "original") form.append("sigma", $("sigma").value);
  if (task() === "inpaint") form.append("mask", await maskBlob(), "mask.png");
  status(`Running ${task()}…`);
  const data = await answer(await fetch("/api/imaging/run", { method: "POST", body: form }));
  showResult(data);
  status(data.psnr && data.psnr.result !== undefined
    ? `${task()}: ${db(data.psnr.result)} (input ${db(data.psnr.input)})` : `${task()}: done`);
}

function taskChanged() {
  const inpaint = task() === "inpaint";
  $("stage").classList.toggle("painting", inpaint);
  $("paint-hint").hidden = !inpaint;
  $("sigma-row").hidden = task() !== "denoise";
}

async function start() {
  setupPainter();
  sizeCaptions();
  document.querySelectorAll('input[name="task"]').forEach(
    (r) => r.addEventListener("change", taskChanged));
  $("sigma").addEventListener("input", () => { $("sigma-value").textContent = $("sigma").value; });
  $("clear-mask").addEventListener("click", clearMask);
  $("run").addEventListener("click", run);
  $("upload").addEventListener("change", async () => {
    const file = $("upload").files[0];
    $("upload").value = "";
    if (!file) return;
    try { await upload(file); } catch (err) { status(err.message, true); }
  });
  $("sample").addEventListener("change", async () => {
    if (!$("sample").value) return;
    try { await loadSample($("sample").value); } catch (err) { status(err.message, true); }
  });
  taskChanged();
  try {
    const data = await answer(await fetch("/api/imaging/samples"));
    const select = $("sample");
    select.add(new Option("(uploaded)", ""));
    for (const s of data.samples) select.add(new Option(s.title, s.name));
    select.value = data.samples[0].name;
    await loadSample(select.value);
    document.body.dataset.ready = "1";
  } catch (err) {
    status(err.message, true);
  }
}

start();
