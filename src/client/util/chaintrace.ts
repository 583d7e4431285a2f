/**
 * chainTrace stamps the steps of the Deployment → ReplicaSet → Pod → binding chain for the
 * objects whose name matches the regular expression in K8TS_CHAIN_TRACE (e.g.
 * `^density-299(-|$)`), so a run can say where one Deployment's time went: queued behind
 * other keys, waiting for a round trip, or waiting for the event loop. Each step is one line
 * `<epoch ms, 3 decimals> <thread> <name> <step>` appended to K8TS_CHAIN_TRACE_FILE (default
 * stderr); epoch time, so lines from the bench, the server and its threads line up.
 *
 * Unset (the default), chainTrace is undefined and callers pay one property test per step.
 */
import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread, threadId } from 'node:worker_threads';

const pattern = process.env['K8TS_CHAIN_TRACE'];
const file = process.env['K8TS_CHAIN_TRACE_FILE'];

/** write appends one line `<epoch ms> <thread> <text>` to the trace file (or stderr). */
function write(text: string): void {
  const line = `${(performance.timeOrigin + performance.now()).toFixed(3)} ${isMainThread ? 'main' : `t${threadId}`} ${text}\n`;
  if (file) appendFileSync(file, line);
  else process.stderr.write(line);
}

function makeTrace(re: RegExp): (name: string, step: string) => void {
  return (name, step) => {
    // The key of a namespaced object is `namespace/name`: match on the name.
    const slash = name.indexOf('/');
    if (re.test(slash >= 0 ? name.slice(slash + 1) : name)) write(`${name} ${step}`);
  };
}

/** chainTrace(name, step) records step for the object called name (a name or `namespace/name`), when traced. */
export const chainTrace: ((name: string, step: string) => void) | undefined = pattern ? makeTrace(new RegExp(pattern)) : undefined;

/**
 * traceLoopDelay, when chain tracing is on, writes this thread's event-loop delay (p50, p99 and
 * max over the last `everyMs`, in ms) as `loop` lines next to the steps, until signal aborts: a
 * step that waited without a round trip in flight waited for this loop.
 */
export function traceLoopDelay(label: string, signal: AbortSignal, everyMs = 250): void {
  const trace = chainTrace;
  if (!trace) return;
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const t = setInterval(() => {
    const ms = (ns: number): string => (ns / 1e6).toFixed(1);
    write(`loop:${label} p50 ${ms(h.percentile(50))} p99 ${ms(h.percentile(99))} max ${ms(h.max)}`);
    h.reset();
  }, everyMs);
  t.unref();
  signal.addEventListener('abort', () => (clearInterval(t), h.disable()), { once: true });
}
