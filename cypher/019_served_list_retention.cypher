// Served lists older than the retention (KGREC_API_SERVED_RETENTION_DAYS) are deleted by time, in batches.
CREATE INDEX served_list_at IF NOT EXISTS FOR (n:ServedList) ON (n.at);
