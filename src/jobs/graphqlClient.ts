/**
 * A minimal GraphQL-over-HTTP client for jobs that drive a running kgrec API (the shop simulator). It
 * sends JSON POSTs with a Bearer token and turns GraphQL errors into exceptions that name the code and field.
 */
export class GraphQLClient {
  constructor(
    private readonly url: string,
    private readonly token: string | undefined,
  ) {}

  async request<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    let body: { data?: T | null; errors?: Array<{ message: string; extensions?: { code?: string } }> };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new Error(`${this.url}: HTTP ${response.status}, expected a GraphQL JSON answer, got ${JSON.stringify(text.slice(0, 200))}`);
    }
    const [error] = body.errors ?? [];
    if (error) throw new Error(`${this.url}: ${error.extensions?.code ?? 'ERROR'}: ${error.message}`);
    if (!body.data) throw new Error(`${this.url}: HTTP ${response.status} without data`);
    return body.data;
  }
}
