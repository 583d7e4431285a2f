/**
 * launchFlags returns the node flags bin/k8ts.js's `#!/usr/bin/env -S node ...` line gives the
 * installed `k8ts` command, so a bench that starts `node bin/k8ts.js` (to profile it, or to
 * find its pid) runs the process as a user's `k8ts server` runs, not with node's defaults.
 */
import { readFileSync } from 'node:fs';

export function launchFlags(bin: string): string[] {
  const first = readFileSync(bin, 'utf8').split('\n', 1)[0] ?? '';
  const m = /^#!\/usr\/bin\/env\s+(?:-S\s+)?node\b(.*)$/.exec(first);
  if (!m) throw new Error(`${bin}: expected a "#!/usr/bin/env -S node ..." line, found ${JSON.stringify(first)}`);
  return m[1]!.split(/\s+/).filter(Boolean);
}
