// The registry's SQL, shared by both backends: `sqlite.rs` and `postgres.rs` each include this
// file after defining `Db` (the sqlx driver), `DbRow`, `ThisStore` (the store type, with a
// `pool` field), `begin_write` (a transaction holding the database's write lock) and
// `SKIP_LOCKED` (how a job claim skips rows another instance holds), `INSERT_ROWS` (how the
// buffered multi-row inserts begin) and `DEFER_FOREIGN_KEYS` (a statement that defers foreign
// key checks to the commit of an import's transaction, if the backend gains by it).
//
// Why a shared source file rather than one generic type: sqlx code generic over `Database`
// needs a long list of higher-ranked bounds on every impl, and the futures it makes must still
// prove `Send` for the `Store` trait. Included twice, the same statements compile against each
// driver's concrete types. The statements use `$1`-style parameters, which both SQLite and
// PostgreSQL accept, and only SQL both understand; what differs lives in the backend files.

/// The registry's own invariants, checked by `airbridge check` on either backend: a case always
/// has exactly one principal, and every person has the audit event that registered them.
async fn registry_problems(pool: &Pool<Db>) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let bad_cases: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM cases c WHERE (SELECT count(*) FROM persons p \
         WHERE p.case_id = c.id AND p.relation = 'principal') != 1 \
         AND EXISTS (SELECT 1 FROM persons p WHERE p.case_id = c.id)",
    )
    .fetch_one(pool)
    .await?;
    if bad_cases > 0 {
        problems.push(format!("{bad_cases} cases without exactly one principal"));
    }
    let unaudited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM persons p WHERE NOT EXISTS (SELECT 1 FROM audit_events a \
         WHERE a.entity_type = 'person' AND a.entity_id = 'P' || p.id AND a.action = 'person.add')",
    )
    .fetch_one(pool)
    .await?;
    if unaudited > 0 {
        problems.push(format!(
            "{unaudited} people without their registration audit event"
        ));
    }
    Ok(problems)
}

const PERSON_COLUMNS: &str =
    "id, nation, case_id, relation, status, details, version, created_at, updated_at";

fn person_from_row(row: &DbRow) -> Result<PersonRecord> {
    let details: String = row.try_get("details")?;
    Ok(PersonRecord {
        id: PersonId(row.try_get("id")?),
        nation: parse_nation(&row.try_get::<String, _>("nation")?)?,
        case: row.try_get::<Option<i64>, _>("case_id")?.map(CaseId),
        relation: parse_relation(row.try_get("relation")?)?,
        status: parse_status(&row.try_get::<String, _>("status")?)?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        person: from_json(&details, "person details")?,
    })
}

/// A write transaction that knows the head of the audit chain.
///
/// New rows (people, cases, documents, status changes, import rows, audit events) are buffered
/// and written together by the backend's `write_pending`: on SQLite, prepared statements run
/// through rusqlite on the locked connection; on PostgreSQL, multi-row statements, one per
/// table and thousand rows. Either is what lets a million-person list go in at a usable speed,
/// where a statement sent per row would not. Ids are given here,
/// under the write lock that `begin_write` takes, so they run on from the largest id stored: the
/// same numbers on either backend, with no sequence to drift. Everything pending is written before any
/// read inside the transaction and before the commit, so callers see the same thing as before.
struct WriteTx {
    tx: TxSlot,
    last_seq: i64,
    last_hash: String,
    at: String,
    pending: Pending,
    /// Set while an import writes the pending rows itself, a batch at a time, lending the
    /// transaction to the statements (see [`TxSlot`]): rows are then never written on the way.
    batched: bool,
}

/// A write transaction's connection, which an import lends to a task writing one batch of
/// rows while it registers the next piece in memory. Using the connection while it is lent is
/// a bug, and panics saying so.
struct TxSlot(Option<Transaction<'static, Db>>);

const LENT: &str = "the write transaction is lent to the statements writing an import's rows";

impl TxSlot {
    fn lend(&mut self) -> Transaction<'static, Db> {
        self.0.take().expect(LENT)
    }

    fn give_back(&mut self, tx: Transaction<'static, Db>) {
        self.0 = Some(tx);
    }

    async fn commit(&mut self) -> Result<()> {
        self.0.take().expect(LENT).commit().await?;
        Ok(())
    }
}

impl std::ops::Deref for TxSlot {
    type Target = <Db as sqlx::Database>::Connection;

    fn deref(&self) -> &Self::Target {
        self.0.as_deref().expect(LENT)
    }
}

impl std::ops::DerefMut for TxSlot {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.0.as_deref_mut().expect(LENT)
    }
}

#[derive(Default)]
struct Pending {
    cases: Vec<CaseRow>,
    persons: Vec<PersonRow>,
    documents: Vec<(i64, &'static str, String, Option<String>)>,
    /// Rows of the name index: key, nation, person.
    keys: Vec<(String, NationCode, i64)>,
    status_changes: Vec<StatusRow>,
    import_rows: Vec<ImportRow>,
    audits: Vec<AuditRow>,
    next_person: Option<i64>,
    next_case: Option<i64>,
    next_status_change: Option<i64>,
}

/// The tables whose ids a write transaction gives itself.
#[derive(Clone, Copy)]
enum IdTable {
    Persons,
    Cases,
    StatusChanges,
}

impl IdTable {
    fn name(self) -> &'static str {
        match self {
            IdTable::Persons => "persons",
            IdTable::Cases => "cases",
            IdTable::StatusChanges => "status_changes",
        }
    }
}

impl Pending {
    /// The next id to give in `table`, once known (forgotten at every flush).
    fn counter(&mut self, table: IdTable) -> &mut Option<i64> {
        match table {
            IdTable::Persons => &mut self.next_person,
            IdTable::Cases => &mut self.next_case,
            IdTable::StatusChanges => &mut self.next_status_change,
        }
    }

    /// The rows, taken out to be written; the id counters stay, still right since nothing
    /// else writes these tables inside this transaction.
    fn take_rows(&mut self) -> Pending {
        let rows = std::mem::take(self);
        self.next_person = rows.next_person;
        self.next_case = rows.next_case;
        self.next_status_change = rows.next_status_change;
        rows
    }

    fn rows(&self) -> usize {
        self.cases.len()
            + self.persons.len()
            + self.documents.len()
            + self.keys.len()
            + self.status_changes.len()
            + self.import_rows.len()
            + self.audits.len()
    }
}

struct CaseRow {
    id: i64,
    nation: NationCode,
    organisation: Option<i64>,
    reference: Option<String>,
    eligibility: String,
}

struct PersonRow {
    id: i64,
    nation: NationCode,
    case: Option<(i64, Relation)>,
    status: EvacuationStatus,
    display_name: String,
    search_name: String,
    birth: (Option<i64>, Option<i64>),
    details: String,
    version: i64,
}

struct StatusRow {
    id: i64,
    person: i64,
    from: EvacuationStatus,
    to: EvacuationStatus,
    actor: String,
    location: Option<String>,
    reason: Option<String>,
}

struct ImportRow {
    nation: NationCode,
    source: String,
    row_key: String,
    fingerprint: String,
    person: i64,
    extra: String,
}

struct AuditRow {
    seq: i64,
    actor: String,
    nation: Option<String>,
    action: String,
    entity_type: String,
    entity_id: String,
    before: Option<String>,
    after: Option<String>,
    payload_hash: String,
    prev_hash: String,
    hash: String,
}

/// Rows per multi-row statement: well under SQLite's 32,766 bound variables.
const ROWS_PER_STATEMENT: usize = 1_000;

/// Pending rows above which a case insertion writes them out, to bound memory.
const FLUSH_AT: usize = 20_000;

/// A member of the new case `reference` who is not valid, and why.
fn invalid_member(reference: Option<&str>, why: String) -> StoreError {
    StoreError::Invalid(format!(
        "case {}: {why}",
        reference.unwrap_or("(no reference)")
    ))
}

/// A new case whose members are validated and derived (see [`Derived`]).
struct DerivedCase {
    nation: NationCode,
    organisation: Option<OrganisationId>,
    reference: Option<String>,
    eligibility: Eligibility,
    members: Vec<(Relation, Derived)>,
    progress: Vec<airbridge_domain::StatusStep>,
}

/// One audit event to append.
struct Audit<'a> {
    nation: Option<&'a str>,
    action: &'a str,
    entity_type: &'a str,
    entity_id: String,
    before: Option<String>,
    after: Option<String>,
}

