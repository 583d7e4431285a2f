/**
 * A kubectl runner for end-to-end tests: runs the real kubectl binary (the newest on PATH, or a
 * versioned one such as kubectl.1.27) against a kubeconfig and returns exit code, stdout and
 * stderr. `kubectlVersions()` lists the binaries present so tests can cover old clients too.
 */
import { spawn } from 'node:child_process';
import { existsSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubectlOptions {
  /** binary is the kubectl executable (default `kubectl` on PATH). */
  binary?: string;
  kubeconfig: string;
  /** stdin is written to kubectl's standard input. */
  stdin?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** kubectlPath returns the absolute path of kubectl on PATH, or undefined. */
export function kubectlPath(): string | undefined {
  try {
    const p = execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim();
    return p || undefined;
  } catch {
    return undefined;
  }
}

/** kubectlVersions lists the kubectl binaries to test with: the default one plus kubectl.1.27 when present. */
export function kubectlVersions(): string[] {
  const main = kubectlPath();
  if (!main) return [];
  const out = [main];
  let dir: string;
  try {
    dir = dirname(realpathSync(main));
  } catch {
    dir = dirname(readlinkSync(main));
  }
  const old = join(dir, 'kubectl.1.27');
  if (existsSync(old)) out.push(old);
  return out;
}

/**
 * runCommand runs a program to completion and collects its exit code and output; it never
 * throws for a non-zero exit (tests assert on `code`) and kills the program after timeoutMs.
 */
export function runCommand(cmd: string, args: readonly string[], o: { env?: Record<string, string>; stdin?: string; timeoutMs?: number } = {}): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...(o.env ?? {}) }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 30_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(o.stdin ?? '');
  });
}

/**
 * kubectl runs one command; it never throws for a non-zero exit (tests assert on `code`). Its
 * discovery and HTTP caches go beside the kubeconfig (KUBECACHEDIR), in the test's own temporary
 * directory, which the test removes: under $HOME they were left behind, one directory per server
 * port, by every run.
 */
export function kubectl(args: readonly string[], o: KubectlOptions): Promise<KubectlResult> {
  return runCommand(o.binary ?? 'kubectl', ['--kubeconfig', o.kubeconfig, ...args], {
    env: { KUBECONFIG: o.kubeconfig, KUBECACHEDIR: join(dirname(o.kubeconfig), 'kubectl-cache'), ...(o.env ?? {}) },
    ...(o.stdin !== undefined ? { stdin: o.stdin } : {}),
    ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
  });
}

/** Kubectl binds a runner to one kubeconfig and binary. */
export class Kubectl {
  constructor(
    readonly kubeconfig: string,
    readonly binary = 'kubectl',
  ) {}

  run(args: readonly string[], opts: Omit<KubectlOptions, 'kubeconfig' | 'binary'> = {}): Promise<KubectlResult> {
    return kubectl(args, { ...opts, kubeconfig: this.kubeconfig, binary: this.binary });
  }

  /** ok runs a command and throws with its stderr when it fails. */
  async ok(args: readonly string[], opts: Omit<KubectlOptions, 'kubeconfig' | 'binary'> = {}): Promise<string> {
    const r = await this.run(args, opts);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  }
}
