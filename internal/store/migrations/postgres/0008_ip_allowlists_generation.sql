-- Migration 8 (PostgreSQL): the IP allowlists' change counter; see
-- migrations/sqlite/0008_ip_allowlists_generation.sql.

CREATE TABLE change_counters (
    name  TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    value BIGINT           NOT NULL
);

INSERT INTO change_counters (name, value) VALUES ('ip_allowlists', 1);