impl WriteTx {
    async fn begin(pool: &Pool<Db>) -> Result<WriteTx> {
        let mut tx = begin_write(pool).await?;
        let head = sqlx::query("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
        let (last_seq, last_hash) = match head {
            Some(row) => (row.try_get("seq")?, row.try_get("hash")?),
            None => (0, GENESIS.to_owned()),
        };
        Ok(WriteTx {
            tx: TxSlot(Some(tx)),
            last_seq,
            last_hash,
            at: now(),
            pending: Pending::default(),
            batched: false,
        })
    }

    async fn audit(&mut self, actor: &Actor, event: Audit<'_>) -> Result<()> {
        let payload_hash = audit::payload_hash(event.before.as_deref(), event.after.as_deref());
        self.push_audit(actor, event, payload_hash);
        Ok(())
    }

    /// Appends an event whose payload hash is already known (`audit::payload_hash` of its
    /// `before` and `after`).
    fn push_audit(&mut self, actor: &Actor, event: Audit<'_>, payload_hash: String) {
        let seq = self.last_seq + 1;
        let hash = audit::chain_hash(
            &self.last_hash,
            &ChainedFields {
                seq,
                at: &self.at,
                actor: &actor.name,
                nation: event.nation,
                action: event.action,
                entity_type: event.entity_type,
                entity_id: &event.entity_id,
                payload_hash: &payload_hash,
            },
        );
        self.pending.audits.push(AuditRow {
            seq,
            actor: actor.name.clone(),
            nation: event.nation.map(str::to_owned),
            action: event.action.to_owned(),
            entity_type: event.entity_type.to_owned(),
            entity_id: event.entity_id,
            before: event.before,
            after: event.after,
            payload_hash,
            prev_hash: self.last_hash.clone(),
            hash: hash.clone(),
        });
        self.last_seq = seq;
        self.last_hash = hash;
    }

    async fn commit(mut self) -> Result<()> {
        self.flush().await?;
        self.tx.commit().await?;
        Ok(())
    }

    /// The next free id of a table, counted from what is stored and what is pending.
    async fn next_id(&mut self, table: IdTable) -> Result<i64> {
        let id = self.peek_id(table).await?;
        *self.pending.counter(table) = Some(id + 1);
        Ok(id)
    }

    /// The id [`WriteTx::next_id`] gives next, without giving it.
    async fn peek_id(&mut self, table: IdTable) -> Result<i64> {
        if let Some(id) = *self.pending.counter(table) {
            return Ok(id);
        }
        let max: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT coalesce(max(id), 0) FROM {}",
            table.name()
        )))
        .fetch_one(&mut *self.tx)
        .await?;
        *self.pending.counter(table) = Some(max + 1);
        Ok(max + 1)
    }

    /// Writes every pending row (the backend's `write_pending`).
    async fn flush(&mut self) -> Result<()> {
        if self.pending.rows() == 0 {
            return Ok(());
        }
        // Ids given from here on are counted afresh from the table.
        let pending = std::mem::take(&mut self.pending);
        write_pending(&mut self.tx, pending, self.at.clone()).await
    }

    async fn person(&mut self, id: PersonId) -> Result<PersonRecord> {
        self.flush().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLUMNS} FROM persons WHERE id = $1"
        )))
        .bind(id.0)
        .fetch_optional(&mut *self.tx)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "person",
            id: id.to_string(),
        })?;
        person_from_row(&row)
    }

    async fn organisation(&mut self, id: OrganisationId) -> Result<Organisation> {
        let row = sqlx::query("SELECT id, nation, name, kind FROM organisations WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "organisation",
                id: id.to_string(),
            })?;
        organisation_from_row(&row)
    }

    async fn require_nation(&mut self, nation: NationCode) -> Result<()> {
        let found = sqlx::query("SELECT 1 FROM nations WHERE code = $1")
            .bind(nation.as_str())
            .fetch_optional(&mut *self.tx)
            .await?;
        if found.is_none() {
            return Err(StoreError::NotFound {
                entity: "nation",
                id: format!("{nation} (add it with `airbridge nation add {nation} NAME`)"),
            });
        }
        Ok(())
    }

    /// Queues a person's rows of the name index.
    fn index_person(&mut self, id: i64, nation: NationCode, person: &Person) {
        self.pending
            .keys
            .extend(person_keys(person).into_iter().map(|key| (key, nation, id)));
    }

    /// Registers a validated person (on their own or in a case): their row, documents and
    /// name-index keys, and their `person.add` event. Returns the new id.
    async fn register_person(
        &mut self,
        actor: &Actor,
        nation: NationCode,
        case: Option<(CaseId, Relation)>,
        derived: Derived,
    ) -> Result<PersonId> {
        let Derived {
            person,
            details,
            display_name,
            search_name,
            birth,
            keys,
            added_hash,
        } = derived;
        let id = self.next_id(IdTable::Persons).await?;
        self.pending.persons.push(PersonRow {
            id,
            nation,
            case: case.map(|(c, r)| (c.0, r)),
            status: EvacuationStatus::Registered,
            display_name,
            search_name,
            birth,
            details: details.clone(),
            version: 1,
        });
        self.pending
            .keys
            .extend(keys.into_iter().map(|key| (key, nation, id)));
        self.insert_documents(PersonId(id), &person).await?;
        self.push_audit(
            actor,
            Audit {
                nation: Some(nation.as_str()),
                action: "person.add",
                entity_type: "person",
                entity_id: PersonId(id).to_string(),
                before: None,
                after: Some(details),
            },
            added_hash,
        );
        Ok(PersonId(id))
    }

    /// Inserts a case with its members, their audit events and any status steps. The caller
    /// has checked the nation, the organisation and that there is one principal.
    async fn insert_case(
        &mut self,
        actor: &Actor,
        case: NewCase,
    ) -> Result<(CaseId, Vec<PersonId>)> {
        let members = case
            .members
            .into_iter()
            .map(|member| {
                let derived = Derived::of(member.person)
                    .map_err(|e| invalid_member(case.reference.as_deref(), e))?;
                Ok((member.relation, derived))
            })
            .collect::<Result<Vec<_>>>()?;
        self.insert_derived_case(
            actor,
            DerivedCase {
                nation: case.nation,
                organisation: case.organisation,
                reference: case.reference,
                eligibility: case.eligibility,
                members,
                progress: case.progress,
            },
        )
        .await
    }

    /// [`WriteTx::insert_case`] for members already validated and derived.
    async fn insert_derived_case(
        &mut self,
        actor: &Actor,
        case: DerivedCase,
    ) -> Result<(CaseId, Vec<PersonId>)> {
        let case_id = self.next_id(IdTable::Cases).await?;
        self.pending.cases.push(CaseRow {
            id: case_id,
            nation: case.nation,
            organisation: case.organisation.map(|o| o.0),
            reference: case.reference.clone(),
            eligibility: to_json(&case.eligibility)?,
        });
        let case_id = CaseId(case_id);
        let mut members: Vec<CaseMember> = Vec::with_capacity(case.members.len());
        for (relation, derived) in case.members {
            let id = self
                .register_person(actor, case.nation, Some((case_id, relation)), derived)
                .await?;
            members.push(CaseMember {
                person: id,
                relation,
            });
        }
        let summary = serde_json::json!({
            "nation": case.nation,
            "organisation": case.organisation,
            "reference": case.reference,
            "eligibility": case.eligibility,
            "members": members,
        });
        self.audit(
            actor,
            Audit {
                nation: Some(case.nation.as_str()),
                action: "case.add",
                entity_type: "case",
                entity_id: case_id.to_string(),
                before: None,
                after: Some(to_json(&summary)?),
            },
        )
        .await?;
        // Status steps the case arrives with, through the same transition table; the new rows
        // are still pending, so their status is set there rather than updated afterwards.
        let first_member = self.pending.persons.len() - members.len();
        let mut statuses = vec![EvacuationStatus::Registered; members.len()];
        for step in &case.progress {
            for (index, member) in members.iter().enumerate() {
                let from = statuses[index];
                from.check_transition(step.to, step.reason.as_deref())?;
                let change_id = self.next_id(IdTable::StatusChanges).await?;
                let change = StatusChange {
                    id: change_id,
                    person: member.person,
                    from,
                    to: step.to,
                    actor: actor.name.clone(),
                    at: self.at.clone(),
                    location: step.location.clone(),
                    reason: step.reason.clone(),
                };
                self.pending.status_changes.push(StatusRow {
                    id: change_id,
                    person: member.person.0,
                    from,
                    to: step.to,
                    actor: actor.name.clone(),
                    location: step.location.clone(),
                    reason: step.reason.clone(),
                });
                self.audit(
                    actor,
                    Audit {
                        nation: Some(case.nation.as_str()),
                        action: "person.status",
                        entity_type: "person",
                        entity_id: member.person.to_string(),
                        before: Some(to_json(&serde_json::json!({ "status": from }))?),
                        after: Some(to_json(&change)?),
                    },
                )
                .await?;
                statuses[index] = step.to;
                let row = &mut self.pending.persons[first_member + index];
                row.status = step.to;
                row.version += 1;
            }
        }
        if self.pending.rows() > FLUSH_AT && !self.batched {
            self.flush().await?;
        }
        let ids = members.iter().map(|m| m.person).collect();
        Ok((case_id, ids))
    }

    /// Records which person an imported row became, with the cells no field took.
    async fn remember_import_row(
        &mut self,
        nation: NationCode,
        source: &str,
        row: ImportedRow,
        id: PersonId,
    ) -> Result<()> {
        self.pending.import_rows.push(ImportRow {
            nation,
            source: source.to_owned(),
            row_key: row.row_key,
            fingerprint: row.fingerprint,
            person: id.0,
            extra: row.extra?,
        });
        Ok(())
    }

    /// Rewrites a person's details and the indexes derived from them.
    async fn rewrite_person(&mut self, id: PersonId, person: &Person, details: &str) -> Result<()> {
        self.flush().await?;
        let (birth_first, birth_last) = birth_days(person);
        sqlx::query(
            "UPDATE persons SET display_name = $1, search_name = $2, birth_first = $3, birth_last = $4, \
             details = $5, version = version + 1, updated_at = $6 WHERE id = $7",
        )
        .bind(person.name.display())
        .bind(search_text(person))
        .bind(birth_first)
        .bind(birth_last)
        .bind(details)
        .bind(&self.at)
        .bind(id.0)
        .execute(&mut *self.tx)
        .await?;
        let nation: String = sqlx::query_scalar("SELECT nation FROM persons WHERE id = $1")
            .bind(id.0)
            .fetch_one(&mut *self.tx)
            .await?;
        sqlx::query(DELETE_NAME_KEYS)
            .bind(id.0)
            .execute(&mut *self.tx)
            .await?;
        self.index_person(id.0, parse_nation(&nation)?, person);
        sqlx::query("DELETE FROM documents WHERE person_id = $1")
            .bind(id.0)
            .execute(&mut *self.tx)
            .await?;
        self.insert_documents(id, person).await
    }

    async fn insert_documents(&mut self, id: PersonId, person: &Person) -> Result<()> {
        for document in &person.documents {
            self.pending.documents.push((
                id.0,
                document.kind.as_str(),
                document.number().to_owned(),
                document.issuing_country.map(|c| c.to_string()),
            ));
        }
        Ok(())
    }

    async fn case_row(&mut self, id: CaseId) -> Result<(Case, Eligibility, i64, String)> {
        self.flush().await?;
        let row = sqlx::query(
            "SELECT id, nation, organisation, reference, eligibility, version, created_at \
             FROM cases WHERE id = $1",
        )
        .bind(id.0)
        .fetch_optional(&mut *self.tx)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "case",
            id: id.to_string(),
        })?;
        let members = sqlx::query(
            "SELECT id, relation FROM persons WHERE case_id = $1 ORDER BY relation != 'principal', id",
        )
        .bind(id.0)
        .fetch_all(&mut *self.tx)
        .await?;
        case_from_rows(&row, &members)
    }

    /// Applies one status change inside this transaction, with its history row and audit.
    async fn change_status(
        &mut self,
        actor: &Actor,
        record: Moving,
        to: EvacuationStatus,
        reason: Option<&str>,
        location: Option<&str>,
    ) -> Result<StatusChange> {
        record.status.check_transition(to, reason)?;
        self.flush().await?;
        if matches!(
            to,
            EvacuationStatus::Manifested | EvacuationStatus::Boarded | EvacuationStatus::Departed
        ) {
            let confirmed: Option<String> = sqlx::query_scalar(
                "SELECT entry_ref FROM screening_hits WHERE person_id = $1 AND status = 'confirmed' LIMIT 1",
            )
            .bind(record.id.0)
            .fetch_optional(&mut *self.tx)
            .await?;
            if let Some(entry) = confirmed {
                return Err(StoreError::Invalid(format!(
                    "{} is a confirmed sanctions match ({entry}): blocked from every manifest",
                    record.id
                )));
            }
        }
        sqlx::query(
            "UPDATE persons SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3",
        )
        .bind(to.as_str())
        .bind(&self.at)
        .bind(record.id.0)
        .execute(&mut *self.tx)
        .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO status_changes (id, person_id, from_status, to_status, actor, at, location, reason) \
             VALUES ((SELECT coalesce(max(id), 0) + 1 FROM status_changes), $1, $2, $3, $4, $5, $6, $7) \
             RETURNING id",
        )
        .bind(record.id.0)
        .bind(record.status.as_str())
        .bind(to.as_str())
        .bind(&actor.name)
        .bind(&self.at)
        .bind(location)
        .bind(reason)
        .fetch_one(&mut *self.tx)
        .await?;
        let change = StatusChange {
            id,
            person: record.id,
            from: record.status,
            to,
            actor: actor.name.clone(),
            at: self.at.clone(),
            location: location.map(str::to_owned),
            reason: reason.map(str::to_owned),
        };
        self.audit(
            actor,
            Audit {
                nation: Some(record.nation.as_str()),
                action: "person.status",
                entity_type: "person",
                entity_id: record.id.to_string(),
                before: Some(to_json(&serde_json::json!({ "status": record.status }))?),
                after: Some(to_json(&change)?),
            },
        )
        .await?;
        Ok(change)
    }
}

fn stored_list(row: &DbRow) -> Result<StoredList> {
    Ok(StoredList {
        id: row.try_get("id")?,
        source: row.try_get("source")?,
        version_date: row.try_get("version_date")?,
        sha256: row.try_get("sha256")?,
        entries: row.try_get("entries")?,
        loaded_at: row.try_get("loaded_at")?,
    })
}

