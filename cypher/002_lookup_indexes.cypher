// The raw event log is read per user (privacy deletion, real-time profile) and by split (benchmark test sets).
// No index on Event.timestamp: time splits read the whole log in bulk, and each index costs every event write.
CREATE INDEX event_user IF NOT EXISTS FOR (n:Event) ON (n.userId);
CREATE INDEX event_split IF NOT EXISTS FOR (n:Event) ON (n.split);
CREATE INDEX product_in_stock IF NOT EXISTS FOR (n:Product) ON (n.inStock);
CREATE INDEX product_price IF NOT EXISTS FOR (n:Product) ON (n.price);
CREATE INDEX product_created IF NOT EXISTS FOR (n:Product) ON (n.createdAt);
