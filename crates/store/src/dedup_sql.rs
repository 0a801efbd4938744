// Deduplication's statements, shared by both backends like `registry_sql.rs` (included after
// it): runs, the latest run's clusters, and the review queue with its decisions. See `dedup.rs`
// for the records.

use crate::dedup::{
    DedupRunRecord, DedupStore, NewDedupRun, NewMatches, NewReviewPair, PairDecision, PairRecord,
    ReviewQuery,
};

const PAIR_SELECT: &str = "SELECT p.person_a, p.person_b, pa.nation AS nation_a, \
     pb.nation AS nation_b, p.probability, p.explanation, p.run, p.decision, p.reason, \
     p.decided_by, p.decided_at, p.version \
     FROM dedup_pairs p JOIN persons pa ON pa.id = p.person_a JOIN persons pb ON pb.id = p.person_b";

fn decision_from_text(text: Option<String>) -> Result<Option<PairDecision>> {
    text.map(|text| {
        PairDecision::parse(&text)
            .ok_or_else(|| StoreError::Corrupt(format!("pair decision '{text}'")))
    })
    .transpose()
}

fn pair_from_row(row: &DbRow) -> Result<PairRecord> {
    let nation = |column: &str| -> Result<NationCode> {
        let text: String = row.try_get(column)?;
        NationCode::parse(&text).map_err(|_| StoreError::Corrupt(format!("{column} '{text}'")))
    };
    let explanation: String = row.try_get("explanation")?;
    Ok(PairRecord {
        a: PersonId(row.try_get("person_a")?),
        b: PersonId(row.try_get("person_b")?),
        nation_a: nation("nation_a")?,
        nation_b: nation("nation_b")?,
        probability: row.try_get("probability")?,
        explanation: from_json(&explanation, "pair explanation")?,
        run: row.try_get("run")?,
        decision: decision_from_text(row.try_get("decision")?)?,
        reason: row.try_get("reason")?,
        decided_by: row.try_get("decided_by")?,
        decided_at: row.try_get("decided_at")?,
        version: row.try_get("version")?,
    })
}

fn dedup_run_from_row(row: &DbRow) -> Result<DedupRunRecord> {
    Ok(DedupRunRecord {
        id: row.try_get("id")?,
        records: row.try_get("records")?,
        pairs_scored: row.try_get("pairs_scored")?,
        links: row.try_get("links")?,
        clusters: row.try_get("clusters")?,
        duplicates: row.try_get("duplicates")?,
        queued: row.try_get("queued")?,
        threshold: row.try_get("threshold")?,
        review_low: row.try_get("review_low")?,
        review_high: row.try_get("review_high")?,
        actor: row.try_get("actor")?,
        created_at: row.try_get("created_at")?,
    })
}

/// A pair in the stored order (smaller id first); the same person twice is refused.
fn ordered_pair(a: PersonId, b: PersonId) -> Result<(PersonId, PersonId)> {
    if a == b {
        return Err(StoreError::Invalid(format!(
            "{a} and {b} are one record: a pair needs two different people's records"
        )));
    }
    Ok((a.min(b), a.max(b)))
}

impl WriteTx {
    /// Stores pairs for review from run `run`. A pair already stored keeps its decision; with
    /// `refresh`, an "unsure" one takes the new score, otherwise stored pairs are left alone.
    async fn queue_pairs(
        &mut self,
        pairs: &[NewReviewPair],
        run: i64,
        refresh: bool,
    ) -> Result<()> {
        for chunk in pairs.chunks(ROWS_PER_STATEMENT / 2) {
            let explanations = chunk
                .iter()
                .map(|pair| to_json(&pair.explanation))
                .collect::<Result<Vec<String>>>()?;
            let mut query = QueryBuilder::<Db>::new(
                "INSERT INTO dedup_pairs (person_a, person_b, probability, explanation, run, \
                 created_at, updated_at) ",
            );
            let at = self.at.clone();
            query.push_values(chunk.iter().zip(explanations), |mut row, (pair, text)| {
                row.push_bind(pair.a.0)
                    .push_bind(pair.b.0)
                    .push_bind(pair.probability)
                    .push_bind(text)
                    .push_bind(run)
                    .push_bind(at.clone())
                    .push_bind(at.clone());
            });
            // A decided pair keeps its decision (and its version: nothing a reviewer saw
            // changed); only an unsure one gets the new score.
            if refresh {
                query.push(
                    " ON CONFLICT (person_a, person_b) DO UPDATE SET \
                     probability = CASE WHEN dedup_pairs.decision = 'unsure' \
                         THEN excluded.probability ELSE dedup_pairs.probability END, \
                     explanation = CASE WHEN dedup_pairs.decision = 'unsure' \
                         THEN excluded.explanation ELSE dedup_pairs.explanation END, \
                     run = CASE WHEN dedup_pairs.decision = 'unsure' \
                         THEN excluded.run ELSE dedup_pairs.run END",
                );
            } else {
                query.push(" ON CONFLICT (person_a, person_b) DO NOTHING");
            }
            query.build().execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    async fn pair(&mut self, a: PersonId, b: PersonId) -> Result<Option<PairRecord>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{PAIR_SELECT} WHERE p.person_a = $1 AND p.person_b = $2"
        )))
        .bind(a.0)
        .bind(b.0)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.as_ref().map(pair_from_row).transpose()
    }
}

