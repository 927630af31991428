// Lucene (BM25) text search: product text, and category and brand names.
CREATE FULLTEXT INDEX product_text IF NOT EXISTS FOR (n:Product) ON EACH [n.title, n.description];
CREATE FULLTEXT INDEX catalog_names IF NOT EXISTS FOR (n:Category|Brand) ON EACH [n.name];
