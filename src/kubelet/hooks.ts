/**
 * Container lifecycle hooks (postStart, preStop) as upstream's pkg/kubelet/lifecycle:
 * exec through the runtime, httpGet against the pod IP, or sleep. A hook failure is a value
 * carrying upstream's message; the caller decides (postStart failure kills the container).
 */
import type { Container, LifecycleHandler, Pod } from 'kubernetes-types/core/v1.js';
import type { RuntimeService } from './runtime/api.js';
import { httpProbe, resolvePort } from './prober/prober.js';
import type { TimerHeap } from './timerheap.js';

export interface HookResult {
  ok: boolean;
  message: string;
}

export async function runHook(
  handler: LifecycleHandler,
  ctx: { pod: Pod; container: Container; containerId: string; runtime: RuntimeService; podIP: string; heap: TimerHeap; timeoutSeconds: number },
): Promise<HookResult> {
  if (handler.exec) {
    const cmd = handler.exec.command ?? [];
    try {
      const r = await ctx.runtime.execSync({ containerId: ctx.containerId, cmd, timeout: ctx.timeoutSeconds });
      if (r.exitCode === 0) return { ok: true, message: '' };
      const out = Buffer.concat([r.stdout, r.stderr]).toString('utf8');
      return { ok: false, message: `Exec lifecycle hook (${JSON.stringify(cmd).slice(1, -1).replace(/","/g, ' ')}) for Container "${ctx.container.name}" in Pod "${ctx.pod.metadata?.name}_${ctx.pod.metadata?.namespace}(${ctx.pod.metadata?.uid})" failed - error: command '${cmd.join(' ')}' exited with ${r.exitCode}: ${out}, message: "${out}"` };
    } catch (e) {
      return { ok: false, message: `Exec lifecycle hook for Container "${ctx.container.name}" failed - error: ${e instanceof Error ? e.message : String(e)}` };
    }
  }
  if (handler.httpGet) {
    const port = resolvePort(handler.httpGet.port as number | string, ctx.container);
    if (port === undefined) return { ok: false, message: `couldn't find port: ${String(handler.httpGet.port)} in ${ctx.container.name}` };
    const headers: Record<string, string> = {};
    for (const h of handler.httpGet.httpHeaders ?? []) headers[h.name] = h.value;
    let path = handler.httpGet.path ?? '';
    if (!path.startsWith('/')) path = `/${path}`;
    const scheme = (handler.httpGet.scheme ?? 'HTTP').toLowerCase() === 'https' ? 'https' : 'http';
    const r = await httpProbe(scheme, handler.httpGet.host || ctx.podIP, port, path, headers, ctx.timeoutSeconds * 1000);
    return r.result === 'Success' ? { ok: true, message: '' } : { ok: false, message: `HTTP lifecycle hook (${path}) for Container "${ctx.container.name}" in Pod "${ctx.pod.metadata?.name}_${ctx.pod.metadata?.namespace}(${ctx.pod.metadata?.uid})" failed - error: ${r.output}` };
  }
  if (handler.sleep) {
    const secs = Math.min(handler.sleep.seconds, ctx.timeoutSeconds);
    await new Promise<void>((r) => ctx.heap.after(secs * 1000, r));
    return { ok: true, message: '' };
  }
  return { ok: false, message: 'a lifecycle handler must set exec, httpGet or sleep' };
}
