import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BUNDLE_VERSIONS, COMPONENTS, ROW_SCHEMAS_V1, type BundleVersion } from '../../../shared/bundle/format';
import { openBundle, readRows, validateBundle, type RowsAnchor, type ValidationCheckpoint } from '../../../shared/bundle/read';
import { Sha256 } from '../../../shared/bundle/sha256';
import { BundleWriter, memorySink } from '../../../shared/bundle/write';
import { bytesSource } from '../../../shared/bundle/zip-read';
import { CodedError } from '../../../shared/errors';
import { buildBundle, damagedBundles, fixtureBundle, fixtureLines } from '../../fixtures/bundles';
import { makeFixtureRows } from '../../support/fixture-rows';

async function readAll(bytes: Uint8Array) {
  const bundle = await openBundle(bytesSource(bytes));
  const report = await validateBundle(bundle);
  const rows: Record<string, unknown[]> = {};
  for (const component of bundle.components) {
    rows[component] = [];
    for await (const batch of readRows(bundle, component, { batchRows: 1 })) rows[component].push(...batch.rows);
  }
  return { bundle, report, rows };
}

async function refusal(bytes: Uint8Array): Promise<string> {
  try {
    const bundle = await openBundle(bytesSource(bytes));
    await validateBundle(bundle);
  } catch (error) {
    if (error instanceof CodedError) return error.code;
    throw error;
  }
  return 'accepted';
}

