import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { collect, envName, withEnvAndConfig } from './config.js';

interface Opts {
  token?: string;
  tlsSan: string[];
  httpsListenPort: string;
  disableAgent: boolean;
  config?: string;
}

/** run parses argv through a command set up like `k8ts server` and returns the options its action saw. */
async function run(argv: string[], env: Record<string, string>, file?: string): Promise<Opts> {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-config-'));
  try {
    const program = new Command('k8ts').exitOverride();
    let seen: Opts | undefined;
    const cmd = program
      .command('server')
      .exitOverride()
      .option('--token <token>', '(cluster) token')
      .option('--tls-san <name>', '(listener) san', collect, [])
      .option('--https-listen-port <port>', '(listener) port', '6443')
      .option('--disable-agent', '(components) no agent', false);
    withEnvAndConfig(cmd, { env, defaultConfigFile: file === undefined ? '' : join(dir, 'config.yaml'), warn: () => {} });
    cmd.action((o: Opts) => {
      seen = o;
    });
    if (file !== undefined) writeFileSync(join(dir, 'config.yaml'), file);
    await program.parseAsync(['node', 'k8ts', 'server', ...argv]);
    return seen!;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('envName maps a long flag to K8TS_<FLAG>', () => {
  assert.equal(envName('--tls-san'), 'K8TS_TLS_SAN');
  assert.equal(envName('--write-kubeconfig-mode', 'X_'), 'X_WRITE_KUBECONFIG_MODE');
});

const cases: Array<{ name: string; argv: string[]; env: Record<string, string>; file?: string; want: Partial<Opts> }> = [
  { name: 'defaults', argv: [], env: {}, want: { httpsListenPort: '6443', tlsSan: [], disableAgent: false } },
  { name: 'env sets a value flag', argv: [], env: { K8TS_TOKEN: 'from-env' }, want: { token: 'from-env' } },
  { name: 'env list is split on commas', argv: [], env: { K8TS_TLS_SAN: 'a.example,b.example' }, want: { tlsSan: ['a.example', 'b.example'] } },
  { name: 'env boolean true', argv: [], env: { K8TS_DISABLE_AGENT: 'true' }, want: { disableAgent: true } },
  { name: 'env boolean false stays false', argv: [], env: { K8TS_DISABLE_AGENT: 'false' }, want: { disableAgent: false } },
  { name: 'command line wins over env', argv: ['--token', 'from-cli'], env: { K8TS_TOKEN: 'from-env' }, want: { token: 'from-cli' } },
  { name: 'config file sets values', argv: [], env: {}, file: 'token: from-file\ntls-san:\n  - x.example\n  - y.example\nhttps-listen-port: 7443\ndisable-agent: true\n', want: { token: 'from-file', tlsSan: ['x.example', 'y.example'], httpsListenPort: '7443', disableAgent: true } },
  { name: 'env wins over the config file', argv: [], env: { K8TS_TOKEN: 'from-env' }, file: 'token: from-file\n', want: { token: 'from-env' } },
  { name: 'command line wins over the config file', argv: ['--tls-san', 'cli.example'], env: {}, file: 'tls-san: [file.example]\n', want: { tlsSan: ['cli.example'] } },
  { name: 'keys of other commands are ignored', argv: [], env: {}, file: 'server: https://x:6443\ntoken: t\n', want: { token: 't' } },
];
for (const c of cases) {
  test(`flags: ${c.name}`, async () => {
    const got = await run(c.argv, c.env, c.file);
    for (const [k, v] of Object.entries(c.want)) assert.deepEqual(got[k as keyof Opts], v, k);
  });
}

test('--config names the file; a bad boolean names its source', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-config-'));
  try {
    writeFileSync(join(dir, 'c.yaml'), 'disable-agent: maybe\n');
    await assert.rejects(run(['--config', join(dir, 'c.yaml')], {}), /config file .*c\.yaml: disable-agent: invalid boolean "maybe"/);
    await assert.rejects(run(['--config', join(dir, 'missing.yaml')], {}), /config file .*missing\.yaml does not exist/);
    await assert.rejects(run([], { K8TS_DISABLE_AGENT: 'perhaps' }), /environment variable K8TS_DISABLE_AGENT: invalid boolean/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
