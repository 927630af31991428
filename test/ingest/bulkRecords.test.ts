import { describe, expect, it } from 'vitest';
import { BulkReader } from '../../src/ingest/bulkRecords.js';
import type { Located, Rejection } from '../../src/ingest/kinds.js';
import { formatRejection } from '../../src/ingest/ingest.js';
import { tempDir, writeFixture } from '../helpers.js';

/** Reads the events of `files` with or without the validation thread. */
async function readEvents(files: string[], thread: boolean) {
  const rejections: string[] = [];
  const reader = new BulkReader({ events: files }, { relationTypes: ['COMPLEMENTS'], onRejection: (r: Rejection) => rejections.push(formatRejection(r)) });
  const items: Located<unknown>[] = [];
  await reader.each('events', (item) => {
    items.push(item);
  }, { thread });
  return { items, rejections: rejections.sort(), tally: reader.tallies.events };
}

describe('BulkReader', () => {
  it('reads the same records, repeats and rejections on a validation thread as inline', async () => {
    const dir = tempDir();
    const lines = ['id,userId,productId,type,timestamp,quantity'];
    for (let i = 0; i < 30_000; i += 1) lines.push(`e${i},u${i % 70},p${i % 13},view,${1_750_000_000_000 + i},`);
    lines.push('e5,u5,p5,view,1750000000005,'); // a repeat of line 7
    lines.push('e6,u6,p6,click,1750000000006,'); // the same id with other values
    lines.push('e-bad,u1,p1,view,yesterday,');
    lines.push('e-short,u1');
    const first = writeFixture(dir, 'events-a.csv', lines);
    const second = writeFixture(dir, 'events-b.csv', ['id,userId,productId,type,timestamp,quantity', 'e1,u1,p1,view,1750000000001,', 'f1,u1,p1,purchase,1750000000001,3']);

    const inline = await readEvents([first, second], false);
    const threaded = await readEvents([first, second], true);
    expect(threaded.items).toEqual(inline.items);
    expect(threaded.rejections).toEqual(inline.rejections);
    expect(threaded.tally).toEqual(inline.tally);

    expect(inline.items).toHaveLength(30_001);
    expect(inline.tally).toMatchObject({ records: 30_006, duplicates: 2 });
    expect(inline.rejections).toEqual([
      `${first}:30003: id: same id as ${first}:8 but different values`,
      `${first}:30004: timestamp: expected ISO-8601 or epoch milliseconds, got "yesterday"`,
      `${first}:30005: (line): expected 6 cells as in the header, got 2`,
    ]);
  });
});
