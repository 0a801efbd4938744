// Field operations' statements, shared by both backends like `registry_sql.rs` (included after
// it): call-forward, passes, gate check-in, flags, the outbox and the live figures.

const PASS_SELECT: &str = "SELECT p.id, p.wave, p.case_id, p.nation, p.gate, p.code_hash, \
     p.valid_from, p.valid_until, p.state, p.issued_at, p.used_gate, p.used_at, p.revoked_at, \
     p.revoke_reason, w.rendezvous FROM passes p JOIN call_forwards w ON w.id = p.wave";

fn pass_from_row(row: &DbRow) -> Result<PassRecord> {
    let state: String = row.try_get("state")?;
    Ok(PassRecord {
        id: row.try_get("id")?,
        wave: row.try_get("wave")?,
        case: CaseId(row.try_get("case_id")?),
        nation: parse_nation(&row.try_get::<String, _>("nation")?)?,
        gate: row.try_get("gate")?,
        rendezvous: row.try_get("rendezvous")?,
        valid_from: row.try_get("valid_from")?,
        valid_until: row.try_get("valid_until")?,
        state: match state.as_str() {
            "issued" => PassState::Issued,
            "used" => PassState::Used,
            "revoked" => PassState::Revoked,
            other => return Err(StoreError::Corrupt(format!("pass state {other}"))),
        },
        issued_at: row.try_get("issued_at")?,
        used_gate: row.try_get("used_gate")?,
        used_at: row.try_get("used_at")?,
        revoked_at: row.try_get("revoked_at")?,
        revoke_reason: row.try_get("revoke_reason")?,
    })
}

const FLAG_COLUMNS: &str = "id, pass_id, case_id, nation, gate, op_id, flag, raised_at, \
     cleared_at, cleared_by, note";

fn flag_from_row(row: &DbRow) -> Result<GateFlagRecord> {
    Ok(GateFlagRecord {
        id: row.try_get("id")?,
        pass: row.try_get("pass_id")?,
        case: row.try_get::<Option<i64>, _>("case_id")?.map(CaseId),
        nation: row
            .try_get::<Option<String>, _>("nation")?
            .map(|n| parse_nation(&n))
            .transpose()?,
        gate: row.try_get("gate")?,
        op_id: row.try_get("op_id")?,
        flag: row.try_get("flag")?,
        raised_at: row.try_get("raised_at")?,
        cleared_at: row.try_get("cleared_at")?,
        cleared_by: row.try_get("cleared_by")?,
        note: row.try_get("note")?,
    })
}

const OUTBOX_COLUMNS: &str = "id, pass_id, person_id, nation, channel, recipient, language, body, \
     state, attempts, created_at, sent_at, error";

fn message_from_row(row: &DbRow) -> Result<OutboxMessage> {
    let state: String = row.try_get("state")?;
    Ok(OutboxMessage {
        id: row.try_get("id")?,
        pass: row.try_get("pass_id")?,
        person: row.try_get::<Option<i64>, _>("person_id")?.map(PersonId),
        nation: parse_nation(&row.try_get::<String, _>("nation")?)?,
        channel: row.try_get("channel")?,
        recipient: row.try_get("recipient")?,
        language: row.try_get("language")?,
        body: row.try_get("body")?,
        state: match state.as_str() {
            "queued" => MessageState::Queued,
            "sent" => MessageState::Sent,
            "failed" => MessageState::Failed,
            other => return Err(StoreError::Corrupt(format!("message state {other}"))),
        },
        attempts: row.try_get("attempts")?,
        created_at: row.try_get("created_at")?,
        sent_at: row.try_get("sent_at")?,
        error: row.try_get("error")?,
    })
}

/// A person's category, computed by the database from the case's eligibility JSON. Inside a
/// JSON string a quote is escaped, so `"basis":"national"` can only be the tag itself.
const CATEGORY_SQL: &str = "CASE \
     WHEN c.eligibility LIKE '%\"basis\":\"national\"%' THEN 'national' \
     WHEN c.eligibility LIKE '%\"basis\":\"worked\"%' THEN 'local_staff' \
     WHEN c.eligibility LIKE '%\"basis\":\"at_risk\"%' THEN 'at_risk' \
     ELSE 'undecided' END";

fn rfc3339(text: &str, what: &str) -> Result<time::OffsetDateTime> {
    time::OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339)
        .map_err(|_| {
            StoreError::Invalid(format!(
                "{what} '{text}' is not a time: write it as 2021-08-22T06:00:00Z (UTC) or with an offset, 2021-08-22T10:30:00+04:30"
            ))
        })
}

