/**
 * The timeline of a soak: the API's, read from its stderr (bench/soakApi.ts and the ranking threads log
 * these as JSON lines: each thread's event loop stalls, the main thread's long GC pauses and the ranking
 * state's reloads), the load generator's own stalls (bench/soakLoad.ts) and Neo4j's checkpoints and pauses
 * (its debug log). bench/soak sets them beside each minute's slow requests, so that a slow second names
 * the thread that held it.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export interface TimelineEvent {
  /** When it ended (epoch ms). */
  at: number;
  thread: string;
  what: 'blocked' | 'gc' | 'reload' | 'checkpoint' | 'invalidated';
  /** How long it took; for a reload, its reading and its build together. */
  ms: number;
  details?: Record<string, unknown>;
}

interface LogLine {
  time?: number;
  thread?: string;
  msg?: string;
  blockedMs?: number;
  gcMs?: number;
  kind?: number;
  loadMs?: number;
  buildMs?: number;
  products?: number;
  stepMs?: Record<string, number>;
  popularityOnly?: boolean;
  changed?: number;
}

function eventOf(line: LogLine): TimelineEvent | null {
  if (typeof line.time !== 'number') return null;
  const thread = line.thread ?? 'main';
  if (line.msg === 'ranking thread blocked' || line.msg === 'main thread blocked') return { at: line.time, thread, what: 'blocked', ms: line.blockedMs ?? 0 };
  if (line.msg === 'gc pause') return { at: line.time, thread, what: 'gc', ms: line.gcMs ?? 0, details: { kind: line.kind } };
  if (line.msg === 'ranking state loaded') {
    const details = { loadMs: line.loadMs, buildMs: line.buildMs, products: line.products, stepMs: line.stepMs, popularityOnly: line.popularityOnly, changed: line.changed };
    return { at: line.time, thread, what: 'reload', ms: (line.loadMs ?? 0) + (line.buildMs ?? 0), details };
  }
  if (line.msg === 'ranking state invalidated') return { at: line.time, thread, what: 'invalidated', ms: 0 };
  return null;
}

/** Collects the timeline's lines from `stderr` into `events`; every other line is passed on to `echo`. */
export function collectTimeline(stderr: Readable, events: TimelineEvent[], echo: (line: string) => void): void {
  createInterface({ input: stderr }).on('line', (text) => {
    let event: TimelineEvent | null = null;
    if (text.startsWith('{')) {
      try {
        event = eventOf(JSON.parse(text) as LogLine);
      } catch {
        // not a log line of ours: echoed below
      }
    }
    if (event) events.push(event);
    else echo(text);
  });
}

/** `2026-12-07 00:28:00.940+0000 INFO  [...] ...` → epoch ms of its start; NaN for another line. */
const neo4jTime = (line: string): number => Date.parse(`${line.slice(0, 10)}T${line.slice(11, 23)}Z`);

/**
 * Neo4j's side of the timeline, from its debug log: the shop database's checkpoints (how long each took
 * and how many pages it flushed) and the JVM's stop-the-world pauses it reports. Neo4j shares the cores
 * with the API, so its flushes and pauses belong beside the API's stalls.
 */
export function neo4jEvents(text: string): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  for (const line of text.split('\n')) {
    const at = neo4jTime(line);
    if (Number.isNaN(at)) continue;
    const checkpoint = line.includes('[neo4j/') ? /checkpoint completed in (\d+)ms\. Checkpoint flushed (\d+) pages/.exec(line) : null;
    if (checkpoint) events.push({ at, thread: 'neo4j', what: 'checkpoint', ms: Number(checkpoint[1]), details: { pages: Number(checkpoint[2]) } });
    const pause = /stop-the-world pause: \{pauseTime=(\d+)/.exec(line);
    if (pause) events.push({ at, thread: 'neo4j', what: 'gc', ms: Number(pause[1]) });
  }
  return events;
}

/** Reads what a growing log file gained since the last call (from where the reader was made). */
export function logTail(file: string): () => string {
  let offset = (() => {
    try {
      return statSync(file).size;
    } catch {
      return 0;
    }
  })();
  return () => {
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      return '';
    }
    if (size <= offset) return '';
    const buffer = Buffer.alloc(size - offset);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, offset);
    } finally {
      closeSync(fd);
    }
    offset = size;
    return buffer.toString('utf8');
  };
}

/** The events of one minute (a reload counts where it overlaps the minute), as "second: thread what ms". */
export function minuteEvents(events: readonly TimelineEvent[], startedAtMs: number): string[] {
  const end = startedAtMs + 60_000;
  return events
    .filter((event) => event.at >= startedAtMs && event.at - event.ms < end)
    .map((event) => {
      const from = Math.max(0, Math.floor((event.at - event.ms - startedAtMs) / 1000));
      const to = Math.min(59, Math.floor((event.at - startedAtMs) / 1000));
      const seconds = from === to ? `s${to}` : `s${from}-${to}`;
      const kind = event.what === 'gc' ? gcKind(event.details?.kind) : '';
      const pages = event.what === 'checkpoint' ? ` (${String(event.details?.pages)} pages)` : '';
      return `${seconds} ${event.thread} ${event.what}${kind} ${Math.round(event.ms)} ms${event.what === 'reload' ? ` (${reloadParts(event)})` : pages}`;
    });
}

/** A reload's reading and building, and its longest build step: what requests queued behind it waited. */
function reloadParts(event: TimelineEvent): string {
  const details = event.details ?? {};
  const steps = Object.entries((details.stepMs ?? {}) as Record<string, number>).sort((a, b) => b[1] - a[1]);
  const longest = steps[0] ? `, longest step ${steps[0][0]} ${steps[0][1]} ms` : '';
  if (details.popularityOnly === true) return `popularity of ${String(details.changed)} products, nothing rebuilt`;
  return `reading ${String(details.loadMs)} ms, building ${String(details.buildMs)} ms${longest}`;
}

/** perf_hooks' GC kinds by their constants' values (minor 1, major 4, incremental 8, weak callbacks 16). */
function gcKind(kind: unknown): string {
  const names: Record<number, string> = { 1: ' minor', 4: ' major', 8: ' incremental', 16: ' weak-callbacks' };
  return typeof kind === 'number' ? (names[kind] ?? ` kind-${kind}`) : '';
}
