//! The decision matrix: role × action × ownership × plan, checked against a table written
//! here by hand from SPEC §4 — not computed by the code under test. (The third ownership,
//! another tenant, never reaches these rules: the API and row-level security answer
//! NOT_FOUND first; `api/tests/api/cross_tenant.rs` checks that through GraphQL, and
//! `api/tests/api/decisions_agree.rs` that the API acts on these same decisions.)
use uuid::Uuid;

use super::Decision;
use super::actions::{self, RecordAction, RecordFacts};
use super::plan::{CorrectionEndDates, DURHAM_V1, PRIVATE, PlanDocument, Strategy, template};
use super::records::*;
use super::roles::{Actor, Role};

/// `action role ownership | durham-v1 | private | edited`, where ownership is whether the
/// record was entered by the viewer's own party (for ATT-1 and NOTE-1: the viewer in person)
/// or by another agency. `allow X` / `refuse X` name the deciding rule.
const TABLE: &str = "
read_demographics          USER own   | allow DEM-1  | allow DEM-1  | allow DEM-1
read_demographics          USER other | allow DEM-1  | refuse DEM-1 | allow DEM-1
read_demographics          AA   other | allow DEM-1  | refuse DEM-1 | allow DEM-1
read_demographics          DC   other | allow DEM-1  | allow DEM-1  | allow DEM-1
read_notes                 USER own   | allow PLAN-1 | allow PLAN-1 | allow PLAN-1
read_notes                 USER other | allow PLAN-1 | refuse PLAN-1 | refuse PLAN-1
read_notes                 DC   other | allow PLAN-1 | allow PLAN-1 | allow PLAN-1
change_demographic_oral    USER own   | allow DEM-2  | allow DEM-2  | allow DEM-2
change_demographic_oral    USER other | refuse DEM-3 | refuse DEM-3 | allow DEM-2
change_demographic_oral    AA   other | refuse DEM-3 | refuse DEM-3 | allow DEM-2
change_demographic_oral    DC   own   | allow DEM-2  | allow DEM-2  | allow DEM-2
change_demographic_oral    DC   other | refuse DEM-3 | refuse DEM-3 | allow DEM-2
change_demographic_written USER other | allow DEM-2  | allow DEM-2  | allow DEM-2
change_demographic_written DC   other | allow DEM-2  | allow DEM-2  | allow DEM-2
correct_profile_directed   USER own   | refuse PRO-3 | refuse PRO-3 | allow PRO-2
correct_profile_directed   USER other | refuse PRO-3 | refuse PRO-3 | allow PRO-1
correct_profile_undirected USER own   | allow PRO-2  | allow PRO-2  | allow PRO-2
correct_profile_undirected USER other | refuse PRO-1 | refuse PRO-1 | refuse PRO-1
correct_profile_undirected AA   other | refuse PRO-1 | refuse PRO-1 | refuse PRO-1
end_date_profile           USER own   | allow PRO-4  | allow PRO-4  | allow PRO-4
end_date_profile           AA   other | refuse PRO-4 | refuse PRO-4 | refuse PRO-4
change_enrollment          USER own   | allow ENR-1  | allow ENR-1  | allow ENR-1
change_enrollment          AA   own   | allow ENR-1  | allow ENR-1  | allow ENR-1
change_enrollment          USER other | refuse ENR-1 | refuse ENR-1 | refuse ENR-1
change_enrollment          DC   other | refuse ENR-1 | refuse ENR-1 | refuse ENR-1
upload_ssn_card            USER own   | refuse ATT-2 | refuse ATT-2 | refuse ATT-2
upload_ssn_card            DC   own   | refuse ATT-2 | refuse ATT-2 | refuse ATT-2
upload_disability_unconfirmed USER own | refuse ATT-3 | refuse ATT-3 | refuse ATT-3
read_medical_file          USER own   | allow ATT-3  | allow ATT-3  | allow ATT-3
read_medical_file          USER other | refuse ATT-3 | refuse ATT-3 | refuse ATT-3
read_medical_file          DC   other | refuse ATT-3 | refuse ATT-3 | refuse ATT-3
read_file                  USER other | allow PLAN-1 | refuse PLAN-1 | allow PLAN-1
delete_file                USER own   | allow ATT-1  | allow ATT-1  | allow ATT-1
delete_file                AA   other | refuse ATT-1 | refuse ATT-1 | refuse ATT-1
delete_file                DC   other | refuse ATT-1 | refuse ATT-1 | refuse ATT-1
change_case_manager        USER own   | allow CM-2   | allow CM-2   | allow CM-2
change_case_manager        AA   other | refuse CM-2  | refuse CM-2  | refuse CM-2
change_case_manager        DC   other | refuse CM-2  | refuse CM-2  | refuse CM-2
edit_service               USER own   | allow SRV-1  | allow SRV-1  | allow SRV-1
edit_service               USER other | refuse SRV-1 | refuse SRV-1 | refuse SRV-1
delete_service             USER own   | refuse SRV-1 | refuse SRV-1 | refuse SRV-1
delete_service             DC   other | refuse SRV-1 | refuse SRV-1 | refuse SRV-1
read_service_notes         USER own   | allow SRV-2  | allow SRV-2  | allow SRV-2
read_service_notes         USER other | refuse SRV-2 | refuse SRV-2 | allow SRV-2
read_service_notes         DC   other | refuse SRV-2 | refuse SRV-2 | allow SRV-2
change_note                USER own   | allow NOTE-1 | allow NOTE-1 | allow NOTE-1
change_note                AA   other | refuse NOTE-1 | refuse NOTE-1 | refuse NOTE-1
change_note                DC   other | refuse NOTE-1 | refuse NOTE-1 | refuse NOTE-1
";