describe('incremental SHA-256', () => {
  it('matches node:crypto for every length and any split', () => {
    for (const length of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 70_000]) {
      const data = randomBytes(length);
      const hash = new Sha256();
      for (let at = 0; at < length; ) {
        const step = 1 + ((at * 7919) % 173);
        hash.update(data.subarray(at, at + step));
        at += step;
      }
      expect(hash.hex(), `length ${length}`).toBe(createHash('sha256').update(data).digest('hex'));
    }
  });

  it('gives the FIPS 180-4 vector for "abc"', () => {
    expect(new Sha256().update(new TextEncoder().encode('abc')).hex()).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('bundle codec', () => {
  it('round-trips every component row for row, with counts and hashes in the manifest', async () => {
    const { bundle, report, rows } = await readAll(await fixtureBundle());
    const fixture = makeFixtureRows();
    expect(bundle.manifest.formatName).toBe('hydraflow-bundle');
    expect(bundle.manifest.schemaVersion).toBe(1);
    for (const component of COMPONENTS) {
      expect(rows[component], component).toEqual(fixture[component]);
      expect(report.rows[component]).toBe(fixture[component].length);
    }
    const visitsText = fixtureLines().visits!.map((l) => `${l}\n`).join('');
    expect(bundle.manifest.components.visits!.sha256).toBe(createHash('sha256').update(visitsText).digest('hex'));
  });

  it('streams a component of 100k rows in bounded batches and resumes from a row index', async () => {
    const sink = memorySink();
    const writer = new BundleWriter(sink);
    const visit = makeFixtureRows().visits[0]!;
    await writer.begin('visits');
    for (let batch = 0; batch < 20; batch++) {
      await writer.rows(Array.from({ length: 5000 }, (_, i) => ({ ...visit, id: `${visit.urlKey}@${batch * 5000 + i}`, visitedAt: batch * 5000 + i })));
    }
    await writer.finish({ scope: { kind: 'all' } });
    const bundle = await openBundle(bytesSource(sink.bytes()));
    expect((await validateBundle(bundle)).rows.visits).toBe(100_000);
    const sizes: number[] = [];
    let firstSeen = -1;
    for await (const batch of readRows(bundle, 'visits', { from: 99_990, batchRows: 4 })) {
      if (firstSeen < 0) firstSeen = (batch.rows[0] as { visitedAt: number }).visitedAt;
      sizes.push(batch.rows.length);
    }
    expect(firstSeen).toBe(99_990);
    expect(sizes).toEqual([4, 4, 2]);
  });

  it('a resume seeks to its anchor in the inflated bytes validation kept: the same rows, and altered kept bytes fail BUNDLE_FILE_CHANGED', async () => {
    const sink = memorySink();
    const writer = new BundleWriter(sink);
    const visit = makeFixtureRows().visits[0]!;
    await writer.begin('visits');
    for (let batch = 0; batch < 4; batch++) await writer.rows(Array.from({ length: 5000 }, (_, i) => ({ ...visit, id: `${visit.urlKey}@${batch * 5000 + i}`, visitedAt: batch * 5000 + i })));
    await writer.finish({ scope: { kind: 'all' } });
    const bundle = await openBundle(bytesSource(sink.bytes()));
    const kept: Uint8Array[] = [];
    let ended = false;
    await validateBundle(bundle, {
      keep: async (component, offset, bytes, last) => {
        if (component !== 'visits') return;
        expect(offset).toBe(kept.reduce((n, b) => n + b.length, 0));
        kept.push(bytes.slice());
        ended ||= last;
      },
    });
    expect(ended).toBe(true);
    const inflated = new Uint8Array(kept.reduce((n, b) => n + b.length, 0));
    kept.reduce((at, b) => (inflated.set(b, at), at + b.length), 0);
    // Kept in blocks of 64 KiB; a read returns the rest of one block.
    const read = async (offset: number) => {
      const rest = inflated.subarray(offset, (Math.floor(offset / 65_536) + 1) * 65_536);
      return rest.length ? rest : null;
    };
    let anchor: RowsAnchor | null = null;
    let cursor = 0;
    for await (const batch of readRows(bundle, 'visits', { verify: true, batchRows: 3000 })) {
      cursor = batch.first + batch.rows.length;
      anchor = batch.anchor;
      if (cursor >= 12_000) break;
    }
    expect(anchor!.row).toBeGreaterThan(0);
    expect(anchor!.row).toBeLessThanOrEqual(cursor);
    const ids = async (seek: boolean) => {
      const out: string[] = [];
      for await (const batch of readRows(bundle, 'visits', { from: cursor, verify: true, ...(seek ? { seek: { anchor: anchor!, read } } : {}) })) out.push(...batch.rows.map((r) => (r as { id: string }).id));
      return out;
    };
    const sought = await ids(true);
    expect(sought).toEqual(await ids(false));
    expect(sought[0]).toBe(`${visit.urlKey}@${cursor}`);
    expect(sought).toHaveLength(20_000 - cursor);
    // An anchor whose hash state does not match its offset is not used (the entry is inflated again).
    let reads = 0;
    const counted = async (offset: number) => (reads++, read(offset));
    for await (const _batch of readRows(bundle, 'visits', { from: cursor, verify: true, seek: { anchor: { ...anchor!, offset: anchor!.offset + 1 }, read: counted } })) void _batch;
    expect(reads).toBe(0);
    // A kept byte altered after the anchor (a digit inside an id: still a valid row) fails at the end.
    const digit = inflated.indexOf(0x40, anchor!.offset + 10) + 1;
    inflated[digit] = inflated[digit] === 0x31 ? 0x32 : 0x31;
    await expect(ids(true)).rejects.toMatchObject({ code: 'BUNDLE_FILE_CHANGED' });
  });

  it('a validation cut off goes on from its last checkpoint to the same verdict, each checkpoint further on', async () => {
    const visit = makeFixtureRows().visits[0]!;
    const bundleOf = async (ids: (i: number) => number) => {
      const sink = memorySink();
      const writer = new BundleWriter(sink);
      await writer.begin('visits');
      for (let batch = 0; batch < 6; batch++) await writer.rows(Array.from({ length: 5000 }, (_, i) => ({ ...visit, id: `${visit.urlKey}@${ids(batch * 5000 + i)}`, visitedAt: batch * 5000 + i })));
      await writer.finish({ scope: { kind: 'all' } });
      return openBundle(bytesSource(sink.bytes()));
    };
    /** Validates with a death after every `perLife` checkpoints, each life going on from the last one saved. */
    const validateWithDeaths = async (bundle: Awaited<ReturnType<typeof bundleOf>>, perLife: number) => {
      let saved: ValidationCheckpoint | null = null;
      const reached: number[] = [];
      for (let life = 0; ; life++) {
        let saves = 0;
        try {
          const report = await validateBundle(bundle, {
            resume: saved,
            checkpointMs: 0,
            checkpoint: async (state) => {
              if (saves++ === perLife) throw new Error('worker stopped');
              saved = state;
              reached.push(state.count);
            },
          });
          return { report, reached, lives: life + 1 };
        } catch (error) {
          if (!(error instanceof Error) || error.message !== 'worker stopped') return { error, reached, lives: life + 1 };
        }
      }
    };
    const good = await bundleOf((i) => i);
    const whole = await validateBundle(good);
    const cut = await validateWithDeaths(good, 3);
    expect(cut.report).toEqual(whole);
    expect(cut.lives).toBeGreaterThan(3);
    // Every checkpoint lies beyond the one before: no life starts over.
    expect(cut.reached.every((count, i) => i === 0 || count > cut.reached[i - 1]!)).toBe(true);
    // A duplicate id whose first copy was checked in an earlier life is still found.
    const duplicated = await bundleOf((i) => (i === 29_999 ? 3 : i));
    const refused = await validateWithDeaths(duplicated, 3);
    expect(refused.lives).toBeGreaterThan(3);
    expect(refused.error).toMatchObject({ code: 'BUNDLE_DUPLICATE_ID' });
    // A checkpoint of another bundle is not resumed from (its manifest differs): validated from the start.
    const foreign: ValidationCheckpoint = { manifestSha256: duplicated.manifestSha256, component: 0, rows: {}, offset: 10, count: 1, sha: new Sha256().save(), keys: new Float64Array(1) };
    expect(await validateBundle(good, { resume: foreign })).toEqual(whole);
  });

  it('writes every component even when empty', async () => {
    const sink = memorySink();
    const manifest = await new BundleWriter(sink).finish({ scope: { kind: 'all' } });
    expect(Object.keys(manifest.components)).toEqual([...COMPONENTS]);
    const { report } = await readAll(sink.bytes());
    expect(Object.values(report.rows).every((n) => n === 0)).toBe(true);
  });

  it('accepts a bundle built by hand with the documented layout', async () => {
    expect(await refusal(buildBundle(fixtureLines()))).toBe('accepted');
  });
});

describe('damaged bundles', async () => {
  const cases = await damagedBundles();
  it('there are at least fifteen cases', () => expect(cases.length).toBeGreaterThanOrEqual(15));
  for (const damaged of cases) {
    it(`refuses ${damaged.name} with ${damaged.code}`, async () => {
      expect(await refusal(damaged.bytes)).toBe(damaged.code);
    });
  }
});

describe('schema versions', () => {
  // A made-up version 2 that renames threads.title to threads.name: the reader must read version 1
  // bundles through the upgrade and refuse a version it does not know.
  const threadV2 = ROW_SCHEMAS_V1.threads.unwrap().omit({ title: true }).extend({ name: z.string() });
  const v1 = BUNDLE_VERSIONS[0]!;
  const versions: BundleVersion[] = [
    { ...v1, upgrade: (component, row) => (component === 'threads' ? (({ title, ...rest }: { title: string }) => ({ ...rest, name: title }))(row as { title: string }) : row) },
    { version: 2, manifest: v1.manifest as BundleVersion['manifest'], rows: { ...ROW_SCHEMAS_V1, threads: threadV2 } },
  ];

  it('reads a version 1 bundle as the newest version through each upgrade', async () => {
    const bundle = await openBundle(bytesSource(await fixtureBundle()), { versions });
    await validateBundle(bundle);
    const rows: unknown[] = [];
    for await (const batch of readRows(bundle, 'threads')) rows.push(...batch.rows);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: 't1', name: 'Reading about <b>tags</b>' });
    expect(rows[0]).not.toHaveProperty('title');
  });

  it('refuses a version newer than the newest it knows, saying to update', async () => {
    const bytes = buildBundle(fixtureLines(), (m) => (m.schemaVersion = 3));
    await expect(openBundle(bytesSource(bytes), { versions })).rejects.toMatchObject({ code: 'BUNDLE_VERSION_UNSUPPORTED', message: expect.stringContaining('Update HydraFlow') });
  });
});