fn format_utc(at: time::OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

fn millis_to_rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map(format_utc)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

fn is_code_hash(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The statuses a gate's settled outcome moves a member through, or `None` when the member is
/// somewhere a gate cannot take them from (already manifested, withdrawn…). Only the gate's part
/// of the transition table is walked, at most three steps.
fn gate_path(from: EvacuationStatus, to: EvacuationStatus) -> Option<Vec<EvacuationStatus>> {
    use EvacuationStatus::*;
    if from == to {
        return Some(Vec::new());
    }
    // Eligible is walked only to undo a denial by a gate the rule later found did not hold
    // the pass (denied → eligible → called forward → at the gate).
    let inner = [CalledForward, NoShow, AtGate, Processed, Eligible];
    let mut paths: Vec<Vec<EvacuationStatus>> = vec![vec![from]];
    for _ in 0..3 {
        let mut next = Vec::new();
        for path in &paths {
            let last = *path.last().unwrap_or(&from);
            if path.len() > 1 && !inner.contains(&last) {
                continue;
            }
            for &step in last.next() {
                if path.contains(&step) {
                    continue;
                }
                let mut longer = path.clone();
                longer.push(step);
                if step == to {
                    return Some(longer[1..].to_vec());
                }
                next.push(longer);
            }
        }
        paths = next;
    }
    None
}

fn target_status(
    outcome: &airbridge_field::gate::MemberOutcome,
) -> (EvacuationStatus, Option<&str>) {
    use airbridge_field::gate::MemberOutcome;
    match outcome {
        MemberOutcome::Admitted => (EvacuationStatus::AtGate, None),
        MemberOutcome::Processed => (EvacuationStatus::Processed, None),
        MemberOutcome::Denied { reason } => (EvacuationStatus::Denied, Some(reason.as_str())),
    }
}

/// A flag of the settlement rule, filed under the action it is about (its gate and id), not
/// under the action that happened to reveal it: so the flags are the same rows whatever order
/// the gates' reports arrived in.
fn filed_flag(flag: &GateFlag, holding_gate: &str) -> (String, String, String) {
    match flag {
        GateFlag::UsedAtAnotherGate { gate, op_id } => (
            gate.clone(),
            op_id.clone(),
            format!(
                "used at another gate: {gate} (action {op_id}) presented this pass after the holding gate; nothing it did was applied"
            ),
        ),
        GateFlag::AdmittedTwice { member, op_id } => (
            holding_gate.to_owned(),
            op_id.clone(),
            format!("admitted twice: P{member} again (action {op_id})"),
        ),
    }
}

impl WriteTx {
    async fn pass_by_id(&mut self, id: i64) -> Result<PassRecord> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{PASS_SELECT} WHERE p.id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "pass",
            id: id.to_string(),
        })?;
        pass_from_row(&row)
    }

    /// Records a gate action (applied or refused); ids are given under the write lock.
    #[allow(clippy::too_many_arguments)]
    async fn insert_gate_event(
        &mut self,
        actor: &Actor,
        check_in: &CheckIn,
        pass: Option<i64>,
        case: Option<CaseId>,
        refusal: Option<&Refusal>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO gate_events (id, op_id, pass_id, case_id, gate, action, at_ms, offline, \
             actor, received_at, outcome, refusal) \
             VALUES ((SELECT coalesce(max(id), 0) + 1 FROM gate_events), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(check_in.event.op_id.trim())
        .bind(pass)
        .bind(case.map(|c| c.0))
        .bind(&check_in.event.gate)
        .bind(to_json(&check_in.event.action)?)
        .bind(check_in.event.at_ms)
        .bind(i64::from(check_in.offline))
        .bind(&actor.name)
        .bind(&self.at)
        .bind(if refusal.is_some() { "refused" } else { "applied" })
        .bind(refusal.map(to_json).transpose()?)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn raise_flag(
        &mut self,
        pass: Option<&PassRecord>,
        case: Option<CaseId>,
        nation: Option<NationCode>,
        gate: &str,
        op_id: &str,
        flag: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO gate_flags (id, pass_id, case_id, nation, gate, op_id, flag, raised_at) \
             VALUES ((SELECT coalesce(max(id), 0) + 1 FROM gate_flags), $1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (op_id, flag) DO NOTHING",
        )
        .bind(pass.map(|p| p.id))
        .bind(case.map(|c| c.0))
        .bind(nation.map(|n| n.as_str().to_owned()))
        .bind(gate)
        .bind(op_id)
        .bind(flag)
        .bind(&self.at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn refuse(
        &mut self,
        actor: &Actor,
        check_in: &CheckIn,
        pass: Option<&PassRecord>,
        refusal: Refusal,
    ) -> Result<CheckInOutcome> {
        self.insert_gate_event(
            actor,
            check_in,
            pass.map(|p| p.id),
            pass.map(|p| p.case),
            Some(&refusal),
        )
        .await?;
        self.audit_refusal(actor, check_in, pass, &refusal).await?;
        Ok(CheckInOutcome::Refused { refusal })
    }

    /// The audit event of a refused gate action (both check-in paths write it).
    async fn audit_refusal(
        &mut self,
        actor: &Actor,
        check_in: &CheckIn,
        pass: Option<&PassRecord>,
        refusal: &Refusal,
    ) -> Result<()> {
        self.audit(
            actor,
            Audit {
                nation: pass.map(|p| p.nation.as_str()),
                action: "gate.refused",
                entity_type: if pass.is_some() { "pass" } else { "gate" },
                entity_id: match pass {
                    Some(p) => p.id.to_string(),
                    None => check_in.event.gate.clone(),
                },
                before: None,
                after: Some(to_json(&serde_json::json!({
                    "op_id": check_in.event.op_id.trim(),
                    "gate": check_in.event.gate,
                    "action": check_in.event.action.kind(),
                    "offline": check_in.offline,
                    "refusal": refusal,
                }))?),
            },
        )
        .await
    }

    /// The audit event of an applied gate action (both check-in paths write it): about the
    /// pass, or the case when no pass was shown.
    async fn audit_check_in(
        &mut self,
        actor: &Actor,
        check_in: &CheckIn,
        nation: NationCode,
        subject: (&'static str, String),
        flags: usize,
    ) -> Result<()> {
        self.audit(
            actor,
            Audit {
                nation: Some(nation.as_str()),
                action: "gate.check_in",
                entity_type: subject.0,
                entity_id: subject.1,
                before: None,
                after: Some(to_json(&serde_json::json!({
                    "op_id": check_in.event.op_id.trim(),
                    "gate": check_in.event.gate,
                    "action": check_in.event.action.kind(),
                    "members": check_in.event.action.members().len(),
                    "offline": check_in.offline,
                    "flags": flags,
                }))?),
            },
        )
        .await
    }

    /// Marks a pass revoked, with its reason (a revocation, or a newer call-forward).
    async fn revoke(&mut self, pass: i64, reason: &str) -> Result<()> {
        sqlx::query(
            "UPDATE passes SET state = 'revoked', revoked_at = $1, revoke_reason = $2 WHERE id = $3",
        )
        .bind(&self.at)
        .bind(reason)
        .bind(pass)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }
}

/// A pass as a settled action leaves it: used (unless revoked), where and when it was first used.
fn as_used(mut pass: PassRecord, gate: String, first_at_ms: i64) -> PassRecord {
    if pass.state != PassState::Revoked {
        pass.state = PassState::Used;
    }
    pass.used_gate = Some(gate);
    pass.used_at = Some(millis_to_rfc3339(first_at_ms));
    pass
}

impl ThisStore {
    async fn field_call_forward(
        &self,
        actor: &Actor,
        request: CallForwardRequest,
    ) -> Result<CallForwardResult> {
        let gate = request.gate.trim().to_owned();
        let rendezvous = request.rendezvous.trim().to_owned();
        if gate.is_empty() {
            return Err(StoreError::Invalid(
                "a call-forward needs a gate (e.g. \"Abbey Gate\")".into(),
            ));
        }
        if rendezvous.is_empty() {
            return Err(StoreError::Invalid(
                "a call-forward needs a rendezvous: where and how to come".into(),
            ));
        }
        let from = rfc3339(&request.valid_from, "the window's start")?;
        let until = rfc3339(&request.valid_until, "the window's end")?;
        if until <= from {
            return Err(StoreError::Invalid(format!(
                "the window ends ({}) before it starts ({})",
                request.valid_until, request.valid_from
            )));
        }
        let (valid_from, valid_until) = (format_utc(from), format_utc(until));
        let mut seen = std::collections::BTreeSet::new();
        for pass in &request.passes {
            if !is_code_hash(&pass.code_hash) {
                return Err(StoreError::Invalid(format!(
                    "case {}: a pass is stored as the SHA-256 of its code (64 lower-case hex digits), never as the code",
                    pass.case
                )));
            }
            if !seen.insert(pass.case) {
                return Err(StoreError::Invalid(format!(
                    "case {} is twice in one call-forward",
                    pass.case
                )));
            }
        }
        let mut tx = WriteTx::begin(&self.writer).await?;
        tx.require_nation(request.nation).await?;
        let wave: i64 = sqlx::query_scalar(
            "INSERT INTO call_forwards (id, nation, gate, rendezvous, valid_from, valid_until, actor, created_at) \
             VALUES ((SELECT coalesce(max(id), 0) + 1 FROM call_forwards), $1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(request.nation.as_str())
        .bind(&gate)
        .bind(&rendezvous)
        .bind(&valid_from)
        .bind(&valid_until)
        .bind(&actor.name)
        .bind(&tx.at)
        .fetch_one(&mut *tx.tx)
        .await?;
        let mut result = CallForwardResult {
            wave,
            passes: Vec::new(),
            skipped: Vec::new(),
            messages: 0,
        };
        for pass in request.passes {
            let (case, _, _, _) = tx.case_row(pass.case).await?;
            if case.nation != request.nation {
                return Err(StoreError::Invalid(format!(
                    "case {} belongs to {}, not {}",
                    pass.case, case.nation, request.nation
                )));
            }
            let mut callable = Vec::new();
            let mut already = 0;
            let mut others = Vec::new();
            for member in &case.members {
                let record = tx.person(member.person).await?;
                match record.status {
                    EvacuationStatus::Eligible | EvacuationStatus::NoShow => callable.push(record),
                    EvacuationStatus::CalledForward => already += 1,
                    other => others.push(format!("{} is {}", record.id, other)),
                }
            }
            if callable.is_empty() && already == 0 {
                result.skipped.push((
                    pass.case,
                    format!(
                        "nobody in it may be called forward (only eligible people and no-shows): {}",
                        others.join(", ")
                    ),
                ));
                continue;
            }
            let taken: Option<i64> =
                sqlx::query_scalar("SELECT id FROM passes WHERE code_hash = $1")
                    .bind(&pass.code_hash)
                    .fetch_optional(&mut *tx.tx)
                    .await?;
            if taken.is_some() {
                return Err(StoreError::Invalid(
                    "a pass code drawn for this call-forward already exists: draw the codes again"
                        .into(),
                ));
            }
            // A case holds one live pass: an earlier one is revoked.
            let earlier: Vec<i64> = sqlx::query_scalar(
                "SELECT id FROM passes WHERE case_id = $1 AND state = 'issued' ORDER BY id",
            )
            .bind(pass.case.0)
            .fetch_all(&mut *tx.tx)
            .await?;
            let replaced = format!("replaced by call-forward {wave}");
            for old in earlier {
                tx.revoke(old, &replaced).await?;
                tx.audit(
                    actor,
                    Audit {
                        nation: Some(request.nation.as_str()),
                        action: "pass.revoke",
                        entity_type: "pass",
                        entity_id: old.to_string(),
                        before: None,
                        after: Some(to_json(&serde_json::json!({ "reason": replaced }))?),
                    },
                )
                .await?;
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO passes (id, wave, case_id, nation, gate, code_hash, valid_from, valid_until, state, issued_at) \
                 VALUES ((SELECT coalesce(max(id), 0) + 1 FROM passes), $1, $2, $3, $4, $5, $6, $7, 'issued', $8) RETURNING id",
            )
            .bind(wave)
            .bind(pass.case.0)
            .bind(request.nation.as_str())
            .bind(&gate)
            .bind(&pass.code_hash)
            .bind(&valid_from)
            .bind(&valid_until)
            .bind(&tx.at)
            .fetch_one(&mut *tx.tx)
            .await?;
            for record in &callable {
                tx.change_status(
                    actor,
                    record.into(),
                    EvacuationStatus::CalledForward,
                    None,
                    Some(&gate),
                )
                .await?;
            }
            for message in &pass.messages {
                if let Some(person) = message.person
                    && !case.members.iter().any(|m| m.person == person)
                {
                    return Err(StoreError::Invalid(format!(
                        "a message for case {} is addressed to {person}, who is not in it",
                        pass.case
                    )));
                }
                if message.recipient.trim().is_empty() || message.body.trim().is_empty() {
                    return Err(StoreError::Invalid(format!(
                        "a message for case {} has no recipient or no text",
                        pass.case
                    )));
                }
                sqlx::query(
                    "INSERT INTO outbox (id, pass_id, person_id, nation, channel, recipient, language, body, state, created_at) \
                     VALUES ((SELECT coalesce(max(id), 0) + 1 FROM outbox), $1, $2, $3, $4, $5, $6, $7, 'queued', $8)",
                )
                .bind(id)
                .bind(message.person.map(|p| p.0))
                .bind(request.nation.as_str())
                .bind(message.channel.trim())
                .bind(message.recipient.trim())
                .bind(message.language.trim())
                .bind(&message.body)
                .bind(&tx.at)
                .execute(&mut *tx.tx)
                .await?;
                result.messages += 1;
            }
            tx.audit(
                actor,
                Audit {
                    nation: Some(request.nation.as_str()),
                    action: "pass.issue",
                    entity_type: "pass",
                    entity_id: id.to_string(),
                    before: None,
                    after: Some(to_json(&serde_json::json!({
                        "wave": wave,
                        "case": pass.case,
                        "gate": gate,
                        "valid_from": valid_from,
                        "valid_until": valid_until,
                        "called": callable.len(),
                        "messages": pass.messages.len(),
                    }))?),
                },
            )
            .await?;
            let record = tx.pass_by_id(id).await?;
            result.passes.push(record);
        }
        tx.commit().await?;
        Ok(result)
    }

    async fn field_revoke_pass(
        &self,
        actor: &Actor,
        pass: i64,
        reason: &str,
    ) -> Result<PassRecord> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::Invalid("revoking a pass needs a reason".into()));
        }
        let mut tx = WriteTx::begin(&self.writer).await?;
        let record = tx.pass_by_id(pass).await?;
        if record.state == PassState::Revoked {
            return Err(StoreError::Invalid(format!(
                "pass {pass} was already revoked at {}",
                record.revoked_at.as_deref().unwrap_or("?")
            )));
        }
        tx.revoke(pass, reason).await?;
        tx.audit(
            actor,
            Audit {
                nation: Some(record.nation.as_str()),
                action: "pass.revoke",
                entity_type: "pass",
                entity_id: pass.to_string(),
                before: Some(to_json(&serde_json::json!({ "state": record.state }))?),
                after: Some(to_json(&serde_json::json!({ "reason": reason }))?),
            },
        )
        .await?;
        let record = tx.pass_by_id(pass).await?;
        tx.commit().await?;
        Ok(record)
    }

    async fn field_pass_by_hash(&self, code_hash: &str) -> Result<Option<PassRecord>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{PASS_SELECT} WHERE p.code_hash = $1"
        )))
        .bind(code_hash)
        .fetch_optional(&self.pool)
        .await?
        .map(|row| pass_from_row(&row))
        .transpose()
    }

    async fn field_case_passes(&self, case: CaseId) -> Result<Vec<PassRecord>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{PASS_SELECT} WHERE p.case_id = $1 ORDER BY p.id"
        )))
        .bind(case.0)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(pass_from_row)
        .collect()
    }

    async fn field_check_in(&self, actor: &Actor, check_in: CheckIn) -> Result<CheckInOutcome> {
        validate_check_in(&check_in)?;
        let mut tx = WriteTx::begin(&self.writer).await?;
        let outcome = check_in_within(&mut tx, actor, check_in).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Many gates' actions in one transaction: one commit for all, so the database's fixed cost
    /// per commit (the write lock, the journal, SQLCipher's page encryption) is paid once. Each
    /// action runs inside a savepoint: one that fails is undone alone and answers its error;
    /// the others stand. Nothing is acknowledged before the commit.
    async fn field_check_in_batch(
        &self,
        items: Vec<(Actor, CheckIn)>,
    ) -> Result<Vec<Result<CheckInOutcome>>> {
        let mut tx = WriteTx::begin(&self.writer).await?;
        if bulk_eligible(&items) {
            let outcomes = check_in_bulk(&mut tx, items).await?;
            tx.commit().await?;
            return Ok(outcomes);
        }
        let mut outcomes = Vec::with_capacity(items.len());
        for (actor, check_in) in items {
            if let Err(error) = validate_check_in(&check_in) {
                outcomes.push(Err(error));
                continue;
            }
            // Everything earlier actions left pending is written before the savepoint, so
            // undoing this one cannot undo theirs.
            tx.flush().await?;
            let (seq, hash) = (tx.last_seq, tx.last_hash.clone());
            sqlx::query("SAVEPOINT check_in")
                .execute(&mut *tx.tx)
                .await?;
            match check_in_within(&mut tx, &actor, check_in).await {
                Ok(outcome) => {
                    tx.flush().await?;
                    sqlx::query("RELEASE SAVEPOINT check_in")
                        .execute(&mut *tx.tx)
                        .await?;
                    outcomes.push(Ok(outcome));
                }
                Err(error) => {
                    sqlx::query("ROLLBACK TO SAVEPOINT check_in")
                        .execute(&mut *tx.tx)
                        .await?;
                    sqlx::query("RELEASE SAVEPOINT check_in")
                        .execute(&mut *tx.tx)
                        .await?;
                    tx.pending = Pending::default();
                    tx.last_seq = seq;
                    tx.last_hash = hash;
                    outcomes.push(Err(error));
                }
            }
        }
        tx.commit().await?;
        Ok(outcomes)
    }

    async fn field_gate_expected(
        &self,
        gate: &str,
        nation: Option<NationCode>,
    ) -> Result<Vec<ExpectedCase>> {
        let mut sql = format!(
            "{PASS_SELECT} WHERE lower(p.gate) = lower($1) AND p.state IN ('issued', 'used')"
        );
        if nation.is_some() {
            sql.push_str(" AND p.nation = $2");
        }
        sql.push_str(" ORDER BY p.id");
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(gate.trim());
        if let Some(nation) = nation {
            query = query.bind(nation.as_str());
        }
        let rows = query.fetch_all(&self.pool).await?;
        let mut cases = Vec::with_capacity(rows.len());
        let mut by_case = std::collections::HashMap::new();
        for row in &rows {
            let pass = pass_from_row(row)?;
            by_case.insert(pass.case.0, cases.len());
            cases.push(ExpectedCase {
                code_hash: row.try_get("code_hash")?,
                pass,
                members: Vec::new(),
            });
        }
        let mut sql = format!(
            "SELECT {PERSON_COLUMNS} FROM persons WHERE case_id IN \
             (SELECT case_id FROM passes WHERE lower(gate) = lower($1) AND state IN ('issued', 'used')"
        );
        if nation.is_some() {
            sql.push_str(" AND nation = $2");
        }
        sql.push_str(") ORDER BY case_id, relation != 'principal', id");
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(gate.trim());
        if let Some(nation) = nation {
            query = query.bind(nation.as_str());
        }
        for row in query.fetch_all(&self.pool).await? {
            let person = person_from_row(&row)?;
            if let Some(&at) = person.case.and_then(|c| by_case.get(&c.0)) {
                cases[at].members.push(person);
            }
        }
        Ok(cases)
    }

    async fn field_gate_flags(
        &self,
        nation: Option<NationCode>,
        open_only: bool,
    ) -> Result<Vec<GateFlagRecord>> {
        let mut sql = format!("SELECT {FLAG_COLUMNS} FROM gate_flags WHERE 1 = 1");
        if open_only {
            sql.push_str(" AND cleared_at IS NULL");
        }
        if nation.is_some() {
            sql.push_str(" AND nation = $1");
        }
        sql.push_str(" ORDER BY id");
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(nation) = nation {
            query = query.bind(nation.as_str());
        }
        query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(flag_from_row)
            .collect()
    }

    async fn field_clear_gate_flag(
        &self,
        actor: &Actor,
        id: i64,
        note: &str,
    ) -> Result<GateFlagRecord> {
        let note = note.trim();
        if note.is_empty() {
            return Err(StoreError::Invalid(
                "clearing a flag needs a note: what was found".into(),
            ));
        }
        let mut tx = WriteTx::begin(&self.writer).await?;
        let select = format!("SELECT {FLAG_COLUMNS} FROM gate_flags WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(select.clone()))
            .bind(id)
            .fetch_optional(&mut *tx.tx)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "gate flag",
                id: id.to_string(),
            })?;
        let flag = flag_from_row(&row)?;
        if flag.cleared_at.is_some() {
            return Err(StoreError::Invalid(format!(
                "flag {id} was already cleared by {}",
                flag.cleared_by.as_deref().unwrap_or("?")
            )));
        }
        sqlx::query(
            "UPDATE gate_flags SET cleared_at = $1, cleared_by = $2, note = $3 WHERE id = $4",
        )
        .bind(&tx.at)
        .bind(&actor.name)
        .bind(note)
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
        tx.audit(
            actor,
            Audit {
                nation: flag.nation.as_ref().map(|n| n.as_str()),
                action: "gate.flag_clear",
                entity_type: "gate_flag",
                entity_id: id.to_string(),
                before: Some(to_json(&serde_json::json!({ "flag": flag.flag }))?),
                after: Some(to_json(&serde_json::json!({ "note": note }))?),
            },
        )
        .await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(select))
            .bind(id)
            .fetch_one(&mut *tx.tx)
            .await?;
        let cleared = flag_from_row(&row)?;
        tx.commit().await?;
        Ok(cleared)
    }

    async fn field_mark_no_shows(&self, actor: &Actor, now: &str) -> Result<usize> {
        let now = format_utc(rfc3339(now, "now")?);
        let mut tx = WriteTx::begin(&self.writer).await?;
        // People still called forward whose case's newest pass is issued, unused, and over.
        let rows = sqlx::query(
            "SELECT pe.id AS person_id, pa.valid_until FROM persons pe \
             JOIN passes pa ON pa.case_id = pe.case_id \
             WHERE pe.status = 'called_forward' AND pa.state = 'issued' AND pa.valid_until < $1 \
             AND pa.id = (SELECT max(id) FROM passes WHERE case_id = pe.case_id) ORDER BY pe.id",
        )
        .bind(&now)
        .fetch_all(&mut *tx.tx)
        .await?;
        let mut marked = 0;
        for row in rows {
            let person = PersonId(row.try_get("person_id")?);
            let until: String = row.try_get("valid_until")?;
            let record = tx.person(person).await?;
            tx.change_status(
                actor,
                (&record).into(),
                EvacuationStatus::NoShow,
                Some(&format!("did not come before the window ended at {until}")),
                None,
            )
            .await?;
            marked += 1;
        }
        tx.commit().await?;
        Ok(marked)
    }

    async fn field_outbox_queued(&self, limit: u32) -> Result<Vec<OutboxMessage>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox WHERE state = 'queued' \
             OR (state = 'failed' AND attempts < 5) ORDER BY id LIMIT $1"
        )))
        .bind(i64::from(limit.clamp(1, 10_000)))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(message_from_row)
        .collect()
    }

    async fn field_outbox_result(
        &self,
        actor: &Actor,
        id: i64,
        result: std::result::Result<(), String>,
    ) -> Result<OutboxMessage> {
        let mut tx = WriteTx::begin(&self.writer).await?;
        let select = format!("SELECT {OUTBOX_COLUMNS} FROM outbox WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(select.clone()))
            .bind(id)
            .fetch_optional(&mut *tx.tx)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "message",
                id: id.to_string(),
            })?;
        let message = message_from_row(&row)?;
        if message.state == MessageState::Sent {
            return Err(StoreError::Invalid(format!(
                "message {id} was already sent"
            )));
        }
        match &result {
            Ok(()) => {
                sqlx::query(
                    "UPDATE outbox SET state = 'sent', body = NULL, sent_at = $1, attempts = attempts + 1, \
                     error = NULL WHERE id = $2",
                )
                .bind(&tx.at)
                .bind(id)
                .execute(&mut *tx.tx)
                .await?;
            }
            Err(error) => {
                sqlx::query(
                    "UPDATE outbox SET state = 'failed', attempts = attempts + 1, error = $1 WHERE id = $2",
                )
                .bind(error)
                .bind(id)
                .execute(&mut *tx.tx)
                .await?;
            }
        }
        // The recipient is personal data: the trail keeps only its last digits.
        let masked: String = {
            let chars: Vec<char> = message.recipient.chars().collect();
            let keep = chars.len().min(3);
            format!(
                "…{}",
                chars[chars.len() - keep..].iter().collect::<String>()
            )
        };
        tx.audit(
            actor,
            Audit {
                nation: Some(message.nation.as_str()),
                action: if result.is_ok() {
                    "message.sent"
                } else {
                    "message.failed"
                },
                entity_type: "message",
                entity_id: id.to_string(),
                before: None,
                after: Some(to_json(&serde_json::json!({
                    "pass": message.pass,
                    "person": message.person,
                    "channel": message.channel,
                    "language": message.language,
                    "recipient": masked,
                    "error": result.as_ref().err(),
                }))?),
            },
        )
        .await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(select))
            .bind(id)
            .fetch_one(&mut *tx.tx)
            .await?;
        let message = message_from_row(&row)?;
        tx.commit().await?;
        Ok(message)
    }

    async fn field_live_counts(&self, nation: Option<NationCode>) -> Result<Vec<LiveCount>> {
        let mut sql = format!(
            "SELECT p.nation, {CATEGORY_SQL} AS category, p.status, count(*) AS people \
             FROM persons p LEFT JOIN cases c ON c.id = p.case_id"
        );
        if nation.is_some() {
            sql.push_str(" WHERE p.nation = $1");
        }
        sql.push_str(
            " GROUP BY p.nation, category, p.status ORDER BY p.nation, category, p.status",
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(nation) = nation {
            query = query.bind(nation.as_str());
        }
        query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                Ok(LiveCount {
                    nation: parse_nation(&row.try_get::<String, _>("nation")?)?,
                    category: row.try_get("category")?,
                    status: parse_status(&row.try_get::<String, _>("status")?)?,
                    people: row.try_get("people")?,
                })
            })
            .collect()
    }

    async fn field_day_counts(&self, nation: Option<NationCode>) -> Result<Vec<DayCount>> {
        let mut sql = String::from(
            "SELECT substr(sc.at, 1, 10) AS day, p.nation, sc.to_status, \
             count(DISTINCT sc.person_id) AS people FROM status_changes sc \
             JOIN persons p ON p.id = sc.person_id \
             WHERE sc.to_status IN ('called_forward', 'no_show', 'departed', 'arrived')",
        );
        if nation.is_some() {
            sql.push_str(" AND p.nation = $1");
        }
        sql.push_str(" GROUP BY day, p.nation, sc.to_status ORDER BY day, p.nation, sc.to_status");
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(nation) = nation {
            query = query.bind(nation.as_str());
        }
        query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                Ok(DayCount {
                    day: row.try_get("day")?,
                    nation: parse_nation(&row.try_get::<String, _>("nation")?)?,
                    status: parse_status(&row.try_get::<String, _>("to_status")?)?,
                    people: row.try_get("people")?,
                })
            })
            .collect()
    }

    async fn field_flight_counts(&self, nation: Option<NationCode>) -> Result<Vec<FlightCount>> {
        let mut sql = String::from(
            "SELECT sc.location AS flight, sc.to_status, count(DISTINCT sc.person_id) AS people, \
             min(substr(sc.at, 1, 10)) AS first_day FROM status_changes sc \
             JOIN persons p ON p.id = sc.person_id \
             WHERE sc.to_status IN ('manifested', 'boarded', 'departed') AND sc.location IS NOT NULL",
        );
        if nation.is_some() {
            sql.push_str(" AND p.nation = $1");
        }
        sql.push_str(" GROUP BY sc.location, sc.to_status ORDER BY sc.location");
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(nation) = nation {
            query = query.bind(nation.as_str());
        }
        let mut flights: std::collections::BTreeMap<String, FlightCount> = Default::default();
        for row in query.fetch_all(&self.pool).await? {
            let flight: String = row.try_get("flight")?;
            let status: String = row.try_get("to_status")?;
            let people: i64 = row.try_get("people")?;
            let entry = flights
                .entry(flight.clone())
                .or_insert_with(|| FlightCount {
                    flight,
                    manifested: 0,
                    boarded: 0,
                    departed: 0,
                    departed_on: None,
                });
            match status.as_str() {
                "manifested" => entry.manifested = people,
                "boarded" => entry.boarded = people,
                _ => {
                    entry.departed = people;
                    entry.departed_on = row.try_get("first_day")?;
                }
            }
        }
        Ok(flights.into_values().collect())
    }
}

