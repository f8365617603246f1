// The review page: the stored drawings of one symbol as thumbnails, each deletable.
"use strict";

const PAGE = 60;
const $ = (id) => document.getElementById(id);
let symbols = [];
let current = null;   // the symbol shown
let shown = 0;        // thumbnails on the page

const token = (() => {  // the same token the drawing page keeps for this tab
  try { return sessionStorage.getItem("lamina-token"); } catch (_) { return null; }
})();

function status(text, isError) {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "";
}

async function detail(response) {
  try { return (await response.json()).detail || response.statusText; }
  catch (_) { return response.statusText; }
}

function paint(canvas, base64) {
  const bytes = atob(base64);
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(32, 32);
  for (let i = 0; i < 1024; i++) {
    const v = 255 - bytes.charCodeAt(i);   // ink dark on white paper
    image.data.set([v, v, v, 255], 4 * i);
  }
  ctx.putImageData(image, 0, 0);
}

function thumbnail(drawing) {
  const item = document.createElement("li");
  item.className = "thumb";
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 32;
  canvas.setAttribute("aria-label", `drawing ${drawing.id}`);
  paint(canvas, drawing.pixels);
  const when = new Date(drawing.created_at * 1000);
  const info = document.createElement("span");
  info.className = "info";
  info.textContent = `#${drawing.id} · ${drawing.mode} · ${when.toLocaleDateString()}`;
  const remove = document.createElement("button");
  remove.textContent = "Delete";
  remove.title = `Delete drawing ${drawing.id}`;
  remove.addEventListener("click", () => removeDrawing(drawing.id, item));
  item.append(canvas, info, remove);
  return item;
}

async function removeDrawing(id, item) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(`/api/drawings/${id}`, { method: "DELETE", headers });
  if (!response.ok) { status(`Not deleted: ${await detail(response)}`, true); return; }
  const result = await response.json();
  item.remove();
  shown -= 1;
  current.drawings = result.count;
  status(`Deleted drawing #${id}; ${result.count} left for ${current.latex}.`);
  renderSymbols();
}

async function showDrawings(symbol, more) {
  if (!more) { current = symbol; shown = 0; $("thumbnails").replaceChildren(); }
  // "y", not "y y": the command only when it differs from the glyph
  $("drawings-title").textContent = symbol.unicode === symbol.latex
    ? symbol.latex : `${symbol.unicode}  ${symbol.latex}`;
  const query = new URLSearchParams({ label: symbol.latex, offset: shown, limit: PAGE });
  const response = await fetch(`/api/drawings?${query}`);
  if (!response.ok) { status(await detail(response), true); return; }
  const page = await response.json();
  page.drawings.forEach((d) => $("thumbnails").append(thumbnail(d)));
  shown += page.drawings.length;
  status(`${page.total} stored drawing${page.total === 1 ? "" : "s"}; showing ${shown}.`);
  $("more").hidden = shown >= page.total;
}

function renderSymbols() {
  const query = $("filter").value.trim().toLowerCase().replace(/^\\/, "");
  const list = $("symbol-list");
  list.replaceChildren();
  symbols
    .filter((s) => s.drawings > 0 && (!query || s.latex.toLowerCase().includes(query)
      || s.name.includes(query) || s.unicode === query || s.group.includes(query)))
    .forEach((s) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.className = "symbol" + (current && current.latex === s.latex ? " current" : "");
      button.innerHTML = "<span class='glyph'></span> <code></code> <span class='count'></span>";
      button.children[0].textContent = s.unicode;
      button.children[1].textContent = s.latex;
      button.children[2].textContent = s.drawings;
      button.addEventListener("click", () => { showDrawings(s, false); renderSymbols(); });
      item.append(button);
      list.append(item);
    });
  if (!list.children.length) list.textContent = "No stored drawings (yet).";
}

async function start() {
  const response = await fetch("/api/symbols");
  if (!response.ok) { status(await detail(response), true); return; }
  symbols = (await response.json()).symbols.sort((a, b) => b.drawings - a.drawings);
  renderSymbols();
  const first = symbols.find((s) => s.drawings > 0);
  if (first) { await showDrawings(first, false); renderSymbols(); }
}

$("filter").addEventListener("input", renderSymbols);
$("more").addEventListener("click", () => showDrawings(current, true));
start();
