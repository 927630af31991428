// The audit trail filtered by editor (auditLog(editor:)): a range index serves STARTS WITH on the editor name.
CREATE INDEX audit_editor IF NOT EXISTS FOR (n:AuditEntry) ON (n.editor);
