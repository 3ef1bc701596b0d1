-- Issue 12: a set-returning function is planned as returning 1,000 rows unless it says
-- otherwise, so the search's join back to `clients` (store::client_search) hashed all of the
-- tenant's clients — 10,000 rows read and hashed to keep about 21 — which took two thirds of
-- a search's time at 10,000 clients a tenant and grew with the tenant. The function returns at
-- most 200 rows (its LIMIT), and saying so makes the planner fetch each hit's client by key
-- (BENCHMARKS.md, 2026-12-07 search section). Same statement, same hits.
ALTER FUNCTION search_clients(text, integer) ROWS 200;