/// What can be refused about a gate action before opening a transaction.
fn validate_check_in(check_in: &CheckIn) -> Result<()> {
    let event = &check_in.event;
    let op_id = event.op_id.trim();
    if op_id.is_empty() || op_id.len() > 100 {
        return Err(StoreError::Invalid(
            "a gate action needs an id of 1 to 100 characters (the device chooses it)".into(),
        ));
    }
    if event.gate.trim().is_empty() {
        return Err(StoreError::Invalid("a gate action needs its gate".into()));
    }
    if event.action.members().is_empty() {
        return Err(StoreError::Invalid(
            "a gate action names the members it is about".into(),
        ));
    }
    if let GateAction::Deny { reason, .. } = &event.action
        && reason.trim().is_empty()
    {
        return Err(StoreError::Invalid("a denial needs a reason".into()));
    }
    if check_in.code_hash.is_none() && check_in.case.is_none() {
        return Err(StoreError::Invalid(
            "a gate action names a pass or, for someone without one, a case".into(),
        ));
    }
    Ok(())
}

/// A gate action inside an open write transaction: recorded, settled and applied, or refused
/// and recorded. The caller commits.
async fn check_in_within(
    tx: &mut WriteTx,
    actor: &Actor,
    check_in: CheckIn,
) -> Result<CheckInOutcome> {
    let event = &check_in.event;
    let op_id = event.op_id.trim();
    if let Some(row) = sqlx::query("SELECT gate, action FROM gate_events WHERE op_id = $1")
        .bind(op_id)
        .fetch_optional(&mut *tx.tx)
        .await?
    {
        let gate: String = row.try_get("gate")?;
        let action: String = row.try_get("action")?;
        if gate == event.gate && action == to_json(&event.action)? {
            return Ok(CheckInOutcome::Duplicate);
        }
        return Err(StoreError::Invalid(format!(
            "action id {op_id} was already used for another action: a device must not reuse ids"
        )));
    }
    let pass = match &check_in.code_hash {
        Some(hash) => {
            let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                "{PASS_SELECT} WHERE p.code_hash = $1"
            )))
            .bind(hash)
            .fetch_optional(&mut *tx.tx)
            .await?;
            match row {
                Some(row) => Some(pass_from_row(&row)?),
                None => {
                    let outcome = tx.refuse(actor, &check_in, None, Refusal::Unknown).await?;
                    return Ok(outcome);
                }
            }
        }
        None => None,
    };
    let case_id = match (&pass, check_in.case) {
        (Some(pass), Some(case)) if pass.case != case => {
            return Err(StoreError::Invalid(format!(
                "this pass is case {}'s, not case {case}'s",
                pass.case
            )));
        }
        (Some(pass), _) => pass.case,
        (None, Some(case)) => case,
        (None, None) => unreachable!("checked above"),
    };
    // The case's members, read once: every check below and every status change works on
    // these (one statement instead of one per member, twice).
    tx.flush().await?;
    let mut members = std::collections::BTreeMap::new();
    for row in sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {PERSON_COLUMNS} FROM persons WHERE case_id = $1"
    )))
    .bind(case_id.0)
    .fetch_all(&mut *tx.tx)
    .await?
    {
        let record = person_from_row(&row)?;
        members.insert(record.id.0, record);
    }
    let Some(nation) = members.values().next().map(|p| p.nation) else {
        return Err(StoreError::NotFound {
            entity: "case",
            id: case_id.to_string(),
        });
    };
    for member in event.action.members() {
        if !members.contains_key(member) {
            return Err(StoreError::Invalid(format!(
                "P{member} is not in case {case_id}"
            )));
        }
    }
    // What the pass has seen so far (applied actions only; a pass nobody used has none).
    let prior: Vec<GateEvent> = match pass.as_ref().filter(|p| p.used_gate.is_some()) {
        Some(pass) => sqlx::query(
            "SELECT op_id, gate, at_ms, action FROM gate_events \
                 WHERE pass_id = $1 AND outcome = 'applied' ORDER BY id",
        )
        .bind(pass.id)
        .fetch_all(&mut *tx.tx)
        .await?
        .iter()
        .map(|row| {
            Ok(GateEvent {
                op_id: row.try_get("op_id")?,
                gate: row.try_get("gate")?,
                at_ms: row.try_get("at_ms")?,
                action: from_json(&row.try_get::<String, _>("action")?, "gate action")?,
            })
        })
        .collect::<Result<_>>()?,
        None => Vec::new(),
    };
    let mut flags: Vec<String> = Vec::new();
    if let Some(pass) = &pass {
        let refusal = online_refusal(pass, &prior, event, time::OffsetDateTime::now_utc())?;
        match refusal {
            // Online, the gate is told and nothing changes.
            Some(refusal) if !check_in.offline => {
                let outcome = tx.refuse(actor, &check_in, Some(pass), refusal).await?;
                return Ok(outcome);
            }
            // Offline, the gate could not ask: what it did is recorded and settled by the
            // rule; a person looks at why it would have been refused. (Used at another gate
            // and admitted twice are the rule's own flags, raised below.)
            Some(
                refusal @ (Refusal::Revoked { .. }
                | Refusal::OtherGate { .. }
                | Refusal::Expired { .. }
                | Refusal::NotYet { .. }),
            ) => flags.push(format!(
                "offline action on a pass that was not valid: {refusal}"
            )),
            _ => {}
        }
    } else {
        flags.push(format!(
            "no pass shown: {} at {} acted on case {case_id} found by search",
            event.action.kind(),
            event.gate
        ));
    }
    for (person, seen) in &check_in.seen_versions {
        if let Some(record) = members.get(&person.0)
            && record.version != *seen
        {
            flags.push(format!(
                    "changed while the gate was offline: {person} was at version {seen} at the gate, {} here",
                    record.version
                ));
        }
    }
    tx.insert_gate_event(
        actor,
        &check_in,
        pass.as_ref().map(|p| p.id),
        Some(case_id),
        None,
    )
    .await?;
    // Names given at the gate to dependents listed without one.
    for (person, name) in &check_in.names {
        let name = name.trim();
        let Some(record) = members.get(&person.0) else {
            return Err(StoreError::Invalid(format!(
                "{person} is not in case {case_id}"
            )));
        };
        if name.is_empty() {
            continue;
        }
        if !record.person.name.is_unnamed() {
            if record.person.name.display() != name {
                flags.push(format!(
                    "named at the gate as '{name}', but {person} already has a name"
                ));
            }
            continue;
        }
        let mut person_data = record.person.clone();
        person_data.name.full = Some(name.to_owned());
        let details = to_json(&person_data)?;
        tx.rewrite_person(*person, &person_data, &details).await?;
        tx.audit(
            actor,
            Audit {
                nation: Some(record.nation.as_str()),
                action: "person.update",
                entity_type: "person",
                entity_id: person.to_string(),
                before: Some(to_json(&record.person)?),
                after: Some(details),
            },
        )
        .await?;
    }
    let mut all = prior;
    all.push(GateEvent {
        op_id: op_id.to_owned(),
        ..event.clone()
    });
    let resolution = airbridge_field::resolve(&all)
        .ok_or_else(|| StoreError::Corrupt("a gate action vanished".into()))?;
    let mut changes = Vec::new();
    if resolution.ignored.contains(op_id) {
        // Another gate holds the pass: this action is kept and flagged, not applied.
    } else {
        for (member, outcome) in &resolution.members {
            let (target, reason) = target_status(outcome);
            let Some(record) = members.get_mut(member) else {
                return Err(StoreError::Invalid(format!(
                    "P{member} is not in case {case_id}"
                )));
            };
            match gate_path(record.status, target) {
                Some(path) => {
                    let mut moving: Moving = (&*record).into();
                    for step in path {
                        let reason = if step == EvacuationStatus::Denied {
                            reason
                        } else {
                            None
                        };
                        let change = tx
                            .change_status(actor, moving, step, reason, Some(&resolution.gate))
                            .await?;
                        moving.status = step;
                        record.status = step;
                        changes.push(change);
                    }
                }
                None => flags.push(format!(
                    "not applied: P{member} is {}, the gate says {target}",
                    record.status
                )),
            }
        }
    }
    let mut filed: Vec<(String, String, String)> = flags
        .iter()
        .map(|f| (event.gate.clone(), op_id.to_owned(), f.clone()))
        .collect();
    for flag in &resolution.flags {
        let flag = filed_flag(flag, &resolution.gate);
        flags.push(flag.2.clone());
        filed.push(flag);
    }
    if let Some(pass) = &pass {
        sqlx::query(
            "UPDATE passes SET state = CASE WHEN state = 'revoked' THEN state ELSE 'used' END, \
                 used_gate = $1, used_at = $2 WHERE id = $3",
        )
        .bind(&resolution.gate)
        .bind(millis_to_rfc3339(resolution.first_at_ms))
        .bind(pass.id)
        .execute(&mut *tx.tx)
        .await?;
    }
    for (gate, op, flag) in &filed {
        tx.raise_flag(pass.as_ref(), Some(case_id), Some(nation), gate, op, flag)
            .await?;
    }
    let subject = match &pass {
        Some(p) => ("pass", p.id.to_string()),
        None => ("case", case_id.to_string()),
    };
    tx.audit_check_in(actor, &check_in, nation, subject, flags.len())
        .await?;
    let pass = pass.map(|p| Box::new(as_used(p, resolution.gate.clone(), resolution.first_at_ms)));
    Ok(CheckInOutcome::Applied {
        pass,
        changes,
        flags,
    })
}

