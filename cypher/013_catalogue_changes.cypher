// The catalogue change marker (src/graph/catalogueChanges.ts): one node whose version every ingestion
// transaction that changes the catalogue bumps, so that a running API reloads what it keeps of it.
CREATE CONSTRAINT catalogue_change_id IF NOT EXISTS FOR (n:CatalogueChange) REQUIRE n.id IS UNIQUE;
