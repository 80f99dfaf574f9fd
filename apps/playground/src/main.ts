// The playground page: the controls, the live plots and the result; the run itself goes on in a
// Web Worker (worker/worker.ts), so the page stays responsive and Cancel aborts it.
import type { Dtype, FlowEvent, Phase, TelemetryRow } from "@cflow/core";
import { EXAMPLES, type ExampleName, type GreyImage, type PlaygroundExample, type RunRequest, defaultParams, isExampleName } from "./examples.js";
import { decodeGrey, greyToRgba } from "./image.js";
import { Plots } from "./plots.js";
import type { FromWorker, RunEnd, ToWorker } from "./protocol.js";
import { telemetryCsv } from "./telemetry-csv.js";

/** What the page holds of the current run (read by the Chromium test as `window.cflowPlayground`). */
export interface PlaygroundRun {
  request: RunRequest | null;
  rows: TelemetryRow[];
  events: FlowEvent[];
  /** The phases shown, in order, each once per change. */
  phases: Phase[];
  /** State updates drawn while the run went. */
  stateUpdates: number;
  end: RunEnd | null;
  error: string | null;
}

declare global {
  interface Window {
    cflowPlayground: PlaygroundRun;
  }
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = $<HTMLFormElement>("controls");
const exampleSelect = $<HTMLSelectElement>("example");
const paramsBox = $<HTMLDivElement>("params");
const dtypeSelect = $<HTMLSelectElement>("dtype");
const seedInput = $<HTMLInputElement>("seed");
const imageRow = $<HTMLLabelElement>("image-row");
const imageInput = $<HTMLInputElement>("image");
const runButton = $<HTMLButtonElement>("run");
const cancelButton = $<HTMLButtonElement>("cancel");
const pngButton = $<HTMLButtonElement>("download-png");
const csvButton = $<HTMLButtonElement>("download-csv");
const phaseEl = $<HTMLSpanElement>("phase");
const statusEl = $<HTMLSpanElement>("status");
const canvas = $<HTMLCanvasElement>("result");
const caption = $<HTMLElement>("result-caption");
const certificateEl = $<HTMLPreElement>("certificate");
const plots = new Plots($<HTMLDivElement>("plots"));

let worker: Worker | null = null;
let shape: number[] = [];
window.cflowPlayground = { request: null, rows: [], events: [], phases: [], stateUpdates: 0, end: null, error: null };

for (const [name, ex] of Object.entries(EXAMPLES)) exampleSelect.add(new Option(ex.title, name));
exampleSelect.addEventListener("change", showParams);
showParams();

function currentExample(): ExampleName {
  const name = exampleSelect.value;
  if (!isExampleName(name)) throw new Error(`unknown example ${name}`);
  return name;
}

/** One number input per parameter of the example (its spec.ts's PARAMS), at the playground's defaults. */
function showParams(): void {
  const name = currentExample();
  const ex: PlaygroundExample = EXAMPLES[name];
  const values = defaultParams(name);
  paramsBox.replaceChildren();
  for (const [key, rule] of Object.entries(ex.params)) {
    const label = document.createElement("label");
    label.title = rule.description ?? key;
    const input = document.createElement("input");
    input.type = "number";
    input.name = key;
    input.id = `param-${key}`;
    input.step = rule.type === "integer" ? "1" : "any";
    if (typeof rule.min === "number") input.min = String(rule.min);
    if (typeof rule.max === "number") input.max = String(rule.max);
    input.value = String(values[key]);
    label.append(key, input);
    paramsBox.append(label);
  }
  imageRow.hidden = !ex.imageSize;
}

function readParams(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const input of paramsBox.querySelectorAll("input")) out[input.name] = Number(input.value);
  return out;
}

form.addEventListener("submit", (e) => {
  e.preventDefault();
  void start();
});
cancelButton.addEventListener("click", () => post({ type: "cancel" }));
pngButton.addEventListener("click", downloadPng);
csvButton.addEventListener("click", () => {
  const run = window.cflowPlayground;
  save(new Blob([telemetryCsv(run.rows, run.end?.runId ?? runName())], { type: "text/csv" }), `${runName()}-telemetry.csv`);
});

function post(msg: ToWorker): void {
  worker?.postMessage(msg);
}

