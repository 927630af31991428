/**
 * Query texts whose parsed form is kept: past this many, or this many characters of text in all, a cache
 * starts afresh (shop frontends send a handful of shapes; the bound is for clients that send many).
 */
export const MAX_CACHED_QUERY_TEXTS = 1_000;
export const MAX_CACHED_QUERY_CHARS = 4_000_000;

/**
 * What was made of each query text (its document, its price's inputs), for the texts seen last. Full, it
 * starts afresh rather than evicting by use: a lookup then costs one Map read, and the frontends' few
 * shapes are back in it after their next request.
 */
export class QueryTextCache<V> {
  private readonly entries = new Map<string, V>();
  private chars = 0;

  constructor(
    private readonly maxTexts = MAX_CACHED_QUERY_TEXTS,
    private readonly maxChars = MAX_CACHED_QUERY_CHARS,
  ) {}

  get(text: string): V | undefined {
    return this.entries.get(text);
  }

  set(text: string, value: V): void {
    if (!this.entries.has(text)) {
      if (this.entries.size >= this.maxTexts || this.chars + text.length > this.maxChars) {
        this.entries.clear();
        this.chars = 0;
      }
      this.chars += text.length;
    }
    this.entries.set(text, value);
  }
}
