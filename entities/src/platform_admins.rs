use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "platform_admins")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub email: String,
    pub password_hash: String,
    pub created_at: DateTimeUtc,
    /// The authenticator app's secret, sealed with the field key; set when enrolment begins.
    pub totp_secret_sealed: Option<String>,
    /// Set by the first code accepted: from then on sign-in needs a code.
    pub totp_confirmed_at: Option<DateTimeUtc>,
    /// The time step of the last code accepted; a code is never accepted twice.
    pub totp_last_used_step: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
