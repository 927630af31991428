// Merchandising rules (pin, boost, bury a product for a category or a search query) and the audit trail of
// merchandiser and admin edits. Rules are few and read whole by the ranker; audit entries are read newest
// first, for all entities or for one.
CREATE CONSTRAINT merch_rule_id IF NOT EXISTS FOR (n:MerchRule) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT audit_entry_id IF NOT EXISTS FOR (n:AuditEntry) REQUIRE n.id IS UNIQUE;
CREATE INDEX audit_at IF NOT EXISTS FOR (n:AuditEntry) ON (n.at);
CREATE INDEX audit_entity IF NOT EXISTS FOR (n:AuditEntry) ON (n.entityId);
