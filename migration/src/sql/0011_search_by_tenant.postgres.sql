-- Issue 13: the trigram index led with the name alone, so a search gathered its candidates
-- from every tenant and its cost grew with the whole installation. Leading with the tenant
-- (btree_gin gives a uuid a GIN operator class) keeps a search within its tenant's rows.
-- btree_gin, like pg_trgm, is a trusted extension: the database's owner may create it.
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX client_search_tenant_name_trgm ON client_search
    USING gin (tenant_id, normalized_name gin_trgm_ops);
DROP INDEX client_search_name_trgm;
