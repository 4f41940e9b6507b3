-- Breach-notification compliance (`warroom stats`, `/incident stats`) counts the personal-data
-- breaches discovered in a period. Few incidents are breaches, so a partial index over those
-- alone keeps that count off a read of every incident, at almost no cost to declarations.
CREATE INDEX incidents_breach_discovered_idx ON incidents (breach_discovered_at)
    WHERE breach_discovered_at IS NOT NULL;