async function start(): Promise<void> {
  const example = currentExample();
  const ex: PlaygroundExample = EXAMPLES[example];
  const params = readParams();
  let image: GreyImage | undefined;
  const file = imageInput.files?.[0];
  setRunning(true);
  try {
    if (file && ex.imageSize) {
      const size = params[ex.imageSize];
      image = { name: file.name, size, pixels: await decodeGrey(file, size) };
    }
  } catch (err) {
    setRunning(false);
    fail(`${file?.name}: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  const request: RunRequest = { example, params, dtype: dtypeSelect.value as Dtype, seed: Number(seedInput.value), image };
  window.cflowPlayground = { request, rows: [], events: [], phases: [], stateUpdates: 0, end: null, error: null };
  plots.clear();
  certificateEl.textContent = "";
  showPhase(null);
  statusEl.textContent = "compiling…";
  if (!worker) {
    worker = new Worker(new URL("./worker/worker.ts", import.meta.url), { type: "module" });
    worker.onmessage = (e: MessageEvent<FromWorker>) => receive(e.data);
    worker.onerror = (e) => {
      setRunning(false);
      fail(`worker: ${e.message}`);
    };
  }
  post({ type: "run", request });
}

function receive(msg: FromWorker): void {
  const run = window.cflowPlayground;
  switch (msg.type) {
    case "started":
      shape = msg.shape;
      caption.textContent = msg.description;
      statusEl.textContent = `running (${msg.dtype})…`;
      break;
    case "gates":
      plots.setGates({ etaMax: msg.etaMax, gammaMin: msg.gammaMin });
      break;
    case "progress": {
      run.rows.push(...msg.rows);
      run.events.push(...msg.events);
      plots.add(msg.rows);
      for (const e of msg.events) if (e.event === "PHASE_CHANGED") showPhase(e.payload.to as Phase);
      const last = msg.rows[msg.rows.length - 1];
      if (last) statusEl.textContent = `iteration ${last.iter} · E = ${last.E.toPrecision(6)}${last.lambda !== null ? ` · λ = ${last.lambda.toPrecision(3)}` : ""}`;
      break;
    }
    case "state":
      run.stateUpdates++;
      draw(msg.x);
      break;
    case "done":
      run.end = msg.end;
      draw(msg.end.x);
      showPhase(msg.end.phase);
      statusEl.textContent = `${msg.end.status} · ${msg.end.iters} iterations · E = ${msg.end.energy.toPrecision(6)}${msg.end.lambda !== null ? ` · λ = ${msg.end.lambda.toPrecision(3)}` : ""}`;
      certificateEl.textContent = describeCertificate(msg.end);
      setRunning(false);
      pngButton.disabled = csvButton.disabled = false;
      break;
    case "error":
      setRunning(false);
      fail(msg.message);
      break;
  }
}

function setRunning(on: boolean): void {
  runButton.disabled = on;
  cancelButton.disabled = !on;
  if (on) pngButton.disabled = csvButton.disabled = true;
}

function fail(message: string): void {
  window.cflowPlayground.error = message;
  statusEl.textContent = `error: ${message}`;
}

function showPhase(phase: Phase | null): void {
  phaseEl.textContent = phase ?? "—";
  phaseEl.className = `phase ${phase ?? ""}`;
  const seen = window.cflowPlayground.phases;
  if (phase && seen[seen.length - 1] !== phase) seen.push(phase);
}

function describeCertificate(end: RunEnd): string {
  const c = end.certificate;
  if (!c) return `${end.status} in ${end.phase}: no certificate was taken`;
  const cert = c.certificate;
  return [
    `final certificate (${c.stage}, iteration ${c.iter}): ${cert.pass ? "PASS" : "FAIL"}`,
    `η_dd = ${cert.etaDD.toPrecision(4)}`,
    `γ = ${cert.gamma.toPrecision(4)} (Gershgorin ${cert.gammaGershgorin.toPrecision(4)})`,
    `method: ${cert.method}, on ${cert.size} coefficients`,
    ...cert.reasons,
  ].join("\n");
}

/** An image problem's state as grey levels on [0, 1]; a vector as a line plot. */
function draw(x: Float64Array): void {
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  if (shape.length === 2) {
    const [h, w] = shape;
    canvas.width = w;
    canvas.height = h;
    ctx.putImageData(new ImageData(greyToRgba(x, 0, 1), w, h), 0, 0);
    return;
  }
  canvas.width = 512;
  canvas.height = 512;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of x) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const pad = (hi - lo) * 0.05 || 1;
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.strokeStyle = "#2a6fdb";
  ctx.beginPath();
  for (let i = 0; i < x.length; i++) {
    const px = (i / Math.max(1, x.length - 1)) * canvas.width;
    const py = canvas.height * (1 - (x[i] - lo + pad) / (hi - lo + 2 * pad));
    if (i === 0) ctx.moveTo(px, py);
    else ctx.lineTo(px, py);
  }
  ctx.stroke();
}

function runName(): string {
  const r = window.cflowPlayground.request;
  return r ? `cflow-${r.example}-${r.dtype}-seed${r.seed}` : "cflow";
}

function downloadPng(): void {
  canvas.toBlob((blob) => {
    if (blob) save(blob, `${runName()}.png`);
  }, "image/png");
}

function save(blob: Blob, filename: string): void {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 0);
}
