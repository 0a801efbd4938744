//! What SQLite alone costs for the rows an import keeps: copies an imported database's people
//! into an empty database of the same schema, table by table, with `INSERT … SELECT` in one
//! transaction, and times each table, the commit and the checkpoint. No file is read, no value
//! parsed, bound or keyed: whatever an import does besides, it cannot be faster than this on the
//! same machine (`bench/README.md`, "the SQLite ceiling of this schema").
//!
//! ```sh
//! ROWS=200000 bash bench/import.sh                       # leaves /tmp/airbridge-bench-import/import.db
//! cargo run --release -p airbridge-store --example import_ceiling -- \
//!     /tmp/airbridge-bench-import/import.db [--key HEX] [--repeat 3] [--indexes-after]
//! ```
//!
//! `--indexes-after` creates the secondary indexes after the rows (as a bulk load into empty
//! tables could), to see what they cost inserted row by row.
//!
//! `--key` is a raw SQLCipher key as 64 hexadecimal digits (a key file's content, or
//! `AIRBRIDGE_DB_KEY`): the copy is encrypted with it, and the source read with it unless
//! `--source-key` gives the source's own ("" for a plaintext source, an import made with
//! `init --no-encryption`: then reading costs no decryption). Without either, both are plaintext.
//!
//! The name index (`person_terms`, a contentless FTS5 table) keeps no text to copy: its
//! documents are rebuilt from its vocabulary into memory before the clock starts.

use std::time::Instant;

use airbridge_sqlite_handle::rusqlite::{Connection, params};

/// The tables an import writes, in the order its writer writes them.
const TABLES: &[&str] = &[
    "cases",
    "persons",
    "person_terms",
    "documents",
    "status_changes",
    "import_rows",
    "audit_events",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut source = None;
    let mut key = None;
    let mut source_key = None;
    let mut repeat = 1usize;
    let mut indexes_after = false;
    let mut index = 0;
    while index < args.len() {
        match args[index].as_str() {
            "--key" => {
                key = args.get(index + 1).cloned();
                index += 1;
            }
            "--source-key" => {
                source_key = args.get(index + 1).cloned();
                index += 1;
            }
            "--repeat" => {
                repeat = args
                    .get(index + 1)
                    .ok_or("--repeat wants a count")?
                    .parse()?;
                index += 1;
            }
            "--indexes-after" => indexes_after = true,
            other => source = Some(other.to_string()),
        }
        index += 1;
    }
    let source = source.ok_or("usage: import_ceiling SOURCE.db [--key HEX] [--source-key HEX] [--repeat N] [--indexes-after]")?;
    // The source is read with the copy's key unless given its own ("" for plaintext).
    let source_key = source_key.or_else(|| key.clone()).filter(|k| !k.is_empty());
    for given in [&key, &source_key].into_iter().flatten() {
        if given.len() != 64 || !given.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err("--key and --source-key want a raw key as 64 hexadecimal digits".into());
        }
    }
    for run in 1..=repeat {
        println!("run {run}:");
        copy_once(
            &source,
            key.as_deref(),
            source_key.as_deref(),
            indexes_after,
        )?;
    }
    Ok(())
}

fn copy_once(
    source: &str,
    key: Option<&str>,
    source_key: Option<&str>,
    indexes_after: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    let target = format!("{source}.ceiling");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{target}{suffix}"));
    }
    let db = Connection::open(&target)?;
    if let Some(key) = key {
        db.execute_batch(&format!("PRAGMA key = \"x'{key}'\";"))?;
    }
    // The store's settings (crates/store/src/sqlite.rs); foreign keys are off: the copy's rows
    // are known to be whole, and an import checks its own once, at its commit.
    db.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536; \
         PRAGMA temp_store = memory; PRAGMA wal_autocheckpoint = 65536; PRAGMA foreign_keys = OFF;",
    )?;
    let attach = match source_key {
        Some(key) => format!("ATTACH DATABASE ?1 AS src KEY \"x'{key}'\""),
        None => "ATTACH DATABASE ?1 AS src KEY ''".to_string(),
    };
    db.execute(&attach, params![source])?;

    // The schema, as the source has it (FTS5's shadow tables come with their virtual table).
    let schema: Vec<String> = db
        .prepare(
            "SELECT sql FROM src.sqlite_master WHERE sql IS NOT NULL \
             AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'person_terms_%' \
             ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, rowid",
        )?
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    let mut deferred = Vec::new();
    for statement in &schema {
        if indexes_after && statement.starts_with("CREATE INDEX") {
            deferred.push(statement);
        } else {
            db.execute_batch(statement)?;
        }
    }
    // Rows the import found already there: nations, organisations (not timed).
    db.execute_batch(
        "INSERT INTO main.nations SELECT * FROM src.nations; \
         INSERT INTO main.organisations SELECT * FROM src.organisations;",
    )?;
    // The name index's documents, rebuilt from its vocabulary.
    db.execute_batch(
        "CREATE VIRTUAL TABLE temp.terms_vocab USING fts5vocab(src, person_terms, 'instance'); \
         CREATE TEMP TABLE terms AS SELECT doc AS rowid_, group_concat(term, ' ') AS terms \
             FROM terms_vocab GROUP BY doc ORDER BY doc; \
         DROP TABLE terms_vocab;",
    )?;
    let persons: i64 = db.query_row("SELECT count(*) FROM src.persons", [], |row| row.get(0))?;

    let started = Instant::now();
    db.execute_batch("BEGIN")?;
    for table in TABLES {
        let clock = Instant::now();
        let copy = if *table == "person_terms" {
            "INSERT INTO main.person_terms (rowid, terms) SELECT rowid_, terms FROM temp.terms"
                .to_string()
        } else {
            format!("INSERT INTO main.{table} SELECT * FROM src.{table} ORDER BY rowid")
        };
        let rows = db.execute(&copy, [])?;
        println!(
            "  {table:<15} {rows:>9} rows  {:>6.2} s",
            clock.elapsed().as_secs_f64()
        );
    }
    if !deferred.is_empty() {
        let clock = Instant::now();
        for statement in &deferred {
            db.execute_batch(statement)?;
        }
        println!(
            "  {} indexes built after  {:>6.2} s",
            deferred.len(),
            clock.elapsed().as_secs_f64()
        );
    }
    let clock = Instant::now();
    db.execute_batch("COMMIT")?;
    println!(
        "  commit                          {:>6.2} s",
        clock.elapsed().as_secs_f64()
    );
    let clock = Instant::now();
    db.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    println!(
        "  checkpoint                      {:>6.2} s",
        clock.elapsed().as_secs_f64()
    );
    let total = started.elapsed().as_secs_f64();
    println!(
        "  total {total:.2} s for {persons} people: {:.0} people/s (one core, SQLite only)",
        persons as f64 / total
    );
    drop(db);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{target}{suffix}"));
    }
    Ok(())
}
