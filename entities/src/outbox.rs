use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// An in-app message to e-mail, or an invitation (`invitation_id`), or a password reset
    /// (`password_reset_id`): one of the three.
    pub notification_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub status: String,
    pub attempts: i32,
    pub delivered_at: Option<DateTimeUtc>,
    pub recipients: Option<i32>,
    pub detail: Option<String>,
    pub invitation_id: Option<Uuid>,
    pub password_reset_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
