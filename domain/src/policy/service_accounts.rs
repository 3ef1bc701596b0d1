//! Service accounts: a tenant's integrations (a reporting script, a data warehouse) acting
//! under their own name. Rule ids:
//! - `SVC-1` Only the Data Center creates, rotates and revokes service accounts, and only a
//!   person does: an integration never makes another.
//! - `SVC-2` A service account acts within its role (every rule of the plan applies to it as
//!   to a person of that role and agency) and, narrower still, within its scopes. The CoC's
//!   reference data — its name, agencies, projects and sharing plan — every scope reads.
//! - `SVC-3` What only a person does — signing in with a password, second factors, sessions,
//!   invitations (they name who invites), webhooks — a service account does not.
use super::Decision;
use super::roles::{Actor, Role};

/// One kind of thing a service account may be allowed to do within its role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Clients' demographics, profile rows, case managers, search, explanations.
    ClientsRead,
    ClientsWrite,
    EnrollmentsRead,
    EnrollmentsWrite,
    ServicesRead,
    ServicesWrite,
    NotesRead,
    NotesWrite,
    FilesRead,
    FilesWrite,
    /// Conflicts, escalations, inconsistencies and the notifications about them.
    CasesRead,
    CasesWrite,
    /// The audit log and the client view log.
    AuditRead,
    /// Users, invitations (read only: a person sends them, `SVC-3`).
    PeopleRead,
    /// Agencies, projects, users' roles and deactivation.
    PeopleWrite,
    PlanWrite,
}

impl Scope {
    pub const ALL: [Self; 16] = [
        Self::ClientsRead,
        Self::ClientsWrite,
        Self::EnrollmentsRead,
        Self::EnrollmentsWrite,
        Self::ServicesRead,
        Self::ServicesWrite,
        Self::NotesRead,
        Self::NotesWrite,
        Self::FilesRead,
        Self::FilesWrite,
        Self::CasesRead,
        Self::CasesWrite,
        Self::AuditRead,
        Self::PeopleRead,
        Self::PeopleWrite,
        Self::PlanWrite,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClientsRead => "CLIENTS_READ",
            Self::ClientsWrite => "CLIENTS_WRITE",
            Self::EnrollmentsRead => "ENROLLMENTS_READ",
            Self::EnrollmentsWrite => "ENROLLMENTS_WRITE",
            Self::ServicesRead => "SERVICES_READ",
            Self::ServicesWrite => "SERVICES_WRITE",
            Self::NotesRead => "NOTES_READ",
            Self::NotesWrite => "NOTES_WRITE",
            Self::FilesRead => "FILES_READ",
            Self::FilesWrite => "FILES_WRITE",
            Self::CasesRead => "CASES_READ",
            Self::CasesWrite => "CASES_WRITE",
            Self::AuditRead => "AUDIT_READ",
            Self::PeopleRead => "PEOPLE_READ",
            Self::PeopleWrite => "PEOPLE_WRITE",
            Self::PlanWrite => "PLAN_WRITE",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|scope| scope.as_str() == raw)
    }

    /// What a person reads in a refusal.
    fn describe(self) -> &'static str {
        match self {
            Self::ClientsRead => "read clients",
            Self::ClientsWrite => "enter or change clients",
            Self::EnrollmentsRead => "read enrollments",
            Self::EnrollmentsWrite => "enter or change enrollments",
            Self::ServicesRead => "read services",
            Self::ServicesWrite => "record or change services",
            Self::NotesRead => "read client notes",
            Self::NotesWrite => "write client notes",
            Self::FilesRead => "read files",
            Self::FilesWrite => "upload or delete files",
            Self::CasesRead => "read conflicts and escalations",
            Self::CasesWrite => "act on conflicts and escalations",
            Self::AuditRead => "read the audit log",
            Self::PeopleRead => "read users and invitations",
            Self::PeopleWrite => "manage agencies, projects and users",
            Self::PlanWrite => "publish the sharing plan",
        }
    }
}

/// A set of scopes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Scopes(u32);

impl Scopes {
    pub fn contains(self, scope: Scope) -> bool {
        self.0 & Self::bit(scope) != 0
    }

