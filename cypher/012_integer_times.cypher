// Times are epoch milliseconds stored as integers. Ingestion used to send the time of a write as a float
// (createdAt and updatedAt of categories, brands, products and users, updatedAt of merchandiser relations);
// this turns those into integers. Idempotent: integers are left alone.
MATCH (n:Category) WHERE valueType(n.createdAt) STARTS WITH 'FLOAT' OR valueType(n.updatedAt) STARTS WITH 'FLOAT'
CALL (n) { SET n.createdAt = toInteger(n.createdAt), n.updatedAt = toInteger(n.updatedAt) } IN TRANSACTIONS OF 10000 ROWS;
MATCH (n:Brand) WHERE valueType(n.createdAt) STARTS WITH 'FLOAT' OR valueType(n.updatedAt) STARTS WITH 'FLOAT'
CALL (n) { SET n.createdAt = toInteger(n.createdAt), n.updatedAt = toInteger(n.updatedAt) } IN TRANSACTIONS OF 10000 ROWS;
MATCH (n:Product) WHERE valueType(n.createdAt) STARTS WITH 'FLOAT' OR valueType(n.updatedAt) STARTS WITH 'FLOAT'
CALL (n) { SET n.createdAt = toInteger(n.createdAt), n.updatedAt = toInteger(n.updatedAt) } IN TRANSACTIONS OF 10000 ROWS;
MATCH (n:User) WHERE valueType(n.createdAt) STARTS WITH 'FLOAT'
CALL (n) { SET n.createdAt = toInteger(n.createdAt) } IN TRANSACTIONS OF 10000 ROWS;
MATCH (:Product)-[r]->(:Product) WHERE valueType(r.updatedAt) STARTS WITH 'FLOAT'
CALL (r) { SET r.updatedAt = toInteger(r.updatedAt) } IN TRANSACTIONS OF 10000 ROWS;