const AGENCY_A: Uuid = Uuid::from_u128(0xA);
const AGENCY_B: Uuid = Uuid::from_u128(0xB);

/// The durham-v1 plan as one CoC edited it: notes kept in the agency, service notes shared,
/// no documentation needed to override and no correction note required.
fn edited() -> PlanDocument {
    let mut plan = template(DURHAM_V1).unwrap_or_else(|| unreachable!());
    if let Some(notes) = plan.elements.get_mut("client_notes") {
        notes.shared = false;
    }
    plan.parameters.service_notes_shared = true;
    plan.parameters.override_requires_documentation = false;
    plan.parameters.correction_note_required = false;
    plan
}

fn actor(role: &str) -> Actor {
    match role {
        "USER" => Actor {
            user_id: Uuid::from_u128(1),
            role: Role::User,
            agency_id: Some(AGENCY_A),
        },
        "AA" => Actor {
            user_id: Uuid::from_u128(2),
            role: Role::AgencyAdmin,
            agency_id: Some(AGENCY_A),
        },
        "DC" => Actor {
            user_id: Uuid::from_u128(3),
            role: Role::DataCenter,
            agency_id: None,
        },
        other => panic!("unknown role {other}"),
    }
}

/// The record's entering party: the viewer themself, or a user of agency B.
fn entered(viewer: &Actor, ownership: &str) -> Provenance {
    match ownership {
        "own" => Provenance {
            user: viewer.user_id,
            agency: viewer.agency_id,
        },
        "other" => Provenance {
            user: Uuid::from_u128(99),
            agency: Some(AGENCY_B),
        },
        other => panic!("unknown ownership {other}"),
    }
}

fn decide(action: &str, viewer: &Actor, record: &Provenance, plan: Plan<'_>) -> Decision {
    let owning_agency = record.agency.unwrap_or(Uuid::nil());
    let unwrap = |change: DemographicChange| match change {
        DemographicChange::Write(d) | DemographicChange::RecordConflict(d) => d,
    };
    match action {
        "read_demographics" => read(viewer, Element::CLIENT_DEMOGRAPHICS, record, plan),
        "read_notes" => read(viewer, Element::CLIENT_NOTES, record, plan),
        "change_demographic_oral" => unwrap(change_demographic(viewer, record, plan, false)),
        "change_demographic_written" => unwrap(change_demographic(viewer, record, plan, true)),
        "correct_profile_directed" => correct_profile(viewer, record, plan, true, false).decision,
        "correct_profile_undirected" => correct_profile(viewer, record, plan, false, true).decision,
        "end_date_profile" => end_date_profile(viewer, record),
        "change_enrollment" => change_enrollment(viewer, owning_agency),
        "upload_ssn_card" => upload_attachment(AttachmentCategory::SsnCard, "scan.pdf", false),
        "upload_disability_unconfirmed" => upload_attachment(
            AttachmentCategory::DisabilityVerification,
            "letter.pdf",
            false,
        ),
        "read_medical_file" => read_attachment(viewer, record, true, plan),
        "read_file" => read_attachment(viewer, record, false, plan),
        "delete_file" => delete_attachment(viewer, record),
        "change_case_manager" => change_case_manager(viewer, owning_agency),
        "edit_service" => edit_service(viewer, owning_agency),
        "delete_service" => delete_service(),
        "read_service_notes" => read_service_notes(viewer, owning_agency, plan),
        "change_note" => change_note(viewer, record.user),
        other => panic!("unknown action {other}"),
    }
}

