//! A CoC as most tests start from it, made through the same use cases a request calls: the
//! tenant `slug`, whose first user is its Data Center lead, with agency A (Urban Ministries)
//! and agency B (Housing for New Hope). Tests add the people and projects they need.
use domain::auth::onboarding::{self, Accept, Invite, SignUp};
use domain::auth::sessions::authenticate;
use domain::auth::{ClientAddress, TenantUser, Viewer};
use domain::policy::roles::Role;
use domain::records::clients::{self, NewClient};
use domain::records::demographics::DemographicField;
use domain::state::AppState;
use domain::tenancy::{self, NewProject};
use domain::values::TenantStatus;
use uuid::Uuid;

use crate::PASSWORD;

/// A signed-in person: who they are to the use cases, and their access token for the API.
#[derive(Clone, Debug)]
pub struct Member {
    pub user: TenantUser,
    pub token: String,
}

impl Member {
    pub fn id(&self) -> Uuid {
        self.user.user_id
    }
}

pub struct Community {
    pub state: AppState,
    pub slug: String,
    pub tenant_id: Uuid,
    pub data_center: Member,
    pub agency_a: Uuid,
    pub agency_b: Uuid,
}

/// Where the test's requests come from, as the per-address limits see it.
fn address() -> ClientAddress {
    ClientAddress(Some("127.0.0.1".into()))
}

impl Community {
    pub async fn sign_up(state: &AppState, slug: &str) -> Self {
        let signed_up = onboarding::sign_up(
            state,
            &address(),
            SignUp {
                coc_name: &format!("{slug} CoC"),
                coc_code: "NC-502",
                slug,
                admin_email: &format!("lead@{slug}.example"),
                admin_name: "Data Lead",
                password: PASSWORD,
            },
        )
        .await
        .expect("sign up");
        let tokens = signed_up
            .tokens
            .expect("tests sign up without platform approval");
        let data_center = member(state, tokens.access_token).await;
        let agency = |name: &'static str| {
            let user = data_center.user.clone();
            async move {
                tenancy::create_agency(state, &user, name)
                    .await
                    .expect("create agency")
                    .id
            }
        };
        let agency_a = agency("Urban Ministries").await;
        let agency_b = agency("Housing for New Hope").await;
        Self {
            state: state.clone(),
            slug: slug.to_owned(),
            tenant_id: signed_up.tenant.id,
            data_center,
            agency_a,
            agency_b,
        }
    }

    /// A person with `role` in `agency` (none for the Data Center), invited by the lead and
    /// signed in.
    /// Each is named after its address ("Staff b" for b@…), so a test can tell people apart
    /// by name (PROV-1).
    pub async fn member(&self, email: &str, role: Role, agency: Option<Uuid>) -> Member {
        let display_name = format!("Staff {}", email.split('@').next().unwrap_or(email));
        let (_, token) = onboarding::invite(
            &self.state,
            &self.data_center.user,
            Invite {
                email,
                role,
                agency_id: agency,
            },
        )
        .await
        .expect("invite");
        let tokens = onboarding::accept(
            &self.state,
            &address(),
            Accept {
                tenant_slug: &self.slug,
                token: &token,
                display_name: &display_name,
                password: PASSWORD,
            },
        )
        .await
        .expect("accept the invitation");
        member(&self.state, tokens.access_token).await
    }

    pub async fn project(&self, agency: Uuid, name: &str, project_type: i32) -> Uuid {
        tenancy::create_project(
            &self.state,
            &self.data_center.user,
            NewProject {
                agency_id: agency,
                name,
                project_type,
            },
        )
        .await
        .expect("create project")
        .id
    }
}

impl Community {
    /// Sets the tenant's status as a platform administrator does (approval, suspension).
    pub async fn set_status(&self, status: TenantStatus) {
        let admin = onboarding::create_platform_admin(
            &self.state,
            &format!("operator-{}@platform.example", Uuid::new_v4().simple()),
            PASSWORD,
        )
        .await
        .expect("create a platform administrator");
        onboarding::set_tenant_status(&self.state, admin, self.tenant_id, status)
            .await
            .expect("set the tenant's status");
    }

    /// A client entered by `by`, named `first last`, with the HMIS number given.
    pub async fn client(&self, by: &Member, hmis_number: &str, first: &str, last: &str) -> Uuid {
        clients::create(
            &self.state,
            &by.user,
            NewClient {
                hmis_number: Some(hmis_number.to_owned()),
                values: vec![
                    (DemographicField::FirstName, Some(first.to_owned())),
                    (DemographicField::LastName, Some(last.to_owned())),
                ],
            },
        )
        .await
        .expect("create client")
        .client
        .id
    }
}

async fn member(state: &AppState, token: String) -> Member {
    match authenticate(state, &token).await.expect("a valid token") {
        Viewer::User(user) => Member { user, token },
        other => panic!("not a tenant user: {other:?}"),
    }
}
