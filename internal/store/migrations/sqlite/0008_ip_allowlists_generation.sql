-- Migration 8: a counter that every change to the IP allowlists (create,
-- update, delete, admin disable-all) increments in the same transaction.
-- Servers keep a snapshot of the allowlists to check requests against and
-- reload it when the counter moves: one read of one row tells a server
-- whether any server, or the admin command, changed them.

CREATE TABLE change_counters (
    name  TEXT    NOT NULL PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT;

INSERT INTO change_counters (name, value) VALUES ('ip_allowlists', 1);