#[test]
fn every_decision_matches_the_hand_written_matrix() {
    let plans = [
        template(DURHAM_V1).unwrap_or_else(|| unreachable!()),
        template(PRIVATE).unwrap_or_else(|| unreachable!()),
        edited(),
    ];
    let mut checked = 0;
    for line in TABLE.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let columns: Vec<&str> = line.split('|').map(str::trim).collect();
        let key: Vec<&str> = columns[0].split_whitespace().collect();
        let (action, role, ownership) = (key[0], key[1], key[2]);
        let viewer = actor(role);
        let record = entered(&viewer, ownership);
        for (version, (plan, expected)) in plans.iter().zip(&columns[1..]).enumerate() {
            let plan = Plan {
                version: i32::try_from(version).unwrap_or(0) + 1,
                document: plan,
            };
            let decision = decide(action, &viewer, &record, plan);
            let (verdict, rule) = expected
                .split_once(' ')
                .unwrap_or_else(|| panic!("bad cell {expected}"));
            assert_eq!(
                (decision.allowed, decision.rule),
                (verdict == "allow", rule),
                "{action} by {role} on {ownership} record under plan {}: {}",
                ["durham-v1", "private", "edited"][version],
                decision.reason
            );
            if !decision.allowed {
                assert!(!decision.reason.is_empty(), "a refusal says why: {line}");
            }
            checked += 1;
        }
    }
    assert_eq!(
        checked,
        TABLE.lines().filter(|l| !l.trim().is_empty()).count() * 3
    );
}

#[test]
fn att_4_disability_verification_is_required_only_where_disabled() {
    let none = |_| false;
    assert_eq!(
        missing_documents(false, none),
        vec![
            AttachmentCategory::BirthCertificate,
            AttachmentCategory::HomelessnessVerification
        ]
    );
    assert_eq!(missing_documents(true, none).len(), 3);
    let held = |c| {
        matches!(
            c,
            AttachmentCategory::BirthCertificate | AttachmentCategory::HomelessnessVerification
        )
    };
    assert_eq!(
        missing_documents(true, held),
        vec![AttachmentCategory::DisabilityVerification]
    );
    assert!(missing_documents(false, held).is_empty());
}

#[test]
fn srv_3_a_document_attaches_only_to_the_same_clients_service() {
    let client = Uuid::from_u128(7);
    assert_eq!(attach_to_service(client, client), Decision::allow("SRV-3"));
    let refused = attach_to_service(client, Uuid::from_u128(8));
    assert_eq!((refused.allowed, refused.rule), (false, "SRV-3"));
}

