import { GraphQLError, Kind, type ASTVisitor, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext } from 'graphql';

/**
 * Refuses a mutation operation that selects more than one root field, before anything runs.
 *
 * Each mutation field is its own transaction, and GraphQL runs the fields one after another: the first can
 * commit before the second fails. Every mutation field's result is non-null, so such a failure nulls the
 * whole `data` and the reply says nothing of the write that did commit. Making the results nullable would
 * report it truthfully but leave clients to reconcile half-applied batches; one field per operation makes
 * every request all or nothing instead. Batches go through fields that take lists (recordEvents).
 *
 * Fields are counted as written, aliases, fragments and @skip/@include included (a validation rule does not
 * see the variables); `__typename` does not count.
 */
export function oneFieldPerMutation(context: ValidationContext): ASTVisitor {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of context.getDocument().definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const rootFields = (selectionSet: SelectionSetNode, visiting: ReadonlySet<string>, names: string[]): string[] => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value !== '__typename') names.push(selection.alias ? `${selection.alias.value}: ${selection.name.value}` : selection.name.value);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        rootFields(selection.selectionSet, visiting, names);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        // Unknown and cyclic fragments are reported by graphql's own rules; here the walk just stops.
        if (fragment && !visiting.has(name)) rootFields(fragment.selectionSet, new Set([...visiting, name]), names);
      }
    }
    return names;
  };
  return {
    OperationDefinition(node) {
      if (node.operation !== 'mutation') return;
      const names = rootFields(node.selectionSet, new Set(), []);
      if (names.length <= 1) return;
      context.reportError(
        new GraphQLError(
          `a mutation operation may select one field, got ${names.length} (${names.join(', ')}): each field commits on its own, ` +
            'so a later one failing would leave the earlier ones written; send one mutation per request',
          { nodes: [node] },
        ),
      );
    },
  };
}
