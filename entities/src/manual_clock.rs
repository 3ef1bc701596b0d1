use sea_orm::entity::prelude::*;

/// The one row of `CONCORD_CLOCK=manual`: how far time has been moved forward.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "manual_clock")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: bool,
    pub offset_seconds: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
