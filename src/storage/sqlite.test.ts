import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { storageConformance } from './conformance.case.js';
import { openStorage } from './index.js';

storageConformance('sqlite (memory)', () => openStorage('sqlite::memory:', { compactIntervalMs: 0 }));

const root = mkdtempSync(join(tmpdir(), 'k8ts-sqlite-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
storageConformance('sqlite (file, writer thread)', () => openStorage('', { dataDir: join(root, String(n++)), compactIntervalMs: 0 }));
