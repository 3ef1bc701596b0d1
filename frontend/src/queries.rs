//! Every operation the console sends, generated at build time from `frontend/queries/*.graphql`
//! and checked against the API's checked-in SDL (`api/schema.graphql`): a schema change that
//! breaks the console fails its build.
#![allow(clippy::upper_case_acronyms)]

use graphql_client::GraphQLQuery;

// The API's custom scalars, as the console holds them.
type UUID = String;
type DateTime = String;
type NaiveDate = String;
type JSON = serde_json::Value;

macro_rules! operations {
    ($file:tt => $($name:ident),+ $(,)?) => {
        $(
            #[derive(GraphQLQuery)]
            #[graphql(
                schema_path = "../api/schema.graphql",
                query_path = $file,
                response_derives = "Clone",
                variables_derives = "Clone"
            )]
            pub struct $name;
        )+
    };
}

operations!(
    "queries/session.graphql" =>
    SignUpTenant, Login, RefreshSession, Logout, AcceptInvitation,
);
operations!(
    "queries/enrol.graphql" =>
    BeginTotpEnrolment, ConfirmTotpEnrolment, BeginWebauthnRegistration,
    FinishWebauthnRegistration,
);
operations!("queries/frame.graphql" => Frame);
operations!("queries/home.graphql" => Me);
operations!("queries/onboarding.graphql" => Onboarding);
operations!("queries/client_search.graphql" => ClientSearch);
operations!("queries/client_profile.graphql" => ClientProfile);
operations!("queries/clients.graphql" => CreateClient, ChangeClientDemographic);
operations!("queries/plan.graphql" => SharingPlan, SharingPlanDiff, PublishSharingPlan);
operations!("queries/notifications.graphql" => Notifications, MarkNotificationRead);
operations!(
    "queries/agencies.graphql" =>
    Agencies, Projects, CreateAgency, RenameAgency, DeactivateAgency, CreateProject,
    RenameProject, DeactivateProject,
);
operations!(
    "queries/people.graphql" =>
    Users, Invitations, PeopleChoices, InviteUser, ResendInvitation, RevokeInvitation,
    SetUserRole, DeactivateUser,
);
operations!(
    "queries/cases.graphql" =>
    Cases, CaseDetail, LogContactAttempt, AgreeOnCase, EscalateCase, WithdrawCase,
);
operations!(
    "queries/compliance.graphql" =>
    EnrollmentInconsistencies, CaseManagerGaps, DocumentChecklist,
);
operations!("queries/audit.graphql" => AuditLog, AuditPeople, ClientViews);
operations!(
    "queries/integrations.graphql" =>
    ServiceAccounts, CreateServiceAccount, RotateServiceAccountSecret, RevokeServiceAccount,
    WebhookEndpoints, WebhookDeliveries, RegisterWebhookEndpoint, RemoveWebhookEndpoint,
);
operations!(
    "queries/client_records.graphql" =>
    RecordChoices, AddClientNote, EnrollClient, RecordService, EditClientNote, DeleteClientNote,
    UpdateEnrollmentDates, DeleteEnrollment, UpdateServiceEntry, DeleteService, CorrectProfileRow,
    EndDateProfileRow, AddProfileRow, EndCaseManagerAssignment, RemoveCaseManagerAssignment,
    AssignCaseManager, CaseManagerChoices,
);

operations!("queries/plan_preview.graphql" => SharingPlanPreview);
operations!("queries/client_files.graphql" => ClientFiles, DeleteAttachment);
