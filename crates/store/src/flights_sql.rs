// Flights and plans' statements, shared by both backends like `registry_sql.rs` (included after
// `field_sql.rs`, whose time helpers they use): aircraft types, flights, carriage agreements,
// acceptance rules, the ready pool and the plan runs. See `flights.rs` for the records.

use crate::flights::{
    Acceptance, AcceptanceRecord, AgreementRecord, AircraftTypeRecord, AssignmentRecord, CaseLoad,
    Configuration, FlightChange, FlightManifest, FlightRecord, FlightState, FlightStore, NewFlight,
    NewPlanRun, PlanOutcome, PlanRunRecord, ReadyCaseRecord, StoredPlan, WeightsRecord,
    categories_text, parse_category, valid_flight_id,
};

const FLIGHT_SELECT: &str = "SELECT f.id, f.nation, f.aircraft, f.configuration, f.departs_at, \
     f.destination, f.status, f.carries, f.version, f.created_at, f.updated_at, \
     a.seated_capacity, a.floor_loaded_capacity \
     FROM flights f JOIN aircraft_types a ON a.name = f.aircraft";

/// People who fly with their case once it is ready: processed at the gate, or manifested.
const TRAVELLING: &str = "('processed', 'manifested')";

/// The ready pool's case ids: at least one member processed (or manifested), and every member
/// still in the process (not denied, withdrawn or ineligible) as far as that.
const READY_CASES: &str = "SELECT c.id FROM cases c \
     WHERE EXISTS (SELECT 1 FROM persons m WHERE m.case_id = c.id \
                   AND m.status IN ('processed', 'manifested')) \
     AND NOT EXISTS (SELECT 1 FROM persons m WHERE m.case_id = c.id \
                   AND m.status NOT IN ('processed', 'manifested', 'denied', 'withdrawn', 'ineligible'))";

fn u32_column(row: &DbRow, column: &str) -> Result<u32> {
    let value: i64 = row.try_get(column)?;
    u32::try_from(value).map_err(|_| StoreError::Corrupt(format!("{column} {value}")))
}

