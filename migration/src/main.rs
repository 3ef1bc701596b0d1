//! `migration up | down | status`, against `DATABASE_URL` (run it as the schema owner).
//! `concord` also migrates at start-up; this is for operators who migrate separately.
use std::process::ExitCode;

use migration::{Migrator, MigratorTrait};
use sea_orm_migration::sea_orm::Database;

#[tokio::main]
async fn main() -> ExitCode {
    let command = std::env::args().nth(1).unwrap_or_else(|| "up".into());
    let Ok(url) = std::env::var("DATABASE_URL") else {
        eprintln!("migration: set DATABASE_URL");
        return ExitCode::FAILURE;
    };
    let result = async {
        let db = Database::connect(url).await?;
        match command.as_str() {
            "up" => Migrator::up(&db, None).await,
            "down" => Migrator::down(&db, Some(1)).await,
            "status" => {
                for migration in Migrator::get_pending_migrations(&db).await? {
                    println!("pending: {}", migration.name());
                }
                Ok(())
            }
            other => Err(sea_orm_migration::DbErr::Custom(format!(
                "unknown command `{other}`: use up, down or status"
            ))),
        }
    }
    .await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("migration: {err}");
            ExitCode::FAILURE
        }
    }
}
