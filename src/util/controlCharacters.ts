/**
 * Text from input files and requests ends up in error messages printed on terminals. A control character in
 * it (an ESC starting an ANSI sequence, a carriage return, a bidirectional override) would let that input
 * recolour, rewrite or reorder what an operator sees, so such characters are written as JSON-style escapes.
 */

/** C0 controls, DEL, C1 controls, and the Unicode marks that reorder text (bidirectional embeddings and isolates). */
// eslint-disable-next-line no-control-regex -- finding control characters is what this module is for
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
/** The same, but tab and newline are left alone: for messages of several lines. */
// eslint-disable-next-line no-control-regex -- as above
const UNSAFE_BUT_LAYOUT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

const escape = (character: string): string => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** `text` with every control character written as `\uXXXX`; with `keepLayout`, tabs and newlines stay. */
export function escapeControlCharacters(text: string, options: { keepLayout?: boolean } = {}): string {
  return text.replace(options.keepLayout ? UNSAFE_BUT_LAYOUT : UNSAFE, escape);
}