fn nations_text(nations: &[NationCode]) -> String {
    nations
        .iter()
        .map(|n| n.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_nations(text: &str) -> Result<Vec<NationCode>> {
    text.split(',')
        .filter(|n| !n.trim().is_empty())
        .map(|n| parse_nation(n.trim()))
        .collect()
}

fn flight_from_row(row: &DbRow) -> Result<FlightRecord> {
    let configuration: String = row.try_get("configuration")?;
    let status: String = row.try_get("status")?;
    Ok(FlightRecord {
        id: row.try_get("id")?,
        nation: parse_nation(&row.try_get::<String, _>("nation")?)?,
        aircraft: AircraftTypeRecord {
            name: row.try_get("aircraft")?,
            seated_capacity: u32_column(row, "seated_capacity")?,
            floor_loaded_capacity: u32_column(row, "floor_loaded_capacity")?,
        },
        configuration: Configuration::parse(&configuration)
            .ok_or_else(|| StoreError::Corrupt(format!("configuration {configuration}")))?,
        departs_at: row.try_get("departs_at")?,
        destination: row.try_get("destination")?,
        status: FlightState::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("flight status {status}")))?,
        carries: parse_nations(&row.try_get::<String, _>("carries")?)?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn plan_run_from_row(row: &DbRow) -> Result<PlanRunRecord> {
    Ok(PlanRunRecord {
        id: row.try_get("id")?,
        solver: row.try_get("solver")?,
        objective: row.try_get("objective")?,
        upper_bound: row.try_get("upper_bound")?,
        gap: row.try_get("gap")?,
        cases_ready: row.try_get("cases_ready")?,
        cases_assigned: row.try_get("cases_assigned")?,
        people_assigned: row.try_get("people_assigned")?,
        kept: row.try_get("kept")?,
        moved: row.try_get("moved")?,
        dropped: row.try_get("dropped")?,
        seat_prices: from_json(&row.try_get::<String, _>("seat_prices")?, "seat prices")?,
        actor: row.try_get("actor")?,
        created_at: row.try_get("created_at")?,
    })
}

/// A departure time as stored (RFC 3339, UTC), refused unless it is after `now`.
fn future_departure(flight: &str, departs_at: &str, now: &str) -> Result<String> {
    let at = rfc3339(departs_at, &format!("flight {flight}'s departure"))?;
    let now = rfc3339(now, "the store's clock")?;
    if at <= now {
        return Err(StoreError::Invalid(format!(
            "flight {flight} would depart at {} which is in the past (it is {} now): give a \
             future slot",
            format_utc(at),
            format_utc(now)
        )));
    }
    Ok(format_utc(at))
}

/// Refuses a destination that is not an airport-like code.
fn check_destination(destination: &str) -> Result<()> {
    let valid = (2..=8).contains(&destination.len())
        && destination
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if !valid {
        return Err(StoreError::Invalid(format!(
            "destination '{destination}' is not an airport code: write it as DOH, RMS or FRA"
        )));
    }
    Ok(())
}

impl WriteTx {
    async fn flight_by_id(&mut self, id: &str) -> Result<FlightRecord> {
        self.flush().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{FLIGHT_SELECT} WHERE f.id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "flight",
            id: format!("{id} (see `airbridge flights list`)"),
        })?;
        flight_from_row(&row)
    }

    async fn require_aircraft(&mut self, name: &str) -> Result<()> {
        let found = sqlx::query("SELECT 1 FROM aircraft_types WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *self.tx)
            .await?;
        if found.is_none() {
            let known: Vec<String> =
                sqlx::query_scalar("SELECT name FROM aircraft_types ORDER BY name")
                    .fetch_all(&mut *self.tx)
                    .await?;
            return Err(StoreError::NotFound {
                entity: "aircraft type",
                id: format!(
                    "{name} (known: {}; add one with `airbridge flights aircraft NAME --seated N --floor N`)",
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                ),
            });
        }
        Ok(())
    }

    /// Rows of `head … IN (ids) tail`, a thousand ids per statement.
    async fn rows_for_ids(&mut self, head: &str, tail: &str, ids: &[i64]) -> Result<Vec<DbRow>> {
        self.flush().await?;
        let mut rows = Vec::new();
        for chunk in ids.chunks(ROWS_PER_STATEMENT) {
            let mut query = QueryBuilder::<Db>::new(head);
            let mut list = query.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            query.push(tail);
            rows.extend(query.build().fetch_all(&mut *self.tx).await?);
        }
        Ok(rows)
    }

    /// The plan in force's run id, if any.
    async fn current_run(&mut self) -> Result<Option<i64>> {
        Ok(
            sqlx::query_scalar::<_, Option<i64>>("SELECT max(id) FROM plan_runs")
                .fetch_one(&mut *self.tx)
                .await?,
        )
    }
}

impl FlightStore for ThisStore {
    async fn set_aircraft_type(
        &self,
        actor: &Actor,
        aircraft: AircraftTypeRecord,
    ) -> Result<AircraftTypeRecord> {
        let name = aircraft.name.trim().to_owned();
        if name.is_empty() || name.len() > 40 {
            return Err(StoreError::Invalid(
                "an aircraft type needs a name of at most 40 characters (e.g. C-17A)".into(),
            ));
        }
        if aircraft.seated_capacity == 0 && aircraft.floor_loaded_capacity == 0 {
            return Err(StoreError::Invalid(format!(
                "aircraft type {name} takes nobody in either configuration: give --seated or --floor"
            )));
        }
        let aircraft = AircraftTypeRecord { name, ..aircraft };
        let mut tx = WriteTx::begin(&self.writer).await?;
        let before = sqlx::query(
            "SELECT seated_capacity, floor_loaded_capacity FROM aircraft_types WHERE name = $1",
        )
        .bind(&aircraft.name)
        .fetch_optional(&mut *tx.tx)
        .await?;
        let before = match before {
            Some(row) => {
                sqlx::query(
                    "UPDATE aircraft_types SET seated_capacity = $1, floor_loaded_capacity = $2, \
                     updated_at = $3 WHERE name = $4",
                )
                .bind(i64::from(aircraft.seated_capacity))
                .bind(i64::from(aircraft.floor_loaded_capacity))
                .bind(&tx.at)
                .bind(&aircraft.name)
                .execute(&mut *tx.tx)
                .await?;
                Some(to_json(&AircraftTypeRecord {
                    name: aircraft.name.clone(),
                    seated_capacity: u32_column(&row, "seated_capacity")?,
                    floor_loaded_capacity: u32_column(&row, "floor_loaded_capacity")?,
                })?)
            }
            None => {
                sqlx::query(
                    "INSERT INTO aircraft_types (name, seated_capacity, floor_loaded_capacity, \
                     created_at, updated_at) VALUES ($1, $2, $3, $4, $4)",
                )
                .bind(&aircraft.name)
                .bind(i64::from(aircraft.seated_capacity))
                .bind(i64::from(aircraft.floor_loaded_capacity))
                .bind(&tx.at)
                .execute(&mut *tx.tx)
                .await?;
                None
            }
        };
        tx.audit(
            actor,
            Audit {
                nation: None,
                action: "aircraft.set",
                entity_type: "aircraft",
                entity_id: aircraft.name.clone(),
                before,
                after: Some(to_json(&aircraft)?),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(aircraft)
    }

    async fn list_aircraft_types(&self) -> Result<Vec<AircraftTypeRecord>> {
        sqlx::query(
            "SELECT name, seated_capacity, floor_loaded_capacity FROM aircraft_types ORDER BY name",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(AircraftTypeRecord {
                name: row.try_get("name")?,
                seated_capacity: u32_column(row, "seated_capacity")?,
                floor_loaded_capacity: u32_column(row, "floor_loaded_capacity")?,
            })
        })
        .collect()
    }

    async fn add_flights(
        &self,
        actor: &Actor,
        flights: Vec<NewFlight>,
    ) -> Result<Vec<FlightRecord>> {
        let mut seen = std::collections::HashSet::new();
        for flight in &flights {
            if !valid_flight_id(&flight.id) {
                return Err(StoreError::Invalid(format!(
                    "'{}' is not a flight id: letters, digits and '-', at most 16 (e.g. US0755)",
                    flight.id
                )));
            }
            if !seen.insert(flight.id.as_str()) {
                return Err(StoreError::Invalid(format!(
                    "flight {} is listed twice",
                    flight.id
                )));
            }
            check_destination(&flight.destination)?;
        }
        let mut tx = WriteTx::begin(&self.writer).await?;
        let mut ids = Vec::with_capacity(flights.len());
        for flight in flights {
            let taken = sqlx::query("SELECT 1 FROM flights WHERE id = $1")
                .bind(&flight.id)
                .fetch_optional(&mut *tx.tx)
                .await?;
            if taken.is_some() {
                return Err(StoreError::AlreadyExists(format!("flight {}", flight.id)));
            }
            tx.require_nation(flight.nation).await?;
            for nation in &flight.carries {
                tx.require_nation(*nation).await?;
            }
            tx.require_aircraft(&flight.aircraft).await?;
            let departs_at = future_departure(&flight.id, &flight.departs_at, &tx.at)?;
            sqlx::query(
                "INSERT INTO flights (id, nation, aircraft, configuration, departs_at, destination, \
                 status, carries, version, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'scheduled', $7, 1, $8, $8)",
            )
            .bind(&flight.id)
            .bind(flight.nation.as_str())
            .bind(&flight.aircraft)
            .bind(flight.configuration.as_str())
            .bind(&departs_at)
            .bind(&flight.destination)
            .bind(nations_text(&flight.carries))
            .bind(&tx.at)
            .execute(&mut *tx.tx)
            .await?;
            let stored = NewFlight {
                departs_at,
                ..flight
            };
            tx.audit(
                actor,
                Audit {
                    nation: Some(stored.nation.as_str()),
                    action: "flight.add",
                    entity_type: "flight",
                    entity_id: stored.id.clone(),
                    before: None,
                    after: Some(to_json(&stored)?),
                },
            )
            .await?;
            ids.push(stored.id);
        }
        let mut records = Vec::with_capacity(ids.len());
        for id in &ids {
            records.push(tx.flight_by_id(id).await?);
        }
        tx.commit().await?;
        Ok(records)
    }

    async fn get_flight(&self, id: &str) -> Result<Option<FlightRecord>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{FLIGHT_SELECT} WHERE f.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .map(|row| flight_from_row(&row))
        .transpose()
    }

    async fn list_flights(&self) -> Result<Vec<FlightRecord>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{FLIGHT_SELECT} ORDER BY f.departs_at, f.id"
        )))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(flight_from_row)
        .collect()
    }

    async fn change_flight(
        &self,
        actor: &Actor,
        id: &str,
        change: FlightChange,
        expected_version: Option<i64>,
    ) -> Result<FlightRecord> {
        let mut tx = WriteTx::begin(&self.writer).await?;
        let before = tx.flight_by_id(id).await?;
        check_version("flight", id.to_owned(), expected_version, before.version)?;
        if !before.status.flies() {
            return Err(StoreError::Invalid(format!(
                "flight {id} is {}: it changes no more",
                before.status.as_str()
            )));
        }
        let action = match &change {
            FlightChange::Cancel { reason } => {
                if reason.trim().is_empty() {
                    return Err(StoreError::Invalid(
                        "cancelling a flight needs a reason".into(),
                    ));
                }
                sqlx::query(
                    "UPDATE flights SET status = 'cancelled', version = version + 1, \
                     updated_at = $1 WHERE id = $2",
                )
                .bind(&tx.at)
                .bind(id)
                .execute(&mut *tx.tx)
                .await?;
                "flight.cancel"
            }
            FlightChange::Delay { departs_at } => {
                let departs_at = future_departure(id, departs_at, &tx.at)?;
                sqlx::query(
                    "UPDATE flights SET status = 'delayed', departs_at = $1, \
                     version = version + 1, updated_at = $2 WHERE id = $3",
                )
                .bind(&departs_at)
                .bind(&tx.at)
                .bind(id)
                .execute(&mut *tx.tx)
                .await?;
                "flight.delay"
            }
            FlightChange::Aircraft {
                aircraft,
                configuration,
            } => {
                tx.require_aircraft(aircraft).await?;
                sqlx::query(
                    "UPDATE flights SET aircraft = $1, configuration = $2, \
                     version = version + 1, updated_at = $3 WHERE id = $4",
                )
                .bind(aircraft)
                .bind(configuration.as_str())
                .bind(&tx.at)
                .bind(id)
                .execute(&mut *tx.tx)
                .await?;
                "flight.aircraft"
            }
        };
        let after = tx.flight_by_id(id).await?;
        tx.audit(
            actor,
            Audit {
                nation: Some(after.nation.as_str()),
                action,
                entity_type: "flight",
                entity_id: id.to_owned(),
                before: Some(to_json(&before)?),
                after: Some(to_json(
                    &serde_json::json!({ "flight": after, "change": change }),
                )?),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn set_agreement(&self, actor: &Actor, agreement: AgreementRecord) -> Result<()> {
        if agreement.carrier == agreement.passengers {
            return Err(StoreError::Invalid(format!(
                "{} carries its own people without an agreement",
                agreement.carrier
            )));
        }
        let mut categories = agreement.categories.clone();
        categories.sort_by_key(|c| c.as_str());
        categories.dedup();
        let agreement = AgreementRecord {
            categories,
            ..agreement
        };
        let mut tx = WriteTx::begin(&self.writer).await?;
        tx.require_nation(agreement.carrier).await?;
        tx.require_nation(agreement.passengers).await?;
        let before: Option<String> = sqlx::query_scalar(
            "SELECT categories FROM carriage_agreements WHERE carrier = $1 AND passengers = $2",
        )
        .bind(agreement.carrier.as_str())
        .bind(agreement.passengers.as_str())
        .fetch_optional(&mut *tx.tx)
        .await?;
        let text = categories_text(&agreement.categories);
        sqlx::query(
            "INSERT INTO carriage_agreements (carrier, passengers, categories, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $4) \
             ON CONFLICT (carrier, passengers) DO UPDATE \
             SET categories = excluded.categories, updated_at = excluded.updated_at",
        )
        .bind(agreement.carrier.as_str())
        .bind(agreement.passengers.as_str())
        .bind(&text)
        .bind(&tx.at)
        .execute(&mut *tx.tx)
        .await?;
        tx.audit(
            actor,
            Audit {
                nation: Some(agreement.carrier.as_str()),
                action: "agreement.set",
                entity_type: "agreement",
                entity_id: format!("{}>{}", agreement.carrier, agreement.passengers),
                before: before
                    .map(|b| to_json(&serde_json::json!({ "categories": b })))
                    .transpose()?,
                after: Some(to_json(&agreement)?),
            },
        )
        .await?;
        tx.commit().await
    }

    async fn set_weights(&self, actor: &Actor, weights: WeightsRecord) -> Result<()> {
        if let Some((name, value)) = weights
            .weights
            .iter()
            .find(|(_, v)| !(v.is_finite() && **v >= 0.0))
        {
            return Err(StoreError::Invalid(format!(
                "the weight {name} = {value} is not a number ≥ 0"
            )));
        }
        let mut tx = WriteTx::begin(&self.writer).await?;
        tx.require_nation(weights.nation).await?;
        let before: Option<String> =
            sqlx::query_scalar("SELECT weights FROM priority_weights WHERE nation = $1")
                .bind(weights.nation.as_str())
                .fetch_optional(&mut *tx.tx)
                .await?;
        let text = to_json(&weights.weights)?;
        sqlx::query(
            "INSERT INTO priority_weights (nation, weights, created_at, updated_at) \
             VALUES ($1, $2, $3, $3) \
             ON CONFLICT (nation) DO UPDATE \
             SET weights = excluded.weights, updated_at = excluded.updated_at",
        )
        .bind(weights.nation.as_str())
        .bind(&text)
        .bind(&tx.at)
        .execute(&mut *tx.tx)
        .await?;
        tx.audit(
            actor,
            Audit {
                nation: Some(weights.nation.as_str()),
                action: "weights.set",
                entity_type: "nation",
                entity_id: weights.nation.to_string(),
                before,
                after: Some(text),
            },
        )
        .await?;
        tx.commit().await
    }

    async fn list_weights(&self) -> Result<Vec<WeightsRecord>> {
        sqlx::query("SELECT nation, weights FROM priority_weights ORDER BY nation")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                Ok(WeightsRecord {
                    nation: parse_nation(&row.try_get::<String, _>("nation")?)?,
                    weights: from_json(&row.try_get::<String, _>("weights")?, "priority weights")?,
                })
            })
            .collect()
    }

    async fn list_agreements(&self) -> Result<Vec<AgreementRecord>> {
        sqlx::query(
            "SELECT carrier, passengers, categories FROM carriage_agreements \
             ORDER BY carrier, passengers",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            let text: String = row.try_get("categories")?;
            Ok(AgreementRecord {
                carrier: parse_nation(&row.try_get::<String, _>("carrier")?)?,
                passengers: parse_nation(&row.try_get::<String, _>("passengers")?)?,
                categories: text
                    .split(',')
                    .filter(|c| !c.is_empty())
                    .map(|c| {
                        parse_category(c)
                            .ok_or_else(|| StoreError::Corrupt(format!("category {c}")))
                    })
                    .collect::<Result<_>>()?,
            })
        })
        .collect()
    }

    async fn set_acceptance(&self, actor: &Actor, rule: AcceptanceRecord) -> Result<()> {
        check_destination(&rule.destination)?;
        if rule.alternatives.is_empty() {
            return Err(StoreError::Invalid(format!(
                "a rule for {} needs at least one alternative (any nation and category: '*:*')",
                rule.destination
            )));
        }
        let mut tx = WriteTx::begin(&self.writer).await?;
        for alternative in &rule.alternatives {
            for nation in &alternative.nations {
                tx.require_nation(*nation).await?;
            }
        }
        let before: Option<String> =
            sqlx::query_scalar("SELECT rules FROM acceptance_rules WHERE destination = $1")
                .bind(&rule.destination)
                .fetch_optional(&mut *tx.tx)
                .await?;
        let rules = to_json(&rule.alternatives)?;
        sqlx::query(
            "INSERT INTO acceptance_rules (destination, rules, created_at, updated_at) \
             VALUES ($1, $2, $3, $3) \
             ON CONFLICT (destination) DO UPDATE \
             SET rules = excluded.rules, updated_at = excluded.updated_at",
        )
        .bind(&rule.destination)
        .bind(&rules)
        .bind(&tx.at)
        .execute(&mut *tx.tx)
        .await?;
        tx.audit(
            actor,
            Audit {
                nation: None,
                action: "acceptance.set",
                entity_type: "destination",
                entity_id: rule.destination.clone(),
                before,
                after: Some(rules),
            },
        )
        .await?;
        tx.commit().await
    }

    async fn list_acceptance(&self) -> Result<Vec<AcceptanceRecord>> {
        sqlx::query("SELECT destination, rules FROM acceptance_rules ORDER BY destination")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                let alternatives: Vec<Acceptance> =
                    from_json(&row.try_get::<String, _>("rules")?, "acceptance rules")?;
                Ok(AcceptanceRecord {
                    destination: row.try_get("destination")?,
                    alternatives,
                })
            })
            .collect()
    }

    async fn ready_pool(&self) -> Result<Vec<ReadyCaseRecord>> {
        // One read transaction, so the cases, their members, their hits and their times are
        // read from one state of the registry (SQLite: one snapshot from the first read).
        let mut tx = self.pool.begin().await?;
        let cases = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id, nation, eligibility FROM cases WHERE id IN ({READY_CASES}) ORDER BY id"
        )))
        .fetch_all(&mut *tx)
        .await?;
        let mut members: std::collections::HashMap<i64, Vec<PersonRecord>> = Default::default();
        for row in sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLUMNS} FROM persons WHERE status IN {TRAVELLING} \
             AND case_id IN ({READY_CASES}) ORDER BY case_id, relation != 'principal', id"
        )))
        .fetch_all(&mut *tx)
        .await?
        {
            let person = person_from_row(&row)?;
            if let Some(case) = person.case {
                members.entry(case.0).or_default().push(person);
            }
        }
        let blocked: std::collections::HashSet<i64> = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(
            format!(
                "SELECT DISTINCT p.case_id FROM screening_hits h JOIN persons p ON p.id = h.person_id \
                 WHERE h.status = 'confirmed' AND p.status IN {TRAVELLING} \
                 AND p.case_id IN ({READY_CASES})"
            ),
        ))
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
        let mut ready_at: std::collections::HashMap<i64, String> = Default::default();
        for row in sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT p.case_id AS case_id, max(s.at) AS at FROM status_changes s \
             JOIN persons p ON p.id = s.person_id \
             WHERE s.to_status = 'processed' AND p.status IN {TRAVELLING} \
             AND p.case_id IN ({READY_CASES}) GROUP BY p.case_id"
        )))
        .fetch_all(&mut *tx)
        .await?
        {
            ready_at.insert(row.try_get("case_id")?, row.try_get("at")?);
        }
        tx.commit().await?;
        let mut pool = Vec::with_capacity(cases.len());
        for row in cases {
            let id: i64 = row.try_get("id")?;
            let Some(members) = members.remove(&id) else {
                continue;
            };
            let eligibility: Eligibility =
                from_json(&row.try_get::<String, _>("eligibility")?, "eligibility")?;
            let ready_at = ready_at
                .remove(&id)
                .or_else(|| members.iter().map(|m| m.updated_at.clone()).max())
                .unwrap_or_default();
            pool.push(ReadyCaseRecord {
                case: CaseId(id),
                nation: parse_nation(&row.try_get::<String, _>("nation")?)?,
                category: eligibility.primary_category(),
                ready_at,
                blocked: blocked.contains(&id),
                members,
            });
        }
        Ok(pool)
    }

    async fn current_plan(&self) -> Result<Option<StoredPlan>> {
        let Some(row) = sqlx::query("SELECT * FROM plan_runs ORDER BY id DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let run = plan_run_from_row(&row)?;
        let assignments = sqlx::query(
            "SELECT case_id, flight_id, plan_run, told_at FROM plan_assignments \
             WHERE plan_run = $1 ORDER BY flight_id, case_id",
        )
        .bind(run.id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(AssignmentRecord {
                case: CaseId(row.try_get("case_id")?),
                flight: row.try_get("flight_id")?,
                plan_run: row.try_get("plan_run")?,
                told_at: row.try_get("told_at")?,
            })
        })
        .collect::<Result<_>>()?;
        Ok(Some(StoredPlan { run, assignments }))
    }

    async fn save_plan(&self, actor: &Actor, run: NewPlanRun) -> Result<PlanOutcome> {
        use std::collections::{BTreeMap, HashMap, HashSet};
        if ![run.objective, run.upper_bound, run.gap]
            .iter()
            .all(|x| x.is_finite())
            || run.seat_prices.iter().any(|(_, p)| !p.is_finite())
        {
            return Err(StoreError::Invalid(
                "a plan's objective, bound, gap and seat prices must be finite numbers".into(),
            ));
        }
        let mut new: BTreeMap<i64, String> = BTreeMap::new();
        for (case, flight) in &run.assignments {
            if new.insert(case.0, flight.clone()).is_some() {
                return Err(StoreError::Invalid(format!(
                    "case {case} is on two flights: a case is never split"
                )));
            }
        }
        let mut tx = WriteTx::begin(&self.writer).await?;
        let previous_run = tx.current_run().await?;
        let mut previous: HashMap<i64, (String, Option<String>)> = HashMap::new();
        if let Some(previous_run) = previous_run {
            for row in sqlx::query(
                "SELECT case_id, flight_id, told_at FROM plan_assignments WHERE plan_run = $1",
            )
            .bind(previous_run)
            .fetch_all(&mut *tx.tx)
            .await?
            {
                previous.insert(
                    row.try_get("case_id")?,
                    (row.try_get("flight_id")?, row.try_get("told_at")?),
                );
            }
        }
        // Every flight named must exist and still fly.
        let states: HashMap<String, String> = sqlx::query("SELECT id, status FROM flights")
            .fetch_all(&mut *tx.tx)
            .await?
            .iter()
            .map(|row| Ok((row.try_get("id")?, row.try_get("status")?)))
            .collect::<Result<_>>()?;
        for (case, flight) in &new {
            match states.get(flight).map(|s| FlightState::parse(s)) {
                None => {
                    return Err(StoreError::NotFound {
                        entity: "flight",
                        id: flight.clone(),
                    });
                }
                Some(Some(state)) if state.flies() => {}
                Some(state) => {
                    return Err(StoreError::Invalid(format!(
                        "case C{case} is put on flight {flight}, which is {}",
                        state.map_or("unknown", FlightState::as_str)
                    )));
                }
            }
        }
        // Every case concerned (now or before) must exist; its nation files the audit event.
        let concerned: Vec<i64> = new
            .keys()
            .chain(previous.keys())
            .copied()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut nations: HashMap<i64, String> = HashMap::new();
        for row in tx
            .rows_for_ids(
                "SELECT id, nation FROM cases WHERE id IN (",
                ")",
                &concerned,
            )
            .await?
        {
            nations.insert(row.try_get("id")?, row.try_get("nation")?);
        }
        if let Some(missing) = new.keys().find(|c| !nations.contains_key(c)) {
            return Err(StoreError::NotFound {
                entity: "case",
                id: CaseId(*missing).to_string(),
            });
        }
        // Nobody with a confirmed sanctions hit is ever put on a flight, whatever the caller
        // planned with.
        let assigned: Vec<i64> = new.keys().copied().collect();
        let blocked = tx
            .rows_for_ids(
                &format!(
                    "SELECT DISTINCT p.case_id FROM screening_hits h JOIN persons p ON p.id = h.person_id \
                     WHERE h.status = 'confirmed' AND p.status IN {TRAVELLING} AND p.case_id IN ("
                ),
                ")",
                &assigned,
            )
            .await?;
        if let Some(row) = blocked.first() {
            let case: i64 = row.try_get("case_id")?;
            return Err(StoreError::Invalid(format!(
                "case {} has a member with a confirmed sanctions match: it is never put on a flight",
                CaseId(case)
            )));
        }
        let mut people: HashMap<i64, i64> = HashMap::new();
        for row in tx
            .rows_for_ids(
                "SELECT case_id, count(*) AS people FROM persons WHERE case_id IN (",
                ") AND status NOT IN ('denied', 'withdrawn', 'ineligible') GROUP BY case_id",
                &concerned,
            )
            .await?
        {
            people.insert(row.try_get("case_id")?, row.try_get("people")?);
        }
        // A case that had a flight and has none now lost its seat only if it is still waiting
        // in the ready pool; one that left it (boarded, departed, withdrawn) did not.
        let off_plan: Vec<i64> = previous
            .keys()
            .filter(|case| !new.contains_key(*case))
            .copied()
            .collect();
        let mut still_ready: HashSet<i64> = HashSet::new();
        for row in tx
            .rows_for_ids(
                "SELECT id FROM cases WHERE id IN (",
                &format!(") AND id IN ({READY_CASES})"),
                &off_plan,
            )
            .await?
        {
            still_ready.insert(row.try_get("id")?);
        }
        let people_of = |case: &i64| people.get(case).copied().unwrap_or(0);
        let (mut kept, mut moved, mut dropped) = (0, 0, 0);
        let mut told_moved = Vec::new();
        for (case, (flight, told)) in &previous {
            match new.get(case) {
                Some(now) if now == flight => kept += people_of(case),
                Some(_) => moved += people_of(case),
                None if still_ready.contains(case) => dropped += people_of(case),
                None => continue,
            }
            if told.is_some() && new.get(case) != Some(flight) {
                told_moved.push(CaseId(*case));
            }
        }
        told_moved.sort();
        let id = previous_run.unwrap_or(0) + 1;
        let record = PlanRunRecord {
            id,
            solver: run.solver.clone(),
            objective: run.objective,
            upper_bound: run.upper_bound,
            gap: run.gap,
            cases_ready: run.cases_ready,
            cases_assigned: new.len() as i64,
            people_assigned: run.people_assigned,
            kept,
            moved,
            dropped,
            seat_prices: run.seat_prices.clone(),
            actor: actor.name.clone(),
            created_at: tx.at.clone(),
        };
        sqlx::query(
            "INSERT INTO plan_runs (id, solver, objective, upper_bound, gap, cases_ready, \
             cases_assigned, people_assigned, kept, moved, dropped, seat_prices, actor, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(record.id)
        .bind(&record.solver)
        .bind(record.objective)
        .bind(record.upper_bound)
        .bind(record.gap)
        .bind(record.cases_ready)
        .bind(record.cases_assigned)
        .bind(record.people_assigned)
        .bind(record.kept)
        .bind(record.moved)
        .bind(record.dropped)
        .bind(to_json(&record.seat_prices)?)
        .bind(&record.actor)
        .bind(&record.created_at)
        .execute(&mut *tx.tx)
        .await?;
        let rows: Vec<(i64, &String, Option<String>)> = new
            .iter()
            .map(|(case, flight)| {
                let told = previous
                    .get(case)
                    .filter(|(before, _)| before == flight)
                    .and_then(|(_, told)| told.clone());
                (*case, flight, told)
            })
            .collect();
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            QueryBuilder::<Db>::new(
                "INSERT INTO plan_assignments (plan_run, case_id, flight_id, told_at) ",
            )
            .push_values(chunk, |mut row, (case, flight, told)| {
                row.push_bind(id)
                    .push_bind(*case)
                    .push_bind((*flight).clone())
                    .push_bind(told.clone());
            })
            .build()
            .execute(&mut *tx.tx)
            .await?;
        }
        // A case's flight is traced on the case: placed, moved or taken off.
        let changed: HashSet<i64> = new
            .iter()
            .filter(|(case, flight)| previous.get(*case).map(|(f, _)| f) != Some(*flight))
            .map(|(case, _)| *case)
            .chain(previous.keys().filter(|c| !new.contains_key(*c)).copied())
            .collect();
        let mut changed: Vec<i64> = changed.into_iter().collect();
        changed.sort_unstable();
        for case in changed {
            let before = previous
                .get(&case)
                .map(|(flight, told)| serde_json::json!({ "flight": flight, "told_at": told }));
            tx.audit(
                actor,
                Audit {
                    nation: nations.get(&case).map(String::as_str),
                    action: "case.flight",
                    entity_type: "case",
                    entity_id: CaseId(case).to_string(),
                    before: before.map(|b| to_json(&b)).transpose()?,
                    after: Some(to_json(&serde_json::json!({
                        "flight": new.get(&case),
                        "plan_run": id,
                    }))?),
                },
            )
            .await?;
        }
        tx.audit(
            actor,
            Audit {
                nation: None,
                action: "plan.run",
                entity_type: "plan",
                entity_id: id.to_string(),
                before: None,
                after: Some(to_json(&serde_json::json!({
                    "solver": record.solver,
                    "objective": record.objective,
                    "upper_bound": record.upper_bound,
                    "gap": record.gap,
                    "cases_ready": record.cases_ready,
                    "cases_assigned": record.cases_assigned,
                    "people_assigned": record.people_assigned,
                    "kept": kept,
                    "moved": moved,
                    "dropped": dropped,
                }))?),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(PlanOutcome {
            run: record,
            told_moved,
        })
    }

    async fn mark_told(&self, actor: &Actor, flight: &str) -> Result<usize> {
        let mut tx = WriteTx::begin(&self.writer).await?;
        let record = tx.flight_by_id(flight).await?;
        let Some(run) = tx.current_run().await? else {
            return Err(StoreError::Invalid(
                "no plan is stored yet: run `airbridge plan` first".into(),
            ));
        };
        let told = sqlx::query(
            "UPDATE plan_assignments SET told_at = $1 \
             WHERE plan_run = $2 AND flight_id = $3 AND told_at IS NULL",
        )
        .bind(&tx.at)
        .bind(run)
        .bind(flight)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected() as usize;
        tx.audit(
            actor,
            Audit {
                nation: Some(record.nation.as_str()),
                action: "flight.told",
                entity_type: "flight",
                entity_id: flight.to_owned(),
                before: None,
                after: Some(to_json(
                    &serde_json::json!({ "plan_run": run, "cases": told }),
                )?),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(told)
    }

    async fn flight_manifest(&self, flight: &str) -> Result<FlightManifest> {
        let record = self
            .get_flight(flight)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "flight",
                id: format!("{flight} (see `airbridge flights list`)"),
            })?;
        let Some(run) = sqlx::query_scalar::<_, Option<i64>>("SELECT max(id) FROM plan_runs")
            .fetch_one(&self.pool)
            .await?
        else {
            return Err(StoreError::Invalid(
                "no plan is stored yet: run `airbridge plan` first".into(),
            ));
        };
        // Two reads whatever the number of cases (not `get_case` for each): the cases, then
        // their members in case order, each case's principal first as `get_case` gives them.
        const ON_FLIGHT: &str =
            "SELECT case_id FROM plan_assignments WHERE plan_run = $1 AND flight_id = $2";
        let case_rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id, nation, organisation, reference, eligibility, version, created_at \
             FROM cases WHERE id IN ({ON_FLIGHT}) ORDER BY id"
        )))
        .bind(run)
        .bind(flight)
        .fetch_all(&self.pool)
        .await?;
        let person_rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLUMNS} FROM persons WHERE case_id IN ({ON_FLIGHT}) \
             ORDER BY case_id, relation != 'principal', id"
        )))
        .bind(run)
        .bind(flight)
        .fetch_all(&self.pool)
        .await?;
        let mut cases = Vec::with_capacity(case_rows.len());
        let mut rest = person_rows.as_slice();
        for row in &case_rows {
            let id: i64 = row.try_get("id")?;
            // Members of cases before this one (none: both are in case order) are skipped.
            while let Some(first) = rest.first()
                && first.try_get::<i64, _>("case_id")? < id
            {
                rest = &rest[1..];
            }
            let mut count = 0;
            while count < rest.len() && rest[count].try_get::<i64, _>("case_id")? == id {
                count += 1;
            }
            let (members, after) = rest.split_at(count);
            rest = after;
            let (case, eligibility, version, created_at) = case_from_rows(row, members)?;
            cases.push(CaseRecord {
                case,
                eligibility,
                version,
                created_at,
                people: members.iter().map(person_from_row).collect::<Result<_>>()?,
            });
        }
        Ok(FlightManifest {
            flight: record,
            plan_run: run,
            cases,
        })
    }

    async fn plan_loads(&self) -> Result<Vec<CaseLoad>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT a.flight_id, a.case_id, c.nation, p.id AS person_id, p.birth_first \
             FROM plan_assignments a JOIN cases c ON c.id = a.case_id \
             LEFT JOIN persons p ON p.case_id = a.case_id AND p.status IN {TRAVELLING} \
             WHERE a.plan_run = (SELECT max(id) FROM plan_runs) \
             ORDER BY a.flight_id, a.case_id, p.id"
        )))
        .fetch_all(&self.pool)
        .await?;
        let mut loads: Vec<CaseLoad> = Vec::new();
        for row in &rows {
            let flight: String = row.try_get("flight_id")?;
            let case = CaseId(row.try_get("case_id")?);
            if loads
                .last()
                .is_none_or(|last| last.case != case || last.flight != flight)
            {
                loads.push(CaseLoad {
                    flight,
                    case,
                    nation: parse_nation(&row.try_get::<String, _>("nation")?)?,
                    born_earliest: Vec::new(),
                });
            }
            let person: Option<i64> = row.try_get("person_id")?;
            if person.is_some()
                && let Some(load) = loads.last_mut()
            {
                let born: Option<i64> = row.try_get("birth_first")?;
                load.born_earliest
                    .push(born.map(airbridge_domain::GregorianDate::from_days_since_epoch));
            }
        }
        Ok(loads)
    }
}
