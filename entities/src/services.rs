use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "services")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub client_id: Uuid,
    pub enrollment_id: Option<Uuid>,
    pub kind: String,
    pub service_type: String,
    pub service_date: Date,
    pub provider_agency_id: Uuid,
    pub cm_minutes: Option<i32>,
    pub cm_note: Option<String>,
    pub created_by_user: Uuid,
    pub created_by_agency: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_by_user: Uuid,
    pub updated_by_agency: Option<Uuid>,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
