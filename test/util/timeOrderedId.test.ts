import { describe, expect, it } from 'vitest';
import { timeOrderedUuid } from '../../src/util/timeOrderedId.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const timeOf = (id: string): number => Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);

describe('time-ordered ids (UUID version 7)', () => {
  it('carry their millisecond first and sort in the order they were made, across and within milliseconds', () => {
    const start = Date.parse('2026-12-07T03:00:00Z');
    const ids = [timeOrderedUuid(start), timeOrderedUuid(start), timeOrderedUuid(start + 1), timeOrderedUuid(start + 250)];
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect(ids.map(timeOf)).toEqual([start, start, start + 1, start + 250]);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids.map((id) => id.slice(19))).size).toBe(ids.length);
  });

  it('stay in order when a millisecond makes more ids than its counter holds, and when the clock steps back', () => {
    const start = Date.parse('2026-12-07T04:00:00Z');
    const ids = Array.from({ length: 10_000 }, () => timeOrderedUuid(start));
    ids.push(timeOrderedUuid(start - 60_000));
    expect(ids.every((id, i) => i === 0 || (ids[i - 1] as string) < id)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    // Ids past the counter's room borrow the next milliseconds, a few at most.
    expect(timeOf(ids.at(-1) as string) - start).toBeLessThanOrEqual(5);
    for (const id of ids) expect(id).toMatch(UUID_V7);
  });
});
