//! One decision per action on a shared record. The action itself, the record's `access`
//! entry and `explain` all call [`decide`], so the three cannot disagree: first whether the
//! viewer may see the record at all (its element's read rule), then the action's own rule.
use uuid::Uuid;

use super::Decision;
use super::records::{
    DemographicChange, Element, Plan, Provenance, change_case_manager, change_demographic,
    change_enrollment, change_note, correct_profile, delete_attachment, delete_service,
    edit_service, end_date_profile, read, read_attachment, read_service_notes,
};
use super::roles::Actor;
use super::service_accounts::Scope;

/// An action on a shared record, as `explain` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordAction {
    ViewClient,
    ChangeDemographicWithoutDocumentation,
    ChangeDemographicWithDocumentation,
    EditEnrollment,
    DeleteEnrollment,
    ChangeCaseManager,
    EditService,
    DeleteService,
    ReadServiceNotes,
    EditNote,
    DeleteNote,
    CorrectProfileRowAtClientDirection,
    EndDateProfileRow,
    ReadAttachment,
    DeleteAttachment,
}

impl RecordAction {
    pub const ALL: [RecordAction; 15] = [
        Self::ViewClient,
        Self::ChangeDemographicWithoutDocumentation,
        Self::ChangeDemographicWithDocumentation,
        Self::EditEnrollment,
        Self::DeleteEnrollment,
        Self::ChangeCaseManager,
        Self::EditService,
        Self::DeleteService,
        Self::ReadServiceNotes,
        Self::EditNote,
        Self::DeleteNote,
        Self::CorrectProfileRowAtClientDirection,
        Self::EndDateProfileRow,
        Self::ReadAttachment,
        Self::DeleteAttachment,
    ];

