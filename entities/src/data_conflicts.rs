use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "data_conflicts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub client_id: Uuid,
    pub field: String,
    pub existing_value: Json,
    pub existing_entered_by_user: Uuid,
    pub existing_entered_by_agency: Option<Uuid>,
    pub existing_entered_at: DateTimeUtc,
    pub proposed_value: Json,
    pub reported_by_user: Uuid,
    pub reported_by_agency: Option<Uuid>,
    pub reported_at: DateTimeUtc,
    pub status: String,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
