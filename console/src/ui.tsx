import type { ComponentChildren } from 'preact';
import type { ApiProblem } from './errors.js';
import { href } from './router.js';

/** Small shared pieces: loading and empty states, the API's errors, labelled fields. */

export const Loading = ({ what }: { what: string }) => (
  <p class="state" role="status" aria-live="polite">
    Loading {what}…
  </p>
);

export const Empty = ({ children }: { children: ComponentChildren }) => <p class="state empty">{children}</p>;

export const Problem = ({ problem }: { problem: ApiProblem | null }) =>
  problem ? (
    <p class="problem" role="alert">
      {problem.message}
    </p>
  ) : null;

export const Done = ({ children }: { children: ComponentChildren }) => (
  <p class="done" role="status" aria-live="polite">
    {children}
  </p>
);

/** A labelled input; `invalid` marks it for assistive technology when the API named it. */
export function Field({ label, id, invalid, children }: { label: string; id: string; invalid?: boolean; children: ComponentChildren }) {
  return (
    <div class={invalid ? 'field invalid' : 'field'}>
      <label for={id}>{label}</label>
      {children}
    </div>
  );
}

export const ProductLink = ({ id, title }: { id: string; title?: string | null }) => <a href={href('product', id)}>{title ?? id}</a>;

export const formatScore = (score: number): string => score.toFixed(3);

export const formatTime = (iso: string | null | undefined): string => (iso ? new Date(iso).toLocaleString() : '–');
