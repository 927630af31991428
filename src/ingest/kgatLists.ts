/**
 * KGAT's `*_list.txt` files as they come: `name remap_id [more columns]` per line, space-separated. The
 * copies in circulation differ: the first line is a header (`org_id remap_id freebase_id`, or
 * `... entity_org_id`) or already data; names are ids, Freebase ids, URIs
 * (`http://rdf.freebase.com/ns/music.artist.origin`), dotted names (`music.artist.origin`) or bare
 * integers. Only the first two columns are read, and a first line whose remap field is not an integer is
 * taken for the header.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { escapeControlCharacters } from '../util/controlCharacters.js';
import { CONTROL_CHARACTER } from './records.js';

const NON_NEGATIVE_INTEGER = /^\d+$/;
/** Names become product titles and relation names: a bound like the ids' of `kgrec ingest`, no control characters. */
const MAX_NAME_LENGTH = 1_000;

/** remap_id → name; undefined when the file is absent. Throws, naming the file and line, on a malformed line. */
export async function readKgatList(file: string): Promise<Map<number, string> | undefined> {
  if (!existsSync(file)) return undefined;
  const lines = (await readFile(file, 'utf8')).split('\n');
  const names = new Map<number, string>();
  for (let l = 0; l < lines.length; l += 1) {
    const line = lines[l]!.trim();
    if (line === '') continue;
    const [name, remap] = line.split(/\s+/);
    if (l === 0 && (remap === undefined || !NON_NEGATIVE_INTEGER.test(remap))) continue; // the header
    if (name === undefined || remap === undefined) throw new Error(`${file}:${l + 1}: expected "name remap_id", got "${escapeControlCharacters(line.slice(0, 200))}"`);
    if (!NON_NEGATIVE_INTEGER.test(remap)) throw new Error(`${file}:${l + 1}: remap_id: expected a non-negative integer, got "${escapeControlCharacters(remap.slice(0, 200))}"`);
    if (name.length > MAX_NAME_LENGTH) throw new Error(`${file}:${l + 1}: name: longer than ${MAX_NAME_LENGTH} characters`);
    // Escaped, not echoed raw: a terminal would act on escape bytes.
    const control = CONTROL_CHARACTER.exec(name);
    if (control) throw new Error(`${file}:${l + 1}: name: control character U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} not allowed`);
    const id = Number(remap);
    if (names.has(id)) throw new Error(`${file}:${l + 1}: remap_id ${id} is listed twice`);
    names.set(id, name);
  }
  return names;
}