fn hit_from_row(row: &DbRow) -> Result<HitRecord> {
    Ok(HitRecord {
        id: row.try_get("id")?,
        person: PersonId(row.try_get("person_id")?),
        nation: parse_nation(&row.try_get::<String, _>("nation")?)?,
        person_name: row.try_get("display_name")?,
        list_id: row.try_get("list_id")?,
        entry_ref: row.try_get("entry_ref")?,
        listed_name: row.try_get("listed_name")?,
        score: row.try_get("score")?,
        explanation: from_json(&row.try_get::<String, _>("explanation")?, "hit explanation")?,
        status: row.try_get("status")?,
        decided_by: row.try_get("decided_by")?,
        decided_at: row.try_get("decided_at")?,
        reason: row.try_get("reason")?,
        created_at: row.try_get("created_at")?,
    })
}

fn organisation_from_row(row: &DbRow) -> Result<Organisation> {
    let kind: String = row.try_get("kind")?;
    Ok(Organisation {
        id: OrganisationId(row.try_get("id")?),
        nation: parse_nation(&row.try_get::<String, _>("nation")?)?,
        name: row.try_get("name")?,
        kind: OrganisationKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("organisation kind {kind}")))?,
    })
}

fn case_from_rows(row: &DbRow, members: &[DbRow]) -> Result<(Case, Eligibility, i64, String)> {
    let members = members
        .iter()
        .map(|m| {
            Ok(CaseMember {
                person: PersonId(m.try_get("id")?),
                relation: parse_relation(m.try_get("relation")?)?
                    .ok_or_else(|| StoreError::Corrupt("case member without relation".into()))?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let eligibility: String = row.try_get("eligibility")?;
    Ok((
        Case {
            id: CaseId(row.try_get("id")?),
            nation: parse_nation(&row.try_get::<String, _>("nation")?)?,
            organisation: row
                .try_get::<Option<i64>, _>("organisation")?
                .map(OrganisationId),
            reference: row.try_get("reference")?,
            members,
        },
        from_json(&eligibility, "eligibility")?,
        row.try_get("version")?,
        row.try_get("created_at")?,
    ))
}

impl Store for ThisStore {
    async fn add_nation(&self, actor: &Actor, code: NationCode, name: &str) -> Result<()> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("a nation needs a name".into()));
        }
        let mut tx = WriteTx::begin(&self.writer).await?;
        let exists = sqlx::query("SELECT 1 FROM nations WHERE code = $1")
            .bind(code.as_str())
            .fetch_optional(&mut *tx.tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::AlreadyExists(format!("nation {code}")));
        }
        sqlx::query("INSERT INTO nations (code, name, created_at) VALUES ($1, $2, $3)")
            .bind(code.as_str())
            .bind(name)
            .bind(&tx.at)
            .execute(&mut *tx.tx)
            .await?;
        let after = to_json(&Nation {
            code,
            name: name.to_owned(),
        })?;
        tx.audit(
            actor,
            Audit {
                nation: Some(code.as_str()),
                action: "nation.add",
                entity_type: "nation",
                entity_id: code.to_string(),
                before: None,
                after: Some(after),
            },
        )
        .await?;
        tx.commit().await
    }

    async fn list_nations(&self) -> Result<Vec<Nation>> {
        sqlx::query("SELECT code, name FROM nations ORDER BY code")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                Ok(Nation {
                    code: parse_nation(&row.try_get::<String, _>("code")?)?,
                    name: row.try_get("name")?,
                })
            })
            .collect()
    }

    async fn export_limit(&self, nation: NationCode) -> Result<i64> {
        sqlx::query_scalar("SELECT export_confirm_above FROM nations WHERE code = $1")
            .bind(nation.as_str())
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "nation",
                id: nation.to_string(),
            })
    }

    async fn set_export_limit(&self, actor: &Actor, nation: NationCode, limit: i64) -> Result<()> {
        if limit < 0 {
            return Err(StoreError::Invalid(
                "the export confirmation size must be 0 or more".into(),
            ));
        }
        let mut tx = WriteTx::begin(&self.writer).await?;
        let before: Option<i64> =
            sqlx::query_scalar("SELECT export_confirm_above FROM nations WHERE code = $1")
                .bind(nation.as_str())
                .fetch_optional(&mut *tx.tx)
                .await?;
        let Some(before) = before else {
            return Err(StoreError::NotFound {
                entity: "nation",
                id: nation.to_string(),
            });
        };
        sqlx::query("UPDATE nations SET export_confirm_above = $1 WHERE code = $2")
            .bind(limit)
            .bind(nation.as_str())
            .execute(&mut *tx.tx)
            .await?;
        tx.audit(
            actor,
            Audit {
                nation: Some(nation.as_str()),
                action: "nation.settings",
                entity_type: "nation",
                entity_id: nation.to_string(),
                before: Some(to_json(
                    &serde_json::json!({ "export_confirm_above": before }),
                )?),
                after: Some(to_json(
                    &serde_json::json!({ "export_confirm_above": limit }),
                )?),
            },
        )
        .await?;
        tx.commit().await
    }

    async fn add_organisation(
        &self,
        actor: &Actor,
        nation: NationCode,
        name: &str,
        kind: OrganisationKind,
    ) -> Result<Organisation> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("an organisation needs a name".into()));
        }
        let mut tx = WriteTx::begin(&self.writer).await?;
        tx.require_nation(nation).await?;
        let exists = sqlx::query("SELECT 1 FROM organisations WHERE nation = $1 AND name = $2")
            .bind(nation.as_str())
            .bind(name)
            .fetch_optional(&mut *tx.tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::AlreadyExists(format!(
                "organisation '{name}' of {nation}"
            )));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO organisations (id, nation, name, kind, created_at) \
             VALUES ((SELECT coalesce(max(id), 0) + 1 FROM organisations), $1, $2, $3, $4) RETURNING id",
        )
        .bind(nation.as_str())
        .bind(name)
        .bind(kind.as_str())
        .bind(&tx.at)
        .fetch_one(&mut *tx.tx)
        .await?;
        let organisation = Organisation {
            id: OrganisationId(id),
            nation,
            name: name.to_owned(),
            kind,
        };
        tx.audit(
            actor,
            Audit {
                nation: Some(nation.as_str()),
                action: "organisation.add",
                entity_type: "organisation",
                entity_id: organisation.id.to_string(),
                before: None,
                after: Some(to_json(&organisation)?),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(organisation)
    }

    async fn list_organisations(&self, nation: Option<NationCode>) -> Result<Vec<Organisation>> {
        sqlx::query(
            "SELECT id, nation, name, kind FROM organisations \
             WHERE ($1 IS NULL OR nation = $1) ORDER BY nation, id",
        )
        .bind(nation.map(|n| n.to_string()))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(organisation_from_row)
        .collect()
    }

    async fn add_person(
        &self,
        actor: &Actor,
        nation: NationCode,
        person: Person,
    ) -> Result<PersonRecord> {
        let derived = Derived::of(person).map_err(StoreError::Invalid)?;
        let mut tx = WriteTx::begin(&self.writer).await?;
        tx.require_nation(nation).await?;
        let id = tx.register_person(actor, nation, None, derived).await?;
        let record = tx.person(id).await?;
        tx.commit().await?;
        Ok(record)
    }

    async fn update_person(
        &self,
        actor: &Actor,
        id: PersonId,
        person: Person,
        expected_version: Option<i64>,
    ) -> Result<PersonRecord> {
        let person = person
            .validated()
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let details = to_json(&person)?;
        let mut tx = WriteTx::begin(&self.writer).await?;
        let old = tx.person(id).await?;
        check_version("person", id.to_string(), expected_version, old.version)?;
        tx.rewrite_person(id, &person, &details).await?;
        tx.audit(
            actor,
            Audit {
                nation: Some(old.nation.as_str()),
                action: "person.update",
                entity_type: "person",
                entity_id: id.to_string(),
                before: Some(to_json(&old.person)?),
                after: Some(details),
            },
        )
        .await?;
        let record = tx.person(id).await?;
        tx.commit().await?;
        Ok(record)
    }

    async fn get_person(&self, id: PersonId) -> Result<Option<PersonRecord>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLUMNS} FROM persons WHERE id = $1"
        )))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(person_from_row)
        .transpose()
    }

    async fn search_persons(&self, query: &PersonQuery) -> Result<Vec<PersonRecord>> {
        let mut sql: QueryBuilder<Db> =
            QueryBuilder::new(format!("SELECT {PERSON_COLUMNS} FROM persons WHERE 1 = 1"));
        let words: Vec<String> = search_words(query.text.as_deref().unwrap_or_default()).collect();
        if words.is_empty() && query.text.as_deref().is_some_and(|t| !t.trim().is_empty()) {
            // Only punctuation: no name holds no word.
            return Ok(Vec::new());
        }
        if words.is_empty() {
            if let Some(nation) = query.nation {
                sql.push(" AND nation = ").push_bind(nation.to_string());
            }
        } else {
            // Each word must begin a word of the person's names: the people holding a name
            // word that starts with it, per word, intersected. The people are then read by id:
            // the index, not the persons table, is what is searched (so the nation is tested
            // there too).
            let all = match query.nation {
                None if NAME_INDEX_LISTS_NATIONS => self.nation_codes().await?,
                _ => Vec::new(),
            };
            let nations = query.nation.map_or(Nations::Each(&all), Nations::One);
            sql.push(" AND id IN (");
            for (i, word) in words.iter().enumerate() {
                if i > 0 {
                    sql.push(" INTERSECT ");
                }
                push_key_rows(&mut sql, &[format!("w:{word}")], true, nations);
            }
            sql.push(")");
        }
        if let Some(status) = query.status {
            sql.push(" AND status = ").push_bind(status.as_str());
        }
        if let Some(case) = query.case {
            sql.push(" AND case_id = ").push_bind(case.0);
        }
        if let Some(after) = query.after {
            sql.push(" AND id > ").push_bind(after.0);
        }
        sql.push(" ORDER BY id LIMIT ")
            .push_bind(page_limit(query.limit));
        sql.build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(person_from_row)
            .collect()
    }

    async fn name_candidates(
        &self,
        nation: Option<NationCode>,
        text: &str,
        limit: u32,
    ) -> Result<Vec<NameCandidate>> {
        let keys = name_keys(text);
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let limit = i64::from(limit.max(1));
        let all = match nation {
            None if NAME_INDEX_LISTS_NATIONS => self.nation_codes().await?,
            _ => Vec::new(),
        };
        let nations = nation.map_or(Nations::Each(&all), Nations::One);
        let read = |rows: Vec<DbRow>| -> Result<Vec<NameCandidate>> {
            rows.iter()
                .map(|row| {
                    Ok(NameCandidate {
                        id: PersonId(row.try_get(0)?),
                        names: row.try_get(1)?,
                        shared: u32::try_from(row.try_get::<i64, _>(2)?).unwrap_or(u32::MAX),
                    })
                })
                .collect()
        };
        // First the people sharing two of the query's keys or more, most pairs first: a pair's
        // rows are few even when each key alone is everyone's.
        let pairs = key_pairs(&keys);
        let mut found = Vec::new();
        if !pairs.is_empty() {
            let mut sql: QueryBuilder<Db> = QueryBuilder::new(
                "SELECT p.id, p.search_name, k.shared FROM (SELECT person_id, count(*) AS shared \
                 FROM (",
            );
            for (i, pair) in pairs.into_iter().enumerate() {
                if i > 0 {
                    sql.push(" UNION ALL ");
                }
                push_key_rows(&mut sql, &[pair], false, nations);
            }
            sql.push(") AS held GROUP BY person_id ORDER BY shared DESC, person_id LIMIT ")
                .push_bind(limit)
                .push(") k JOIN persons p ON p.id = k.person_id ORDER BY k.shared DESC, p.id");
            found = read(sql.build().fetch_all(&self.pool).await?)?;
        }
        // Then, while there is room, people sharing one key, in the index's order.
        let room = limit - found.len() as i64;
        if room > 0 {
            let mut sql: QueryBuilder<Db> = QueryBuilder::new(
                "SELECT p.id, p.search_name, CAST(0 AS BIGINT) AS shared FROM persons p WHERE p.id IN \
                 (SELECT DISTINCT person_id FROM (",
            );
            push_key_rows(&mut sql, &keys, false, nations);
            sql.push(") AS held");
            // Enough to fill the room after leaving out those found by pairs.
            sql.push(" LIMIT ")
                .push_bind(room + found.len() as i64)
                .push(") ORDER BY p.id");
            let seen: std::collections::HashSet<PersonId> = found.iter().map(|c| c.id).collect();
            let more = read(sql.build().fetch_all(&self.pool).await?)?;
            found.extend(
                more.into_iter()
                    .filter(|c| !seen.contains(&c.id))
                    .take(room as usize)
                    .map(|c| NameCandidate { shared: 0, ..c }),
            );
        }
        Ok(found)
    }

    async fn get_persons(&self, ids: &[PersonId]) -> Result<Vec<PersonRecord>> {
        let mut records = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(ROWS_PER_STATEMENT) {
            let mut sql: QueryBuilder<Db> = QueryBuilder::new(format!(
                "SELECT {PERSON_COLUMNS} FROM persons WHERE id IN ("
            ));
            let mut list = sql.separated(", ");
            for id in chunk {
                list.push_bind(id.0);
            }
            sql.push(")");
            for row in sql.build().fetch_all(&self.pool).await? {
                records.push(person_from_row(&row)?);
            }
        }
        let rank: std::collections::HashMap<PersonId, usize> =
            ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        records.sort_by_key(|r| rank.get(&r.id).copied().unwrap_or(usize::MAX));
        Ok(records)
    }

    async fn add_cases(&self, actor: &Actor, cases: Vec<NewCase>) -> Result<Vec<CaseId>> {
        for case in &cases {
            check_new_case(case)?;
        }
        let mut tx = WriteTx::begin(&self.writer).await?;
        let mut known_nations: Vec<NationCode> = Vec::new();
        let mut known_organisations: Vec<Organisation> = Vec::new();
        let mut ids = Vec::with_capacity(cases.len());
        for case in cases {
            if !known_nations.contains(&case.nation) {
                tx.require_nation(case.nation).await?;
                known_nations.push(case.nation);
            }
            if let Some(org) = case.organisation {
                let organisation = match known_organisations.iter().find(|o| o.id == org) {
                    Some(o) => o.clone(),
                    None => {
                        let o = tx.organisation(org).await?;
                        known_organisations.push(o.clone());
                        o
                    }
                };
                check_organisation_nation(&organisation, case.nation)?;
            }
            let (case_id, _) = tx.insert_case(actor, case).await?;
            ids.push(case_id);
        }
        tx.commit().await?;
        Ok(ids)
    }

    async fn person_sources(&self, id: PersonId) -> Result<Vec<PersonSource>> {
        sqlx::query(
            "SELECT source, row_key, imported_at, extra FROM import_rows WHERE person_id = $1 ORDER BY imported_at",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(PersonSource {
                source: row.try_get("source")?,
                row_key: row.try_get("row_key")?,
                imported_at: row.try_get("imported_at")?,
                extra: from_json(&row.try_get::<String, _>("extra")?, "imported row's extra cells")?,
            })
        })
        .collect()
    }

    async fn add_case_member(
        &self,
        actor: &Actor,
        case: CaseId,
        person: PersonId,
        relation: Relation,
    ) -> Result<CaseRecord> {
        let mut tx = WriteTx::begin(&self.writer).await?;
        let (existing, _, _, _) = tx.case_row(case).await?;
        let record = tx.person(person).await?;
        if let Some(other) = record.case {
            return Err(StoreError::Invalid(format!(
                "{person} is already in case {other}; a person belongs to one case"
            )));
        }
        if record.nation != existing.nation {
            return Err(StoreError::Invalid(format!(
                "{person} is registered with {}, case {case} with {}",
                record.nation, existing.nation
            )));
        }
        if relation == Relation::Principal && existing.principal().is_some() {
            return Err(StoreError::Invalid(format!(
                "case {case} already has a principal"
            )));
        }
        sqlx::query(
            "UPDATE persons SET case_id = $1, relation = $2, version = version + 1, updated_at = $3 WHERE id = $4",
        )
        .bind(case.0)
        .bind(relation.as_str())
        .bind(&tx.at)
        .bind(person.0)
        .execute(&mut *tx.tx)
        .await?;
        sqlx::query("UPDATE cases SET version = version + 1, updated_at = $1 WHERE id = $2")
            .bind(&tx.at)
            .bind(case.0)
            .execute(&mut *tx.tx)
            .await?;
        tx.audit(
            actor,
            Audit {
                nation: Some(existing.nation.as_str()),
                action: "case.add_member",
                entity_type: "case",
                entity_id: case.to_string(),
                before: None,
                after: Some(to_json(&CaseMember { person, relation })?),
            },
        )
        .await?;
        tx.commit().await?;
        self.get_case(case)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "case",
                id: case.to_string(),
            })
    }

    async fn get_case(&self, id: CaseId) -> Result<Option<CaseRecord>> {
        let Some(row) = sqlx::query(
            "SELECT id, nation, organisation, reference, eligibility, version, created_at \
             FROM cases WHERE id = $1",
        )
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let people: Vec<PersonRecord> = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLUMNS} FROM persons WHERE case_id = $1 ORDER BY relation != 'principal', id"
        )))
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(person_from_row)
        .collect::<Result<_>>()?;
        let member_rows = sqlx::query(
            "SELECT id, relation FROM persons WHERE case_id = $1 ORDER BY relation != 'principal', id",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        let (case, eligibility, version, created_at) = case_from_rows(&row, &member_rows)?;
        Ok(Some(CaseRecord {
            case,
            eligibility,
            version,
            created_at,
            people,
        }))
    }

    async fn list_cases(&self, query: &CaseQuery) -> Result<Vec<CaseRecord>> {
        let mut sql: QueryBuilder<Db> = QueryBuilder::new("SELECT id FROM cases WHERE 1 = 1");
        if let Some(nation) = query.nation {
            sql.push(" AND nation = ").push_bind(nation.to_string());
        }
        if let Some(reference) = &query.reference {
            sql.push(" AND reference = ").push_bind(reference.clone());
        }
        if let Some(organisation) = query.organisation {
            sql.push(" AND organisation = ").push_bind(organisation.0);
        }
        if let Some(after) = query.after {
            sql.push(" AND id > ").push_bind(after.0);
        }
        sql.push(" ORDER BY id LIMIT ")
            .push_bind(page_limit(query.limit));
        let ids: Vec<i64> = sql.build_query_scalar().fetch_all(&self.pool).await?;
        let mut cases = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(case) = self.get_case(CaseId(id)).await? {
                cases.push(case);
            }
        }
        Ok(cases)
    }

    async fn import_stream(
        &self,
        actor: &Actor,
        header: ImportHeader,
        feed: tokio::sync::mpsc::Receiver<ImportFeed>,
    ) -> Result<ImportOutcome> {
        let nation = header.nation;
        let source = header.source.trim().to_owned();
        if source.is_empty() {
            return Err(StoreError::Invalid("an import needs a source name".into()));
        }
        let mut tx = WriteTx::begin(&self.writer).await?;
        if let Some(statement) = DEFER_FOREIGN_KEYS {
            sqlx::query(statement).execute(&mut *tx.tx).await?;
        }
        tx.require_nation(nation).await?;
        if let Some(org) = header.organisation {
            let organisation = tx.organisation(org).await?;
            check_organisation_nation(&organisation, nation)?;
        }
        // A source never imported before has no rows to look up: the common first import
        // skips every lookup.
        let seen_before: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM import_rows WHERE nation = $1 AND source = $2)",
        )
        .bind(nation.as_str())
        .bind(&source)
        .fetch_one(&mut *tx.tx)
        .await?;
        let mut import = ImportRun {
            nation,
            organisation: header.organisation,
            source,
            seen_before,
            made_here: std::collections::HashMap::new(),
            outcome: ImportOutcome::default(),
        };
        // The pieces are validated and derived one ahead of the writer, on a blocking thread;
        // it stops when the feed ends or this import does (its receiver dropped).
        let (prepared_sender, mut prepared) = tokio::sync::mpsc::channel(1);
        tokio::task::spawn_blocking(move || {
            let mut feed = feed;
            while let Some(piece) = feed.blocking_recv() {
                let done = matches!(piece, ImportFeed::Done);
                if prepared_sender.blocking_send(prepare_piece(piece)).is_err() || done {
                    break;
                }
            }
        });
        // A list never imported before needs no lookup while its people are registered, so
        // they are registered in memory, and written in batches (below). Ids are counted once,
        // here.
        if !import.seen_before {
            for table in [IdTable::Persons, IdTable::Cases, IdTable::StatusChanges] {
                tx.peek_id(table).await?;
            }
            tx.batched = true;
        }
        let unfinished = || {
            // Dropping `tx` rolls back everything written so far.
            StoreError::Invalid("the list was not read to its end, so nothing was imported".into())
        };
        while tx.batched {
            // The rows registered so far are written, on a task of their own, while the next
            // piece is received and registered here: registering runs long without yielding,
            // and would otherwise hold back the statements it shares a task with.
            let writing = (tx.pending.rows() > FLUSH_AT).then(|| {
                let batch = tx.pending.take_rows();
                let mut lent = tx.tx.lend();
                let at = tx.at.clone();
                tokio::spawn(async move {
                    let written = write_pending(&mut lent, batch, at).await;
                    (lent, written)
                })
            });
            let next = async {
                match prepared.recv().await {
                    Some(PreparedFeed::Chunk { cases, rejected }) => {
                        let known = std::collections::HashMap::new();
                        import_cases(&mut tx, actor, &mut import, cases, known).await?;
                        Ok(Some(rejected))
                    }
                    Some(PreparedFeed::Done) => Ok(None),
                    None => Err(unfinished()),
                }
            }
            .await;
            if let Some(writing) = writing {
                // A writing task that panicked took the transaction with it: rolled back.
                let (lent, written) = writing.await.map_err(|e| {
                    StoreError::Invalid(format!("writing the list's rows failed: {e}"))
                })?;
                tx.tx.give_back(lent);
                written?;
            }
            match next? {
                Some(rejected) => quarantine_rows(&mut tx, &mut import, &rejected).await?,
                None => tx.batched = false,
            }
        }
        // A list imported before: each piece's rows are looked up first.
        if import.seen_before {
            loop {
                match prepared.recv().await {
                    Some(PreparedFeed::Chunk { cases, rejected }) => {
                        import_chunk(&mut tx, actor, &mut import, cases, rejected).await?;
                    }
                    Some(PreparedFeed::Done) => break,
                    None => return Err(unfinished()),
                }
            }
        }
        let ImportRun {
            nation,
            source,
            mut outcome,
            ..
        } = import;
        tx.flush().await?;
        let resolved = sqlx::query(
            "UPDATE quarantine SET status = 'resolved', resolved_at = $1 \
             WHERE nation = $2 AND source = $3 AND status = 'open' AND row_key IN \
             (SELECT row_key FROM import_rows WHERE nation = $4 AND source = $5)",
        )
        .bind(&tx.at)
        .bind(nation.as_str())
        .bind(&source)
        .bind(nation.as_str())
        .bind(&source)
        .execute(&mut *tx.tx)
        .await?;
        outcome.quarantine_resolved = resolved.rows_affected() as usize;
        // The counts, not the ids: each person has its own event already.
        let summary = serde_json::json!({
            "people_created": outcome.people_created,
            "people_updated": outcome.people_updated.len(),
            "people_unchanged": outcome.people_unchanged,
            "cases_created": outcome.cases_created,
            "quarantined": outcome.quarantined,
            "quarantine_resolved": outcome.quarantine_resolved,
        });
        tx.audit(
            actor,
            Audit {
                nation: Some(nation.as_str()),
                action: "list.import",
                entity_type: "source",
                entity_id: source.clone(),
                before: None,
                after: Some(summary.to_string()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(outcome)
    }

    async fn list_quarantine(
        &self,
        nation: Option<NationCode>,
        all: bool,
    ) -> Result<Vec<QuarantineEntry>> {
        sqlx::query(
            "SELECT id, nation, source, row_key, sheet, line, fingerprint, raw, issues, status, created_at \
             FROM quarantine WHERE ($1 IS NULL OR nation = $1) AND ($2 OR status = 'open') ORDER BY id",
        )
        .bind(nation.map(|n| n.to_string()))
        .bind(all)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(QuarantineEntry {
                id: row.try_get("id")?,
                nation: parse_nation(&row.try_get::<String, _>("nation")?)?,
                source: row.try_get("source")?,
                row: QuarantineRow {
                    row_key: row.try_get("row_key")?,
                    sheet: row.try_get("sheet")?,
                    line: row.try_get("line")?,
                    fingerprint: row.try_get("fingerprint")?,
                    raw: from_json(&row.try_get::<String, _>("raw")?, "quarantined row")?,
                    issues: from_json(&row.try_get::<String, _>("issues")?, "quarantine issues")?,
                },
                status: row.try_get("status")?,
                created_at: row.try_get("created_at")?,
            })
        })
        .collect()
    }

    async fn set_eligibility(
        &self,
        actor: &Actor,
        case: CaseId,
        eligibility: Eligibility,
        expected_version: Option<i64>,
    ) -> Result<CaseRecord> {
        let mut tx = WriteTx::begin(&self.writer).await?;
        let (existing, old, version, _) = tx.case_row(case).await?;
        check_version("case", case.to_string(), expected_version, version)?;
        let after = to_json(&eligibility)?;
        sqlx::query(
            "UPDATE cases SET eligibility = $1, version = version + 1, updated_at = $2 WHERE id = $3",
        )
        .bind(&after)
        .bind(&tx.at)
        .bind(case.0)
        .execute(&mut *tx.tx)
        .await?;
        tx.audit(
            actor,
            Audit {
                nation: Some(existing.nation.as_str()),
                action: "case.eligibility",
                entity_type: "case",
                entity_id: case.to_string(),
                before: Some(to_json(&old)?),
                after: Some(after),
            },
        )
        .await?;
        tx.commit().await?;
        self.get_case(case)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "case",
                id: case.to_string(),
            })
    }

    async fn set_status(&self, actor: &Actor, request: StatusRequest) -> Result<StatusChange> {
        let mut tx = WriteTx::begin(&self.writer).await?;
        let record = tx.person(request.person).await?;
        check_version(
            "person",
            request.person.to_string(),
            request.expected_version,
            record.version,
        )?;
        let change = tx
            .change_status(
                actor,
                (&record).into(),
                request.to,
                request.reason.as_deref(),
                request.location.as_deref(),
            )
            .await?;
        tx.commit().await?;
        Ok(change)
    }

    async fn set_case_status(
        &self,
        actor: &Actor,
        case: CaseId,
        to: EvacuationStatus,
        reason: Option<String>,
        location: Option<String>,
    ) -> Result<Vec<StatusChange>> {
        let mut tx = WriteTx::begin(&self.writer).await?;
        let (existing, _, _, _) = tx.case_row(case).await?;
        let mut changes = Vec::with_capacity(existing.members.len());
        for member in &existing.members {
            let record = tx.person(member.person).await?;
            let change = tx
                .change_status(
                    actor,
                    (&record).into(),
                    to,
                    reason.as_deref(),
                    location.as_deref(),
                )
                .await
                .map_err(|e| match e {
                    StoreError::Transition(t) => {
                        StoreError::Invalid(format!("case {case} cannot move: {}: {t}", record.id))
                    }
                    other => other,
                })?;
            changes.push(change);
        }
        tx.commit().await?;
        Ok(changes)
    }

    async fn status_history(&self, person: PersonId) -> Result<Vec<StatusChange>> {
        sqlx::query(
            "SELECT id, person_id, from_status, to_status, actor, at, location, reason \
             FROM status_changes WHERE person_id = $1 ORDER BY id",
        )
        .bind(person.0)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(StatusChange {
                id: row.try_get("id")?,
                person: PersonId(row.try_get("person_id")?),
                from: parse_status(&row.try_get::<String, _>("from_status")?)?,
                to: parse_status(&row.try_get::<String, _>("to_status")?)?,
                actor: row.try_get("actor")?,
                at: row.try_get("at")?,
                location: row.try_get("location")?,
                reason: row.try_get("reason")?,
            })
        })
        .collect()
    }

    async fn purge_person(&self, actor: &Actor, id: PersonId, reason: &str) -> Result<()> {
        if reason.trim().is_empty() {
            return Err(StoreError::Invalid(
                "a purge needs a reason (it is recorded in the audit trail)".into(),
            ));
        }
        let mut tx = WriteTx::begin(&self.writer).await?;
        let record = tx.person(id).await?;
        if record.relation == Some(Relation::Principal)
            && let Some(case) = record.case
        {
            let others: i64 =
                sqlx::query_scalar("SELECT count(*) FROM persons WHERE case_id = $1 AND id != $2")
                    .bind(case.0)
                    .bind(id.0)
                    .fetch_one(&mut *tx.tx)
                    .await?;
            if others > 0 {
                return Err(StoreError::Invalid(format!(
                    "{id} is the principal of case {case}, which still has {others} other \
                     members: purge them first, or the case would have no principal"
                )));
            }
        }
        for statement in [
            "DELETE FROM documents WHERE person_id = $1",
            DELETE_NAME_KEYS,
            "DELETE FROM import_rows WHERE person_id = $1",
            "DELETE FROM screening_hits WHERE person_id = $1",
            "DELETE FROM outbox WHERE person_id = $1",
            "DELETE FROM status_changes WHERE person_id = $1",
            "DELETE FROM persons WHERE id = $1",
        ] {
            sqlx::query(statement)
                .bind(id.0)
                .execute(&mut *tx.tx)
                .await?;
        }
        sqlx::query(
            "UPDATE audit_events SET before = NULL, after = NULL \
             WHERE entity_type = 'person' AND entity_id = $1",
        )
        .bind(id.to_string())
        .execute(&mut *tx.tx)
        .await?;
        tx.audit(
            actor,
            Audit {
                nation: Some(record.nation.as_str()),
                action: "person.purge",
                entity_type: "person",
                entity_id: id.to_string(),
                before: None,
                after: Some(to_json(&serde_json::json!({
                    "reason": reason.trim(),
                    "case": record.case,
                }))?),
            },
        )
        .await?;
        tx.commit().await
    }

    // Field operations: the statements are in `field_sql.rs`.
    async fn call_forward(
        &self,
        actor: &Actor,
        request: CallForwardRequest,
    ) -> Result<CallForwardResult> {
        self.field_call_forward(actor, request).await
    }
    async fn revoke_pass(&self, actor: &Actor, pass: i64, reason: &str) -> Result<PassRecord> {
        self.field_revoke_pass(actor, pass, reason).await
    }
    async fn pass_by_hash(&self, code_hash: &str) -> Result<Option<PassRecord>> {
        self.field_pass_by_hash(code_hash).await
    }
    async fn case_passes(&self, case: CaseId) -> Result<Vec<PassRecord>> {
        self.field_case_passes(case).await
    }
    async fn check_in(&self, actor: &Actor, check_in: CheckIn) -> Result<CheckInOutcome> {
        self.field_check_in(actor, check_in).await
    }
    async fn check_in_batch(
        &self,
        items: Vec<(Actor, CheckIn)>,
    ) -> Result<Vec<Result<CheckInOutcome>>> {
        self.field_check_in_batch(items).await
    }
    async fn gate_expected(
        &self,
        gate: &str,
        nation: Option<NationCode>,
    ) -> Result<Vec<ExpectedCase>> {
        self.field_gate_expected(gate, nation).await
    }
    async fn gate_flags(
        &self,
        nation: Option<NationCode>,
        open_only: bool,
    ) -> Result<Vec<GateFlagRecord>> {
        self.field_gate_flags(nation, open_only).await
    }
    async fn clear_gate_flag(&self, actor: &Actor, id: i64, note: &str) -> Result<GateFlagRecord> {
        self.field_clear_gate_flag(actor, id, note).await
    }
    async fn mark_no_shows(&self, actor: &Actor, now: &str) -> Result<usize> {
        self.field_mark_no_shows(actor, now).await
    }
    async fn outbox_queued(&self, limit: u32) -> Result<Vec<OutboxMessage>> {
        self.field_outbox_queued(limit).await
    }
    async fn outbox_result(
        &self,
        actor: &Actor,
        id: i64,
        result: std::result::Result<(), String>,
    ) -> Result<OutboxMessage> {
        self.field_outbox_result(actor, id, result).await
    }
    async fn live_counts(&self, nation: Option<NationCode>) -> Result<Vec<LiveCount>> {
        self.field_live_counts(nation).await
    }
    async fn day_counts(&self, nation: Option<NationCode>) -> Result<Vec<DayCount>> {
        self.field_day_counts(nation).await
    }
    async fn flight_counts(&self, nation: Option<NationCode>) -> Result<Vec<FlightCount>> {
        self.field_flight_counts(nation).await
    }

    async fn check_api_token(&self, secret: &str) -> Result<Option<TokenOwner>> {
        self.accounts_check_api_token(secret).await
    }

    // Accounts and sessions: the statements are in `accounts_sql.rs`.
    async fn create_token(&self, actor: &Actor, name: &str, access: &Access) -> Result<String> {
        self.accounts_create_token(actor, name, access).await
    }
    async fn add_user(&self, actor: &Actor, user: NewUser) -> Result<UserRecord> {
        self.accounts_add_user(actor, user).await
    }
    async fn user_credentials(&self, username: &str) -> Result<Option<UserCredentials>> {
        self.accounts_user_credentials(username).await
    }
    async fn list_users(&self, nation: Option<NationCode>) -> Result<Vec<UserRecord>> {
        self.accounts_list_users(nation).await
    }
    async fn count_users(&self) -> Result<i64> {
        self.accounts_count_users().await
    }
    async fn set_user_disabled(
        &self,
        actor: &Actor,
        username: &str,
        disabled: bool,
    ) -> Result<UserRecord> {
        self.accounts_set_user_disabled(actor, username, disabled)
            .await
    }
    async fn unlock_user(&self, actor: &Actor, username: &str) -> Result<UserRecord> {
        self.accounts_unlock_user(actor, username).await
    }
    async fn set_user_totp(
        &self,
        actor: &Actor,
        username: &str,
        secret: Option<String>,
    ) -> Result<UserRecord> {
        self.accounts_set_user_totp(actor, username, secret).await
    }
    async fn login_failed(
        &self,
        attempt: LoginAttempt<'_>,
        policy: LockoutPolicy,
    ) -> Result<FailedLogin> {
        self.accounts_login_failed(attempt, policy).await
    }
    async fn claim_totp_step(&self, user_id: i64, step: i64) -> Result<bool> {
        self.accounts_claim_totp_step(user_id, step).await
    }
    async fn start_session(
        &self,
        username: &str,
        session: NewSession,
        replaces: Option<&str>,
        address: Option<&str>,
    ) -> Result<()> {
        self.accounts_start_session(username, session, replaces, address)
            .await
    }
    async fn session(
        &self,
        id_hash: &str,
        now: i64,
        idle_seconds: i64,
    ) -> Result<Option<SessionRecord>> {
        self.accounts_session(id_hash, now, idle_seconds).await
    }
    async fn end_session(&self, id_hash: &str) -> Result<()> {
        self.accounts_end_session(id_hash).await
    }
    async fn create_setup_token(&self, token_hash: &str, expires_at: i64) -> Result<bool> {
        self.accounts_create_setup_token(token_hash, expires_at)
            .await
    }
    async fn add_first_user(
        &self,
        token_hash: &str,
        now: i64,
        user: NewUser,
    ) -> Result<UserRecord> {
        self.accounts_add_first_user(token_hash, now, user).await
    }

    async fn record_event(
        &self,
        actor: &Actor,
        nation: Option<NationCode>,
        action: &str,
        subject: &str,
        details: serde_json::Value,
    ) -> Result<()> {
        let mut tx = WriteTx::begin(&self.writer).await?;
        tx.audit(
            actor,
            Audit {
                nation: nation.as_ref().map(NationCode::as_str),
                action,
                entity_type: "event",
                entity_id: subject.to_owned(),
                before: None,
                after: Some(to_json(&details)?),
            },
        )
        .await?;
        tx.commit().await
    }

    async fn store_list(&self, actor: &Actor, list: NewList) -> Result<(StoredList, bool)> {
        let mut tx = WriteTx::begin(&self.writer).await?;
        let existing = sqlx::query(
            "SELECT id, source, version_date, sha256, entries, loaded_at FROM sanctions_lists WHERE sha256 = $1",
        )
        .bind(&list.sha256)
        .fetch_optional(&mut *tx.tx)
        .await?;
        if let Some(row) = existing {
            return Ok((stored_list(&row)?, false));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO sanctions_lists (id, source, version_date, sha256, entries, content, loaded_at) \
             VALUES ((SELECT coalesce(max(id), 0) + 1 FROM sanctions_lists), $1, $2, $3, $4, $5, $6) \
             RETURNING id",
        )
        .bind(&list.source)
        .bind(&list.version_date)
        .bind(&list.sha256)
        .bind(list.entries)
        .bind(&list.content)
        .bind(&tx.at)
        .fetch_one(&mut *tx.tx)
        .await?;
        let stored = StoredList {
            id,
            source: list.source,
            version_date: list.version_date,
            sha256: list.sha256,
            entries: list.entries,
            loaded_at: tx.at.clone(),
        };
        tx.audit(
            actor,
            Audit {
                nation: None,
                action: "sanctions.load",
                entity_type: "sanctions_list",
                entity_id: id.to_string(),
                before: None,
                after: Some(to_json(&stored)?),
            },
        )
        .await?;
        tx.commit().await?;
        Ok((stored, true))
    }

    async fn latest_lists(&self) -> Result<Vec<(StoredList, String)>> {
        sqlx::query(
            "SELECT id, source, version_date, sha256, entries, loaded_at, content FROM sanctions_lists \
             WHERE id IN (SELECT max(id) FROM sanctions_lists GROUP BY source) ORDER BY source",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| Ok((stored_list(row)?, row.try_get("content")?)))
        .collect()
    }

    async fn record_hits(&self, actor: &Actor, hits: Vec<NewHit>) -> Result<usize> {
        let mut tx = WriteTx::begin(&self.writer).await?;
        let mut new = 0;
        for hit in hits {
            let previous = sqlx::query(
                "SELECT id, status, entry_fingerprint, person_fingerprint FROM screening_hits \
                 WHERE person_id = $1 AND entry_ref = $2 ORDER BY id DESC LIMIT 1",
            )
            .bind(hit.person.0)
            .bind(&hit.entry_ref)
            .fetch_optional(&mut *tx.tx)
            .await?;
            if let Some(previous) = &previous {
                let same = previous.try_get::<String, _>("entry_fingerprint")?
                    == hit.entry_fingerprint
                    && previous.try_get::<String, _>("person_fingerprint")?
                        == hit.person_fingerprint;
                if same {
                    continue;
                }
                if previous.try_get::<String, _>("status")? == "open" {
                    sqlx::query("UPDATE screening_hits SET status = 'superseded' WHERE id = $1")
                        .bind(previous.try_get::<i64, _>("id")?)
                        .execute(&mut *tx.tx)
                        .await?;
                }
            }
            let record = tx.person(hit.person).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO screening_hits (id, person_id, list_id, entry_ref, listed_name, score, explanation, \
                 entry_fingerprint, person_fingerprint, created_at) \
                 VALUES ((SELECT coalesce(max(id), 0) + 1 FROM screening_hits), $1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 RETURNING id",
            )
            .bind(hit.person.0)
            .bind(hit.list_id)
            .bind(&hit.entry_ref)
            .bind(&hit.listed_name)
            .bind(hit.score)
            .bind(to_json(&hit.explanation)?)
            .bind(&hit.entry_fingerprint)
            .bind(&hit.person_fingerprint)
            .bind(&tx.at)
            .fetch_one(&mut *tx.tx)
            .await?;
            tx.audit(
                actor,
                Audit {
                    nation: Some(record.nation.as_str()),
                    action: "screening.hit",
                    entity_type: "person",
                    entity_id: hit.person.to_string(),
                    before: None,
                    after: Some(to_json(&serde_json::json!({
                        "hit": id, "list": hit.list_id, "entry": hit.entry_ref, "score": hit.score,
                    }))?),
                },
            )
            .await?;
            new += 1;
        }
        tx.commit().await?;
        Ok(new)
    }

    async fn list_hits(
        &self,
        status: Option<String>,
        nation: Option<NationCode>,
    ) -> Result<Vec<HitRecord>> {
        sqlx::query(
            "SELECT h.id, h.person_id, p.nation, p.display_name, h.list_id, h.entry_ref, h.listed_name, \
             h.score, h.explanation, h.status, h.decided_by, h.decided_at, h.reason, h.created_at \
             FROM screening_hits h JOIN persons p ON p.id = h.person_id \
             WHERE ($1 IS NULL OR h.status = $1) AND ($2 IS NULL OR p.nation = $2) \
             ORDER BY h.score DESC, h.id",
        )
        .bind(status)
        .bind(nation.map(|n| n.to_string()))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(hit_from_row)
        .collect()
    }

    async fn decide_hit(
        &self,
        actor: &Actor,
        hit: i64,
        decision: HitDecision,
        reason: Option<String>,
    ) -> Result<HitRecord> {
        let reason = reason
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty());
        if decision == HitDecision::FalsePositive && reason.is_none() {
            return Err(StoreError::Invalid(
                "a false positive needs a reason (e.g. 'birth date 1990, listed person born 1963')"
                    .into(),
            ));
        }
        let mut tx = WriteTx::begin(&self.writer).await?;
        let row =
            sqlx::query("SELECT person_id, status, entry_ref FROM screening_hits WHERE id = $1")
                .bind(hit)
                .fetch_optional(&mut *tx.tx)
                .await?
                .ok_or_else(|| StoreError::NotFound {
                    entity: "screening hit",
                    id: format!("H{hit}"),
                })?;
        let before: String = row.try_get("status")?;
        if before == "superseded" {
            return Err(StoreError::Invalid(format!(
                "hit H{hit} was superseded by a newer one (the person or the entry changed); decide that one"
            )));
        }
        let person = PersonId(row.try_get("person_id")?);
        let record = tx.person(person).await?;
        sqlx::query(
            "UPDATE screening_hits SET status = $1, decided_by = $2, decided_at = $3, reason = $4 WHERE id = $5",
        )
        .bind(decision.as_str())
        .bind(&actor.name)
        .bind(&tx.at)
        .bind(&reason)
        .bind(hit)
        .execute(&mut *tx.tx)
        .await?;
        tx.audit(
            actor,
            Audit {
                nation: Some(record.nation.as_str()),
                action: "screening.decide",
                entity_type: "person",
                entity_id: person.to_string(),
                before: Some(to_json(
                    &serde_json::json!({ "hit": hit, "status": before }),
                )?),
                after: Some(to_json(&serde_json::json!({
                    "hit": hit, "status": decision.as_str(), "reason": reason,
                    "entry": row.try_get::<String, _>("entry_ref")?,
                }))?),
            },
        )
        .await?;
        tx.commit().await?;
        self.list_hits(None, None)
            .await?
            .into_iter()
            .find(|h| h.id == hit)
            .ok_or_else(|| StoreError::NotFound {
                entity: "screening hit",
                id: format!("H{hit}"),
            })
    }

    async fn audit_list(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>> {
        let mut sql: QueryBuilder<Db> = QueryBuilder::new(
            "SELECT seq, at, actor, nation, action, entity_type, entity_id, before, after, hash \
             FROM audit_events WHERE 1 = 1",
        );
        if let Some(entity_type) = &filter.entity_type {
            sql.push(" AND entity_type = ")
                .push_bind(entity_type.clone());
        }
        if let Some(entity_id) = &filter.entity_id {
            sql.push(" AND entity_id = ").push_bind(entity_id.clone());
        }
        if let Some(actor) = &filter.actor {
            sql.push(" AND actor = ").push_bind(actor.clone());
        }
        if let Some(after) = filter.after {
            sql.push(" AND seq > ").push_bind(after);
        }
        // Newest `limit` events, shown oldest first.
        sql.push(" ORDER BY seq DESC LIMIT ")
            .push_bind(i64::from(filter.limit.unwrap_or(100).clamp(1, 100_000)));
        let mut events = sql
            .build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                let json = |column: &str| -> Result<Option<serde_json::Value>> {
                    row.try_get::<Option<String>, _>(column)?
                        .map(|text| from_json(&text, "audit payload"))
                        .transpose()
                };
                Ok(AuditEvent {
                    seq: row.try_get("seq")?,
                    at: row.try_get("at")?,
                    actor: row.try_get("actor")?,
                    nation: row.try_get("nation")?,
                    action: row.try_get("action")?,
                    entity_type: row.try_get("entity_type")?,
                    entity_id: row.try_get("entity_id")?,
                    before: json("before")?,
                    after: json("after")?,
                    hash: row.try_get("hash")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        events.reverse();
        Ok(events)
    }

    async fn audit_verify(&self) -> Result<AuditVerification> {
        use futures_util::StreamExt;
        let mut rows = sqlx::query(
            "SELECT seq, at, actor, nation, action, entity_type, entity_id, before, after, \
             payload_hash, prev_hash, hash FROM audit_events ORDER BY seq",
        )
        .fetch(&self.pool);
        let mut previous = GENESIS.to_owned();
        let mut expected_seq = 1i64;
        let mut events = 0i64;
        while let Some(row) = rows.next().await {
            let row = row?;
            events += 1;
            let seq: i64 = row.try_get("seq")?;
            let before: Option<String> = row.try_get("before")?;
            let after: Option<String> = row.try_get("after")?;
            let stored_payload: String = row.try_get("payload_hash")?;
            let prev_hash: String = row.try_get("prev_hash")?;
            let hash: String = row.try_get("hash")?;
            let nation: Option<String> = row.try_get("nation")?;
            let fields = ChainedFields {
                seq,
                at: &row.try_get::<String, _>("at")?,
                actor: &row.try_get::<String, _>("actor")?,
                nation: nation.as_deref(),
                action: &row.try_get::<String, _>("action")?,
                entity_type: &row.try_get::<String, _>("entity_type")?,
                entity_id: &row.try_get::<String, _>("entity_id")?,
                payload_hash: &stored_payload,
            };
            let problem = if seq != expected_seq {
                Some(format!(
                    "expected event {expected_seq}, found {seq}: an event is missing or out of order"
                ))
            } else if prev_hash != previous {
                Some("its link to the previous event does not match".to_owned())
            } else if (before.is_some() || after.is_some())
                && audit::payload_hash(before.as_deref(), after.as_deref()) != stored_payload
            {
                Some("its before/after data was altered".to_owned())
            } else if audit::chain_hash(&previous, &fields) != hash {
                Some("its fields were altered".to_owned())
            } else {
                None
            };
            if let Some(problem) = problem {
                return Ok(AuditVerification {
                    events,
                    broken_at: Some((seq, problem)),
                });
            }
            previous = hash;
            expected_seq += 1;
        }
        Ok(AuditVerification {
            events,
            broken_at: None,
        })
    }

    async fn totals(&self) -> Result<Vec<StatusTotal>> {
        sqlx::query(
            "SELECT nation, status, count(*) AS people FROM persons GROUP BY nation, status ORDER BY nation, status",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(StatusTotal {
                nation: parse_nation(&row.try_get::<String, _>("nation")?)?,
                status: parse_status(&row.try_get::<String, _>("status")?)?,
                people: row.try_get("people")?,
            })
        })
        .collect()
    }

    async fn enqueue_job(
        &self,
        actor: &Actor,
        kind: &str,
        payload: serde_json::Value,
    ) -> Result<i64> {
        let kind = kind.trim();
        if kind.is_empty() {
            return Err(StoreError::Invalid("a job needs a kind".into()));
        }
        let mut tx = WriteTx::begin(&self.writer).await?;
        let payload = to_json(&payload)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO jobs (id, kind, payload, state, attempts, created_at) \
             VALUES ((SELECT coalesce(max(id), 0) + 1 FROM jobs), $1, $2, 'queued', 0, $3) RETURNING id",
        )
        .bind(kind)
        .bind(&payload)
        .bind(&tx.at)
        .fetch_one(&mut *tx.tx)
        .await?;
        tx.audit(
            actor,
            Audit {
                nation: None,
                action: "job.enqueue",
                entity_type: "job",
                entity_id: format!("J{id}"),
                before: None,
                after: Some(to_json(
                    &serde_json::json!({ "kind": kind, "payload": payload }),
                )?),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn claim_job(
        &self,
        worker: &str,
        lease: std::time::Duration,
    ) -> Result<Option<JobClaim>> {
        let now_seconds = epoch_seconds();
        let lease = i64::try_from(lease.as_secs())
            .unwrap_or(i64::MAX / 2)
            .max(1);
        // One statement: the row is chosen and taken atomically. On PostgreSQL the inner
        // select skips rows another instance is claiming at this moment (`SKIP_LOCKED`).
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE jobs SET state = 'running', claimed_by = $1, claimed_at = $2, \
             lease_until = $3, attempts = attempts + 1 \
             WHERE id = (SELECT id FROM jobs WHERE state = 'queued' \
             OR (state = 'running' AND lease_until < $4) ORDER BY id LIMIT 1{SKIP_LOCKED}) \
             RETURNING id, kind, payload, attempts"
        )))
        .bind(worker)
        .bind(now())
        .bind(now_seconds.saturating_add(lease))
        .bind(now_seconds)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(JobClaim {
                id: row.try_get("id")?,
                kind: row.try_get("kind")?,
                payload: from_json(&row.try_get::<String, _>("payload")?, "job payload")?,
                worker: worker.to_owned(),
                attempt: row.try_get("attempts")?,
            })
        })
        .transpose()
    }

    async fn finish_job(&self, actor: &Actor, claim: &JobClaim, outcome: JobOutcome) -> Result<()> {
        let mut tx = WriteTx::begin(&self.writer).await?;
        let row = sqlx::query("SELECT state, claimed_by, attempts FROM jobs WHERE id = $1")
            .bind(claim.id)
            .fetch_optional(&mut *tx.tx)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "job",
                id: format!("J{}", claim.id),
            })?;
        let state: String = row.try_get("state")?;
        let holder: Option<String> = row.try_get("claimed_by")?;
        let attempts: i64 = row.try_get("attempts")?;
        if state != JobState::Running.as_str()
            || holder.as_deref() != Some(claim.worker.as_str())
            || attempts != claim.attempt
        {
            return Err(StoreError::Conflict {
                entity: "job",
                id: format!(
                    "J{} (now {state}, held by {})",
                    claim.id,
                    holder.as_deref().unwrap_or("nobody")
                ),
                expected: claim.attempt,
                actual: attempts,
            });
        }
        let (state, result) = match &outcome {
            JobOutcome::Done(value) => (JobState::Done, to_json(value)?),
            JobOutcome::Failed(reason) => (
                JobState::Failed,
                to_json(&serde_json::json!({ "error": reason }))?,
            ),
        };
        sqlx::query("UPDATE jobs SET state = $1, result = $2, finished_at = $3 WHERE id = $4")
            .bind(state.as_str())
            .bind(&result)
            .bind(&tx.at)
            .bind(claim.id)
            .execute(&mut *tx.tx)
            .await?;
        tx.audit(
            actor,
            Audit {
                nation: None,
                action: if state == JobState::Done {
                    "job.done"
                } else {
                    "job.failed"
                },
                entity_type: "job",
                entity_id: format!("J{}", claim.id),
                before: None,
                after: Some(to_json(&serde_json::json!({
                    "worker": claim.worker, "attempt": claim.attempt, "result": result,
                }))?),
            },
        )
        .await?;
        tx.commit().await
    }

    async fn list_jobs(&self, state: Option<JobState>) -> Result<Vec<JobRecord>> {
        sqlx::query(
            "SELECT id, kind, payload, state, attempts, claimed_by, result, created_at, finished_at \
             FROM jobs WHERE ($1 IS NULL OR state = $1) ORDER BY id",
        )
        .bind(state.map(JobState::as_str))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            let state: String = row.try_get("state")?;
            Ok(JobRecord {
                id: row.try_get("id")?,
                kind: row.try_get("kind")?,
                payload: from_json(&row.try_get::<String, _>("payload")?, "job payload")?,
                state: JobState::parse(&state)
                    .ok_or_else(|| StoreError::Corrupt(format!("job state {state}")))?,
                attempts: row.try_get("attempts")?,
                claimed_by: row.try_get("claimed_by")?,
                result: row
                    .try_get::<Option<String>, _>("result")?
                    .map(|text| from_json(&text, "job result"))
                    .transpose()?,
                created_at: row.try_get("created_at")?,
                finished_at: row.try_get("finished_at")?,
            })
        })
        .collect()
    }
}