    /// Its name, as `explain` and the plan preview give it.
    pub fn name(self) -> &'static str {
        match self {
            Self::ViewClient => "viewClient",
            Self::ChangeDemographicWithoutDocumentation => "changeDemographicWithoutDocumentation",
            Self::ChangeDemographicWithDocumentation => "changeDemographicWithDocumentation",
            Self::EditEnrollment => "editEnrollment",
            Self::DeleteEnrollment => "deleteEnrollment",
            Self::ChangeCaseManager => "changeCaseManager",
            Self::EditService => "editService",
            Self::DeleteService => "deleteService",
            Self::ReadServiceNotes => "readServiceNotes",
            Self::EditNote => "editNote",
            Self::DeleteNote => "deleteNote",
            Self::CorrectProfileRowAtClientDirection => "correctProfileRowAtClientDirection",
            Self::EndDateProfileRow => "endDateProfileRow",
            Self::ReadAttachment => "readAttachment",
            Self::DeleteAttachment => "deleteAttachment",
        }
    }

    /// What it does to a record, in words that "another agency's <record>" ends.
    pub fn words(self) -> &'static str {
        match self {
            Self::ViewClient | Self::ReadAttachment => "read",
            Self::ChangeDemographicWithoutDocumentation => "change, without documentation,",
            Self::ChangeDemographicWithDocumentation => "change, with documentation,",
            Self::EditEnrollment | Self::EditService | Self::EditNote => "edit",
            Self::DeleteEnrollment
            | Self::DeleteService
            | Self::DeleteNote
            | Self::DeleteAttachment => "delete",
            Self::ChangeCaseManager => "change",
            Self::ReadServiceNotes => "read the case-management notes of",
            Self::CorrectProfileRowAtClientDirection => "correct, at the client's direction,",
            Self::EndDateProfileRow => "end-date",
        }
    }

    /// The scope a service account needs for it (`SVC-2`), as its use case asks.
    pub fn scope(self) -> Scope {
        match self {
            Self::ViewClient => Scope::ClientsRead,
            Self::ChangeDemographicWithoutDocumentation
            | Self::ChangeDemographicWithDocumentation
            | Self::ChangeCaseManager
            | Self::CorrectProfileRowAtClientDirection
            | Self::EndDateProfileRow => Scope::ClientsWrite,
            Self::EditEnrollment | Self::DeleteEnrollment => Scope::EnrollmentsWrite,
            Self::EditService | Self::DeleteService => Scope::ServicesWrite,
            Self::ReadServiceNotes => Scope::ServicesRead,
            Self::EditNote | Self::DeleteNote => Scope::NotesWrite,
            Self::ReadAttachment => Scope::FilesRead,
            Self::DeleteAttachment => Scope::FilesWrite,
        }
    }

    /// The kind of record the action is on.
    pub fn record_kind(self) -> RecordKind {
        match self {
            Self::ViewClient
            | Self::ChangeDemographicWithoutDocumentation
            | Self::ChangeDemographicWithDocumentation => RecordKind::Client,
            Self::EditEnrollment | Self::DeleteEnrollment => RecordKind::Enrollment,
            Self::ChangeCaseManager => RecordKind::CaseManager,
            Self::EditService | Self::DeleteService | Self::ReadServiceNotes => RecordKind::Service,
            Self::EditNote | Self::DeleteNote => RecordKind::Note,
            Self::CorrectProfileRowAtClientDirection | Self::EndDateProfileRow => {
                RecordKind::ProfileRow
            }
            Self::ReadAttachment | Self::DeleteAttachment => RecordKind::Attachment,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordKind {
    Client,
    Enrollment,
    CaseManager,
    Service,
    Note,
    ProfileRow,
    Attachment,
}

/// What the rules need to know about the record an action is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordFacts {
    /// A client; `entered` is who entered the demographic value a change is about (the
    /// client's creator when no value was entered since).
    Client {
        creator: Provenance,
        entered: Provenance,
    },
    Enrollment {
        owner: Provenance,
        project_agency: Uuid,
    },
    CaseManager {
        owner: Provenance,
        assigning_agency: Uuid,
    },
    Service {
        provider: Provenance,
        provider_agency: Uuid,
    },
    Note {
        author: Provenance,
    },
    /// An answer over time: a profile row or an answer to one of HUD's further elements.
    ProfileRow {
        element: Element,
        entered: Provenance,
    },
    Attachment {
        uploaded: Provenance,
        medical: bool,
    },
}

/// The decision of `action` on the record `facts` describe, or `None` when the action is not
/// one that applies to that kind of record.
pub fn decide(
    action: RecordAction,
    viewer: &Actor,
    facts: &RecordFacts,
    plan: Plan<'_>,
) -> Option<Decision> {
    use RecordAction as A;
    use RecordFacts as F;
    let decision = match (action, *facts) {
        (A::ViewClient, F::Client { creator, .. }) => {
            read(viewer, Element::CLIENT_DEMOGRAPHICS, &creator, plan)
        }
        (
            A::ChangeDemographicWithDocumentation | A::ChangeDemographicWithoutDocumentation,
            F::Client { creator, entered },
        ) => visible_then(
            read(viewer, Element::CLIENT_DEMOGRAPHICS, &creator, plan),
            || {
                let documented = action == A::ChangeDemographicWithDocumentation;
                match change_demographic(viewer, &entered, plan, documented) {
                    DemographicChange::Write(d) | DemographicChange::RecordConflict(d) => d,
                }
            },
        ),
        (
            A::EditEnrollment | A::DeleteEnrollment,
            F::Enrollment {
                owner,
                project_agency,
            },
        ) => visible_then(read(viewer, Element::ENTRY_EXIT, &owner, plan), || {
            change_enrollment(viewer, project_agency)
        }),
        (
            A::ChangeCaseManager,
            F::CaseManager {
                owner,
                assigning_agency,
            },
        ) => visible_then(read(viewer, Element::CASE_MANAGER, &owner, plan), || {
            change_case_manager(viewer, assigning_agency)
        }),
        (
            A::EditService | A::DeleteService | A::ReadServiceNotes,
            F::Service {
                provider,
                provider_agency,
            },
        ) => visible_then(
            read(viewer, Element::SERVICES, &provider, plan),
            || match action {
                A::EditService => edit_service(viewer, provider_agency),
                A::DeleteService => delete_service(),
                _ => read_service_notes(viewer, provider_agency, plan),
            },
        ),
        (A::EditNote | A::DeleteNote, F::Note { author }) => {
            visible_then(read(viewer, Element::CLIENT_NOTES, &author, plan), || {
                change_note(viewer, author.user)
            })
        }
        (
            A::CorrectProfileRowAtClientDirection | A::EndDateProfileRow,
            F::ProfileRow { element, entered },
        ) => visible_then(read(viewer, element, &entered, plan), || {
            if action == A::EndDateProfileRow {
                end_date_profile(viewer, &entered)
            } else {
                // As asked: at the client's direction, with the correction note given.
                correct_profile(viewer, &entered, plan, true, true).decision
            }
        }),
        (A::ReadAttachment | A::DeleteAttachment, F::Attachment { uploaded, medical }) => {
            visible_then(read_attachment(viewer, &uploaded, medical, plan), || {
                if action == A::DeleteAttachment {
                    delete_attachment(viewer, &uploaded)
                } else {
                    read_attachment(viewer, &uploaded, medical, plan)
                }
            })
        }
        _ => return None,
    };
    Some(decision)
}

fn visible_then(read: Decision, action: impl FnOnce() -> Decision) -> Decision {
    if read.allowed { action() } else { read }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]

    use super::*;
    use crate::policy::plan::{DURHAM_V1, PRIVATE, PlanDocument, template};
    use crate::policy::roles::Role;

    fn plan_document(name: &str) -> PlanDocument {
        template(name).expect("a built-in template")
    }

    fn kind_facts(kind: RecordKind, owner: Provenance, agency: Uuid) -> RecordFacts {
        match kind {
            RecordKind::Client => RecordFacts::Client {
                creator: owner,
                entered: owner,
            },
            RecordKind::Enrollment => RecordFacts::Enrollment {
                owner,
                project_agency: agency,
            },
            RecordKind::CaseManager => RecordFacts::CaseManager {
                owner,
                assigning_agency: agency,
            },
            RecordKind::Service => RecordFacts::Service {
                provider: owner,
                provider_agency: agency,
            },
            RecordKind::Note => RecordFacts::Note { author: owner },
            RecordKind::ProfileRow => RecordFacts::ProfileRow {
                element: Element::PROFILE_ASSESSMENT,
                entered: owner,
            },
            RecordKind::Attachment => RecordFacts::Attachment {
                uploaded: owner,
                medical: false,
            },
        }
    }

    /// Every action decides on its own kind of record and on no other: a mix-up would let an
    /// action be judged by another kind's rule.
    #[test]
    fn every_action_decides_on_its_own_kind_of_record_only() {
        let agency = Uuid::now_v7();
        let owner = Provenance {
            user: Uuid::now_v7(),
            agency: Some(agency),
        };
        let viewer = Actor {
            user_id: owner.user,
            role: Role::User,
            agency_id: Some(agency),
        };
        let document = plan_document(DURHAM_V1);
        let plan = Plan {
            version: 1,
            document: &document,
        };
        let kinds = [
            RecordKind::Client,
            RecordKind::Enrollment,
            RecordKind::CaseManager,
            RecordKind::Service,
            RecordKind::Note,
            RecordKind::ProfileRow,
            RecordKind::Attachment,
        ];
        for action in RecordAction::ALL {
            for kind in kinds {
                let decided = decide(action, &viewer, &kind_facts(kind, owner, agency), plan);
                assert_eq!(
                    decided.is_some(),
                    kind == action.record_kind(),
                    "{action:?} on {kind:?}"
                );
            }
        }
    }

    /// The viewer who may not see a record hears the read rule, whatever the action.
    #[test]
    fn plan_1_refuses_every_action_on_a_record_the_viewer_may_not_see() {
        let (mine, theirs) = (Uuid::now_v7(), Uuid::now_v7());
        let owner = Provenance {
            user: Uuid::now_v7(),
            agency: Some(theirs),
        };
        let viewer = Actor {
            user_id: Uuid::now_v7(),
            role: Role::User,
            agency_id: Some(mine),
        };
        let document = plan_document(PRIVATE);
        let plan = Plan {
            version: 3,
            document: &document,
        };
        for action in RecordAction::ALL {
            let facts = kind_facts(action.record_kind(), owner, theirs);
            let decision = decide(action, &viewer, &facts, plan).expect("its own kind");
            assert!(!decision.allowed, "{action:?}");
            let expected = if action.record_kind() == RecordKind::Client {
                "DEM-1"
            } else {
                "PLAN-1"
            };
            assert_eq!(decision.rule, expected, "{action:?}");
            // Not shown at all: answered as a missing record of its kind.
            let missing = match action.record_kind() {
                RecordKind::Client => "client",
                RecordKind::Enrollment => "enrollment",
                RecordKind::CaseManager => "case-manager assignment",
                RecordKind::Service => "service",
                RecordKind::Note => "note",
                RecordKind::ProfileRow => "profile row",
                RecordKind::Attachment => "attachment",
            };
            assert_eq!(decision.unseen, Some(missing), "{action:?}");
        }
    }
}
