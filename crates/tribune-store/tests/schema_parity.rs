//! One schema: after migration, SQLite and PostgreSQL have the same tables, the same columns
//! with types of the same family and the same nullability, and the same indexes (name, table,
//! columns, uniqueness), so the two migration trees cannot drift apart.
#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed step must fail the test"
)]

use sqlx::{Connection, Row};
use std::collections::BTreeMap;
use tribune_store::Store;
use tribune_store::testing::TestDb;

/// table → column → (type family, nullable)
type Columns = BTreeMap<String, BTreeMap<String, (&'static str, bool)>>;
/// index name → (table, columns, unique)
type Indexes = BTreeMap<String, (String, Vec<String>, bool)>;

fn family(declared: &str) -> &'static str {
    let t = declared.to_ascii_lowercase();
    if t.contains("int") {
        "integer"
    } else if t.contains("bool") {
        "boolean"
    } else if t.contains("char") || t.contains("text") {
        "text"
    } else if t.contains("blob") || t.contains("bytea") {
        "bytes"
    } else if t.contains("real") || t.contains("double") || t.contains("float") {
        "real"
    } else {
        "other"
    }
}

fn ignored_table(name: &str) -> bool {
    name.starts_with("_sqlx") || name.starts_with("sqlite_") || is_full_text(name)
}

/// The one place the two schemas differ on purpose: full-text search. SQLite keeps the inbox's
/// index in an FTS5 table (and its shadow tables), PostgreSQL in a generated `tsvector` column
/// with a GIN index (migration 0021). Both are fed from `inbox_items.search_text`, which the
/// comparison still checks.
fn is_full_text(name: &str) -> bool {
    name.starts_with("inbox_fts")
}

const PG_FULL_TEXT_COLUMN: (&str, &str) = ("inbox_items", "search");
const PG_FULL_TEXT_INDEX: &str = "inbox_items_search";

async fn sqlite_schema(url: &str) -> (Columns, Indexes) {
    let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    let mut columns = Columns::new();
    let mut indexes = Indexes::new();
    for table in tables.into_iter().filter(|t| !ignored_table(t)) {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA table_info({table})")))
            .fetch_all(&mut conn)
            .await
            .unwrap();
        let mut cols = BTreeMap::new();
        for row in rows {
            let name: String = row.get("name");
            let declared: String = row.get("type");
            let not_null: i64 = row.get("notnull");
            let pk: i64 = row.get("pk");
            cols.insert(name, (family(&declared), not_null == 0 && pk == 0));
        }
        columns.insert(table.clone(), cols);
        let list = sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA index_list({table})")))
            .fetch_all(&mut conn)
            .await
            .unwrap();
        for index in list {
            let name: String = index.get("name");
            let origin: String = index.get("origin");
            if origin != "c" {
                continue; // implicit indexes of PRIMARY KEY / UNIQUE constraints
            }
            let unique: i64 = index.get("unique");
            let cols: Vec<String> =
                sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA index_info({name})")))
                    .fetch_all(&mut conn)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|r| r.get::<String, _>("name"))
                    .collect();
            indexes.insert(name, (table.clone(), cols, unique == 1));
        }
    }
    (columns, indexes)
}

async fn postgres_schema(url: &str) -> (Columns, Indexes) {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    let rows = sqlx::query(
        "SELECT table_name::text AS t, column_name::text AS c, data_type::text AS d, \
                is_nullable::text AS n \
         FROM information_schema.columns WHERE table_schema = 'public'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let primary: Vec<(String, String)> = sqlx::query_as(
        "SELECT tc.table_name::text, kcu.column_name::text \
         FROM information_schema.table_constraints tc \
         JOIN information_schema.key_column_usage kcu \
           ON tc.constraint_name = kcu.constraint_name AND tc.table_schema = kcu.table_schema \
         WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = 'public'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut columns = Columns::new();
    for row in rows {
        let table: String = row.get("t");
        if ignored_table(&table) {
            continue;
        }
        let column: String = row.get("c");
        if (table.as_str(), column.as_str()) == PG_FULL_TEXT_COLUMN {
            continue;
        }
        let nullable: String = row.get("n");
        let in_pk = primary.contains(&(table.clone(), column.clone()));
        columns.entry(table).or_default().insert(
            column,
            (
                family(&row.get::<String, _>("d")),
                nullable == "YES" && !in_pk,
            ),
        );
    }
    // Indexes that are not the implicit ones of constraints (primary keys, UNIQUE columns).
    let rows = sqlx::query(
        "SELECT i.relname::text AS name, t.relname::text AS tbl, ix.indisunique AS uniq, \
                array_agg(a.attname::text ORDER BY k.ord) AS cols \
         FROM pg_index ix \
         JOIN pg_class i ON i.oid = ix.indexrelid \
         JOIN pg_class t ON t.oid = ix.indrelid \
         JOIN pg_namespace ns ON ns.oid = t.relnamespace \
         CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord) \
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
         WHERE ns.nspname = 'public' \
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c \
                             WHERE c.conindid = ix.indexrelid AND c.contype IN ('p', 'u', 'x')) \
         GROUP BY i.relname, t.relname, ix.indisunique",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut indexes = Indexes::new();
    for row in rows {
        let table: String = row.get("tbl");
        let name: String = row.get("name");
        if ignored_table(&table) || name == PG_FULL_TEXT_INDEX {
            continue;
        }
        indexes.insert(
            name,
            (table, row.get::<Vec<String>, _>("cols"), row.get("uniq")),
        );
    }
    (columns, indexes)
}

#[tokio::test]
async fn sqlite_and_postgresql_have_the_same_schema() {
    let sqlite = TestDb::sqlite();
    let Some(postgres) = TestDb::postgres().await else {
        return; // skipped outside CI when no PostgreSQL is reachable (said by TestDb)
    };
    for db in [&sqlite, &postgres] {
        Store::open(&db.url).await.unwrap().close().await;
    }
    let (sqlite_columns, sqlite_indexes) = sqlite_schema(&sqlite.url).await;
    let (pg_columns, pg_indexes) = postgres_schema(&postgres.url).await;
    assert!(sqlite_columns.len() >= 10, "{sqlite_columns:?}");
    assert!(sqlite_indexes.len() >= 8, "{sqlite_indexes:?}");
    assert_eq!(
        sqlite_columns.keys().collect::<Vec<_>>(),
        pg_columns.keys().collect::<Vec<_>>(),
        "tables differ"
    );
    for (table, columns) in &sqlite_columns {
        assert_eq!(
            columns, &pg_columns[table],
            "columns of {table} differ (SQLite left, PostgreSQL right)"
        );
    }
    assert_eq!(
        sqlite_indexes, pg_indexes,
        "indexes differ (SQLite left, PostgreSQL right)"
    );
}
