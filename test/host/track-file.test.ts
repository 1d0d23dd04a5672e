// track_file: real files, changed in place, replaced by rename, deleted and re-created.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TrackFileWatcher, parseTrackValue, strtol0 } from '../../host/track/track-file.ts';

const log = { info: () => {}, warn: () => {} };

describe('track_file values', () => {
  it('parses like strtol(.., 0) and clamps to ±254', () => {
    const table: [string, number][] = [
      ['5\n', 5], ['  -7', -7], ['+3x', 3], ['0x10', 16], ['010', 8], ['0', 0], ['', 0], ['abc', 0], ['999', 254], ['-999', -254], ['08', 0],
    ];
    for (const [text, want] of table) assert.equal(parseTrackValue(text), want, JSON.stringify(text));
    assert.equal(strtol0('08'), 0);
  });
});

describe('TrackFileWatcher', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vipd-track-file-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const waitFor = async (pred: () => boolean, ms = 2000) => {
    const end = performance.now() + ms;
    while (!pred() && performance.now() < end) await new Promise((r) => setTimeout(r, 5));
    assert.ok(pred());
  };

  it('sees writes, atomic replacement, deletion (as 0) and re-creation', async () => {
    const path = join(dir, 'prio');
    writeFileSync(path, '10\n');
    const seen: number[] = [];
    const w = new TrackFileWatcher({ name: 'tf', path, initFile: null, log, onChange: (v) => seen.push(v) });
    assert.equal(await w.start(), 10);
    try {
      writeFileSync(path, '20\n');
      await waitFor(() => w.value === 20);
      writeFileSync(join(dir, 'tmp'), '-30\n');
      renameSync(join(dir, 'tmp'), path);
      await waitFor(() => w.value === -30);
      unlinkSync(path);
      await waitFor(() => w.value === 0);
      writeFileSync(path, '7');
      await waitFor(() => w.value === 7);
      writeFileSync(join(dir, 'other'), '99');
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(seen, [20, -30, 0, 7]);
    } finally {
      w.close();
    }
  });

  it('init_file creates a missing file, and overwrites only with overwrite', async () => {
    const a = join(dir, 'a');
    const w1 = new TrackFileWatcher({ name: 'a', path: a, initFile: { value: 3, overwrite: false }, log, onChange: () => {} });
    assert.equal(await w1.start(), 3);
    w1.close();
    assert.equal(readFileSync(a, 'utf8'), '3\n');
    writeFileSync(a, '9');
    const w2 = new TrackFileWatcher({ name: 'a', path: a, initFile: { value: 4, overwrite: false }, log, onChange: () => {} });
    assert.equal(await w2.start(), 9);
    w2.close();
    const w3 = new TrackFileWatcher({ name: 'a', path: a, initFile: { value: 4, overwrite: true }, log, onChange: () => {} });
    assert.equal(await w3.start(), 4);
    w3.close();
  });

  it('a file in a missing directory is dropped with keepalived\'s warning', async () => {
    const warns: string[] = [];
    const w = new TrackFileWatcher({ name: 'gone', path: join(dir, 'nodir', 'f'), initFile: null, log: { info: () => {}, warn: (l) => warns.push(l) }, onChange: () => {} });
    assert.equal(await w.start(), 0);
    assert.deepEqual(warns, ['Track file directory for gone does not exist - removing']);
  });
});
