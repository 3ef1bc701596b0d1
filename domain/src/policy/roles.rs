//! Who may manage what inside a tenant (SPEC §1). Rule ids:
//! - `ROLE-1` A `DATA_CENTER` user manages everything in its own tenant.
//! - `ROLE-2` An `AGENCY_ADMIN` manages only its own agency: its users, invitations, projects.
//! - `ROLE-3` A `USER` manages nobody.
//! - `ROLE-4` A user may not change their own role or deactivate themselves, so a tenant is
//!   never left without the Data Center user who could undo it.
//! - `ROLE-5` The platform administrator approves and suspends tenants and reads no tenant data.
//! - `SYS-1` Concord acting by itself (a deadline passing, a scan, a message going out) carries
//!   out the plan's own steps only: it never does what a person of an agency does.
use uuid::Uuid;

use super::Decision;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    DataCenter,
    AgencyAdmin,
    User,
}

impl Role {
    /// Every role, most powerful first.
    pub const ALL: [Self; 3] = [Self::DataCenter, Self::AgencyAdmin, Self::User];

    /// How an e-mail names the role.
    pub fn label(self) -> &'static str {
        match self {
            Self::DataCenter => "a Data Center user",
            Self::AgencyAdmin => "an Agency Administrator",
            Self::User => "a user",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::DataCenter => "DATA_CENTER",
            Self::AgencyAdmin => "AGENCY_ADMIN",
            Self::User => "USER",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "DATA_CENTER" => Some(Self::DataCenter),
            "AGENCY_ADMIN" => Some(Self::AgencyAdmin),
            "USER" => Some(Self::User),
            _ => None,
        }
    }

    /// The role a stored row holds. An unknown one is a broken row: refused, never read as
    /// the least role, which would quietly change what a person may do.
    pub fn of_row(raw: &str) -> Result<Self, crate::error::DomainError> {
        Self::parse(raw).ok_or_else(|| {
            crate::error::DomainError::internal(anyhow::anyhow!("unknown role {raw:?} stored"))
        })
    }
}

/// The person asking, as the rules see them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Uuid,
    pub role: Role,
    pub agency_id: Option<Uuid>,
}

/// A user account (existing or proposed) that an action is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Account {
    pub user_id: Option<Uuid>,
    pub role: Role,
    pub agency_id: Option<Uuid>,
}

/// `SYS-1`: what Concord does by itself is the plan's own steps — deadlines, scans, messages —
/// never what a person of an agency does in the records, the people or the plan.
pub fn system_as_person() -> Decision {
    Decision::refuse(
        "SYS-1",
        "Concord acts by itself only to carry out the plan's deadlines, scans and messages; \
         entering, changing or reading records, people and the plan is done by a person",
    )
}

/// `AUD-1`: the audit log is the Data Center's to read (it holds every agency's actions, and
/// the values written).
pub fn read_audit_log(actor: &Actor) -> Decision {
    match actor.role {
        Role::DataCenter => Decision::allow("AUD-1"),
        Role::AgencyAdmin | Role::User => Decision::refuse(
            "AUD-1",
            "only the Data Center reads the audit log; ask your HMIS lead",
        ),
    }
}

/// Webhook endpoints: the Data Center's, as the CoC's integrations are (they hear about every
/// agency's clients).
pub fn manage_webhooks(actor: &Actor) -> Decision {
    match actor.role {
        Role::DataCenter => Decision::allow("ROLE-1"),
        Role::AgencyAdmin | Role::User => Decision::refuse(
            "ROLE-1",
            "only the Data Center registers and reads the CoC's webhooks",
        ),
    }
}

/// Which roles must use a second factor: the Data Center's setting for the whole CoC.
pub fn manage_security(actor: &Actor) -> Decision {
    match actor.role {
        Role::DataCenter => Decision::allow("ROLE-1"),
        Role::AgencyAdmin | Role::User => Decision::refuse(
            "ROLE-1",
            "only the Data Center sets which roles must use a second factor",
        ),
    }
}

pub fn create_agency(actor: &Actor) -> Decision {
    match actor.role {
        Role::DataCenter => Decision::allow("ROLE-1"),
        _ => Decision::refuse("ROLE-1", "only the Data Center creates agencies"),
    }
}

/// Publishing a sharing plan version: the Data Center's alone (SPEC §3).
pub fn publish_plan(actor: &Actor) -> Decision {
    match actor.role {
        Role::DataCenter => Decision::allow("ROLE-1"),
        Role::AgencyAdmin | Role::User => Decision::refuse(
            "ROLE-1",
            "only the Data Center publishes the sharing plan; ask your HMIS lead to change it",
        ),
    }
}

pub fn create_project(actor: &Actor, agency_id: Uuid) -> Decision {
    manage_agency(actor, agency_id, "create projects")
}