impl ThisStore {
    /// Every nation's code: the nations a lookup in the name index reads for a reader who may
    /// see them all.
    async fn nation_codes(&self) -> Result<Vec<NationCode>> {
        let codes: Vec<String> = sqlx::query_scalar("SELECT code FROM nations ORDER BY code")
            .fetch_all(&self.pool)
            .await?;
        codes.iter().map(|code| parse_nation(code)).collect()
    }

    /// Rebuilds the name index when it was made by another version of the
    /// names engine, or never: a database from before the index, or one whose engine changed.
    /// Runs once, on opening, in one write transaction: another instance opening at the same
    /// time waits for the write lock and then finds the index current.
    pub(crate) async fn ensure_name_index(&self) -> Result<()> {
        self.build_name_index(false).await
    }

    /// Builds the name index when it is not current, or always with `force`.
    pub(crate) async fn build_name_index(&self, force: bool) -> Result<()> {
        let fingerprint = name_index_fingerprint();
        let current =
            |stored: Option<String>| !force && stored.as_deref() == Some(fingerprint.as_str());
        let stored: Option<String> =
            sqlx::query_scalar("SELECT fingerprint FROM name_index WHERE id = 1")
                .fetch_optional(&self.pool)
                .await?;
        if current(stored) {
            return Ok(());
        }
        let mut tx = WriteTx::begin(&self.writer).await?;
        let stored: Option<String> =
            sqlx::query_scalar("SELECT fingerprint FROM name_index WHERE id = 1")
                .fetch_optional(&mut *tx.tx)
                .await?;
        if current(stored) {
            return Ok(());
        }
        let started = std::time::Instant::now();
        sqlx::query(CLEAR_NAME_INDEX)
            .execute(&mut *tx.tx)
            .await?;
        let mut after = 0i64;
        let mut people = 0usize;
        loop {
            let rows = sqlx::query(
                "SELECT id, nation, details FROM persons WHERE id > $1 ORDER BY id LIMIT 5000",
            )
            .bind(after)
            .fetch_all(&mut *tx.tx)
            .await?;
            let Some(last) = rows.last() else { break };
            after = last.try_get("id")?;
            people += rows.len();
            for row in &rows {
                let person: Person =
                    from_json(&row.try_get::<String, _>("details")?, "person details")?;
                let nation = parse_nation(&row.try_get::<String, _>("nation")?)?;
                tx.index_person(row.try_get("id")?, nation, &person);
            }
            tx.flush().await?;
        }
        sqlx::query("DELETE FROM name_index")
            .execute(&mut *tx.tx)
            .await?;
        sqlx::query("INSERT INTO name_index (id, fingerprint, built_at) VALUES (1, $1, $2)")
            .bind(&fingerprint)
            .bind(now())
            .execute(&mut *tx.tx)
            .await?;
        tx.commit().await?;
        if people > 0 {
            tracing::info!(
                people,
                seconds = started.elapsed().as_secs_f64(),
                "rebuilt the name index"
            );
        }
        Ok(())
    }