/// What the bulk path decided for one check-in before anything is written.
enum Planned {
    /// Answered without writing (a duplicate, or an error of the caller's).
    Answer(Result<CheckInOutcome>),
    Refused {
        index: usize,
        pass: Option<PassRecord>,
        refusal: Refusal,
    },
    Applied {
        index: usize,
        pass: PassRecord,
        nation: NationCode,
        resolution_gate: String,
        first_at_ms: i64,
        steps: Vec<(PersonId, EvacuationStatus, EvacuationStatus, Option<String>)>,
        flags: Vec<String>,
        /// The flags with the gate and action each is filed under.
        filed: Vec<(String, String, String)>,
    },
}

/// Whether a batch can take the bulk path: online actions on passes, nothing to rename, no two
/// actions on one pass or with one id (those, and offline syncs, take the savepoint path, one
/// action after another).
fn bulk_eligible(items: &[(Actor, CheckIn)]) -> bool {
    let mut ops = std::collections::HashSet::new();
    let mut hashes = std::collections::HashSet::new();
    items.iter().all(|(_, c)| {
        !c.offline
            && c.names.is_empty()
            && c.code_hash
                .as_ref()
                .is_some_and(|h| hashes.insert(h.clone()))
            && ops.insert(c.event.op_id.trim().to_owned())
    })
}