/// The decision of an action on a record (used alike by the action, its `access` entry and
/// `explain`) refuses with the record's read rule when the viewer may not see the record, and
/// otherwise decides as the action's own rule does.
#[test]
fn each_action_asks_whether_the_record_is_visible_first() {
    let plans = [
        template(DURHAM_V1).unwrap_or_else(|| unreachable!()),
        template(PRIVATE).unwrap_or_else(|| unreachable!()),
        edited(),
    ];
    let mut refused_for_visibility = 0;
    for document in &plans {
        let plan = Plan {
            version: 1,
            document,
        };
        for role in ["USER", "AA", "DC"] {
            let viewer = actor(role);
            for ownership in ["own", "other"] {
                let record = entered(&viewer, ownership);
                let agency = record.agency.unwrap_or(Uuid::nil());
                let agency_id = agency;
                let cases = RecordAction::ALL.map(|action| {
                    use RecordAction as A;
                    let (facts, visible, own_rule) = match action {
                        A::ViewClient => (
                            RecordFacts::Client {
                                creator: record,
                                entered: record,
                            },
                            read(&viewer, Element::CLIENT_DEMOGRAPHICS, &record, plan),
                            read(&viewer, Element::CLIENT_DEMOGRAPHICS, &record, plan),
                        ),
                        A::ChangeDemographicWithDocumentation
                        | A::ChangeDemographicWithoutDocumentation => (
                            RecordFacts::Client {
                                creator: record,
                                entered: record,
                            },
                            read(&viewer, Element::CLIENT_DEMOGRAPHICS, &record, plan),
                            match change_demographic(
                                &viewer,
                                &record,
                                plan,
                                action == A::ChangeDemographicWithDocumentation,
                            ) {
                                DemographicChange::Write(d)
                                | DemographicChange::RecordConflict(d) => d,
                            },
                        ),
                        A::EditEnrollment | A::DeleteEnrollment => (
                            RecordFacts::Enrollment {
                                owner: record,
                                project_agency: agency_id,
                            },
                            read(&viewer, Element::ENTRY_EXIT, &record, plan),
                            change_enrollment(&viewer, agency_id),
                        ),
                        A::ChangeCaseManager => (
                            RecordFacts::CaseManager {
                                owner: record,
                                assigning_agency: agency_id,
                            },
                            read(&viewer, Element::CASE_MANAGER, &record, plan),
                            change_case_manager(&viewer, agency_id),
                        ),
                        A::EditService | A::DeleteService | A::ReadServiceNotes => (
                            RecordFacts::Service {
                                provider: record,
                                provider_agency: agency_id,
                            },
                            read(&viewer, Element::SERVICES, &record, plan),
                            match action {
                                A::EditService => edit_service(&viewer, agency_id),
                                A::DeleteService => delete_service(),
                                _ => read_service_notes(&viewer, agency_id, plan),
                            },
                        ),
                        A::EditNote | A::DeleteNote => (
                            RecordFacts::Note { author: record },
                            read(&viewer, Element::CLIENT_NOTES, &record, plan),
                            change_note(&viewer, record.user),
                        ),
                        A::CorrectProfileRowAtClientDirection | A::EndDateProfileRow => (
                            RecordFacts::ProfileRow {
                                element: Element::PROFILE_ASSESSMENT,
                                entered: record,
                            },
                            read(&viewer, Element::PROFILE_ASSESSMENT, &record, plan),
                            if action == A::EndDateProfileRow {
                                end_date_profile(&viewer, &record)
                            } else {
                                correct_profile(&viewer, &record, plan, true, true).decision
                            },
                        ),
                        A::ReadAttachment | A::DeleteAttachment => (
                            RecordFacts::Attachment {
                                uploaded: record,
                                medical: false,
                            },
                            read(&viewer, Element::FILE_ATTACHMENTS, &record, plan),
                            if action == A::DeleteAttachment {
                                delete_attachment(&viewer, &record)
                            } else {
                                read(&viewer, Element::FILE_ATTACHMENTS, &record, plan)
                            },
                        ),
                    };
                    let decided = actions::decide(action, &viewer, &facts, plan)
                        .unwrap_or_else(|| unreachable!("{action:?} on its own kind"));
                    (decided, visible, own_rule)
                });
                for (decided, visible, own_rule) in cases {
                    let expected = if visible.allowed { own_rule } else { visible };
                    if !expected.allowed && expected.rule == "PLAN-1" {
                        refused_for_visibility += 1;
                    }
                    assert_eq!(
                        (decided.allowed, decided.rule),
                        (expected.allowed, expected.rule),
                        "{role} {ownership}"
                    );
                }
            }
        }
    }
    assert!(
        refused_for_visibility > 0,
        "some case must be refused for visibility, or the test checks nothing"
    );
}