    pub fn with(self, scope: Scope) -> Self {
        Self(self.0 | Self::bit(scope))
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Scope> {
        Scope::ALL
            .into_iter()
            .filter(move |scope| self.contains(*scope))
    }

    fn bit(scope: Scope) -> u32 {
        // Sixteen scopes: each has a bit of its own.
        1 << (scope as u32)
    }

    /// As stored: each between commas (",CLIENTS_READ,SERVICES_WRITE,").
    pub fn to_stored(self) -> String {
        let names: Vec<&str> = self.iter().map(Scope::as_str).collect();
        format!(",{},", names.join(","))
    }

    /// As an access token's `scope` claim: separated by spaces (RFC 6749 §3.3).
    pub fn to_claim(self) -> String {
        let names: Vec<&str> = self.iter().map(Scope::as_str).collect();
        names.join(" ")
    }

    /// Reads a stored or claimed set; `None` when any name is unknown (a broken row or a
    /// forged claim is refused, never read as fewer scopes).
    pub fn parse_list(raw: &str) -> Option<Self> {
        raw.split([',', ' '])
            .filter(|name| !name.is_empty())
            .try_fold(Self::default(), |set, name| {
                Some(set.with(Scope::parse(name)?))
            })
    }
}

impl FromIterator<Scope> for Scopes {
    fn from_iter<I: IntoIterator<Item = Scope>>(iter: I) -> Self {
        iter.into_iter().fold(Self::default(), Self::with)
    }
}

/// `SVC-2`: may a caller with `granted` scopes (`None`: a person, or a service account with
/// every scope of its role) do what needs `needed`? Its role is decided by the other rules.
pub fn permits(granted: Option<Scopes>, needed: Scope) -> Decision {
    match granted {
        Some(scopes) if !scopes.contains(needed) => Decision::refuse(
            "SVC-2",
            format!(
                "this service account may not {}: its scopes do not include {}",
                needed.describe(),
                needed.as_str()
            ),
        ),
        _ => Decision::allow("SVC-2"),
    }
}

/// `SVC-2`: `decision` as a caller with `granted` scopes gets it — the scope's refusal when
/// the action needs a scope it lacks, so an `access` block never offers what the server
/// would refuse.
pub fn within(granted: Option<Scopes>, needed: Scope, decision: Decision) -> Decision {
    let scope = permits(granted, needed);
    if scope.allowed { decision } else { scope }
}

/// `SVC-1`: service accounts are the Data Center's, as the CoC's integrations are.
pub fn manage(actor: &Actor) -> Decision {
    match actor.role {
        Role::DataCenter => Decision::allow("SVC-1"),
        Role::AgencyAdmin | Role::User => Decision::refuse(
            "SVC-1",
            "only the Data Center creates, rotates and revokes service accounts",
        ),
    }
}

/// `SVC-3`: what a service account is refused because only a person does it.
pub fn person_only() -> Decision {
    Decision::refuse(
        "SVC-3",
        "a service account does not do this: signing in, second factors, sessions, \
         invitations, webhooks and service accounts are a person's",
    )
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    #[test]
    fn svc_2_a_person_is_not_narrowed_by_scopes() {
        assert!(permits(None, Scope::AuditRead).allowed);
    }

    #[test]
    fn svc_2_an_action_outside_the_scopes_is_refused_whatever_the_plan_allows() {
        let read_only: Scopes = [Scope::ClientsRead].into_iter().collect();
        let refused = within(
            Some(read_only),
            Scope::ClientsWrite,
            Decision::allow("DEM-2"),
        );
        assert!(!refused.allowed);
        assert_eq!(refused.rule, "SVC-2");
        assert!(refused.reason.contains("CLIENTS_WRITE"));
        // Within its scopes, the plan decides, refusal and rule alike.
        let plan = within(
            Some(read_only),
            Scope::ClientsRead,
            Decision::refuse("DEM-1", "not shared"),
        );
        assert_eq!((plan.allowed, plan.rule), (false, "DEM-1"));
        assert!(within(None, Scope::ClientsWrite, Decision::allow("DEM-2")).allowed);
    }

    #[test]
    fn svc_2_a_service_account_acts_only_within_its_scopes() {
        let scopes: Scopes = [Scope::ClientsRead, Scope::ServicesWrite]
            .into_iter()
            .collect();
        assert!(permits(Some(scopes), Scope::ClientsRead).allowed);
        assert!(permits(Some(scopes), Scope::ServicesWrite).allowed);
        let refused = permits(Some(scopes), Scope::ClientsWrite);
        assert!(!refused.allowed);
        assert_eq!(refused.rule, "SVC-2");
        assert!(refused.reason.contains("CLIENTS_WRITE"));
        assert!(!permits(Some(Scopes::default()), Scope::ClientsRead).allowed);
    }

    #[test]
    fn scopes_read_back_as_written_and_unknown_names_are_refused() {
        let scopes: Scopes = Scope::ALL.into_iter().collect();
        assert_eq!(Scopes::parse_list(&scopes.to_stored()), Some(scopes));
        assert_eq!(Scopes::parse_list(&scopes.to_claim()), Some(scopes));
        assert_eq!(scopes.iter().count(), Scope::ALL.len());
        assert_eq!(Scopes::parse_list(",CLIENTS_READ,ROOT,"), None);
        assert_eq!(Scopes::parse_list(""), Some(Scopes::default()));
    }

    #[test]
    fn svc_1_only_the_data_center_manages_service_accounts() {
        for (role, allowed) in [
            (Role::DataCenter, true),
            (Role::AgencyAdmin, false),
            (Role::User, false),
        ] {
            let actor = Actor {
                user_id: Uuid::from_u128(1),
                role,
                agency_id: (role != Role::DataCenter).then(|| Uuid::from_u128(2)),
            };
            let decision = manage(&actor);
            assert_eq!(decision.allowed, allowed, "{role:?}");
            assert_eq!(decision.rule, "SVC-1");
        }
    }
}
