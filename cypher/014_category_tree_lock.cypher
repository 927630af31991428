// Locks taken inside write transactions (src/graph/catalogEdits.ts: the category tree lock). The constraint
// makes a MERGE of a lock node safe when two transactions create it at once: one waits for the other.
CREATE CONSTRAINT kgrec_lock_id IF NOT EXISTS FOR (n:KgrecLock) REQUIRE n.id IS UNIQUE;
