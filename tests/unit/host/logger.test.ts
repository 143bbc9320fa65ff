import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../../native-host/logger';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('host log file', () => {
  it('rotates at the size cap and keeps a fixed number of generations', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hf-log-'));
    dirs.push(dir);
    const log = createLogger({ logDir: dir, maxBytes: 2000, keepFiles: 2, toStderr: false });
    for (let i = 0; i < 200; i++) log.info(`line ${i} ${'x'.repeat(50)}`);
    expect(statSync(join(dir, 'host.log')).size).toBeLessThanOrEqual(2000 + 200);
    expect(existsSync(join(dir, 'host.log.1'))).toBe(true);
    expect(existsSync(join(dir, 'host.log.2'))).toBe(true);
    expect(existsSync(join(dir, 'host.log.3'))).toBe(false);
    expect(readFileSync(join(dir, 'host.log'), 'utf8')).toContain('line 199');
  });

  it('drops lines below the level and never throws when the directory is unusable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hf-log-'));
    dirs.push(dir);
    const log = createLogger({ logDir: dir, level: 'warn', toStderr: false });
    log.info('quiet');
    log.warn('loud', { n: 1 });
    expect(readFileSync(join(dir, 'host.log'), 'utf8')).toMatch(/WARN .*loud \{"n":1\}/);
    expect(readFileSync(join(dir, 'host.log'), 'utf8')).not.toContain('quiet');
    // A regular file where the log directory should be: every write fails, the logger carries on.
    const broken = createLogger({ logDir: join(dir, 'host.log', 'sub'), toStderr: false });
    expect(() => broken.error('still fine')).not.toThrow();
  });
});
