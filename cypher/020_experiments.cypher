// Online experiments (src/graph/experiments.ts): definitions and their state transitions, and the lookups
// their results need: a variant's served lists by experiment, and the events that came from a served list.
CREATE CONSTRAINT experiment_id IF NOT EXISTS FOR (n:Experiment) REQUIRE n.id IS UNIQUE;
CREATE INDEX experiment_transition IF NOT EXISTS FOR (n:ExperimentTransition) ON (n.experimentId);
CREATE INDEX served_list_experiment IF NOT EXISTS FOR (n:ServedList) ON (n.experimentId);
CREATE INDEX event_served IF NOT EXISTS FOR (n:Event) ON (n.servedId);
