//! The people of a tenant: listing, inviting, roles, deactivation.
use async_graphql::{Context, InputObject, Object, SimpleObject};
use uuid::Uuid;

use super::connection::{CountedConnection, ListOrder, try_connection, window};
use super::enums::{InvitationOrderField, InvitationStatus, Role, UserOrderField};
use super::types::{Invitation, User};
use super::{caller, state};
use crate::error::GqlResult;
use domain::auth::invitations::{self, InvitationView};
use domain::auth::{accounts, onboarding};
use domain::page::{ContainsText, Listing, Sort};
use domain::tenancy;

#[derive(Default)]
pub struct UsersQuery;

#[Object]
impl UsersQuery {
    /// The tenant's users: all of them for the Data Center, one's own agency's otherwise;
    /// oldest first unless `orderBy` says otherwise.
    #[graphql(complexity = "super::connection::list_complexity(child_complexity, first, last)")]
    #[allow(clippy::too_many_arguments)]
    async fn users(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<UserFilter>,
        order_by: Option<ListOrder<UserOrderField>>,
    ) -> GqlResult<CountedConnection<User>> {
        let user = caller(ctx)?;
        let window = window(ctx, first, after, last, before)?;
        let filter = filter.unwrap_or_default();
        let listing = Listing {
            filter: tenancy::UserFilter {
                agency_id: None,
                text: ContainsText::parse("search", filter.search.as_deref())?,
                role: filter.role.map(Into::into),
                active: filter.active,
            },
            sort: ListOrder::sort(order_by, Sort::default()),
        };
        let page = tenancy::users(state(ctx)?, user, listing, window).await?;
        Ok(try_connection(page, |u| u.id, User::try_from)?)
    }

    /// The invitations the viewer manages: all of the tenant's for the Data Center, its
    /// agency's for an Agency Administrator (ROLE-3: not a user's); newest first unless
    /// `orderBy` says otherwise.
    #[graphql(complexity = "super::connection::list_complexity(child_complexity, first, last)")]
    #[allow(clippy::too_many_arguments)]
    async fn invitations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<InvitationFilter>,
        order_by: Option<ListOrder<InvitationOrderField>>,
    ) -> GqlResult<CountedConnection<Invitation>> {
        let user = caller(ctx)?;
        let window = window(ctx, first, after, last, before)?;
        let filter = filter.unwrap_or_default();
        let listing = Listing {
            filter: invitations::InvitationFilter {
                agency_id: None,
                email_contains: ContainsText::parse(
                    "emailContains",
                    filter.email_contains.as_deref(),
                )?,
                status: filter.status.map(Into::into),
            },
            sort: ListOrder::sort(
                order_by,
                Sort::descending(invitations::InvitationField::Created),
            ),
        };
        let page = invitations::page(state(ctx)?, user, listing, window).await?;
        Ok(try_connection(
            page,
            |i| i.invitation.id,
            Invitation::try_from,
        )?)
    }
}

/// Which users a list holds; every filter given must hold.
#[derive(InputObject, Default)]
pub struct UserFilter {
    /// Part of the name or the e-mail address, in any case.
    pub search: Option<String>,
    pub role: Option<Role>,
    /// Only those who may sign in (`true`) or only those deactivated (`false`).
    pub active: Option<bool>,
}

/// Which invitations a list holds; every filter given must hold.
#[derive(InputObject, Default)]
pub struct InvitationFilter {
    /// Part of the address, in any case.
    pub email_contains: Option<String>,
    /// Only those that stand so now.
    pub status: Option<InvitationStatus>,
}

#[derive(InputObject)]
pub struct InviteUserInput {
    pub email: String,
    pub role: Role,
    /// Required for `AGENCY_ADMIN` and `USER`; empty for `DATA_CENTER`.
    pub agency_id: Option<Uuid>,
}

/// The invitation, its `token` shown this once.
#[derive(SimpleObject)]
pub struct InviteUserPayload {
    pub invitation: Invitation,
}

#[derive(InputObject)]
pub struct ResendInvitationInput {
    pub id: Uuid,
}

#[derive(SimpleObject)]
pub struct ResendInvitationPayload {
    pub invitation: Invitation,
}

#[derive(InputObject)]
pub struct RevokeInvitationInput {
    pub id: Uuid,
}

#[derive(SimpleObject)]
pub struct RevokeInvitationPayload {
    pub invitation: Invitation,
}

#[derive(InputObject)]
pub struct SetUserRoleInput {
    pub user_id: Uuid,
    pub role: Role,
    pub agency_id: Option<Uuid>,
}

#[derive(SimpleObject)]
pub struct SetUserRolePayload {
    pub user: User,
}

#[derive(InputObject)]
pub struct DeactivateUserInput {
    pub user_id: Uuid,
}

#[derive(SimpleObject)]
pub struct DeactivateUserPayload {
    pub user: User,
}

#[derive(Default)]
pub struct UsersMutation;

#[Object]
impl UsersMutation {
    /// Invites someone; the invitation carries the single-use token (valid 7 days) to pass on.
    async fn invite_user(
        &self,
        ctx: &Context<'_>,
        input: InviteUserInput,
    ) -> GqlResult<InviteUserPayload> {
        let (state, user) = (state(ctx)?, caller(ctx)?);
        let invite = onboarding::Invite {
            email: &input.email,
            role: input.role.into(),
            agency_id: input.agency_id,
        };
        let (invitation, token) = onboarding::invite(state, user, invite).await?;
        let now = state.clock.now();
        let invitation = Invitation {
            token: Some(token),
            ..InvitationView::at(invitation, now).try_into()?
        };
        Ok(InviteUserPayload { invitation })
    }

    /// Sends the invitation again, by e-mail with a token of its own, valid for a new week.
    async fn resend_invitation(
        &self,
        ctx: &Context<'_>,
        input: ResendInvitationInput,
    ) -> GqlResult<ResendInvitationPayload> {
        let user = caller(ctx)?;
        let invitation = invitations::resend(state(ctx)?, user, input.id).await?;
        Ok(ResendInvitationPayload {
            invitation: invitation.try_into()?,
        })
    }

    /// Revokes an invitation not yet accepted: its tokens stop working.
    async fn revoke_invitation(
        &self,
        ctx: &Context<'_>,
        input: RevokeInvitationInput,
    ) -> GqlResult<RevokeInvitationPayload> {
        let user = caller(ctx)?;
        let invitation = invitations::revoke(state(ctx)?, user, input.id).await?;
        Ok(RevokeInvitationPayload {
            invitation: invitation.try_into()?,
        })
    }

    /// Changes a user's role (and agency); their sessions end at once.
    async fn set_user_role(
        &self,
        ctx: &Context<'_>,
        input: SetUserRoleInput,
    ) -> GqlResult<SetUserRolePayload> {
        let (state, user) = (state(ctx)?, caller(ctx)?);
        let changed = accounts::set_role(
            state,
            user,
            input.user_id,
            input.role.into(),
            input.agency_id,
        )
        .await?;
        Ok(SetUserRolePayload {
            user: changed.try_into()?,
        })
    }

    /// Stops a user from signing in; their sessions end at once.
    async fn deactivate_user(
        &self,
        ctx: &Context<'_>,
        input: DeactivateUserInput,
    ) -> GqlResult<DeactivateUserPayload> {
        let (state, user) = (state(ctx)?, caller(ctx)?);
        let deactivated = accounts::deactivate(state, user, input.user_id).await?;
        Ok(DeactivateUserPayload {
            user: deactivated.try_into()?,
        })
    }
}
