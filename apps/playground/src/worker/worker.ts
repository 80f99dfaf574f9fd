// The run's Web Worker: loads the kernel, compiles the requested example and runs it certified,
// posting telemetry, events and the state as they come; a "cancel" message aborts the run (it
// ends CANCELLED at the controller's next check, within ~50 ms of computing).
import { CflowError, initKernel } from "@cflow/core";
import { compileRequest } from "../examples.js";
import type { FromWorker, ToWorker } from "../protocol.js";
import { runPlayground } from "./run.js";

const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
};

let running: AbortController | null = null;

scope.onmessage = (e) => {
  const msg = e.data;
  if (msg.type === "cancel") running?.abort();
  else if (msg.type === "run" && !running) void run(msg.request);
};

async function run(request: Extract<ToWorker, { type: "run" }>["request"]): Promise<void> {
  const abort = new AbortController();
  running = abort;
  try {
    await initKernel(); // both dtypes: a float32 run computes its certificates with the float64 kernel
    const { compiled } = compileRequest(request);
    try {
      const shape = [...compiled.slots[0].shape];
      scope.postMessage({ type: "started", shape, dtype: compiled.dtype, description: compiled.spec.description ?? compiled.spec.name ?? request.example });
      const result = await runPlayground(
        compiled,
        {
          gates: (g) => scope.postMessage({ type: "gates", ...g }),
          progress: (rows, events) => scope.postMessage({ type: "progress", rows, events }),
          state: (iter, x) => scope.postMessage({ type: "state", iter, x }, [x.buffer]),
        },
        abort.signal,
      );
      const x = Float64Array.from(result.state[compiled.slots[0].name]);
      const certificate = result.certificates[result.certificates.length - 1] ?? null;
      scope.postMessage(
        { type: "done", end: { runId: result.runId, status: result.status, phase: result.phase, iters: result.iters, energy: result.energy, lambda: result.dials.lambda, x, shape, certificate, runCard: result.runCard } },
        [x.buffer],
      );
    } finally {
      compiled.dispose();
    }
  } catch (err) {
    scope.postMessage({ type: "error", message: err instanceof CflowError ? `[${err.code}] ${err.message}` : err instanceof Error ? err.message : String(err) });
  } finally {
    running = null;
  }
}
