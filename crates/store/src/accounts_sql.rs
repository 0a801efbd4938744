// Accounts, sessions, login attempts, the first-run setup token and role-bearing API tokens:
// the statements shared by both backends, included after `registry_sql.rs` by `sqlite.rs` and
// `postgres.rs` (it uses that file's `WriteTx` and `Audit`). The `Store` implementation in
// `registry_sql.rs` passes each accounts call to the method of the same name here.
//
// Every change to an account, every login, failed login, lockout and logout, and every token
// created writes its audit event in the same transaction, as registry changes do. Two writes
// are bookkeeping and are not audited: a session's last-seen time, and the time step of the
// last second-factor code used (the login it belongs to is audited).

use crate::accounts::{
    FailedLogin, LockoutPolicy, LoginAttempt, NewSession, NewUser, SessionRecord, UserCredentials,
    UserRecord,
};
use airbridge_domain::{Access, Role};

const USER_COLUMNS: &str = "u.id, u.username, u.display_name, u.role, u.nation, u.organisation, \
     u.gate, u.password_hash, u.totp_secret, u.disabled, u.failed_logins, u.locked_until, \
     u.created_at, u.updated_at";

/// A session's last-seen time is written again only after this many seconds, so that browsing
/// does not write to the database on every request.
const TOUCH_EVERY: i64 = 60;

fn access_from_row(row: &DbRow) -> Result<Access> {
    let role: String = row.try_get("role")?;
    let role = Role::parse(&role).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let nation = row
        .try_get::<Option<String>, _>("nation")?
        .map(|n| parse_nation(&n))
        .transpose()?;
    let organisation = row
        .try_get::<Option<i64>, _>("organisation")?
        .map(OrganisationId);
    let gate: Option<String> = row.try_get("gate")?;
    Access::new(role, nation, organisation, gate).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn user_from_row(row: &DbRow) -> Result<UserCredentials> {
    let totp_secret: Option<String> = row.try_get("totp_secret")?;
    Ok(UserCredentials {
        user: UserRecord {
            id: row.try_get("id")?,
            username: row.try_get("username")?,
            display_name: row.try_get("display_name")?,
            access: access_from_row(row)?,
            disabled: row.try_get::<i64, _>("disabled")? != 0,
            totp_enrolled: totp_secret.is_some(),
            failed_logins: row.try_get("failed_logins")?,
            locked_until: row.try_get("locked_until")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        },
        password_hash: row.try_get("password_hash")?,
        totp_secret,
    })
}

/// What an audit event says about an account: never its password hash or second-factor secret.
fn user_audit_json(user: &UserRecord) -> Result<String> {
    to_json(&serde_json::json!({
        "username": user.username,
        "display_name": user.display_name,
        "access": user.access,
        "disabled": user.disabled,
        "totp_enrolled": user.totp_enrolled,
        "failed_logins": user.failed_logins,
        "locked_until": user.locked_until,
    }))
}

fn user_not_found(username: &str) -> StoreError {
    StoreError::NotFound {
        entity: "user",
        id: username.to_owned(),
    }
}

impl WriteTx {
    async fn user_by_name(&mut self, username: &str) -> Result<Option<UserCredentials>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.username = $1"
        )))
        .bind(username)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn existing_user(&mut self, username: &str) -> Result<UserCredentials> {
        self.user_by_name(username)
            .await?
            .ok_or_else(|| user_not_found(username))
    }

    /// Checks that what an access is bound to exists: its nation, and its organisation in that
    /// nation.
    async fn require_access_targets(&mut self, access: &Access) -> Result<()> {
        if let Some(nation) = access.nation() {
            self.require_nation(nation).await?;
            if let Some(organisation) = access.organisation() {
                let organisation = self.organisation(organisation).await?;
                check_organisation_nation(&organisation, nation)?;
            }
        }
        Ok(())
    }

    async fn insert_user(&mut self, actor: &Actor, user: NewUser) -> Result<UserRecord> {
        let username = crate::accounts::check_username(&user.username)?;
        let display_name = user.display_name.trim();
        if display_name.is_empty() || display_name.chars().count() > 100 {
            return Err(StoreError::Invalid(
                "a display name is needed (at most 100 characters)".into(),
            ));
        }
        if !user.password_hash.starts_with("$argon2id$") {
            return Err(StoreError::Invalid(
                "a password must be given to the store as an Argon2id PHC string".into(),
            ));
        }
        self.require_access_targets(&user.access).await?;
        if self.user_by_name(&username).await?.is_some() {
            return Err(StoreError::AlreadyExists(format!("user '{username}'")));
        }
        sqlx::query(
            "INSERT INTO users (id, username, display_name, role, nation, organisation, gate, \
             password_hash, created_at, updated_at) \
             VALUES ((SELECT coalesce(max(id), 0) + 1 FROM users), $1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(&username)
        .bind(display_name)
        .bind(user.access.role().as_str())
        .bind(user.access.nation().map(|n| n.to_string()))
        .bind(user.access.organisation().map(|o| o.0))
        .bind(user.access.gate())
        .bind(&user.password_hash)
        .bind(&self.at)
        .execute(&mut *self.tx)
        .await?;
        let record = self.existing_user(&username).await?.user;
        self.audit(
            actor,
            Audit {
                nation: record.access.nation().as_ref().map(NationCode::as_str),
                action: "user.add",
                entity_type: "user",
                entity_id: username,
                before: None,
                after: Some(user_audit_json(&record)?),
            },
        )
        .await?;
        Ok(record)
    }

    /// Applies `change` (an UPDATE of the user's row, `$1` = the user's id) and audits it.
    async fn change_user(
        &mut self,
        actor: &Actor,
        username: &str,
        action: &str,
        change: &'static str,
    ) -> Result<UserRecord> {
        let before = self.existing_user(username).await?.user;
        sqlx::query(change)
            .bind(before.id)
            .bind(&self.at)
            .execute(&mut *self.tx)
            .await?;
        let after = self.existing_user(username).await?.user;
        self.audit(
            actor,
            Audit {
                nation: after.access.nation().as_ref().map(NationCode::as_str),
                action,
                entity_type: "user",
                entity_id: after.username.clone(),
                before: Some(user_audit_json(&before)?),
                after: Some(user_audit_json(&after)?),
            },
        )
        .await?;
        Ok(after)
    }
}

