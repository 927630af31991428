import cliProgress from 'cli-progress';

export interface ProgressReporter {
  update(done: number, total: number, extra?: { rate?: number; unit?: string; note?: string }): void;
  stop(): void;
}

/** How often plain (non-terminal) progress lines are printed. */
const PLAIN_INTERVAL_MS = 5_000;

/**
 * A bar with rate and ETA on a terminal; on anything else (CI logs, pipes) one plain line every few seconds,
 * so that logs stay readable. Output goes to stderr: stdout is kept for results and `--json`.
 */
export function createProgress(label: string, stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} {bar} {percentage}% | {note} | {rate} {unit}/s | ETA {eta_formatted}`,
        stream,
        hideCursor: true,
        etaBuffer: 50,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    let lastDone = 0;
    return {
      update(done, total, extra = {}) {
        const payload = { rate: Math.round(extra.rate ?? 0).toLocaleString('en-US'), unit: extra.unit ?? 'items', note: extra.note ?? '' };
        if (started && done < lastDone) {
          bar.stop(); // a new stage: a fresh bar, so that its ETA is its own
          started = false;
        }
        lastDone = done;
        if (!started) {
          bar.start(total, done, payload);
          started = true;
        } else {
          bar.setTotal(total);
          bar.update(done, payload);
        }
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let started: number | undefined; // the clock starts with the first update, not when the reporter is made
  let lastPrinted = 0;
  let lastDone = 0;
  let finished = false;
  return {
    update(done, total, extra = {}) {
      const now = Date.now();
      if (done < lastDone) {
        // A new stage reuses the reporter (validation, then test): start afresh.
        started = undefined;
        finished = false;
      }
      lastDone = done;
      started ??= now;
      if (finished || (now - lastPrinted < PLAIN_INTERVAL_MS && done < total)) return;
      finished = done >= total;
      lastPrinted = now;
      const elapsed = (now - started) / 1000;
      const fraction = total > 0 ? done / total : 0;
      const eta = fraction > 0 ? (elapsed / fraction) * (1 - fraction) : Number.NaN;
      const rate = extra.rate !== undefined ? ` | ${Math.round(extra.rate).toLocaleString('en-US')} ${extra.unit ?? 'items'}/s` : '';
      const note = extra.note ? ` | ${extra.note}` : '';
      stream.write(`${label} ${(fraction * 100).toFixed(0)}%${note}${rate} | ETA ${Number.isFinite(eta) ? `${eta.toFixed(0)} s` : '?'}\n`);
    },
    stop() {},
  };
}
