//! What the API returns. Never the table models themselves: the API's shape is its own.
use async_graphql::ID;
use async_graphql::{ComplexObject, Context, Enum, SimpleObject, Union};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::access::{Permission, role_permissions};
use super::enums::{InvitationStatus, Role, TenantStatus};
use domain::auth::invitations::InvitationView;
use domain::auth::sessions::AuthTokens;
use domain::error::DomainError;
use domain::policy::roles::{self, Account};
use domain::policy::service_accounts::Scope;
use domain::values::HUD_PROJECT_TYPES;

#[derive(SimpleObject)]
#[graphql(complex)]
pub struct User {
    pub id: ID,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub agency_id: Option<Uuid>,
    pub status: UserStatus,
    pub created_at: DateTime<Utc>,
}

#[ComplexObject]
impl User {
    /// What the viewer may do to this account (`ROLE-*`): the console offers only these.
    async fn access(&self, ctx: &Context<'_>) -> Vec<Permission> {
        let (Ok(viewer), Ok(user_id)) =
            (super::viewer(ctx).acting(), super::node::uuid_of(&self.id))
        else {
            return Vec::new();
        };
        let actor = viewer.actor();
        let target = Account {
            user_id: Some(user_id),
            role: self.role.into(),
            agency_id: self.agency_id,
        };
        // Managing people needs its scope (`SVC-2`), whatever the role allows.
        let people = |decision| viewer.within_scope(Scope::PeopleWrite, decision);
        role_permissions([
            ("setRole", people(roles::set_role(&actor, &target, &target))),
            ("deactivate", people(roles::deactivate(&actor, &target))),
        ])
    }
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum UserStatus {
    Active,
    Deactivated,
}

impl TryFrom<entities::users::Model> for User {
    type Error = DomainError;

    fn try_from(m: entities::users::Model) -> Result<Self, DomainError> {
        let status = if domain::tenancy::is_active(&m) {
            UserStatus::Active
        } else {
            UserStatus::Deactivated
        };
        Ok(Self {
            id: m.id.into(),
            email: m.email,
            display_name: m.display_name,
            role: domain::policy::roles::Role::of_row(&m.role)?.into(),
            agency_id: m.agency_id,
            status,
            created_at: m.created_at,
        })
    }
}

#[derive(SimpleObject)]
pub struct AuthPayload {
    pub access_token: String,
    /// Empty when it was delivered in the console's cookie (`RefreshTokenDelivery.COOKIE`).
    pub refresh_token: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub user: User,
    /// The user's role must use a second factor and they have none: enrol one
    /// (`beginTotpEnrolment`) before anything else; other operations are refused with
    /// `AUTH-2FA-ENROL`.
    pub second_factor_enrolment_due: bool,
}

impl TryFrom<AuthTokens> for AuthPayload {
    type Error = DomainError;

