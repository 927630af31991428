import { useQuery } from '@urql/preact';
import { useState } from 'preact/hooks';
import { problemOf } from '../errors.js';
import { AUDIT, type AuditEntry, type PageInfo } from '../graphql.js';
import { href, navigate } from '../router.js';
import { Empty, Field, formatTime, Loading, Problem } from '../ui.js';

const PAGE_SIZE = 50;

/**
 * The audit trail, newest first, by entity (the API's own filter) and by editor. The API has no editor
 * filter: the editor narrows the pages read so far, and "Older entries" reads on.
 */
export function Audit({ params }: { params: URLSearchParams }) {
  const entity = params.get('entity') ?? '';
  const editor = params.get('editor') ?? '';
  const [entityText, setEntityText] = useState(entity);
  const [editorText, setEditorText] = useState(editor);
  const [cursors, setCursors] = useState<string[]>([]);
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); setCursors([]); navigate(href('audit', null, { entity: entityText.trim(), editor: editorText.trim() })); }}>
        <Field label="Entity id" id="audit-entity">
          <input id="audit-entity" value={entityText} onInput={(e) => setEntityText(e.currentTarget.value)} placeholder="a product, category, brand, rule …" />
        </Field>
        <Field label="Editor contains" id="audit-editor">
          <input id="audit-editor" value={editorText} onInput={(e) => setEditorText(e.currentTarget.value)} placeholder="api:merchandiser" />
        </Field>
        <button type="submit">Filter</button>
      </form>
      {[undefined, ...cursors].map((after, i) => (
        <AuditPage key={`${entity}-${after ?? 'first'}`} entity={entity} editor={editor} after={after} last={i === cursors.length} onMore={(cursor) => setCursors([...cursors, cursor])} />
      ))}
    </section>
  );
}

function AuditPage({ entity, editor, after, last, onMore }: { entity: string; editor: string; after: string | undefined; last: boolean; onMore: (cursor: string) => void }) {
  const [result] = useQuery<{ auditLog: { nodes: AuditEntry[]; pageInfo: PageInfo } }>({
    query: AUDIT,
    variables: { first: PAGE_SIZE, ...(entity ? { entityId: entity } : {}), ...(after ? { after } : {}) },
    requestPolicy: 'network-only',
  });
  if (result.fetching && !result.data) return <Loading what="audit entries" />;
  if (result.error) return <Problem problem={problemOf(result.error)} />;
  const page = result.data?.auditLog;
  const rows = (page?.nodes ?? []).filter((entry) => editor === '' || entry.editor.includes(editor));
  return (
    <>
      {rows.length === 0 ? <Empty>No entries{after ? ' on this page' : ''}.</Empty> : (
        <table data-testid="audit">
          <thead><tr><th scope="col">When</th><th scope="col">Editor</th><th scope="col">Entity</th><th scope="col">Action</th><th scope="col">Change</th></tr></thead>
          <tbody>
            {rows.map((entry) => (
              <tr key={entry.id}>
                <td>{formatTime(entry.at)}</td>
                <td>{entry.editor}</td>
                <td>{entry.entityType} {entry.entityId}</td>
                <td>{entry.action}</td>
                <td><code>{entry.summary}</code></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {last && page?.pageInfo.hasNextPage && page.pageInfo.endCursor && <button type="button" onClick={() => onMore(page.pageInfo.endCursor ?? '')}>Older entries</button>}
    </>
  );
}