    /// Streams every row of a table to `sender` in batches, in no particular order: for
    /// copying a registry and for its checksums. Stops quietly when the receiver is gone.
    pub(crate) async fn read_table(
        &self,
        table: &crate::copy::TableSpec,
        sender: tokio::sync::mpsc::Sender<Vec<Vec<crate::copy::Value>>>,
    ) -> Result<()> {
        use crate::copy::{COPY_BATCH, ColumnType, Value};
        use futures_util::StreamExt;
        let columns: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
        let sql = format!("SELECT {} FROM {}", columns.join(", "), table.name);
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&self.pool);
        let mut batch = Vec::with_capacity(COPY_BATCH);
        while let Some(row) = rows.next().await {
            let row = row?;
            let mut values = Vec::with_capacity(table.columns.len());
            for (index, (_, kind)) in table.columns.iter().enumerate() {
                values.push(match kind {
                    ColumnType::Integer => Value::Integer(row.try_get(index)?),
                    ColumnType::Real => Value::Real(row.try_get(index)?),
                    ColumnType::Text => Value::Text(row.try_get(index)?),
                });
            }
            batch.push(values);
            if batch.len() == COPY_BATCH && sender.send(std::mem::take(&mut batch)).await.is_err() {
                return Ok(());
            }
        }
        if !batch.is_empty() {
            let _ = sender.send(batch).await;
        }
        Ok(())
    }

    /// Opens the one transaction a copy into this database is written in.
    pub(crate) async fn begin_copy(&self) -> Result<CopyTx> {
        Ok(CopyTx {
            tx: begin_write(&self.writer).await?,
        })
    }
}