/// A plan that names `element` (shared or not) beside durham-v1's seven, with `parameters`.
fn naming(element: Element, shared: bool, edit: impl Fn(&mut PlanDocument)) -> PlanDocument {
    let mut plan = template(DURHAM_V1).unwrap_or_else(|| unreachable!());
    if let Some(e) = plan.elements.get_mut(Element::PROFILE_ASSESSMENT.key()) {
        e.shared = shared;
    }
    plan.elements.insert(
        element.key().to_owned(),
        super::plan::ElementPlan {
            shared,
            strategy: element.strategy(),
        },
    );
    edit(&mut plan);
    plan
}

/// SPEC §3: an element added later is decided by its strategy's rules and nothing else. Every
/// decision on a HUD element's answer — reading it, correcting it (directed or not, with or
/// without the note), end-dating it, the correction's end-dating and telling — equals the
/// decision on a profile row under the same sharing and parameters, for every role and
/// ownership. Element-specific rule code would make some pair differ.
#[test]
fn hud_elements_are_decided_by_their_strategy_alone() {
    let hud: Vec<Element> = Element::ALL
        .into_iter()
        .filter(|e| !e.is_built_in())
        .collect();
    assert_eq!(hud.len(), 4);
    let edits: [fn(&mut PlanDocument); 3] = [
        |_| {},
        |p| p.parameters.data_center_reads_unshared = false,
        |p| {
            p.parameters.correction_end_dates = CorrectionEndDates::AnyAtClientDirection;
            p.parameters.correction_note_required = false;
        },
    ];
    let mut compared = 0;
    for element in hud {
        assert_eq!(element.strategy(), Strategy::MultiAnswer);
        for shared in [true, false] {
            for edit in edits {
                let document = naming(element, shared, edit);
                let plan = Plan {
                    version: 4,
                    document: &document,
                };
                for role in ["USER", "AA", "DC"] {
                    let viewer = actor(role);
                    for ownership in ["own", "other"] {
                        let record = entered(&viewer, ownership);
                        let same = |of: Element| {
                            let facts = RecordFacts::ProfileRow {
                                element: of,
                                entered: record,
                            };
                            let decided = |action| {
                                actions::decide(action, &viewer, &facts, plan)
                                    .map(|d| (d.allowed, d.rule, d.conditions, d.unseen.is_some()))
                            };
                            let corrections: Vec<_> = [(true, true), (true, false), (false, true)]
                                .into_iter()
                                .map(|(directed, note)| {
                                    let c = correct_profile(&viewer, &record, plan, directed, note);
                                    (
                                        c.decision.allowed,
                                        c.decision.rule,
                                        c.may_end_date_old_row,
                                        c.notify_entering_agency,
                                    )
                                })
                                .collect();
                            let read = read(&viewer, of, &record, plan);
                            (
                                decided(RecordAction::CorrectProfileRowAtClientDirection),
                                decided(RecordAction::EndDateProfileRow),
                                corrections,
                                (read.allowed, read.rule),
                                collect(of, plan).allowed,
                            )
                        };
                        assert_eq!(
                            same(element),
                            same(Element::PROFILE_ASSESSMENT),
                            "{} {role} {ownership} shared={shared}",
                            element.key()
                        );
                        compared += 1;
                    }
                }
            }
        }
    }
    assert_eq!(compared, 4 * 2 * 3 * 3 * 2);
}

/// The rules reach an element only through its catalogue entry: no file of the policy layer
/// or of the answers-over-time use case names a HUD element, except the catalogue itself.
#[test]
fn no_rule_names_a_hud_element() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![root.join("records/profile.rs")];
    let mut dirs = vec![root.join("policy")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{dir:?}: {e}")) {
            let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|x| x == "rs")
                && !path.ends_with("records/elements.rs")
                && !path.ends_with("matrix_tests.rs")
                && !path.ends_with("tests.rs")
            {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 10, "the policy layer was found: {files:?}");
    let names: Vec<String> = Element::ALL
        .into_iter()
        .filter(|e| !e.is_built_in())
        .flat_map(|e| [e.key().to_owned(), e.key().to_uppercase()])
        .collect();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file:?}: {e}"));
        // Tests may name an element to pick its fields; the code above them may not.
        let code = source.split("#[cfg(test)]").next().unwrap_or_default();
        for name in &names {
            assert!(!code.contains(name.as_str()), "{file:?} names {name}");
        }
    }
}