/// Renaming or deactivating an agency: the Data Center's, which keeps the CoC's list.
pub fn change_agency(actor: &Actor) -> Decision {
    match actor.role {
        Role::DataCenter => Decision::allow("ROLE-1"),
        Role::AgencyAdmin | Role::User => Decision::refuse(
            "ROLE-1",
            "only the Data Center renames or deactivates agencies",
        ),
    }
}

/// Renaming or deactivating a project of `agency_id`: as creating one.
pub fn change_project(actor: &Actor, agency_id: Uuid) -> Decision {
    manage_agency(actor, agency_id, "rename or deactivate projects")
}

/// Inviting or creating an account with `account`'s role and agency.
pub fn invite(actor: &Actor, account: &Account) -> Decision {
    if let Some(refusal) = shape_refusal(account) {
        return refusal;
    }
    match (actor.role, account.role) {
        (Role::DataCenter, _) => Decision::allow("ROLE-1"),
        (Role::AgencyAdmin, Role::DataCenter) => Decision::refuse(
            "ROLE-2",
            "only the Data Center can invite Data Center users",
        ),
        (Role::AgencyAdmin, _) => {
            manage_agency(actor, account.agency_id.unwrap_or_default(), "invite users")
        }
        (Role::User, _) => {
            Decision::refuse("ROLE-3", "ask your Agency Administrator to invite users")
        }
    }
}

/// Seeing the tenant's invitations: the Data Center all of them, an Agency Administrator its
/// agency's (the list is filtered to it).
pub fn list_invitations(actor: &Actor) -> Decision {
    match actor.role {
        Role::DataCenter => Decision::allow("ROLE-1"),
        Role::AgencyAdmin => Decision::allow("ROLE-2"),
        Role::User => Decision::refuse("ROLE-3", "ask your Agency Administrator about invitations"),
    }
}

/// Changing `target`'s role and agency to `proposed`'s.
pub fn set_role(actor: &Actor, target: &Account, proposed: &Account) -> Decision {
    if target.user_id == Some(actor.user_id) {
        return Decision::refuse(
            "ROLE-4",
            "you cannot change your own role; ask another administrator",
        );
    }
    let manage_target = manage_account(actor, target, "change roles");
    if !manage_target.allowed {
        return manage_target;
    }
    invite(actor, proposed)
}

pub fn deactivate(actor: &Actor, target: &Account) -> Decision {
    if target.user_id == Some(actor.user_id) {
        return Decision::refuse(
            "ROLE-4",
            "you cannot deactivate yourself; ask another administrator",
        );
    }
    manage_account(actor, target, "deactivate users")
}

/// Which users' accounts `actor` may list.
pub fn user_directory_scope(actor: &Actor) -> Option<Uuid> {
    match actor.role {
        Role::DataCenter => None,
        Role::AgencyAdmin | Role::User => actor.agency_id,
    }
}

fn manage_account(actor: &Actor, target: &Account, what: &str) -> Decision {
    match (actor.role, target.role) {
        (Role::DataCenter, _) => Decision::allow("ROLE-1"),
        (Role::AgencyAdmin, Role::DataCenter) => Decision::refuse(
            "ROLE-2",
            format!("only the Data Center can {what} of Data Center users"),
        ),
        (Role::AgencyAdmin, _) => manage_agency(actor, target.agency_id.unwrap_or_default(), what),
        (Role::User, _) => {
            Decision::refuse("ROLE-3", format!("ask your Agency Administrator to {what}"))
        }
    }
}

fn manage_agency(actor: &Actor, agency_id: Uuid, what: &str) -> Decision {
    match actor.role {
        Role::DataCenter => Decision::allow("ROLE-1"),
        Role::AgencyAdmin if actor.agency_id == Some(agency_id) => Decision::allow("ROLE-2"),
        Role::AgencyAdmin => Decision::refuse(
            "ROLE-2",
            format!("Agency Administrators can {what} only for their own agency"),
        ),
        Role::User => {
            Decision::refuse("ROLE-3", format!("ask your Agency Administrator to {what}"))
        }
    }
}

/// Data Center users belong to no agency; everyone else belongs to exactly one.
fn shape_refusal(account: &Account) -> Option<Decision> {
    match (account.role, account.agency_id) {
        (Role::DataCenter, Some(_)) => Some(Decision::refuse(
            "ROLE-1",
            "Data Center users belong to the whole CoC, not to an agency: leave the agency empty",
        )),
        (Role::AgencyAdmin | Role::User, None) => Some(Decision::refuse(
            "ROLE-2",
            "Agency Administrators and users belong to an agency: choose one",
        )),
        _ => None,
    }
}

/// Whose messages a viewer reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inbox {
    /// The Data Center reads every message of its tenant.
    All,
    /// An Agency Administrator reads its agency's, and those addressed to them.
    Agency { agency: Uuid, user: Uuid },
    /// Agency staff manage nobody (ROLE-3): they read only what is addressed to them, such as
    /// the reminders of a case they reported.
    Own { user: Uuid },
}

