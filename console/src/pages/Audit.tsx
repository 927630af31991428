import { useQuery } from '@urql/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { problemOf } from '../errors.js';
import { AUDIT, type AuditEntry, type PageInfo } from '../graphql.js';
import { href, navigate } from '../router.js';
import { Empty, Field, formatTime, Loading, Problem } from '../ui.js';

const PAGE_SIZE = 50;

/**
 * The audit trail, newest first, by entity and by editor (a whole editor name or its start), both filtered
 * by the API, a page at a time.
 */
export function Audit({ params, ownEditor }: { params: URLSearchParams; ownEditor: string }) {
  const entity = params.get('entity') ?? '';
  const editor = params.get('editor') ?? '';
  const [entityText, setEntityText] = useState(entity);
  const [editorText, setEditorText] = useState(editor);
  const [cursors, setCursors] = useState<string[]>([]);
  // A link (My edits, a product's edits) changes the filter while the page stays open. The effect runs after
  // the first paint too, when it must not replace what the merchandiser has begun to type.
  const shownFilter = useRef(`${entity}\n${editor}`);
  useEffect(() => {
    if (shownFilter.current === `${entity}\n${editor}`) return;
    shownFilter.current = `${entity}\n${editor}`;
    setEntityText(entity);
    setEditorText(editor);
    setCursors([]);
  }, [entity, editor]);
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); setCursors([]); navigate(href('audit', null, { entity: entityText.trim(), editor: editorText.trim() })); }}>
        <Field label="Entity id" id="audit-entity">
          <input id="audit-entity" value={entityText} onInput={(e) => setEntityText(e.currentTarget.value)} placeholder="a product, category, brand, rule …" />
        </Field>
        <Field label="Editor starts with" id="audit-editor">
          <input id="audit-editor" value={editorText} onInput={(e) => setEditorText(e.currentTarget.value)} placeholder="api:merchandiser" />
        </Field>
        <button type="submit">Filter</button>
        <a href={href('audit', null, { editor: ownEditor })}>My edits</a>
      </form>
      {[undefined, ...cursors].map((after, i) => (
        <AuditPage key={`${entity}-${editor}-${after ?? 'first'}`} entity={entity} editor={editor} after={after} last={i === cursors.length} onMore={(cursor) => setCursors([...cursors, cursor])} />
      ))}
    </section>
  );
}

function AuditPage({ entity, editor, after, last, onMore }: { entity: string; editor: string; after: string | undefined; last: boolean; onMore: (cursor: string) => void }) {
  const [result] = useQuery<{ auditLog: { nodes: AuditEntry[]; pageInfo: PageInfo } }>({
    query: AUDIT,
    variables: { first: PAGE_SIZE, ...(entity ? { entityId: entity } : {}), ...(editor ? { editor } : {}), ...(after ? { after } : {}) },
    requestPolicy: 'network-only',
  });
  if (result.fetching && !result.data) return <Loading what="audit entries" />;
  if (result.error) return <Problem problem={problemOf(result.error)} />;
  const page = result.data?.auditLog;
  const rows = page?.nodes ?? [];
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
