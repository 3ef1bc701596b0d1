//! The screens loaded on demand. Each is a Leptos lazy route: `cargo xtask bundle` splits the
//! code only it uses into a module of its own, fetched the first time the screen is shown, so
//! that the first load carries the frame, sign-in and the code the screens share.

use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

use crate::pages::agencies::AgenciesPage;
use crate::pages::audit::AuditPage;
use crate::pages::case::CasePage;
use crate::pages::cases::CasesPage;
use crate::pages::client::ClientPage;
use crate::pages::clients::ClientsPage;
use crate::pages::compliance::CompliancePage;
use crate::pages::integrations::IntegrationsPage;
use crate::pages::notifications::NotificationsPage;
use crate::pages::people::PeoplePage;
use crate::pages::plan::PlanPage;
use crate::pages::summary::SummaryPage;

/// A lazy route for each (route type, page component).
macro_rules! lazy_screens {
    ($($screen:ident => $page:ident),+ $(,)?) => {
        $(
            pub struct $screen;

            #[lazy_route]
            impl LazyRoute for $screen {
                fn data() -> Self {
                    Self
                }

                fn view(_screen: Self) -> AnyView {
                    view! { <$page /> }.into_any()
                }
            }
        )+
    };
}

lazy_screens!(
    Agencies => AgenciesPage,
    People => PeoplePage,
    Plan => PlanPage,
    Notifications => NotificationsPage,
    Clients => ClientsPage,
    Client => ClientPage,
    Cases => CasesPage,
    Case => CasePage,
    Compliance => CompliancePage,
    Audit => AuditPage,
    Integrations => IntegrationsPage,
    Summary => SummaryPage,
);
