#!/usr/bin/env bash
# The fuzzy client search's index at 1,000,000 clients (issue 12): the tenant-first GIN index
# of migration 0011 against the tenant-first GiST index of migration 0024, each with the rows of
# a tenant together on disk (as the load benchmark seeds them, a tenant at a time) and
# interleaved (as clients arrive in production, from every CoC over time). pgbench runs the
# search function's statement (migration 0002) inside a tenant transaction, 4 connections, a
# random tenant and a random typed name (two letters of the last name swapped) each time.
#
#   bash bench/search_index.sh [seconds per phase, default 15]
#
# Needs PostgreSQL on 127.0.0.1 as the superuser `postgres` (trust auth, as on the development
# machine) and pgbench. Makes and drops the database `concord_search_index_bench`.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_PHASE="${1:-15}"
DB=concord_search_index_bench
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres)
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"; "${PSQL[@]}" -c "DROP DATABASE IF EXISTS $DB" >/dev/null' EXIT

# The load benchmark's names (api/examples/bench_load.rs), so both measure the same people.
names() {
    sed -n "/const $1: \[&str; [0-9]*\] = \[/,/\];/p" api/examples/bench_load.rs |
        grep -o '"[A-Za-z]*"' | tr '"' "'" | paste -sd, -
}
FIRSTS="ARRAY[$(names FIRST_NAMES)]"
LASTS="ARRAY[$(names LAST_NAMES)]"

"${PSQL[@]}" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
"${PSQL[@]}" -d "$DB" >/dev/null <<SQL
CREATE EXTENSION pg_trgm; CREATE EXTENSION fuzzystrmatch;
CREATE EXTENSION btree_gin; CREATE EXTENSION btree_gist;
SELECT setseed(0.42);
CREATE TABLE tenants AS SELECT n, gen_random_uuid() AS id FROM generate_series(1, 100) AS n;
CREATE TABLE people AS
    SELECT t.id AS tenant_id, gen_random_uuid() AS client_id,
           lower(($FIRSTS)[1 + floor(random() * cardinality($FIRSTS))::int] || ' a ' ||
                 ($LASTS)[1 + floor(random() * cardinality($LASTS))::int]) AS normalized_name,
           date '1940-01-01' + floor(random() * 25000)::int AS dob, 'B' || g AS hmis_number
    FROM tenants AS t, generate_series(1, 10000) AS g;
-- Typed names as bench_load types them: a first name, a last name with two letters swapped.
CREATE TABLE typed AS
    SELECT n, initcap(f) || ' ' || initcap(overlay(l PLACING substr(l, k + 1, 1) || substr(l, k, 1) FROM k FOR 2)) AS q
    FROM (SELECT n, ($FIRSTS)[1 + floor(random() * cardinality($FIRSTS))::int] AS f,
                 lower(($LASTS)[1 + floor(random() * cardinality($LASTS))::int]) AS l
          FROM generate_series(1, 2000) AS n) AS picked,
         LATERAL (SELECT 2 + floor(random() * (length(l) - 2))::int AS k) AS at;
SQL

for layout in together interleaved; do
    order=$([ "$layout" = together ] && echo "tenant_id" || echo "random()")
    for index in gin gist; do
        table="search_${layout}_${index}"
        "${PSQL[@]}" -d "$DB" <<SQL
SET maintenance_work_mem = '512MB';
CREATE TABLE $table AS SELECT * FROM people ORDER BY $order;
ALTER TABLE $table ADD PRIMARY KEY (tenant_id, client_id);
CREATE INDEX ON $table (tenant_id, hmis_number);
CREATE INDEX ON $table USING $index (tenant_id, normalized_name ${index}_trgm_ops);
VACUUM ANALYZE $table;
CREATE FUNCTION search_$table(query text, max_results integer)
RETURNS TABLE (client_id uuid, score real) LANGUAGE sql STABLE
SET pg_trgm.similarity_threshold = 0.2 AS \$\$
    SELECT s.client_id,
           greatest(similarity(s.normalized_name, lower(query)),
                    1 - levenshtein(left(s.normalized_name, 255), left(lower(query), 255))::real
                        / greatest(length(s.normalized_name), length(query), 1))::real AS score
    FROM $table s
    WHERE s.tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid)
      AND (s.normalized_name OPERATOR(public.%) lower(query)
           OR s.normalized_name LIKE '%' || replace(replace(replace(lower(query), '\', '\\'), '%', '\%'), '_', '\_') || '%'
           OR s.hmis_number = query)
    ORDER BY score DESC, s.client_id
    LIMIT least(max_results, 200)
\$\$;
SQL
        cat > "$WORK/$table.sql" <<SQL
\set t random(1, 100)
\set k random(1, 2000)
BEGIN;
SELECT set_config('app.tenant_id', (SELECT id::text FROM tenants WHERE n = :t), true);
SELECT count(*) FROM search_$table((SELECT q FROM typed WHERE n = :k), 21);
COMMIT;
SQL
    done
done

echo "| layout of a tenant's rows | index | searches/s | latency average ms | p95 ms (per transaction) |"
echo "|---|---|---|---|---|"
# Twice over, alternating, so that a slow minute of the shared machine does not fall on one.
for round in 1 2; do
    for layout in together interleaved; do
        for index in gin gist; do
            table="search_${layout}_${index}"
            out=$(pgbench -n -h 127.0.0.1 -U postgres -c 4 -j 2 -T "$SECONDS_PER_PHASE" \
                -l --log-prefix="$WORK/log_$table" -f "$WORK/$table.sql" "$DB" 2>&1)
            tps=$(grep -o 'tps = [0-9.]*' <<<"$out" | cut -d' ' -f3)
            avg=$(grep -o 'latency average = [0-9.]*' <<<"$out" | cut -d' ' -f4)
            # Column 3 of pgbench's log is the transaction's time in microseconds.
            p95=$(cat "$WORK"/log_"$table"* | awk '{print $3}' | sort -n |
                awk '{v[NR]=$1} END {printf "%.1f", v[int(NR*0.95)]/1000}')
            rm -f "$WORK"/log_"$table"*
            echo "| $layout (round $round) | $index | ${tps%.*} | $avg | $p95 |"
        done
    done
done
