//! `migration up | down | status`, against `DATABASE_URL` (run it as the schema owner).
//! `concord` also migrates at start-up; this is for operators who migrate separately.
//! `migration setup-roles <login role>` prints the SQL an administrator runs once per cluster.
use std::process::ExitCode;

use migration::{Migrator, MigratorTrait};
use sea_orm_migration::sea_orm::Database;

#[tokio::main]
async fn main() -> ExitCode {
    let command = std::env::args().nth(1).unwrap_or_else(|| "up".into());
    if command == "setup-roles" {
        let login_role = std::env::args().nth(2).unwrap_or_default();
        return match migration::roles::setup_roles_sql(&login_role) {
            Some(sql) => {
                print!("{sql}");
                ExitCode::SUCCESS
            }
            None => {
                eprintln!(
                    "migration: setup-roles <login role>: a lower-case name of letters, digits and _"
                );
                ExitCode::FAILURE
            }
        };
    }
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
