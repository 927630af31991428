import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Kind, parse, visit, type DocumentNode, type EnumValueDefinitionNode } from 'graphql';
import { PROJECT_ROOT } from '../config.js';

/** The SDL is the source of truth; the server reads it at start-up. */
export const SCHEMA_FILE = path.join(PROJECT_ROOT, 'schema', 'kgrec.graphql');

const RELATION_TYPE_ENUM = 'ProductRelationType';

/**
 * The schema's type definitions, with ProductRelationType's values replaced by the configured allow-list,
 * so GraphQL itself refuses a relation type the shop does not use.
 */
export function loadTypeDefs(relationTypes: readonly string[], file = SCHEMA_FILE): DocumentNode {
  const document = parse(readFileSync(file, 'utf8'));
  let found = false;
  const typeDefs = visit(document, {
    EnumTypeDefinition(node) {
      if (node.name.value !== RELATION_TYPE_ENUM) return undefined;
      found = true;
      const values: EnumValueDefinitionNode[] = relationTypes.map((type) => ({
        kind: Kind.ENUM_VALUE_DEFINITION,
        name: { kind: Kind.NAME, value: type },
      }));
      return { ...node, values };
    },
  });
  if (!found) throw new Error(`${file}: enum ${RELATION_TYPE_ENUM} not found`);
  return typeDefs;
}
