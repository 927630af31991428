// Served lists (src/graph/servedLists.ts): the exposure log of recommend, search and similarProducts. Looked
// up by id (paging, attribution) and by user (deleting a user's data).
CREATE CONSTRAINT served_list_id IF NOT EXISTS FOR (n:ServedList) REQUIRE n.id IS UNIQUE;
CREATE INDEX served_list_user IF NOT EXISTS FOR (n:ServedList) ON (n.userId);
// Events name the list they came from: attribution reads a list's events by it.
CREATE INDEX event_served IF NOT EXISTS FOR (n:Event) ON (n.servedId);