impl DedupStore for ThisStore {
    async fn pair_decisions(&self) -> Result<Vec<(PersonId, PersonId, PairDecision)>> {
        let rows = sqlx::query(
            "SELECT person_a, person_b, decision FROM dedup_pairs \
             WHERE decision IN ('same', 'not_same') ORDER BY person_a, person_b",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let decision = decision_from_text(row.try_get("decision")?)?
                    .ok_or_else(|| StoreError::Corrupt("pair decision missing".into()))?;
                Ok((
                    PersonId(row.try_get("person_a")?),
                    PersonId(row.try_get("person_b")?),
                    decision,
                ))
            })
            .collect()
    }

    async fn save_dedup_run(&self, actor: &Actor, run: NewDedupRun) -> Result<DedupRunRecord> {
        let band_ok = (0.0..=1.0).contains(&run.review_low)
            && (0.0..=1.0).contains(&run.review_high)
            && run.review_low <= run.review_high;
        if !(band_ok && run.threshold > 0.0 && run.threshold < 1.0) {
            return Err(StoreError::Invalid(format!(
                "a dedup run needs 0 < threshold < 1 and a review band inside [0, 1], got threshold {} and band [{}, {})",
                run.threshold, run.review_low, run.review_high
            )));
        }
        let mut review = run.review;
        for pair in &mut review {
            let (a, b) = ordered_pair(pair.a, pair.b)?;
            pair.a = a;
            pair.b = b;
        }
        review.sort_by_key(|pair| (pair.a, pair.b));
        review.dedup_by_key(|pair| (pair.a, pair.b));
        let mut sizes: std::collections::HashMap<PersonId, i64> = Default::default();
        for (_, cluster) in &run.clusters {
            *sizes.entry(*cluster).or_default() += 1;
        }
        let duplicates: i64 = sizes.values().filter(|&&n| n > 1).sum();

        let mut tx = WriteTx::begin(&self.writer).await?;
        let previous: Option<i64> = sqlx::query_scalar("SELECT max(id) FROM dedup_runs")
            .fetch_one(&mut *tx.tx)
            .await?;
        let id = previous.unwrap_or(0) + 1;
        sqlx::query(
            "INSERT INTO dedup_runs (id, records, pairs_scored, links, clusters, duplicates, \
             queued, threshold, review_low, review_high, model, actor, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9, $10, $11, $12)",
        )
        .bind(id)
        .bind(run.records)
        .bind(run.pairs_scored)
        .bind(run.links)
        .bind(sizes.len() as i64)
        .bind(duplicates)
        .bind(run.threshold)
        .bind(run.review_low)
        .bind(run.review_high)
        .bind(to_json(&run.model)?)
        .bind(&actor.name)
        .bind(&tx.at)
        .execute(&mut *tx.tx)
        .await?;

        sqlx::query("DELETE FROM dedup_clusters")
            .execute(&mut *tx.tx)
            .await?;
        for chunk in run.clusters.chunks(ROWS_PER_STATEMENT) {
            QueryBuilder::<Db>::new("INSERT INTO dedup_clusters (person_id, cluster, run) ")
                .push_values(chunk, |mut row, (person, cluster)| {
                    row.push_bind(person.0).push_bind(cluster.0).push_bind(id);
                })
                .build()
                .execute(&mut *tx.tx)
                .await?;
        }

        // Undecided pairs this run did not find uncertain leave the queue; "unsure" ones stay
        // (a reviewer looked at them), with their old score unless this run refreshes it.
        sqlx::query("DELETE FROM dedup_pairs WHERE decision IS NULL")
            .execute(&mut *tx.tx)
            .await?;
        tx.queue_pairs(&review, id, true).await?;
        let queued: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM dedup_pairs WHERE decision IS NULL OR decision = 'unsure'",
        )
        .fetch_one(&mut *tx.tx)
        .await?;
        sqlx::query("UPDATE dedup_runs SET queued = $1 WHERE id = $2")
            .bind(queued)
            .bind(id)
            .execute(&mut *tx.tx)
            .await?;
        let record = DedupRunRecord {
            id,
            records: run.records,
            pairs_scored: run.pairs_scored,
            links: run.links,
            clusters: sizes.len() as i64,
            duplicates,
            queued,
            threshold: run.threshold,
            review_low: run.review_low,
            review_high: run.review_high,
            actor: actor.name.clone(),
            created_at: tx.at.clone(),
        };
        tx.audit(
            actor,
            Audit {
                nation: None,
                action: "dedup.run",
                entity_type: "dedup_run",
                entity_id: id.to_string(),
                before: None,
                after: Some(to_json(&record)?),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(record)
    }

    async fn latest_dedup_run(&self) -> Result<Option<DedupRunRecord>> {
        let row = sqlx::query("SELECT * FROM dedup_runs ORDER BY id DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(dedup_run_from_row).transpose()
    }

    async fn dedup_model(&self) -> Result<Option<serde_json::Value>> {
        let text: Option<String> =
            sqlx::query_scalar("SELECT model FROM dedup_runs ORDER BY id DESC LIMIT 1")
                .fetch_optional(&self.pool)
                .await?;
        text.map(|text| from_json(&text, "dedup model")).transpose()
    }

    async fn clusters_of(&self, people: &[PersonId]) -> Result<Vec<(PersonId, PersonId)>> {
        let mut found = Vec::new();
        for chunk in people.chunks(ROWS_PER_STATEMENT) {
            let mut query = QueryBuilder::<Db>::new(
                "SELECT person_id, cluster FROM dedup_clusters WHERE person_id IN (",
            );
            let mut list = query.separated(", ");
            for person in chunk {
                list.push_bind(person.0);
            }
            query.push(") ORDER BY person_id");
            for row in query.build().fetch_all(&self.pool).await? {
                found.push((
                    PersonId(row.try_get("person_id")?),
                    PersonId(row.try_get("cluster")?),
                ));
            }
        }
        found.sort();
        Ok(found)
    }

    async fn save_matches(&self, actor: &Actor, matches: NewMatches) -> Result<usize> {
        let mut review = matches.review;
        for pair in &mut review {
            let (a, b) = ordered_pair(pair.a, pair.b)?;
            pair.a = a;
            pair.b = b;
        }
        review.sort_by_key(|pair| (pair.a, pair.b));
        review.dedup_by_key(|pair| (pair.a, pair.b));
        let mut tx = WriteTx::begin(&self.writer).await?;
        let Some(run) = sqlx::query_scalar::<_, Option<i64>>("SELECT max(id) FROM dedup_runs")
            .fetch_one(&mut *tx.tx)
            .await?
        else {
            return Err(StoreError::Invalid(
                "the registry has not been deduplicated yet: run `airbridge dedup` once".into(),
            ));
        };
        for chunk in matches.clusters.chunks(ROWS_PER_STATEMENT) {
            let mut query =
                QueryBuilder::<Db>::new("INSERT INTO dedup_clusters (person_id, cluster, run) ");
            query.push_values(chunk, |mut row, (person, cluster)| {
                row.push_bind(person.0).push_bind(cluster.0).push_bind(run);
            });
            query.push(
                " ON CONFLICT (person_id) DO UPDATE SET cluster = excluded.cluster, run = excluded.run",
            );
            query.build().execute(&mut *tx.tx).await?;
        }
        let before: i64 = sqlx::query_scalar("SELECT count(*) FROM dedup_pairs")
            .fetch_one(&mut *tx.tx)
            .await?;
        tx.queue_pairs(&review, run, false).await?;
        let after: i64 = sqlx::query_scalar("SELECT count(*) FROM dedup_pairs")
            .fetch_one(&mut *tx.tx)
            .await?;
        let queued = usize::try_from(after - before).unwrap_or(0);
        let joined = matches.clusters.iter().filter(|(p, c)| p != c).count();
        tx.audit(
            actor,
            Audit {
                nation: None,
                action: "dedup.match",
                entity_type: "dedup_run",
                entity_id: run.to_string(),
                before: None,
                after: Some(to_json(&serde_json::json!({
                    "people": matches.clusters.len(),
                    "joined_a_cluster": joined,
                    "queued": queued,
                }))?),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(queued)
    }

    async fn review_pairs(&self, query: &ReviewQuery) -> Result<Vec<PairRecord>> {
        let mut sql = QueryBuilder::<Db>::new(PAIR_SELECT);
        sql.push(" WHERE 1 = 1");
        if !query.decided {
            sql.push(" AND (p.decision IS NULL OR p.decision = 'unsure')");
        }
        if let Some(nation) = query.nation {
            sql.push(" AND (pa.nation = ")
                .push_bind(nation.as_str().to_owned())
                .push(" OR pb.nation = ")
                .push_bind(nation.as_str().to_owned())
                .push(")");
        }
        if let Some(person) = query.person {
            sql.push(" AND (p.person_a = ")
                .push_bind(person.0)
                .push(" OR p.person_b = ")
                .push_bind(person.0)
                .push(")");
        }
        let limit = i64::from(query.limit.unwrap_or(50).clamp(1, 10_000));
        sql.push(
            " ORDER BY (p.decision IS NOT NULL), p.probability DESC, p.person_a, p.person_b LIMIT ",
        )
        .push_bind(limit);
        let rows = sql.build().fetch_all(&self.pool).await?;
        rows.iter().map(pair_from_row).collect()
    }

    async fn get_pair(&self, a: PersonId, b: PersonId) -> Result<Option<PairRecord>> {
        let (a, b) = ordered_pair(a, b)?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{PAIR_SELECT} WHERE p.person_a = $1 AND p.person_b = $2"
        )))
        .bind(a.0)
        .bind(b.0)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(pair_from_row).transpose()
    }

    async fn decide_pair(
        &self,
        actor: &Actor,
        a: PersonId,
        b: PersonId,
        decision: Option<PairDecision>,
        reason: Option<String>,
        expected_version: Option<i64>,
    ) -> Result<PairRecord> {
        let (a, b) = ordered_pair(a, b)?;
        let reason = reason
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty());
        if decision == Some(PairDecision::NotSame) && reason.is_none() {
            return Err(StoreError::Invalid(format!(
                "deciding that {a} and {b} are two people needs a reason (e.g. 'different fathers, checked by phone')"
            )));
        }
        let mut tx = WriteTx::begin(&self.writer).await?;
        let person_a = tx.person(a).await?;
        let person_b = tx.person(b).await?;
        let before = tx.pair(a, b).await?;
        match &before {
            Some(pair) => {
                check_version("pair", format!("{a}~{b}"), expected_version, pair.version)?;
                let (decided_by, decided_at) = match decision {
                    Some(_) => (Some(actor.name.clone()), Some(tx.at.clone())),
                    None => (None, None),
                };
                sqlx::query(
                    "UPDATE dedup_pairs SET decision = $1, reason = $2, decided_by = $3, \
                     decided_at = $4, version = version + 1, updated_at = $5 \
                     WHERE person_a = $6 AND person_b = $7",
                )
                .bind(decision.map(PairDecision::as_str))
                .bind(&reason)
                .bind(decided_by)
                .bind(decided_at)
                .bind(&tx.at)
                .bind(a.0)
                .bind(b.0)
                .execute(&mut *tx.tx)
                .await?;
            }
            None => {
                let Some(decision) = decision else {
                    return Err(StoreError::NotFound {
                        entity: "pair",
                        id: format!("{a}~{b} (no decision to take back)"),
                    });
                };
                if let Some(expected) = expected_version {
                    check_version("pair", format!("{a}~{b}"), Some(expected), 0)?;
                }
                sqlx::query(
                    "INSERT INTO dedup_pairs (person_a, person_b, probability, explanation, run, \
                     decision, reason, decided_by, decided_at, created_at, updated_at) \
                     VALUES ($1, $2, NULL, '{}', NULL, $3, $4, $5, $6, $6, $6)",
                )
                .bind(a.0)
                .bind(b.0)
                .bind(decision.as_str())
                .bind(&reason)
                .bind(&actor.name)
                .bind(&tx.at)
                .execute(&mut *tx.tx)
                .await?;
            }
        }
        let after = tx
            .pair(a, b)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("pair {a}~{b} vanished")))?;
        let summary = |pair: &PairRecord| {
            serde_json::json!({
                "pair": [pair.a, pair.b],
                "decision": pair.decision,
                "reason": pair.reason,
                "probability": pair.probability,
            })
        };
        let before_json = before.as_ref().map(summary);
        // Each nation's trail shows the decision on its own record.
        let mut sides = vec![(person_a.nation, a)];
        if person_b.nation != person_a.nation {
            sides.push((person_b.nation, b));
        }
        for (nation, person) in sides {
            tx.audit(
                actor,
                Audit {
                    nation: Some(nation.as_str()),
                    action: "dedup.decide",
                    entity_type: "person",
                    entity_id: person.to_string(),
                    before: before_json.as_ref().map(to_json).transpose()?,
                    after: Some(to_json(&summary(&after))?),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(after)
    }

    async fn cluster_mates(&self, person: PersonId) -> Result<Vec<PersonId>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT m.person_id FROM dedup_clusters c \
             JOIN dedup_clusters m ON m.cluster = c.cluster \
             WHERE c.person_id = $1 AND m.person_id <> $1 ORDER BY m.person_id",
        )
        .bind(person.0)
        .fetch_all(&self.pool)
        .await?;
        Ok(ids.into_iter().map(PersonId).collect())
    }
}