/// Messages go to an agency's administrators (PRO-4, DEM-4) and are overseen by the Data
/// Center (ROLE-1); a reminder goes to the one person it concerns.
pub fn inbox(actor: &Actor) -> Inbox {
    match (actor.role, actor.agency_id) {
        (Role::DataCenter, _) => Inbox::All,
        (Role::AgencyAdmin, Some(agency)) => Inbox::Agency {
            agency,
            user: actor.user_id,
        },
        (Role::AgencyAdmin | Role::User, _) => Inbox::Own {
            user: actor.user_id,
        },
    }
}

/// The rule that puts a message in the viewer's inbox (`inbox`).
fn inbox_rule(role: Role) -> &'static str {
    match role {
        Role::DataCenter => "ROLE-1",
        Role::AgencyAdmin => "ROLE-2",
        Role::User => "ROLE-3",
    }
}

/// Marking a message of the viewer's inbox read: once; it stays read.
pub fn mark_read(actor: &Actor, already_read: bool) -> Decision {
    let rule = inbox_rule(actor.role);
    if already_read {
        Decision::refuse(rule, "this message is read already")
    } else {
        Decision::allow(rule)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, agency: Option<Uuid>) -> Actor {
        Actor {
            user_id: Uuid::from_u128(1),
            role,
            agency_id: agency,
        }
    }

    fn account(role: Role, agency: Option<Uuid>) -> Account {
        Account {
            user_id: Some(Uuid::from_u128(2)),
            role,
            agency_id: agency,
        }
    }

    const A: Uuid = Uuid::from_u128(10);
    const B: Uuid = Uuid::from_u128(11);

    #[test]
    fn role_1_data_center_manages_the_whole_tenant() {
        let dc = actor(Role::DataCenter, None);
        assert!(create_agency(&dc).allowed);
        assert!(invite(&dc, &account(Role::AgencyAdmin, Some(A))).allowed);
        assert!(invite(&dc, &account(Role::DataCenter, None)).allowed);
        assert!(deactivate(&dc, &account(Role::User, Some(B))).allowed);
    }

    #[test]
    fn role_1_only_the_data_center_publishes_the_plan() {
        assert!(publish_plan(&actor(Role::DataCenter, None)).allowed);
        for role in [Role::AgencyAdmin, Role::User] {
            let refused = publish_plan(&actor(role, Some(A)));
            assert_eq!((refused.allowed, refused.rule), (false, "ROLE-1"));
        }
    }

    #[test]
    fn role_2_agency_admin_manages_only_its_agency() {
        let admin = actor(Role::AgencyAdmin, Some(A));
        assert!(!create_agency(&admin).allowed);
        assert!(invite(&admin, &account(Role::User, Some(A))).allowed);
        let other = invite(&admin, &account(Role::User, Some(B)));
        assert_eq!((other.allowed, other.rule), (false, "ROLE-2"));
        assert!(!invite(&admin, &account(Role::DataCenter, None)).allowed);
        assert!(!deactivate(&admin, &account(Role::User, Some(B))).allowed);
        assert!(create_project(&admin, A).allowed);
        assert!(!create_project(&admin, B).allowed);
    }

    #[test]
    fn role_3_user_manages_nobody() {
        let user = actor(Role::User, Some(A));
        let refused = create_agency(&user);
        assert!(!refused.allowed);
        assert_eq!(invite(&user, &account(Role::User, Some(A))).rule, "ROLE-3");
        assert!(!deactivate(&user, &account(Role::User, Some(A))).allowed);
    }

    #[test]
    fn role_4_nobody_changes_their_own_role() {
        let dc = actor(Role::DataCenter, None);
        let me = Account {
            user_id: Some(dc.user_id),
            role: Role::DataCenter,
            agency_id: None,
        };
        assert_eq!(
            set_role(&dc, &me, &account(Role::User, Some(A))).rule,
            "ROLE-4"
        );
        assert_eq!(deactivate(&dc, &me).rule, "ROLE-4");
    }

    #[test]
    fn accounts_have_the_agency_their_role_needs() {
        let dc = actor(Role::DataCenter, None);
        assert!(!invite(&dc, &account(Role::User, None)).allowed);
        assert!(!invite(&dc, &account(Role::DataCenter, Some(A))).allowed);
    }

    #[test]
    fn role_3_staff_read_only_their_own_messages() {
        let agency = Uuid::now_v7();
        let actor = |role, agency_id| Actor {
            user_id: Uuid::from_u128(7),
            role,
            agency_id,
        };
        assert_eq!(inbox(&actor(Role::DataCenter, None)), Inbox::All);
        assert_eq!(
            inbox(&actor(Role::AgencyAdmin, Some(agency))),
            Inbox::Agency {
                agency,
                user: Uuid::from_u128(7)
            }
        );
        assert_eq!(
            inbox(&actor(Role::User, Some(agency))),
            Inbox::Own {
                user: Uuid::from_u128(7)
            }
        );
    }
}
