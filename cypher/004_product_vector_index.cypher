// Product embeddings written back by the trainer. The dimension comes from KGREC_EMBEDDING_DIMENSION.
CREATE VECTOR INDEX product_embedding IF NOT EXISTS FOR (n:Product) ON (n.embedding)
OPTIONS {indexConfig: {`vector.dimensions`: {{EMBEDDING_DIMENSION}}, `vector.similarity_function`: 'cosine'}};