/// The bulk path: every pass, member and earlier action the batch needs is read in a handful
/// of statements, each action is decided in memory by the same rules as `check_in_within`, and
/// everything is written with multi-row statements. Per batch, about ten statements instead of
/// a dozen per action: on SQLite most of an action's cost was the round trips, not the work.
async fn check_in_bulk(
    tx: &mut WriteTx,
    items: Vec<(Actor, CheckIn)>,
) -> Result<Vec<Result<CheckInOutcome>>> {
    tx.flush().await?;
    // Earlier actions with the same ids.
    let mut known_ops = std::collections::HashMap::new();
    let mut passes = std::collections::HashMap::new();
    for chunk in items.chunks(ROWS_PER_STATEMENT) {
        let mut query =
            QueryBuilder::<Db>::new("SELECT op_id, gate, action FROM gate_events WHERE op_id IN (");
        let mut list = query.separated(", ");
        for (_, c) in chunk {
            list.push_bind(c.event.op_id.trim().to_owned());
        }
        query.push(")");
        for row in query.build().fetch_all(&mut *tx.tx).await? {
            let op: String = row.try_get("op_id")?;
            known_ops.insert(
                op,
                (
                    row.try_get::<String, _>("gate")?,
                    row.try_get::<String, _>("action")?,
                ),
            );
        }
        let mut query = QueryBuilder::<Db>::new(PASS_SELECT);
        query.push(" WHERE p.code_hash IN (");
        let mut list = query.separated(", ");
        for (_, c) in chunk {
            list.push_bind(c.code_hash.clone().unwrap_or_default());
        }
        query.push(")");
        for row in query.build().fetch_all(&mut *tx.tx).await? {
            let hash: String = row.try_get("code_hash")?;
            passes.insert(hash, pass_from_row(&row)?);
        }
    }
    // The members of every case concerned, and what was done before with passes already used.
    let case_ids: Vec<i64> = passes.values().map(|p| p.case.0).collect();
    let used: Vec<i64> = passes
        .values()
        .filter(|p| p.used_gate.is_some())
        .map(|p| p.id)
        .collect();
    let mut members: std::collections::HashMap<i64, Vec<PersonRecord>> = Default::default();
    for chunk in case_ids.chunks(ROWS_PER_STATEMENT) {
        let mut query = QueryBuilder::<Db>::new(format!(
            "SELECT {PERSON_COLUMNS} FROM persons WHERE case_id IN ("
        ));
        let mut list = query.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        query.push(")");
        for row in query.build().fetch_all(&mut *tx.tx).await? {
            let person = person_from_row(&row)?;
            if let Some(case) = person.case {
                members.entry(case.0).or_default().push(person);
            }
        }
    }
    let mut prior: std::collections::HashMap<i64, Vec<GateEvent>> = Default::default();
    for chunk in used.chunks(ROWS_PER_STATEMENT) {
        let mut query = QueryBuilder::<Db>::new(
            "SELECT pass_id, op_id, gate, at_ms, action FROM gate_events WHERE outcome = 'applied' AND pass_id IN (",
        );
        let mut list = query.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        query.push(") ORDER BY id");
        for row in query.build().fetch_all(&mut *tx.tx).await? {
            prior
                .entry(row.try_get("pass_id")?)
                .or_default()
                .push(GateEvent {
                    op_id: row.try_get("op_id")?,
                    gate: row.try_get("gate")?,
                    at_ms: row.try_get("at_ms")?,
                    action: from_json(&row.try_get::<String, _>("action")?, "gate action")?,
                });
        }
    }

    // Decide each action in memory.
    let now = time::OffsetDateTime::now_utc();
    let mut plans = Vec::with_capacity(items.len());
    for (index, (_, check_in)) in items.iter().enumerate() {
        if let Err(error) = validate_check_in(check_in) {
            plans.push(Planned::Answer(Err(error)));
            continue;
        }
        let event = &check_in.event;
        let op_id = event.op_id.trim();
        if let Some((gate, action)) = known_ops.get(op_id) {
            plans.push(Planned::Answer(if *gate == event.gate && *action == to_json(&event.action)? {
                Ok(CheckInOutcome::Duplicate)
            } else {
                Err(StoreError::Invalid(format!(
                    "action id {op_id} was already used for another action: a device must not reuse ids"
                )))
            }));
            continue;
        }
        let hash = check_in.code_hash.as_deref().unwrap_or_default();
        let Some(pass) = passes.get(hash) else {
            plans.push(Planned::Refused {
                index,
                pass: None,
                refusal: Refusal::Unknown,
            });
            continue;
        };
        if let Some(case) = check_in.case
            && case != pass.case
        {
            plans.push(Planned::Answer(Err(StoreError::Invalid(format!(
                "this pass is case {}'s, not case {case}'s",
                pass.case
            )))));
            continue;
        }
        let people = members
            .get(&pass.case.0)
            .map(Vec::as_slice)
            .unwrap_or_default();
        if let Some(stranger) = event
            .action
            .members()
            .iter()
            .find(|m| !people.iter().any(|p| p.id.0 == **m))
        {
            plans.push(Planned::Answer(Err(StoreError::Invalid(format!(
                "P{stranger} is not in case {}",
                pass.case
            )))));
            continue;
        }
        let earlier = prior.get(&pass.id).cloned().unwrap_or_default();
        if let Some(refusal) = online_refusal(pass, &earlier, event, now)? {
            plans.push(Planned::Refused {
                index,
                pass: Some(pass.clone()),
                refusal,
            });
            continue;
        }
        let mut flags = Vec::new();
        for (person, seen) in &check_in.seen_versions {
            if let Some(record) = people.iter().find(|p| p.id == *person)
                && record.version != *seen
            {
                flags.push(format!(
                    "changed while the gate was offline: {person} was at version {seen} at the gate, {} here",
                    record.version
                ));
            }
        }
        let mut all = earlier;
        all.push(GateEvent {
            op_id: op_id.to_owned(),
            ..event.clone()
        });
        let resolution = airbridge_field::resolve(&all)
            .ok_or_else(|| StoreError::Corrupt("a gate action vanished".into()))?;
        let mut steps = Vec::new();
        for (member, outcome) in &resolution.members {
            let (target, reason) = target_status(outcome);
            let Some(record) = people.iter().find(|p| p.id.0 == *member) else {
                continue;
            };
            match gate_path(record.status, target) {
                Some(path) => {
                    let mut from = record.status;
                    for step in path {
                        let reason = (step == EvacuationStatus::Denied)
                            .then(|| reason.unwrap_or_default().to_owned());
                        from.check_transition(step, reason.as_deref())?;
                        steps.push((record.id, from, step, reason));
                        from = step;
                    }
                }
                None => flags.push(format!(
                    "not applied: P{member} is {}, the gate says {target}",
                    record.status
                )),
            }
        }
        let mut filed: Vec<(String, String, String)> = flags
            .iter()
            .map(|f| (event.gate.clone(), op_id.to_owned(), f.clone()))
            .collect();
        for flag in &resolution.flags {
            let flag = filed_flag(flag, &resolution.gate);
            flags.push(flag.2.clone());
            filed.push(flag);
        }
        plans.push(Planned::Applied {
            filed,
            index,
            pass: pass.clone(),
            nation: pass.nation,
            resolution_gate: resolution.gate.clone(),
            first_at_ms: resolution.first_at_ms,
            steps,
            flags,
        });
    }

    // Write: the gate's actions, the people's statuses, the passes, then history and audit.
    let mut next_event: i64 =
        sqlx::query_scalar("SELECT coalesce(max(id), 0) + 1 FROM gate_events")
            .fetch_one(&mut *tx.tx)
            .await?;
    let mut event_rows = Vec::new();
    for plan in &plans {
        let (index, pass, refusal) = match plan {
            Planned::Answer(_) => continue,
            Planned::Refused {
                index,
                pass,
                refusal,
            } => (*index, pass.as_ref(), Some(refusal)),
            Planned::Applied { index, pass, .. } => (*index, Some(pass), None),
        };
        let (actor, check_in) = &items[index];
        event_rows.push((
            next_event,
            check_in.event.op_id.trim().to_owned(),
            pass.map(|p| p.id),
            pass.map(|p| p.case.0),
            check_in.event.gate.clone(),
            to_json(&check_in.event.action)?,
            check_in.event.at_ms,
            actor.name.clone(),
            refusal.map(to_json).transpose()?,
        ));
        next_event += 1;
    }
    for chunk in event_rows.chunks(ROWS_PER_STATEMENT / 4) {
        QueryBuilder::<Db>::new(
            "INSERT INTO gate_events (id, op_id, pass_id, case_id, gate, action, at_ms, offline, actor, received_at, outcome, refusal) ",
        )
        .push_values(chunk, |mut row, e| {
            row.push_bind(e.0)
                .push_bind(e.1.clone())
                .push_bind(e.2)
                .push_bind(e.3)
                .push_bind(e.4.clone())
                .push_bind(e.5.clone())
                .push_bind(e.6)
                .push_bind(0_i64)
                .push_bind(e.7.clone())
                .push_bind(tx.at.clone())
                .push_bind(if e.8.is_some() { "refused" } else { "applied" })
                .push_bind(e.8.clone());
        })
        .build()
        .execute(&mut *tx.tx)
        .await?;
    }
    // Each person's final status and how many changes it took.
    let mut finals: std::collections::BTreeMap<i64, (EvacuationStatus, i64)> = Default::default();
    let mut pass_updates = Vec::new();
    for plan in &plans {
        if let Planned::Applied {
            pass,
            steps,
            resolution_gate,
            first_at_ms,
            ..
        } = plan
        {
            for (person, _, to, _) in steps {
                let entry = finals.entry(person.0).or_insert((*to, 0));
                entry.0 = *to;
                entry.1 += 1;
            }
            pass_updates.push((
                pass.id,
                pass.state == PassState::Revoked,
                resolution_gate.clone(),
                millis_to_rfc3339(*first_at_ms),
            ));
        }
    }
    let finals: Vec<(i64, (EvacuationStatus, i64))> = finals.into_iter().collect();
    for chunk in finals.chunks(ROWS_PER_STATEMENT / 4) {
        let mut query = QueryBuilder::<Db>::new("UPDATE persons SET status = CASE id");
        for (id, (status, _)) in chunk {
            query
                .push(" WHEN ")
                .push_bind(*id)
                .push(" THEN ")
                .push_bind(status.as_str());
        }
        query.push(" END, version = version + CASE id");
        for (id, (_, steps)) in chunk {
            query
                .push(" WHEN ")
                .push_bind(*id)
                .push(" THEN ")
                .push_bind(*steps);
        }
        query
            .push(" END, updated_at = ")
            .push_bind(tx.at.clone())
            .push(" WHERE id IN (");
        let mut list = query.separated(", ");
        for (id, _) in chunk {
            list.push_bind(*id);
        }
        query.push(")");
        query.build().execute(&mut *tx.tx).await?;
    }
    for chunk in pass_updates.chunks(ROWS_PER_STATEMENT / 4) {
        let mut query = QueryBuilder::<Db>::new("UPDATE passes SET state = CASE id");
        for (id, revoked, _, _) in chunk {
            query
                .push(" WHEN ")
                .push_bind(*id)
                .push(" THEN ")
                .push_bind(if *revoked { "revoked" } else { "used" });
        }
        query.push(" END, used_gate = CASE id");
        for (id, _, gate, _) in chunk {
            query
                .push(" WHEN ")
                .push_bind(*id)
                .push(" THEN ")
                .push_bind(gate.clone());
        }
        query.push(" END, used_at = CASE id");
        for (id, _, _, at) in chunk {
            query
                .push(" WHEN ")
                .push_bind(*id)
                .push(" THEN ")
                .push_bind(at.clone());
        }
        query.push(" END WHERE id IN (");
        let mut list = query.separated(", ");
        for (id, _, _, _) in chunk {
            list.push_bind(*id);
        }
        query.push(")");
        query.build().execute(&mut *tx.tx).await?;
    }
    // History rows, flags and audit events, in the actions' order; then the answers.
    let mut answers = Vec::with_capacity(plans.len());
    for plan in plans {
        match plan {
            Planned::Answer(answer) => answers.push(answer),
            Planned::Refused {
                index,
                pass,
                refusal,
            } => {
                let (actor, check_in) = &items[index];
                tx.audit_refusal(actor, check_in, pass.as_ref(), &refusal)
                    .await?;
                answers.push(Ok(CheckInOutcome::Refused { refusal }));
            }
            Planned::Applied {
                index,
                pass,
                nation,
                resolution_gate,
                first_at_ms,
                steps,
                flags,
                filed,
            } => {
                let (actor, check_in) = &items[index];
                let mut changes = Vec::with_capacity(steps.len());
                for (person, from, to, reason) in steps {
                    let id = tx.next_id(IdTable::StatusChanges).await?;
                    let change = StatusChange {
                        id,
                        person,
                        from,
                        to,
                        actor: actor.name.clone(),
                        at: tx.at.clone(),
                        location: Some(resolution_gate.clone()),
                        reason: reason.clone(),
                    };
                    tx.pending.status_changes.push(StatusRow {
                        id,
                        person: person.0,
                        from,
                        to,
                        actor: actor.name.clone(),
                        location: Some(resolution_gate.clone()),
                        reason,
                    });
                    tx.audit(
                        actor,
                        Audit {
                            nation: Some(nation.as_str()),
                            action: "person.status",
                            entity_type: "person",
                            entity_id: person.to_string(),
                            before: Some(to_json(&serde_json::json!({ "status": from }))?),
                            after: Some(to_json(&change)?),
                        },
                    )
                    .await?;
                    changes.push(change);
                }
                for (gate, op, flag) in &filed {
                    tx.raise_flag(Some(&pass), Some(pass.case), Some(nation), gate, op, flag)
                        .await?;
                }
                tx.audit_check_in(
                    actor,
                    check_in,
                    nation,
                    ("pass", pass.id.to_string()),
                    flags.len(),
                )
                .await?;
                answers.push(Ok(CheckInOutcome::Applied {
                    pass: Some(Box::new(as_used(pass, resolution_gate, first_at_ms))),
                    changes,
                    flags,
                }));
            }
        }
    }
    Ok(answers)
}

