//! `ENR-4`: Concord finds entry/exit inconsistencies by itself — after every enrollment change
//! of the client concerned, and on a schedule for the whole tenant — and lists them for the
//! agencies concerned, each a `reportEnrollmentError` away from an `ENR-3` case.
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entities::inconsistencies;
use sea_orm::ActiveValue::Set;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::caller::Caller;
use crate::error::DomainResult;
use crate::page::Page;
use crate::page::Window;
use crate::policy::records::{self, Element, Inconsistency, InconsistencyKind, Plan, StayFacts};
use crate::policy::roles::Role;
use crate::policy::service_accounts::Scope;
use crate::records::context::RecordCtx;
use crate::state::AppState;
use crate::store;

/// Clients scanned per batch of the tenant-wide scan.
const SCAN_BATCH: u64 = 500;

fn key(found: &Inconsistency) -> String {
    let other = found.other.map(|o| o.to_string()).unwrap_or_default();
    format!("{}:{}:{other}", found.kind.as_str(), found.stay)
}

/// Scans one client's stays inside `db` (the change's own transaction): records what is newly
/// found and resolves what is no longer.
pub async fn client(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    client_id: Uuid,
    plan: Plan<'_>,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    let stays: Vec<StayFacts> = store::enrollments::of_client(db, tenant_id, client_id)
        .await?
        .iter()
        .map(|(e, project)| StayFacts {
            id: e.id,
            agency: project.agency_id,
            project_type: project.project_type,
            entry: e.entry_date,
            exit: e.exit_date,
            move_in: e.move_in_date,
        })
        .collect();
    let agency_of: HashMap<Uuid, Uuid> = stays.iter().map(|s| (s.id, s.agency)).collect();
    let found = records::inconsistencies(plan, &stays);
    let open = store::inconsistencies::open_of_client(db, tenant_id, client_id).await?;
    let found_keys: HashSet<String> = found.iter().map(key).collect();
    let open_keys: HashSet<&str> = open.iter().map(|f| f.finding_key.as_str()).collect();
    for stale in open.iter().filter(|f| !found_keys.contains(&f.finding_key)) {
        store::inconsistencies::resolve(db, tenant_id, stale.id, now).await?;
    }
    for finding in found
        .iter()
        .filter(|f| !open_keys.contains(key(f).as_str()))
    {
        let Some(&agency) = agency_of.get(&finding.stay) else {
            continue;
        };
        store::inconsistencies::insert(
            db,
            inconsistencies::ActiveModel {
                tenant_id: Set(tenant_id),
                id: Set(Uuid::now_v7()),
                client_id: Set(client_id),
                kind: Set(finding.kind.as_str().to_owned()),
                enrollment_id: Set(finding.stay),
                enrollment_agency: Set(agency),
                other_enrollment_id: Set(finding.other),
                other_agency: Set(finding.other.and_then(|o| agency_of.get(&o).copied())),
                finding_key: Set(key(finding)),
                found_at: Set(now),
                resolved_at: Set(None),
            },
        )
        .await?;
    }
    Ok(())
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScanReport {
    pub clients: usize,
}

/// Scans every enrolled client of the tenant (Concord acting for it), in batches.
pub async fn tenant(state: &AppState, caller: impl Into<Caller<'_>>) -> DomainResult<ScanReport> {
    let caller = caller.into();
    let tenant_id = caller.tenant_id();
    let mut report = ScanReport::default();
    let mut after = None;
    loop {
        let tx = caller.begin(state).await?;
        let plan = store::plans::in_force(&tx, tenant_id).await?;
        let plan = Plan {
            version: plan.version,
            document: &plan.document,
        };
        let batch = store::enrollments::enrolled_clients(&tx, tenant_id, after, SCAN_BATCH).await?;
        let now = state.clock.now();
        for client_id in &batch {
            client(&tx, tenant_id, *client_id, plan, now).await?;
        }
        tx.commit().await?;
        report.clients += batch.len();
        match batch.last() {
            Some(last) if batch.len() as u64 == SCAN_BATCH => after = Some(*last),
            _ => return Ok(report),
        }
    }
}

/// A finding as a viewer sees it.
pub struct Finding {
    pub row: inconsistencies::Model,
    pub kind: InconsistencyKind,
    pub hmis_number: String,
    /// The stay of another agency that the viewer may report (`ENR-3`); none when both are the
    /// viewer's own.
    pub reportable: Option<Uuid>,
}

/// The open findings the viewer's agency is concerned by (every one for the Data Center).
/// Where the plan does not share entry/exit, an agency sees only findings about its own stays
/// alone: a pair would tell it of another agency's stay (PLAN-1).
pub async fn page(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    window: Window,
) -> DomainResult<Page<Finding>> {
    let ctx = RecordCtx::read(state, caller, Scope::CasesRead).await?;
    let viewer = ctx.actor();
    let agency = match viewer.role {
        Role::DataCenter => None,
        Role::AgencyAdmin | Role::User => Some(viewer.agency_id.unwrap_or_else(Uuid::nil)),
    };
    let shared = ctx.plan().shares(Element::ENTRY_EXIT);
    let page = store::inconsistencies::open_page(ctx.tx(), ctx.tenant(), agency, window).await?;
    let hmis_numbers = store::clients::hmis_numbers(
        ctx.tx(),
        ctx.tenant(),
        page.rows.iter().map(|r| r.client_id),
    )
    .await?;
    let mut rows = Vec::with_capacity(page.rows.len());
    for row in page.rows {
        let pair_with_other = row.other_agency.is_some_and(|o| Some(o) != agency)
            || Some(row.enrollment_agency) != agency;
        if agency.is_some() && pair_with_other && !shared {
            continue;
        }
        let Some(kind) = InconsistencyKind::parse(&row.kind) else {
            continue;
        };
        let hmis_number = hmis_numbers
            .get(&row.client_id)
            .cloned()
            .unwrap_or_default();
        let reportable = match agency {
            None => None,
            Some(mine) if row.enrollment_agency != mine => Some(row.enrollment_id),
            Some(mine) => row
                .other_enrollment_id
                .filter(|_| row.other_agency.is_some_and(|o| o != mine)),
        };
        rows.push(Finding {
            row,
            kind,
            hmis_number,
            reportable,
        });
    }
    ctx.commit().await?;
    Ok(Page {
        rows,
        info: page.info,
    })
}
