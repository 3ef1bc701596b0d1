-- Issue 12: the tenant-first GIN index (0011) keeps one posting list per trigram for the whole
-- installation and intersects it with the tenant's list at every search, so a search's cost
-- grew with every other tenant's clients, and more when their rows were interleaved on disk
-- (as clients are, added by many CoCs over time). A GiST index on the same columns groups its
-- tree by tenant first (btree_gist gives a uuid a GiST operator class), so a search descends
-- into its own tenant's part and its trigram signatures only. Same operators, same threshold,
-- same hits: only how they are found changes (BENCHMARKS.md, 2026-12-07 search section).
-- btree_gist, like btree_gin and pg_trgm, is a trusted extension: the database's owner may
-- create it.
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE INDEX client_search_tenant_name_gist ON client_search
    USING gist (tenant_id, normalized_name gist_trgm_ops);
DROP INDEX client_search_tenant_name_trgm;
