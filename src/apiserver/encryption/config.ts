/**
 * EncryptionConfiguration (apiserver.config.k8s.io/v1, upstream's --encryption-provider-config):
 * which resources are encrypted at rest and with which providers, parsed into one
 * PrefixTransformers per storage prefix.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYAML } from 'yaml';
import { aescbc, aesgcm, identity, PrefixTransformers, secretbox, type Transformer } from './transformers.js';

interface KeyConfig {
  name?: string;
  secret?: string;
}
interface ProviderConfig {
  aescbc?: { keys?: KeyConfig[] };
  aesgcm?: { keys?: KeyConfig[] };
  secretbox?: { keys?: KeyConfig[] };
  kms?: unknown;
  identity?: unknown;
}
export interface EncryptionConfiguration {
  apiVersion?: string;
  kind?: string;
  resources?: Array<{ resources?: string[]; providers?: ProviderConfig[] }>;
}

/** EncryptionSettings maps resource names (plural, `.group` stripped) to their transformers; `*` is every resource. */
export type EncryptionSettings = Map<string, PrefixTransformers>;

function keysOf(kind: string, keys: KeyConfig[] | undefined, make: (name: string, key: Buffer) => Transformer): Transformer[] {
  if (!keys?.length) throw new Error(`${kind}: at least one key is required`);
  return keys.map((k, i) => {
    if (!k.name) throw new Error(`${kind}.keys[${i}].name: Required value`);
    if (!k.secret) throw new Error(`${kind}.keys[${i}].secret: Required value`);
    return make(k.name, Buffer.from(k.secret, 'base64'));
  });
}

/** parseEncryptionConfiguration validates a configuration and builds its transformers. */
export function parseEncryptionConfiguration(c: EncryptionConfiguration): EncryptionSettings {
  if (c.kind !== 'EncryptionConfiguration' || (c.apiVersion !== 'apiserver.config.k8s.io/v1' && c.apiVersion !== 'apiserver.config.k8s.io/v1beta1')) {
    throw new Error(`encryption provider configuration: expected kind EncryptionConfiguration of apiserver.config.k8s.io/v1, got ${c.kind ?? '<none>'} of ${c.apiVersion ?? '<none>'}`);
  }
  const out: EncryptionSettings = new Map();
  for (const [i, r] of (c.resources ?? []).entries()) {
    const transformers: Transformer[] = [];
    for (const p of r.providers ?? []) {
      const kinds = Object.keys(p);
      if (kinds.length !== 1) throw new Error(`resources[${i}].providers: exactly one provider type per entry (got ${kinds.join(', ') || 'none'})`);
      if (p.aescbc) transformers.push(...keysOf('aescbc', p.aescbc.keys, aescbc));
      else if (p.aesgcm) transformers.push(...keysOf('aesgcm', p.aesgcm.keys, aesgcm));
      else if (p.identity !== undefined) transformers.push(identity);
      else if (p.secretbox) transformers.push(...keysOf('secretbox', p.secretbox.keys, secretbox));
      else if (p.kms !== undefined) throw new Error('kms providers are not supported by k8ts');
      else throw new Error(`resources[${i}].providers: unknown provider ${kinds[0]}`);
    }
    const chain = new PrefixTransformers(transformers);
    for (const name of r.resources ?? []) {
      const plural = name === '*.*' ? '*' : name.split('.')[0]!;
      // The first entry that names a resource wins, as upstream.
      if (!out.has(plural)) out.set(plural, chain);
    }
  }
  return out;
}

/** loadEncryptionConfiguration reads a YAML or JSON file. */
export function loadEncryptionConfiguration(path: string): EncryptionSettings {
  return parseEncryptionConfiguration(parseYAML(readFileSync(path, 'utf8')) as EncryptionConfiguration);
}
