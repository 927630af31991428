// Online experiments (src/graph/experiments.ts): definitions and their state transitions, and the lookup
// their results start from: a variant's served lists by experiment (the lists' events are found by
// Event.servedId, indexed in 021_served_lists.cypher).
CREATE CONSTRAINT experiment_id IF NOT EXISTS FOR (n:Experiment) REQUIRE n.id IS UNIQUE;
CREATE INDEX experiment_transition IF NOT EXISTS FOR (n:ExperimentTransition) ON (n.experimentId);
CREATE INDEX served_list_experiment IF NOT EXISTS FOR (n:ServedList) ON (n.experimentId);
