// Words of product texts as knowledge-graph nodes: (:Product)-[:HAS_TERM]->(:Term). TransE learns term
// vectors beside products and users, which is what lets a query find products whose own text lacks a word.
CREATE CONSTRAINT term_id IF NOT EXISTS FOR (n:Term) REQUIRE n.id IS UNIQUE;
