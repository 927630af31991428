/** Characters of an error's message kept in a log line. */
const MAX_MESSAGE_CHARS = 500;

/**
 * An error as a log line should hold it: name, code and the start of the message. Some messages quote the
 * value that failed (Neo4j names a property too large to index with its size, drivers echo parameters), and
 * a value sent by a client may be megabytes: logged every second, it would flood the log.
 */
export function briefError(error: unknown): { name: string; code?: string; message: string } {
  const { name = 'Error', code, message = String(error) } = (error ?? {}) as { name?: string; code?: unknown; message?: string };
  const text = String(message);
  const brief = text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}… (${text.length} characters)` : text;
  return typeof code === 'string' ? { name: String(name), code, message: brief } : { name: String(name), message: brief };
}
