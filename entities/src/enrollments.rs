use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "enrollments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub client_id: Uuid,
    pub project_id: Uuid,
    pub household_id: Uuid,
    pub relationship_to_hoh: i16,
    pub entry_date: Date,
    pub exit_date: Option<Date>,
    pub move_in_date: Option<Date>,
    pub destination: Option<i16>,
    pub disabling_condition: i16,
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
