import type { CombinedError } from '@urql/core';

/**
 * What went wrong, in the API's own words: its messages already name the field (`input.name: expected …`),
 * and extensions.field says which input to mark.
 */
export interface ApiProblem {
  message: string;
  /** The input the API named (extensions.field), e.g. `input.name`, `weight`. */
  field: string | null;
  code: string | null;
}

export function problemOf(error: CombinedError | undefined | null): ApiProblem | null {
  if (!error) return null;
  const first = error.graphQLErrors[0];
  if (first) {
    const field = first.extensions?.field;
    const code = first.extensions?.code;
    return { message: first.message, field: typeof field === 'string' ? field : null, code: typeof code === 'string' ? code : null };
  }
  return { message: `the API could not be reached: ${error.networkError?.message ?? error.message}`, field: null, code: null };
}

/** Whether `problem` names `input` (given as the API names it: `input.name` matches `name`). */
export const namesField = (problem: ApiProblem | null, input: string): boolean =>
  problem?.field !== null && problem?.field !== undefined && (problem.field === input || problem.field.endsWith(`.${input}`));
