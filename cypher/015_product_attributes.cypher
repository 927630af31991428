// Product attributes as knowledge-graph nodes: (:Product)-[:HAS_ATTRIBUTE {key}]->(:Attribute {id, key, value}),
// one node per key and value (id `key=value`), merged by every product that has the pair.
CREATE CONSTRAINT attribute_id IF NOT EXISTS FOR (n:Attribute) REQUIRE n.id IS UNIQUE;