impl ThisStore {
    pub(crate) async fn accounts_add_user(
        &self,
        actor: &Actor,
        user: NewUser,
    ) -> Result<UserRecord> {
        let mut tx = WriteTx::begin(&self.writer).await?;
        let record = tx.insert_user(actor, user).await?;
        tx.commit().await?;
        Ok(record)
    }

    pub(crate) async fn accounts_user_credentials(
        &self,
        username: &str,
    ) -> Result<Option<UserCredentials>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.username = $1"
        )))
        .bind(username.trim().to_lowercase())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    pub(crate) async fn accounts_list_users(
        &self,
        nation: Option<NationCode>,
    ) -> Result<Vec<UserRecord>> {
        let mut sql: QueryBuilder<Db> =
            QueryBuilder::new(format!("SELECT {USER_COLUMNS} FROM users u WHERE 1 = 1"));
        if let Some(nation) = nation {
            sql.push(" AND u.nation = ").push_bind(nation.to_string());
        }
        sql.push(" ORDER BY u.username");
        sql.build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| user_from_row(row).map(|c| c.user))
            .collect()
    }

    pub(crate) async fn accounts_count_users(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM users")
            .fetch_one(&self.pool)
            .await?)
    }

    pub(crate) async fn accounts_set_user_disabled(
        &self,
        actor: &Actor,
        username: &str,
        disabled: bool,
    ) -> Result<UserRecord> {
        let mut tx = WriteTx::begin(&self.writer).await?;
        let record = if disabled {
            let record = tx
                .change_user(
                    actor,
                    username,
                    "user.disable",
                    "UPDATE users SET disabled = 1, updated_at = $2 WHERE id = $1",
                )
                .await?;
            // A disabled account is logged out everywhere at once.
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(record.id)
                .execute(&mut *tx.tx)
                .await?;
            record
        } else {
            tx.change_user(
                actor,
                username,
                "user.enable",
                "UPDATE users SET disabled = 0, updated_at = $2 WHERE id = $1",
            )
            .await?
        };
        tx.commit().await?;
        Ok(record)
    }

    pub(crate) async fn accounts_unlock_user(
        &self,
        actor: &Actor,
        username: &str,
    ) -> Result<UserRecord> {
        let mut tx = WriteTx::begin(&self.writer).await?;
        let record = tx
            .change_user(
                actor,
                username,
                "user.unlock",
                "UPDATE users SET failed_logins = 0, locked_until = NULL, updated_at = $2 \
                 WHERE id = $1",
            )
            .await?;
        tx.commit().await?;
        Ok(record)
    }

    pub(crate) async fn accounts_set_user_totp(
        &self,
        actor: &Actor,
        username: &str,
        secret: Option<String>,
    ) -> Result<UserRecord> {
        let mut tx = WriteTx::begin(&self.writer).await?;
        let before = tx.existing_user(username).await?.user;
        sqlx::query(
            "UPDATE users SET totp_secret = $2, totp_last_step = NULL, updated_at = $3 \
             WHERE id = $1",
        )
        .bind(before.id)
        .bind(&secret)
        .bind(&tx.at)
        .execute(&mut *tx.tx)
        .await?;
        let after = tx.existing_user(username).await?.user;
        tx.audit(
            actor,
            Audit {
                nation: after.access.nation().as_ref().map(NationCode::as_str),
                action: if secret.is_some() {
                    "user.totp_enrol"
                } else {
                    "user.totp_reset"
                },
                entity_type: "user",
                entity_id: after.username.clone(),
                before: Some(user_audit_json(&before)?),
                after: Some(user_audit_json(&after)?),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub(crate) async fn accounts_login_failed(
        &self,
        attempt: LoginAttempt<'_>,
        policy: LockoutPolicy,
    ) -> Result<FailedLogin> {
        let typed: String = attempt.username.trim().chars().take(64).collect();
        let actor = Actor::new(format!("login:{}", attempt.address.unwrap_or("unknown")));
        let mut tx = WriteTx::begin(&self.writer).await?;
        let user = tx.user_by_name(&typed.to_lowercase()).await?;
        let details = serde_json::json!({ "reason": attempt.reason, "address": attempt.address });
        let Some(user) = user else {
            tx.audit(
                &actor,
                Audit {
                    nation: None,
                    action: "auth.login_failed",
                    entity_type: "user",
                    entity_id: typed,
                    before: None,
                    after: Some(to_json(&details)?),
                },
            )
            .await?;
            tx.commit().await?;
            return Ok(FailedLogin::UnknownUser);
        };
        let user = user.user;
        let nation = user.access.nation();
        let nation = nation.as_ref().map(NationCode::as_str);
        let outcome = match user.locked_until {
            Some(until) if until > attempt.now => FailedLogin::Locked { until },
            _ => {
                let failures = user.failed_logins + 1;
                if failures >= policy.max_failures {
                    FailedLogin::Locked {
                        until: attempt.now + policy.lock_seconds,
                    }
                } else {
                    FailedLogin::Counted { failures }
                }
            }
        };
        tx.audit(
            &actor,
            Audit {
                nation,
                action: "auth.login_failed",
                entity_type: "user",
                entity_id: user.username.clone(),
                before: None,
                after: Some(to_json(&details)?),
            },
        )
        .await?;
        match outcome {
            FailedLogin::Counted { failures } => {
                sqlx::query("UPDATE users SET failed_logins = $2 WHERE id = $1")
                    .bind(user.id)
                    .bind(failures)
                    .execute(&mut *tx.tx)
                    .await?;
            }
            FailedLogin::Locked { until } if user.locked_until != Some(until) => {
                // The failure that reaches the limit locks the account; the count starts again
                // once the lock is over (or lifted by an administrator).
                sqlx::query(
                    "UPDATE users SET failed_logins = 0, locked_until = $2, updated_at = $3 \
                     WHERE id = $1",
                )
                .bind(user.id)
                .bind(until)
                .bind(&tx.at)
                .execute(&mut *tx.tx)
                .await?;
                tx.audit(
                    &actor,
                    Audit {
                        nation,
                        action: "auth.lockout",
                        entity_type: "user",
                        entity_id: user.username.clone(),
                        before: None,
                        after: Some(to_json(&serde_json::json!({
                            "locked_until": until,
                            "after_failures": policy.max_failures,
                        }))?),
                    },
                )
                .await?;
            }
            FailedLogin::Locked { .. } | FailedLogin::UnknownUser => {}
        }
        tx.commit().await?;
        Ok(outcome)
    }

    pub(crate) async fn accounts_claim_totp_step(&self, user_id: i64, step: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE users SET totp_last_step = $2 WHERE id = $1 \
             AND (totp_last_step IS NULL OR totp_last_step < $2)",
        )
        .bind(user_id)
        .bind(step)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn accounts_start_session(
        &self,
        username: &str,
        session: NewSession,
        replaces: Option<&str>,
        address: Option<&str>,
    ) -> Result<()> {
        let mut tx = WriteTx::begin(&self.writer).await?;
        let user = tx.existing_user(username).await?.user;
        if user.disabled {
            return Err(StoreError::Invalid(format!(
                "user '{username}' is disabled"
            )));
        }
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(session.now)
            .execute(&mut *tx.tx)
            .await?;
        if let Some(old) = replaces {
            sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
                .bind(old)
                .execute(&mut *tx.tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, second_factor_done, created_at, \
             last_seen, expires_at) VALUES ($1, $2, $3, $4, $5, $5, $6)",
        )
        .bind(&session.id_hash)
        .bind(user.id)
        .bind(&session.csrf_token)
        .bind(i64::from(session.second_factor_done))
        .bind(session.now)
        .bind(session.now + session.lifetime)
        .execute(&mut *tx.tx)
        .await?;
        if session.second_factor_done {
            sqlx::query(
                "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1 \
                 AND (failed_logins <> 0 OR locked_until IS NOT NULL)",
            )
            .bind(user.id)
            .execute(&mut *tx.tx)
            .await?;
        }
        let nation = user.access.nation();
        tx.audit(
            &Actor::new(format!("user:{}", user.username)),
            Audit {
                nation: nation.as_ref().map(NationCode::as_str),
                action: if session.second_factor_done {
                    "auth.login"
                } else {
                    "auth.password_accepted"
                },
                entity_type: "user",
                entity_id: user.username.clone(),
                before: None,
                after: Some(to_json(&serde_json::json!({ "address": address }))?),
            },
        )
        .await?;
        tx.commit().await
    }

    pub(crate) async fn accounts_session(
        &self,
        id_hash: &str,
        now: i64,
        idle_seconds: i64,
    ) -> Result<Option<SessionRecord>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS}, s.csrf_token, s.second_factor_done, s.created_at AS s_created, \
             s.last_seen, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.id_hash = $1"
        )))
        .bind(id_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let user = user_from_row(&row)?.user;
        let last_seen: i64 = row.try_get("last_seen")?;
        let expires_at: i64 = row.try_get("expires_at")?;
        if user.disabled || expires_at <= now || last_seen + idle_seconds <= now {
            sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
                .bind(id_hash)
                .execute(&self.writer)
                .await?;
            return Ok(None);
        }
        if now - last_seen >= TOUCH_EVERY {
            sqlx::query("UPDATE sessions SET last_seen = $2 WHERE id_hash = $1")
                .bind(id_hash)
                .bind(now)
                .execute(&self.writer)
                .await?;
        }
        Ok(Some(SessionRecord {
            user,
            csrf_token: row.try_get("csrf_token")?,
            second_factor_done: row.try_get::<i64, _>("second_factor_done")? != 0,
            created_at: row.try_get("s_created")?,
            expires_at,
        }))
    }

    pub(crate) async fn accounts_end_session(&self, id_hash: &str) -> Result<()> {
        let mut tx = WriteTx::begin(&self.writer).await?;
        let username: Option<String> = sqlx::query_scalar(
            "SELECT u.username FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.id_hash = $1",
        )
        .bind(id_hash)
        .fetch_optional(&mut *tx.tx)
        .await?;
        let Some(username) = username else {
            return Ok(());
        };
        let user = tx.existing_user(&username).await?.user;
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&mut *tx.tx)
            .await?;
        let nation = user.access.nation();
        tx.audit(
            &Actor::new(format!("user:{username}")),
            Audit {
                nation: nation.as_ref().map(NationCode::as_str),
                action: "auth.logout",
                entity_type: "user",
                entity_id: username.clone(),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await
    }

    pub(crate) async fn accounts_create_setup_token(
        &self,
        token_hash: &str,
        expires_at: i64,
    ) -> Result<bool> {
        let mut tx = WriteTx::begin(&self.writer).await?;
        let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
            .fetch_one(&mut *tx.tx)
            .await?;
        if users > 0 {
            return Ok(false);
        }
        sqlx::query("INSERT INTO setup_tokens (token_hash, expires_at) VALUES ($1, $2)")
            .bind(token_hash)
            .bind(expires_at)
            .execute(&mut *tx.tx)
            .await?;
        tx.audit(
            &Actor::new("system:setup"),
            Audit {
                nation: None,
                action: "setup.token",
                entity_type: "event",
                entity_id: "setup".to_owned(),
                before: None,
                after: Some(to_json(&serde_json::json!({ "expires_at": expires_at }))?),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    pub(crate) async fn accounts_add_first_user(
        &self,
        token_hash: &str,
        now: i64,
        user: NewUser,
    ) -> Result<UserRecord> {
        let refused = || StoreError::NotFound {
            entity: "setup link",
            id: "(it was used already, has expired, or is not this server's)".to_owned(),
        };
        let mut tx = WriteTx::begin(&self.writer).await?;
        let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
            .fetch_one(&mut *tx.tx)
            .await?;
        if users > 0 {
            return Err(refused());
        }
        let used = sqlx::query(
            "UPDATE setup_tokens SET used_at = $3 WHERE token_hash = $1 AND used_at IS NULL \
             AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .bind(&tx.at)
        .execute(&mut *tx.tx)
        .await?;
        if used.rows_affected() != 1 {
            return Err(refused());
        }
        let actor = Actor::new(format!("setup:{}", user.username.trim()));
        tx.audit(
            &actor,
            Audit {
                nation: None,
                action: "setup.used",
                entity_type: "event",
                entity_id: "setup".to_owned(),
                before: None,
                after: None,
            },
        )
        .await?;
        let record = tx.insert_user(&actor, user).await?;
        tx.commit().await?;
        Ok(record)
    }

    pub(crate) async fn accounts_create_token(
        &self,
        actor: &Actor,
        name: &str,
        access: &Access,
    ) -> Result<String> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("a token needs a name".into()));
        }
        let mut bytes = [0u8; 24];
        getrandom::fill(&mut bytes)
            .map_err(|e| StoreError::Invalid(format!("no randomness available: {e}")))?;
        let secret = format!("ab_{}", hex::encode(bytes));
        let mut tx = WriteTx::begin(&self.writer).await?;
        tx.require_access_targets(access).await?;
        let exists = sqlx::query("SELECT 1 FROM api_tokens WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *tx.tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::AlreadyExists(format!("token '{name}'")));
        }
        sqlx::query(
            "INSERT INTO api_tokens (id, name, token_hash, nation, role, organisation, gate, \
             created_at) \
             VALUES ((SELECT coalesce(max(id), 0) + 1 FROM api_tokens), $1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(name)
        .bind(audit::secret_hash(&secret))
        .bind(access.nation().map(|n| n.to_string()))
        .bind(access.role().as_str())
        .bind(access.organisation().map(|o| o.0))
        .bind(access.gate())
        .bind(&tx.at)
        .execute(&mut *tx.tx)
        .await?;
        tx.audit(
            actor,
            Audit {
                nation: access.nation().as_ref().map(NationCode::as_str),
                action: "token.create",
                entity_type: "token",
                entity_id: name.to_owned(),
                before: None,
                after: Some(to_json(
                    &serde_json::json!({ "name": name, "nation": access.nation(), "access": access }),
                )?),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(secret)
    }

    pub(crate) async fn accounts_check_api_token(
        &self,
        secret: &str,
    ) -> Result<Option<TokenOwner>> {
        let row = sqlx::query(
            "SELECT name, nation, role, organisation, gate FROM api_tokens \
             WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(audit::secret_hash(secret.trim()))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(TokenOwner {
                name: row.try_get("name")?,
                access: access_from_row(&row)?,
            })
        })
        .transpose()
    }
}
