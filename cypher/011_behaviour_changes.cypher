// The behaviour change feed (src/graph/behaviourChanges.ts): each write of behaviour records which users it
// touched, and caches of users' behaviour (the API's) poll for the entries newer than their last look.
CREATE INDEX behaviour_change_at IF NOT EXISTS FOR (n:BehaviourChange) ON (n.at);