/// `PLAN-1`: where the plan lets it, the Data Center reads what is not shared, and the
/// decision names the parameter; where it does not, the Data Center is refused like anyone
/// outside the entering agency, and the record is not found.
#[test]
fn plan_1_the_data_center_reads_unshared_records_only_where_the_plan_says() {
    let dc = actor("DC");
    let record = entered(&dc, "other");
    for element in [Element::CLIENT_NOTES, Element::INCOME_AND_BENEFITS] {
        let reads = naming(element, false, |_| {});
        let plan = Plan {
            version: 2,
            document: &reads,
        };
        let allowed = read(&dc, element, &record, plan);
        assert_eq!((allowed.allowed, allowed.rule), (true, "PLAN-1"));
        assert!(
            allowed.reason.contains("data_center_reads_unshared"),
            "{}",
            allowed.reason
        );

        let keeps = naming(element, false, |p| {
            p.parameters.data_center_reads_unshared = false;
        });
        let plan = Plan {
            version: 3,
            document: &keeps,
        };
        let refused = read(&dc, element, &record, plan);
        assert_eq!((refused.allowed, refused.rule), (false, "PLAN-1"));
        assert_eq!(refused.unseen, Some(element.record_noun()));
        assert!(refused.reason.contains("version 3"), "{}", refused.reason);
        // The Data Center's own records stay its own.
        let own = entered(&dc, "own");
        assert!(read(&dc, element, &own, plan).allowed);
    }
}

/// `PRO-2`: a correction end-dates another agency's row only where the plan allows it, and
/// then only at the client's direction; the entering agency is told either way (PRO-4).
#[test]
fn pro_2_a_correction_end_dates_another_agencys_row_only_where_the_plan_allows() {
    let user = actor("USER");
    let theirs = entered(&user, "other");
    let mine = entered(&user, "own");
    let own_rows = naming(Element::HEALTH_INSURANCE, true, |_| {});
    let any_row = naming(Element::HEALTH_INSURANCE, true, |p| {
        p.parameters.correction_end_dates = CorrectionEndDates::AnyAtClientDirection;
    });
    let plan = |document| Plan {
        version: 5,
        document,
    };
    let kept = correct_profile(&user, &theirs, plan(&own_rows), true, true);
    assert_eq!(
        (kept.decision.rule, kept.may_end_date_old_row),
        ("PRO-1", false)
    );
    assert!(kept.notify_entering_agency);

    let ended = correct_profile(&user, &theirs, plan(&any_row), true, true);
    assert_eq!(
        (
            ended.decision.allowed,
            ended.decision.rule,
            ended.may_end_date_old_row
        ),
        (true, "PRO-1", true)
    );
    assert!(ended.notify_entering_agency);
    // Not at the client's direction: refused, and nothing is end-dated.
    let undirected = correct_profile(&user, &theirs, plan(&any_row), false, true);
    assert_eq!(
        (undirected.decision.allowed, undirected.decision.rule),
        (false, "PRO-1")
    );
    for document in [&own_rows, &any_row] {
        let own = correct_profile(&user, &mine, plan(document), false, true);
        assert_eq!(
            (own.decision.rule, own.may_end_date_old_row),
            ("PRO-2", true)
        );
        assert!(!own.notify_entering_agency);
    }
}

/// `PLAN-1`: a HUD element is collected only while the plan names it.
#[test]
fn plan_1_an_element_the_plan_does_not_name_is_not_collected() {
    let durham = template(DURHAM_V1).unwrap_or_else(|| unreachable!());
    let plan = Plan {
        version: 6,
        document: &durham,
    };
    for element in Element::ALL {
        let decision = collect(element, plan);
        assert_eq!(decision.rule, "PLAN-1");
        assert_eq!(decision.allowed, element.is_built_in(), "{}", element.key());
        if !decision.allowed {
            assert!(decision.reason.contains("version 6"), "{}", decision.reason);
        }
    }
    let named = naming(Element::DISABLING_CONDITIONS, false, |_| {});
    let plan = Plan {
        version: 7,
        document: &named,
    };
    assert!(collect(Element::DISABLING_CONDITIONS, plan).allowed);
}
