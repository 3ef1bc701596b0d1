use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "profile_rows")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub client_id: Uuid,
    /// The plan key of the element the row answers (`profile_assessment` or a HUD element).
    pub element: String,
    /// Which field of the element it answers.
    pub kind: String,
    pub value: String,
    pub start_date: Date,
    pub end_date: Option<Date>,
    pub at_client_direction: bool,
    pub corrects_row_id: Option<Uuid>,
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
