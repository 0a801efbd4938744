//! Importing a list sent over the web (the import screen's upload and `POST /api/import`): the
//! same reading as `airbridge import` (`airbridge_lists`: format, headers, values, families,
//! row keys), written in one transaction by `Store::import_list`. Uploads are size-limited and
//! read whole; the command line streams files of any size.

use crate::auth::Principal;
use crate::{ApiError, AppState};
use airbridge_domain::{Eligibility, GregorianDate, NationCode, OrganisationId};
use airbridge_lists::values::ValueOptions;
use airbridge_lists::{ColumnMapping, MappingFile, RowKeys, RowStatus};
use airbridge_store::{ImportBatch, ImportCase, ImportMember, ImportOutcome, QuarantineRow, Store};
use serde::Serialize;

/// The most an uploaded list may weigh (larger lists: `airbridge import` on the server).
pub const MAX_UPLOAD_BYTES: usize = 5 * 1024 * 1024;

/// Rows with issues shown in a report at most (the counts cover every row).
const REPORTED_ISSUES: usize = 500;

/// One issue of one row, as the report shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ReportLine {
    pub sheet: String,
    pub line: usize,
    pub status: &'static str,
    pub column: String,
    pub value: String,
    pub message: String,
}

/// What an upload read and changed.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub source: String,
    pub rows: usize,
    pub accepted: usize,
    pub accepted_with_warnings: usize,
    pub rejected: usize,
    pub cases: usize,
    pub outcome: ImportOutcome,
    pub notes: Vec<String>,
    /// Issues row by row, the first `REPORTED_ISSUES`.
    pub issues: Vec<ReportLine>,
}

fn status_name(status: RowStatus) -> &'static str {
    match status {
        RowStatus::Accepted => "accepted",
        RowStatus::AcceptedWithWarnings => "accepted_with_warnings",
        RowStatus::Rejected => "rejected",
    }
}

fn today() -> GregorianDate {
    GregorianDate::from_days_since_epoch(crate::auth::now().div_euclid(86_400))
}

/// Reads a list into cases and refused rows, with the report; no store involved.
fn read(
    name: &str,
    bytes: &[u8],
) -> Result<(Vec<ImportCase>, Vec<QuarantineRow>, ImportReport), ApiError> {
    let tables = airbridge_lists::read_table(name, bytes, None)
        .map_err(|error| ApiError::bad_request(format!("{name}: {error}")))?;
    let options = ValueOptions {
        calendar: None,
        month_first: false,
        default_region: None,
        today: today(),
    };
    let mapping_file = MappingFile::default();
    let mut report = ImportReport {
        source: name.to_owned(),
        rows: 0,
        accepted: 0,
        accepted_with_warnings: 0,
        rejected: 0,
        cases: 0,
        outcome: ImportOutcome::default(),
        notes: Vec::new(),
        issues: Vec::new(),
    };
    let mut cases = Vec::new();
    let mut rejected = Vec::new();
    for table in &tables {
        let sheet = table.sheet.clone().unwrap_or_else(|| name.to_owned());
        let mapping = ColumnMapping::detect(&table.headers, &mapping_file);
        if !mapping.has_names() {
            return Err(ApiError::bad_request(format!(
                "{sheet}: no column holds names (headers: {}); name them given_name, family_name or full_name",
                table.headers.join(", ")
            )));
        }
        report
            .notes
            .extend(table.notes.iter().map(|n| format!("{sheet}: {n}")));
        if !mapping.unrecognised.is_empty() {
            report.notes.push(format!(
                "{sheet}: columns kept with each person as written, not read into fields: {}",
                mapping.unrecognised.join(", ")
            ));
        }
        let mut rows = airbridge_lists::parse_rows(table, &mapping, &options);
        let built = airbridge_lists::build_cases(&mut rows);
        let mut keys = RowKeys::default();
        let row_keys: Vec<String> = rows.iter().map(|row| keys.key(row)).collect();
        report.cases += built.len();
        for case in built {
            let members = case
                .members
                .into_iter()
                .map(|member| ImportMember {
                    row_key: row_keys[member.row].clone(),
                    fingerprint: rows[member.row].fingerprint.clone(),
                    relation: member.relation,
                    person: member.person,
                    extra: std::mem::take(&mut rows[member.row].unread),
                })
                .collect();
            cases.push(ImportCase {
                reference: case.reference,
                eligibility: Eligibility::default(),
                members,
            });
        }
        for (row, key) in rows.iter_mut().zip(row_keys) {
            report.rows += 1;
            let status = row.status();
            match status {
                RowStatus::Accepted => report.accepted += 1,
                RowStatus::AcceptedWithWarnings => report.accepted_with_warnings += 1,
                RowStatus::Rejected => {
                    report.rejected += 1;
                    rejected.push(QuarantineRow {
                        row_key: key,
                        sheet: row.sheet.clone(),
                        line: row.line as i64,
                        fingerprint: row.fingerprint.clone(),
                        raw: std::mem::take(&mut row.raw),
                        issues: serde_json::to_value(&row.issues).unwrap_or_default(),
                    });
                }
            }
            for issue in &row.issues {
                if report.issues.len() < REPORTED_ISSUES {
                    report.issues.push(ReportLine {
                        sheet: row.sheet.clone().unwrap_or_else(|| name.to_owned()),
                        line: row.line,
                        status: status_name(status),
                        column: issue.column.clone().unwrap_or_default(),
                        value: issue.value.clone().unwrap_or_default(),
                        message: issue.message.clone(),
                    });
                }
            }
        }
    }
    Ok((cases, rejected, report))
}

/// Imports an uploaded list for a nation the caller acts for.
pub(crate) async fn import_upload<S: Store>(
    state: &AppState<S>,
    principal: &Principal,
    nation: Option<NationCode>,
    organisation: Option<OrganisationId>,
    name: &str,
    bytes: Vec<u8>,
) -> Result<ImportReport, ApiError> {
    let nation = principal
        .scope(nation)?
        .ok_or_else(|| ApiError::bad_request("choose the nation the list belongs to"))?;
    let name = name.trim();
    if name.is_empty() || name.len() > 200 {
        return Err(ApiError::bad_request(
            "give the list a file name of at most 200 characters",
        ));
    }
    if bytes.is_empty() {
        return Err(ApiError::bad_request(
            "the file is empty: choose a list to import",
        ));
    }
    let source = name.to_owned();
    let (cases, rejected, mut report) = tokio::task::spawn_blocking(move || read(&source, &bytes))
        .await
        .map_err(|_| ApiError::bad_request("the list could not be read"))??;
    report.outcome = state
        .store
        .import_list(
            &principal.actor(),
            ImportBatch {
                nation,
                organisation,
                source: name.to_owned(),
                cases,
                rejected,
            },
        )
        .await?;
    let mut changed = report.outcome.created.clone();
    changed.extend(&report.outcome.people_updated);
    crate::jobs::people_changed(&state.store, &principal.actor(), &changed).await;
    Ok(report)
}
