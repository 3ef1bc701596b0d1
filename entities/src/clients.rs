use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "clients")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub hmis_number: String,
    pub first_name: Option<String>,
    pub middle_name: Option<String>,
    pub last_name: Option<String>,
    pub name_data_quality: i16,
    pub dob: Option<Date>,
    pub dob_data_quality: i16,
    pub ssn_ciphertext: Option<String>,
    pub ssn_last4: Option<String>,
    pub ssn_data_quality: i16,
    pub race_ethnicity: Json,
    pub gender: Json,
    pub veteran_status: i16,
    /// HUD 4.21.
    pub sex: i16,
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
