use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cases")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: String,
    pub state: String,
    pub client_id: Uuid,
    pub conflict_id: Option<Uuid>,
    pub enrollment_id: Option<Uuid>,
    pub explanation: String,
    pub reported_by_user: Uuid,
    pub reported_by_agency: Option<Uuid>,
    pub owner_user: Uuid,
    pub owner_agency: Option<Uuid>,
    pub plan_version: i32,
    pub contact_attempts_min: i32,
    pub contact_window_days: i32,
    pub admin_review_days: i32,
    pub agreed_updater: Option<String>,
    pub opened_at: DateTimeUtc,
    pub review_requested_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub version: i32,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