    fn try_from(t: AuthTokens) -> Result<Self, DomainError> {
        Ok(Self {
            access_token: t.access_token,
            refresh_token: Some(t.refresh_token),
            expires_at: t.expires_at,
            user: t.user.try_into()?,
            second_factor_enrolment_due: t.second_factor_enrolment_due,
        })
    }
}

#[derive(SimpleObject)]
pub struct SignUpPayload {
    pub tenant: Tenant,
    /// Empty while the tenant waits for a platform administrator's approval.
    pub auth: Option<AuthPayload>,
}

#[derive(SimpleObject)]
pub struct Tenant {
    pub id: ID,
    pub name: String,
    pub coc_code: String,
    pub slug: String,
    pub status: TenantStatus,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<entities::tenants::Model> for Tenant {
    type Error = DomainError;

    fn try_from(m: entities::tenants::Model) -> Result<Self, DomainError> {
        Ok(Self {
            status: domain::values::TenantStatus::of(&m)?.into(),
            id: m.id.into(),
            name: m.name,
            coc_code: m.coc_code,
            slug: m.slug,
            created_at: m.created_at,
        })
    }
}

#[derive(SimpleObject)]
pub struct Agency {
    pub id: ID,
    pub name: String,
    pub created_at: DateTime<Utc>,
    /// When it was deactivated: its people no longer sign in and nobody joins it.
    pub deactivated_at: Option<DateTime<Utc>>,
}

impl From<entities::agencies::Model> for Agency {
    fn from(m: entities::agencies::Model) -> Self {
        Self {
            id: m.id.into(),
            name: m.name,
            created_at: m.created_at,
            deactivated_at: m.deactivated_at,
        }
    }
}

#[derive(SimpleObject)]
pub struct Project {
    pub id: ID,
    pub agency_id: Uuid,
    pub name: String,
    /// The HUD project type code (SPEC §2).
    pub project_type: i32,
    pub project_type_name: String,
    pub created_at: DateTime<Utc>,
    /// When it was deactivated: it takes no new enrollments.
    pub deactivated_at: Option<DateTime<Utc>>,
}

impl From<entities::projects::Model> for Project {
    fn from(m: entities::projects::Model) -> Self {
        let name = HUD_PROJECT_TYPES
            .iter()
            .find(|(c, _)| *c == m.project_type)
            .map_or("", |(_, n)| n);
        Self {
            id: m.id.into(),
            agency_id: m.agency_id,
            name: m.name,
            project_type: i32::from(m.project_type),
            project_type_name: name.to_owned(),
            created_at: m.created_at,
            deactivated_at: m.deactivated_at,
        }
    }
}

#[derive(SimpleObject)]
pub struct Invitation {
    pub id: ID,
    pub email: String,
    pub role: Role,
    pub agency_id: Option<Uuid>,
    pub status: InvitationStatus,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Shown only in the response that created the invitation: give it to the invitee.
    pub token: Option<String>,
}

impl TryFrom<InvitationView> for Invitation {
    type Error = DomainError;

    fn try_from(view: InvitationView) -> Result<Self, DomainError> {
        let m = view.invitation;
        let role = roles::Role::parse(&m.role)
            .ok_or_else(|| DomainError::internal(anyhow::anyhow!("unknown role {:?}", m.role)))?;
        Ok(Self {
            id: m.id.into(),
            email: m.email,
            role: role.into(),
            agency_id: m.agency_id,
            status: view.status.into(),
            created_at: m.created_at,
            expires_at: m.expires_at,
            accepted_at: m.accepted_at,
            revoked_at: m.revoked_at,
            token: None,
        })
    }
}

#[derive(SimpleObject)]
pub struct PlatformSession {
    pub access_token: String,
    pub expires_at: DateTime<Utc>,
    /// The second factor platform administrators always use is not enrolled yet: the
    /// session can only enrol it (`AUTH-2FA-ENROL`).
    pub second_factor_enrolment_due: bool,
}

/// A value as what it is, so that a client never parses text to learn it.
#[derive(Union)]
pub enum TypedValue {
    Text(TextValue),
    Date(DateValue),
    Code(CodeValue),
    Codes(CodeListValue),
    Money(MoneyValue),
}

#[derive(SimpleObject)]
pub struct TextValue {
    pub text: String,
}

#[derive(SimpleObject)]
pub struct DateValue {
    pub date: chrono::NaiveDate,
}

/// A HUD response code.
#[derive(SimpleObject)]
pub struct CodeValue {
    pub code: i32,
    /// What it means, where Concord knows it (`Yes`, `Place not meant for habitation`).
    pub label: Option<String>,
}

/// HUD response codes, each once (race and ethnicity, gender).
#[derive(SimpleObject)]
pub struct CodeListValue {
    pub codes: Vec<i32>,
}

/// An amount of money, exactly.
#[derive(SimpleObject)]
pub struct MoneyValue {
    pub cents: i64,
}

impl From<domain::values::TypedValue> for TypedValue {
    fn from(value: domain::values::TypedValue) -> Self {
        use domain::values::TypedValue as V;
        match value {
            V::Text(text) => Self::Text(TextValue { text }),
            V::Date(date) => Self::Date(DateValue { date }),
            V::Code { code, label } => Self::Code(CodeValue {
                code: i32::from(code),
                label: label.map(str::to_owned),
            }),
            V::Codes(codes) => Self::Codes(CodeListValue {
                codes: codes.into_iter().map(i32::from).collect(),
            }),
            V::Money { cents } => Self::Money(MoneyValue { cents }),
        }
    }
}
