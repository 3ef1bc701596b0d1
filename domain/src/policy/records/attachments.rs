//! Attachments (`ATT-*`, `SRV-3`): what may be stored, who sees and deletes a file, and the
//! documents a head of household should carry.
use uuid::Uuid;

use super::*;

/// Attachment categories a client file can carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttachmentCategory {
    BirthCertificate,
    HomelessnessVerification,
    DisabilityVerification,
    ServiceAgreement,
    IdentityDocument,
    SsnCard,
    SsnOnFileDisclosure,
    Medical,
    Other,
}

/// `ATT-2`/`ATT-3`: may this upload be stored at all? No plan allows a copy of a Social
/// Security card (the seed: "should NEVER be uploaded"; plan validation refuses a plan that
/// would), so `ATT-2` reads no plan parameter.
pub fn upload_attachment(
    category: AttachmentCategory,
    file_name: &str,
    no_diagnosis_confirmed: bool,
) -> Decision {
    if category == AttachmentCategory::SsnCard || names_ssn_card(file_name) {
        return Decision::refuse(
            "ATT-2",
            "copies of Social Security cards are never stored; upload an \"SSN on file at <agency>\" disclosure or add a client note instead",
        );
    }
    if category == AttachmentCategory::DisabilityVerification && !no_diagnosis_confirmed {
        return Decision::refuse(
            "ATT-3",
            "confirm that the disability verification includes no specific diagnosis",
        );
    }
    Decision::allow("ATT-2")
}

/// A file name that says it holds a Social Security card ("SSN card.pdf",
/// "Social_Security-Card.png", "scan of SSN card (on file).pdf") whatever else it says, or a
/// Social Security number ("ssn.jpg", "soc sec.png") unless it is a disclosure ("SSN on file at
/// …", which says where the card is, not what it shows).
pub fn names_ssn_card(file_name: &str) -> bool {
    let name: String = file_name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    let words: Vec<&str> = name.split_whitespace().collect();
    let joined = words.join(" ");
    let says_ssn = words
        .iter()
        .any(|w| *w == "ssn" || *w == "ss" || w.starts_with("ssncard"))
        || joined.contains("social security")
        || joined.contains("soc sec")
        || joined.contains("socsec");
    let says_card = words
        .iter()
        .any(|w| w.starts_with("card") || w.ends_with("card"));
    let disclosure = joined.contains("on file") || joined.contains("disclosure");
    says_ssn && (says_card || !disclosure)
}

/// `ATT-3`: medical files are visible only inside the uploading agency; others as the plan says.
pub fn read_attachment(
    viewer: &Actor,
    uploaded: &Provenance,
    medical: bool,
    plan: Plan<'_>,
) -> Decision {
    if medical {
        if same_party(viewer, uploaded) {
            return Decision::allow("ATT-3");
        }
        return Decision::refuse(
            "ATT-3",
            "files with medical information are visible only inside the uploading agency",
        );
    }
    read(viewer, Element::FILE_ATTACHMENTS, uploaded, plan)
}

/// `ATT-1`: only the uploader deletes or replaces a file.
pub fn delete_attachment(viewer: &Actor, uploaded: &Provenance) -> Decision {
    if viewer.user_id == uploaded.user {
        Decision::allow("ATT-1")
    } else {
        Decision::refuse(
            "ATT-1",
            "only the user who uploaded a file may delete or replace it",
        )
    }
}

/// `SRV-3`: a document attaches to a service transaction of the same client.
pub fn attach_to_service(client_id: Uuid, service_client_id: Uuid) -> Decision {
    if service_client_id == client_id {
        Decision::allow("SRV-3")
    } else {
        Decision::refuse(
            "SRV-3",
            "this service transaction belongs to another client: attach the document to one of this client's services",
        )
    }
}

/// Which enrollments' documents a viewer is shown in the ATT-4 checklist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChecklistScope {
    /// The Data Center: every agency's.
    All,
    /// An agency's users: their agency's projects.
    Agency(Uuid),
    Nothing,
}

/// `ATT-4`: the Data Center sees the whole CoC; agency users see their agency's enrollments.
pub fn checklist_scope(viewer: &Actor) -> ChecklistScope {
    match (viewer.role, viewer.agency_id) {
        (Role::DataCenter, _) => ChecklistScope::All,
        (_, Some(agency)) => ChecklistScope::Agency(agency),
        (_, None) => ChecklistScope::Nothing,
    }
}

/// `ATT-4`: what a head of household should carry — a birth certificate, third-party
/// verification of homelessness and, where disabled, verification of disability — minus
/// what `holds` says is on file.
pub fn missing_documents(
    disabled: bool,
    holds: impl Fn(AttachmentCategory) -> bool,
) -> Vec<AttachmentCategory> {
    let mut required = vec![
        AttachmentCategory::BirthCertificate,
        AttachmentCategory::HomelessnessVerification,
    ];
    if disabled {
        required.push(AttachmentCategory::DisabilityVerification);
    }
    required.into_iter().filter(|c| !holds(*c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn att_2_a_name_that_says_ssn_card_is_refused_whatever_else_it_says() {
        for name in [
            "SSN card.pdf",
            "social_security-card.pdf",
            "ss.pdf",
            "ssncard.png",
            "scan of SSN card (on file).pdf",
            "Social Security Card - disclosure.pdf",
        ] {
            let decision = upload_attachment(AttachmentCategory::IdentityDocument, name, false);
            assert_eq!(
                (decision.allowed, decision.rule),
                (false, "ATT-2"),
                "{name}"
            );
        }
    }

    #[test]
    fn att_2_a_disclosure_and_other_documents_are_stored() {
        for name in [
            "SSN on file at Urban Ministries.pdf",
            "ssn disclosure.pdf",
            "birth certificate.pdf",
            "ID card.png",
        ] {
            let decision = upload_attachment(AttachmentCategory::Other, name, false);
            assert!(decision.allowed, "{name}: {}", decision.reason);
        }
        let by_category = upload_attachment(AttachmentCategory::SsnCard, "scan.pdf", false);
        assert_eq!((by_category.allowed, by_category.rule), (false, "ATT-2"));
    }
}
