/**
 * The file plumbing of model versions and checkpoints: names that stay one path segment, zod-checked JSON,
 * float32 binaries in little-endian order on any host, and writes that are durable before they are renamed
 * into place.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/** The files of a version's vectors and id maps (a checkpoint reuses the two vector names). */
export const MODEL_FILES = {
  entities: 'entities.f32',
  relations: 'relations.f32',
  entityIds: 'entity-ids.json',
  relationIds: 'relation-ids.json',
} as const;

/** Version and file names: one path segment, no dot first (dot names are temporary or internal). */
export const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const safeName = z.string().regex(SAFE_NAME, 'expected a plain file name (letters, digits, ".", "_", "-")');

/** Formats zod issues as `file: field.path: message`, one per line. */
export function describeIssues(file: string, error: z.ZodError): string {
  return error.issues.map((issue) => `${file}: ${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`).join('\n');
}

export function parseWith<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new Error(describeIssues(file, result.error));
  return result.data;
}

export function checkName(kind: string, name: string): void {
  if (!SAFE_NAME.test(name)) throw new Error(`${kind}: expected a plain folder name (letters, digits, ".", "_", "-"), got ${JSON.stringify(name)}`);
}

export const isCode = (error: unknown, ...codes: string[]): boolean =>
  error instanceof Error && 'code' in error && typeof error.code === 'string' && codes.includes(error.code);

/* ---------- binary and JSON files ---------- */

export const LITTLE_ENDIAN_HOST = os.endianness() === 'LE';

/** Writes and fsyncs, so that the rename which publishes the file never exposes unwritten data. */
export async function writeDurable(file: string, data: Uint8Array | string): Promise<void> {
  const handle = await fs.open(file, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** How each typed array kind is written and read as 4-byte little-endian values. */
const WORDS = {
  float32: { make: (n: number) => new Float32Array(n), set: (view: DataView, at: number, value: number) => view.setFloat32(at, value, true), get: (view: DataView, at: number) => view.getFloat32(at, true) },
  int32: { make: (n: number) => new Int32Array(n), set: (view: DataView, at: number, value: number) => view.setInt32(at, value, true), get: (view: DataView, at: number) => view.getInt32(at, true) },
} as const;

function littleEndianBytes(values: Float32Array | Int32Array, kind: keyof typeof WORDS): Uint8Array {
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i += 1) WORDS[kind].set(view, i * 4, values[i]!);
  return bytes;
}

async function readLittleEndian<K extends keyof typeof WORDS>(file: string, expectedLength: number, what: string, kind: K): Promise<ReturnType<(typeof WORDS)[K]['make']>> {
  const bytes = await fs.readFile(file);
  if (bytes.length !== expectedLength * 4) {
    throw new Error(`${file}: expected ${expectedLength} ${kind} values (${what}, ${expectedLength * 4} bytes), got ${bytes.length} bytes`);
  }
  const values = WORDS[kind].make(expectedLength);
  if (LITTLE_ENDIAN_HOST) {
    new Uint8Array(values.buffer).set(bytes);
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < expectedLength; i += 1) values[i] = WORDS[kind].get(view, i * 4);
  }
  return values as ReturnType<(typeof WORDS)[K]['make']>;
}

/** The bytes of `values` as little-endian float32, whatever the host's byte order. */
export const float32LittleEndian = (values: Float32Array): Uint8Array => littleEndianBytes(values, 'float32');
export const readFloat32 = (file: string, expectedLength: number, what: string): Promise<Float32Array> => readLittleEndian(file, expectedLength, what, 'float32');
/** The bytes of `values` as little-endian int32, whatever the host's byte order. */
export const int32LittleEndian = (values: Int32Array): Uint8Array => littleEndianBytes(values, 'int32');
export const readInt32 = (file: string, expectedLength: number, what: string): Promise<Int32Array> => readLittleEndian(file, expectedLength, what, 'int32');

export async function readJson(file: string): Promise<unknown> {
  const text = await fs.readFile(file, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${file}: not valid JSON: ${(error as Error).message}`);
  }
}

export const idsSchema = (count: number): z.ZodType<string[]> =>
  z
    .array(z.string())
    .length(count, `expected ${count} ids`)
    .superRefine((ids, ctx) => {
      const seen = new Set<string>();
      for (const [i, id] of ids.entries()) {
        if (seen.has(id)) ctx.addIssue({ code: 'custom', path: [i], message: `duplicate id ${JSON.stringify(id)}` });
        seen.add(id);
      }
    });

/** Removes a folder and ignores failure: used on paths that only we created. */
export const removeQuietly = (dir: string): Promise<void> => fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);

/** Writes `file` through a temporary sibling and a rename, so readers see the old or the new content. */
export async function replaceFile(file: string, content: string): Promise<void> {
  const temp = `${path.join(path.dirname(file), `.${path.basename(file)}`)}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    await writeDurable(temp, content);
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}