/// The transaction a copy is written in: all tables, or nothing.
pub(crate) struct CopyTx {
    tx: Transaction<'static, Db>,
}

impl CopyTx {
    pub(crate) async fn write(
        &mut self,
        table: &crate::copy::TableSpec,
        rows: &[Vec<crate::copy::Value>],
    ) -> Result<()> {
        use crate::copy::Value;
        let columns: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            QueryBuilder::<Db>::new(format!(
                "INSERT INTO {} ({}) ",
                table.name,
                columns.join(", ")
            ))
            .push_values(chunk, |mut builder, row| {
                for value in row {
                    match value {
                        Value::Integer(n) => builder.push_bind(*n),
                        Value::Real(x) => builder.push_bind(*x),
                        Value::Text(text) => builder.push_bind(text.clone()),
                    };
                }
            })
            .build()
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }

    pub(crate) async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

/// A streamed import under way: which list, what it has made so far.
struct ImportRun {
    nation: NationCode,
    organisation: Option<OrganisationId>,
    source: String,
    /// Whether the source had rows before this import (else no row can be known).
    seen_before: bool,
    /// The cases this import made, by reference, for a family whose rows come in two pieces.
    made_here: std::collections::HashMap<String, CaseId>,
    outcome: ImportOutcome,
}

/// A row of a streamed import made ready before the writer needs it (see [`prepare_piece`]).
struct PreparedMember {
    row: ImportedRow,
    relation: Relation,
    /// The person validated and derived, or why they are not valid (said only if the row
    /// is written: an unchanged row is not checked again).
    derived: std::result::Result<Derived, String>,
}

/// What an import row leaves in `import_rows`.
struct ImportedRow {
    row_key: String,
    fingerprint: String,
    /// The cells no field took, as JSON.
    extra: Result<String>,
}

struct PreparedCase {
    reference: Option<String>,
    eligibility: Eligibility,
    members: Vec<PreparedMember>,
}

enum PreparedFeed {
    Chunk {
        cases: Vec<PreparedCase>,
        rejected: Vec<QuarantineRow>,
    },
    Done,
}

/// Validates and derives every person of a piece: the work on an imported row that needs
/// no database, done on a thread of its own while the writer writes the piece before.
fn prepare_piece(piece: ImportFeed) -> PreparedFeed {
    match piece {
        ImportFeed::Done => PreparedFeed::Done,
        ImportFeed::Chunk { cases, rejected } => PreparedFeed::Chunk {
            cases: cases
                .into_iter()
                .map(|case| PreparedCase {
                    reference: case.reference,
                    eligibility: case.eligibility,
                    members: case
                        .members
                        .into_iter()
                        .map(|member| PreparedMember {
                            row: ImportedRow {
                                extra: to_json(&member.extra),
                                row_key: member.row_key,
                                fingerprint: member.fingerprint,
                            },
                            relation: member.relation,
                            derived: Derived::of(member.person),
                        })
                        .collect(),
                })
                .collect(),
            rejected,
        },
    }
}

/// The rows of this source imported before this import: row key → (fingerprint, person, case).
async fn known_rows(
    tx: &mut WriteTx,
    import: &ImportRun,
    keys: &[&str],
) -> Result<std::collections::HashMap<String, (String, i64, Option<i64>)>> {
    let mut known = std::collections::HashMap::new();
    if !import.seen_before {
        return Ok(known);
    }
    for chunk in keys.chunks(500) {
        let mut query = QueryBuilder::<Db>::new(
            "SELECT i.row_key, i.fingerprint, i.person_id, p.case_id FROM import_rows i \
             JOIN persons p ON p.id = i.person_id WHERE i.nation = ",
        );
        query
            .push_bind(import.nation.as_str().to_owned())
            .push(" AND i.source = ")
            .push_bind(import.source.clone())
            // Rows this import wrote (a key twice in one list) are not "before".
            .push(" AND i.imported_at <> ")
            .push_bind(tx.at.clone())
            .push(" AND i.row_key IN (");
        let mut separated = query.separated(", ");
        for key in chunk {
            separated.push_bind((*key).to_owned());
        }
        query.push(")");
        for row in query.build().fetch_all(&mut *tx.tx).await? {
            known.insert(
                row.try_get("row_key")?,
                (
                    row.try_get("fingerprint")?,
                    row.try_get("person_id")?,
                    row.try_get("case_id")?,
                ),
            );
        }
    }
    Ok(known)
}

/// Writes one piece of a streamed import.
async fn import_chunk(
    tx: &mut WriteTx,
    actor: &Actor,
    import: &mut ImportRun,
    cases: Vec<PreparedCase>,
    rejected: Vec<QuarantineRow>,
) -> Result<()> {
    let keys: Vec<&str> = cases
        .iter()
        .flat_map(|case| case.members.iter().map(|m| m.row.row_key.as_str()))
        .collect();
    let known = known_rows(tx, import, &keys).await?;
    drop(keys);
    import_cases(tx, actor, import, cases, known).await?;
    quarantine_rows(tx, import, &rejected).await
}

/// Registers a piece's cases: new people, and changes to the rows `known` from an earlier
/// import of the same source. With nothing known, reads nothing from the database.
async fn import_cases(
    tx: &mut WriteTx,
    actor: &Actor,
    import: &mut ImportRun,
    cases: Vec<PreparedCase>,
    known: std::collections::HashMap<String, (String, i64, Option<i64>)>,
) -> Result<()> {
    let nation = import.nation;
    for case in cases {
        // Which of the case's rows were imported before, and into which case.
        let mut known_case: Option<CaseId> = case
            .reference
            .as_ref()
            .and_then(|reference| import.made_here.get(reference).copied());
        let mut fresh: Vec<PreparedMember> = Vec::new();
        for member in case.members {
            let Some((fingerprint, person_id, case_id)) = known.get(&member.row.row_key).cloned()
            else {
                fresh.push(member);
                continue;
            };
            let person_id = PersonId(person_id);
            if let Some(case_id) = case_id {
                known_case.get_or_insert(CaseId(case_id));
            }
            if fingerprint == member.row.fingerprint {
                import.outcome.people_unchanged += 1;
                continue;
            }
            let row_key = &member.row.row_key;
            let derived = member
                .derived
                .map_err(|e| StoreError::Invalid(format!("row {row_key}: {e}")))?;
            let old = tx.person(person_id).await?;
            tx.rewrite_person(person_id, &derived.person, &derived.details)
                .await?;
            tx.audit(
                actor,
                Audit {
                    nation: Some(nation.as_str()),
                    action: "person.update",
                    entity_type: "person",
                    entity_id: person_id.to_string(),
                    before: Some(to_json(&old.person)?),
                    after: Some(derived.details),
                },
            )
            .await?;
            sqlx::query(
                "UPDATE import_rows SET fingerprint = $1, imported_at = $2, extra = $3 \
                 WHERE nation = $4 AND source = $5 AND row_key = $6",
            )
            .bind(&member.row.fingerprint)
            .bind(&tx.at)
            .bind(member.row.extra?)
            .bind(nation.as_str())
            .bind(&import.source)
            .bind(&member.row.row_key)
            .execute(&mut *tx.tx)
            .await?;
            import.outcome.people_updated.push(person_id);
        }
        if fresh.is_empty() {
            continue;
        }
        let created: Vec<PersonId> = match known_case {
            // New rows of a family imported before (or earlier in this list) join its case.
            Some(case_id) => {
                let mut created = Vec::new();
                for member in fresh {
                    let relation = if member.relation == Relation::Principal {
                        Relation::OtherRelative
                    } else {
                        member.relation
                    };
                    let row_key = &member.row.row_key;
                    let derived = member
                        .derived
                        .map_err(|e| StoreError::Invalid(format!("row {row_key}: {e}")))?;
                    let id = tx
                        .register_person(actor, nation, Some((case_id, relation)), derived)
                        .await?;
                    tx.audit(
                        actor,
                        Audit {
                            nation: Some(nation.as_str()),
                            action: "case.add_member",
                            entity_type: "case",
                            entity_id: case_id.to_string(),
                            before: None,
                            after: Some(to_json(&CaseMember {
                                person: id,
                                relation,
                            })?),
                        },
                    )
                    .await?;
                    created.push(id);
                    tx.remember_import_row(nation, &import.source, member.row, id)
                        .await?;
                }
                created
            }
            None => {
                // The people move into the new case; their rows' identities stay behind.
                check_principals(case.reference.as_deref(), fresh.iter().map(|m| m.relation))?;
                let mut rows = Vec::with_capacity(fresh.len());
                let mut members = Vec::with_capacity(fresh.len());
                for member in fresh {
                    let derived = member
                        .derived
                        .map_err(|e| invalid_member(case.reference.as_deref(), e))?;
                    members.push((member.relation, derived));
                    rows.push(member.row);
                }
                let (case_id, ids) = tx
                    .insert_derived_case(
                        actor,
                        DerivedCase {
                            nation,
                            organisation: import.organisation,
                            reference: case.reference.clone(),
                            eligibility: case.eligibility,
                            members,
                            progress: Vec::new(),
                        },
                    )
                    .await?;
                if let Some(reference) = case.reference {
                    import.made_here.insert(reference, case_id);
                }
                import.outcome.cases_created += 1;
                for (row, id) in rows.into_iter().zip(&ids) {
                    tx.remember_import_row(nation, &import.source, row, *id)
                        .await?;
                }
                ids
            }
        };
        import.outcome.people_created += created.len();
        import.outcome.created.extend(created);
    }
    Ok(())
}

/// Keeps a piece's refused rows in quarantine.
async fn quarantine_rows(
    tx: &mut WriteTx,
    import: &mut ImportRun,
    rejected: &[QuarantineRow],
) -> Result<()> {
    let nation = import.nation;
    // Rows refused now go to quarantine (once per content); rows accepted now close the
    // quarantine entries they were refused under before (when the import ends).
    for row in rejected {
        let inserted = sqlx::query(
            "INSERT INTO quarantine (id, nation, source, row_key, sheet, line, fingerprint, raw, issues, created_at) \
             VALUES ((SELECT coalesce(max(id), 0) + 1 FROM quarantine), $1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (nation, source, fingerprint) DO NOTHING",
        )
        .bind(nation.as_str())
        .bind(&import.source)
        .bind(&row.row_key)
        .bind(&row.sheet)
        .bind(row.line)
        .bind(&row.fingerprint)
        .bind(to_json(&row.raw)?)
        .bind(to_json(&row.issues)?)
        .bind(&tx.at)
        .execute(&mut *tx.tx)
        .await?;
        if inserted.rows_affected() > 0 {
            import.outcome.quarantined += 1;
        }
    }
    Ok(())
}
