-- The incident history: `/incident list resolved|closed` and `/incident search <words>`.
--
-- Search is Postgres full-text search with the `english` configuration (stemming, so "failing"
-- finds "failed" and "failures"; stop words left out). Each index below is on exactly the
-- expression the search in src/store/incidents/history.rs matches against, so a search reads
-- these indexes rather than every incident and every timeline entry; the two must change together.

-- An incident's title and impact statement, as they are now.
CREATE INDEX incidents_search_idx ON incidents
    USING gin (to_tsvector('english', title || ' ' || coalesce(impact, '')));

-- Structured updates: their impact and current action.
CREATE INDEX timeline_entries_update_search_idx ON timeline_entries
    USING gin (to_tsvector('english',
        coalesce(details #>> '{update,impact}', '') || ' ' || coalesce(details #>> '{update,current_action}', '')))
    WHERE kind = 'update_posted';

-- Notes (`/incident note`).
CREATE INDEX timeline_entries_note_search_idx ON timeline_entries
    USING gin (to_tsvector('english', coalesce(details ->> 'text', '')))
    WHERE kind = 'note';

-- `/incident list resolved` and `closed`: the newest incidents of one status, in the list's order.
CREATE INDEX incidents_status_declared_idx ON incidents (status, declared_at DESC, id DESC);