/// Why a gate that can ask the server is refused this action on this pass, if it is: revoked,
/// for another gate, already used (elsewhere, or these members here), outside its window.
fn online_refusal(
    pass: &PassRecord,
    earlier: &[GateEvent],
    event: &GateEvent,
    now: time::OffsetDateTime,
) -> Result<Option<Refusal>> {
    let until = rfc3339(&pass.valid_until, "the pass's end")?;
    let from = rfc3339(&pass.valid_from, "the pass's start")?;
    let held = airbridge_field::resolve(earlier);
    Ok(if pass.state == PassState::Revoked {
        Some(Refusal::Revoked {
            at: pass.revoked_at.clone().unwrap_or_default(),
            reason: pass.revoke_reason.clone().unwrap_or_default(),
        })
    } else if !pass.gate.eq_ignore_ascii_case(event.gate.trim()) {
        Some(Refusal::OtherGate {
            gate: pass.gate.clone(),
        })
    } else if let Some(held) = held.as_ref().filter(|h| h.gate != event.gate) {
        Some(Refusal::AlreadyUsed {
            gate: held.gate.clone(),
            at: millis_to_rfc3339(held.first_at_ms),
        })
    } else if let (GateAction::Admit { members }, Some(held)) = (&event.action, &held)
        && members.iter().any(|m| held.members.contains_key(m))
    {
        Some(Refusal::AlreadyUsed {
            gate: held.gate.clone(),
            at: millis_to_rfc3339(held.first_at_ms),
        })
    } else if matches!(event.action, GateAction::Admit { .. }) && now > until {
        Some(Refusal::Expired {
            until: pass.valid_until.clone(),
        })
    } else if matches!(event.action, GateAction::Admit { .. }) && now < from {
        Some(Refusal::NotYet {
            from: pass.valid_from.clone(),
        })
    } else {
        None
    })
}
