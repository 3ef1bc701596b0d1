//! The sharing plan (SPEC §3): the active version, every earlier one, a diff between any two,
//! and publishing the next version, which only the Data Center does (`ROLE-1`).
use std::collections::BTreeMap;

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::connection::{CountedConnection, connection, window};
use super::enums::{CorrectionEndDates, Role, Strategy};
use super::{caller, state};
use crate::error::GqlResult;
use domain::error::{DomainError, DomainResult};
use domain::policy::plan::{self, ElementPlan, FieldChange, Parameters, PlanDocument};
use domain::policy::records::Element;
use domain::sharing_plan::{self, PlanVersion, Publication, VersionKey};

/// A built-in plan.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum PlanTemplate {
    /// Every element shared, with the Durham v1 parameters: the default of every new CoC.
    DurhamV1,
    /// Nothing shared: every element stays inside the agency that entered it.
    Private,
}

impl PlanTemplate {
    fn name(self) -> &'static str {
        match self {
            Self::DurhamV1 => plan::DURHAM_V1,
            Self::Private => plan::PRIVATE,
        }
    }

    fn of(name: &str) -> Option<Self> {
        [Self::DurhamV1, Self::Private]
            .into_iter()
            .find(|t| t.name() == name)
    }
}

/// One published version of the CoC's sharing plan. Versions never change once published.
#[derive(SimpleObject)]
pub struct SharingPlanVersion {
    pub id: ID,
    pub version: i32,
    /// The built-in template it was published from; empty for a plan edited by hand.
    pub template: Option<PlanTemplate>,
    pub published_at: DateTime<Utc>,
    /// The user who published it.
    pub published_by: Option<Uuid>,
    pub document: SharingPlan,
}

impl From<PlanVersion> for SharingPlanVersion {
    fn from(PlanVersion { row, document }: PlanVersion) -> Self {
        Self {
            id: row.id.into(),
            version: row.version,
            template: PlanTemplate::of(&row.template),
            published_at: row.published_at,
            published_by: row.published_by,
            document: SharingPlan::from(&document),
        }
    }
}

/// The plan document; as input, the whole plan to publish.
#[derive(SimpleObject, InputObject)]
#[graphql(input_name = "SharingPlanInput")]
pub struct SharingPlan {
    /// The seven built-in elements first, then HUD's further elements the tenant collects
    /// (`income_and_benefits`, `health_insurance`, `disabling_conditions`,
    /// `current_living_situation`). Each element keeps its own strategy; an element left out
    /// is not collected.
    pub elements: Vec<SharingPlanElement>,
    pub parameters: SharingPlanParameters,
}

#[derive(SimpleObject, InputObject)]
#[graphql(input_name = "SharingPlanElementInput")]
pub struct SharingPlanElement {
    /// The plan key, e.g. `client_demographics`.
    pub key: String,
    /// Shared with the whole community, or visible only inside the entering agency.
    pub shared: bool,
    pub strategy: Strategy,
}

#[derive(SimpleObject, InputObject)]
#[graphql(input_name = "SharingPlanParametersInput")]
pub struct SharingPlanParameters {
    /// `DEM-4`, `ENR-3`: contact attempts before a conflict can be escalated (1–20).
    pub contact_attempts_min: i32,
    /// `DEM-4`, `ENR-3`: days the attempts must span (1–365).
    pub contact_window_days: i32,
    /// `ENR-3`: days an Agency Administrator has to review before the Data Center (1–365).
    pub admin_review_days: i32,
    /// `DEM-2`: overriding another agency's single-answer value needs documentation.
    pub override_requires_documentation: bool,
    /// `PRO-3`: a profile correction needs a client note saying what was corrected.
    pub correction_note_required: bool,
    /// `ATT-2`: uploads of Social Security cards are refused.
    pub ssn_card_uploads_forbidden: bool,
    /// `SRV-2`: case-management notes are shared (only when services are).
    pub service_notes_shared: bool,
    /// `ENR-2`: HUD project types a client may normally be enrolled in at once.
    pub concurrent_project_types: Vec<ProjectTypePair>,
    /// `PLAN-1`: the Data Center reads records of elements the plan does not share.
    #[graphql(default = true)]
    pub data_center_reads_unshared: bool,
    /// `PRO-2`: whose old rows a correction end-dates.
    #[graphql(default_with = "CorrectionEndDates::OwnRows")]
    pub correction_end_dates: CorrectionEndDates,
}

/// Two HUD project type codes (0–4, 6–14), in either order.
#[derive(SimpleObject, InputObject)]
#[graphql(name = "PlanProjectTypePair", input_name = "PlanProjectTypePairInput")]
pub struct ProjectTypePair {
    pub first: i32,
    pub second: i32,
}

/// One value that differs between two plan versions.
#[derive(SimpleObject)]
pub struct PlanFieldChange {
    /// Dotted path, e.g. `elements.services.shared` or `parameters.contact_window_days`.
    pub field: String,
    /// `absent` where the value does not exist in that version.
    pub before: String,
    pub after: String,
}

impl From<FieldChange> for PlanFieldChange {
    fn from(c: FieldChange) -> Self {
        Self {
            field: c.field,
            before: c.before,
            after: c.after,
        }
    }
}

impl From<&PlanDocument> for SharingPlan {
    fn from(doc: &PlanDocument) -> Self {
        let position = |key: &str| Element::ALL.iter().position(|e| e.key() == key);
        let mut elements: Vec<SharingPlanElement> = doc
            .elements
            .iter()
            .map(|(key, e)| SharingPlanElement {
                key: key.clone(),
                shared: e.shared,
                strategy: e.strategy.into(),
            })
            .collect();
        // Built-in elements in their order, then the others by key (the sort is stable).
        elements.sort_by_key(|e| position(&e.key).unwrap_or(usize::MAX));
        let p = &doc.parameters;
        let int = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
        Self {
            elements,
            parameters: SharingPlanParameters {
                contact_attempts_min: int(p.contact_attempts_min),
                contact_window_days: int(p.contact_window_days),
                admin_review_days: int(p.admin_review_days),
                override_requires_documentation: p.override_requires_documentation,
                correction_note_required: p.correction_note_required,
                ssn_card_uploads_forbidden: p.ssn_card_uploads_forbidden,
                service_notes_shared: p.service_notes_shared,
                data_center_reads_unshared: p.data_center_reads_unshared,
                correction_end_dates: p.correction_end_dates.into(),
                concurrent_project_types: p
                    .concurrent_project_types
                    .iter()
                    .map(|[a, b]| ProjectTypePair {
                        first: i32::from(*a),
                        second: i32::from(*b),
                    })
                    .collect(),
            },
        }
    }
}

impl SharingPlan {
    /// The typed document. Numbers out of range become values `plan::validate` refuses,
    /// naming the same field.
    fn into_document(self) -> DomainResult<PlanDocument> {
        let mut elements = BTreeMap::new();
        for e in self.elements {
            let field = format!("elements.{}", e.key);
            let entry = ElementPlan {
                shared: e.shared,
                strategy: e.strategy.into(),
            };
            if elements.insert(e.key, entry).is_some() {
                return Err(DomainError::validation(
                    field,
                    "this element is listed twice",
                ));
            }
        }
        let p = self.parameters;
        let days = |n: i32| u32::try_from(n).unwrap_or(0);
        let mut pairs = Vec::with_capacity(p.concurrent_project_types.len());
        for (i, pair) in p.concurrent_project_types.into_iter().enumerate() {
            let code = |n: i32| {
                i16::try_from(n).map_err(|_| {
                    DomainError::validation(
                        format!("parameters.concurrent_project_types[{i}]"),
                        format!("{n} is not a HUD project type code (0–4, 6–14)"),
                    )
                })
            };
            pairs.push([code(pair.first)?, code(pair.second)?]);
        }
        Ok(PlanDocument {
            elements,
            parameters: Parameters {
                contact_attempts_min: days(p.contact_attempts_min),
                contact_window_days: days(p.contact_window_days),
                admin_review_days: days(p.admin_review_days),
                override_requires_documentation: p.override_requires_documentation,
                correction_note_required: p.correction_note_required,
                ssn_card_uploads_forbidden: p.ssn_card_uploads_forbidden,
                service_notes_shared: p.service_notes_shared,
                concurrent_project_types: pairs,
                data_center_reads_unshared: p.data_center_reads_unshared,
                correction_end_dates: p.correction_end_dates.into(),
            },
        })
    }
}

/// A decision that publishing a draft plan would change.
#[derive(SimpleObject)]
pub struct PlanDecisionFlip {
    /// The element's plan key, e.g. `client_notes`.
    pub element: String,
    pub role: Role,
    /// `read` (reading a record another agency entered), or the action on such a record
    /// (`changeDemographicWithDocumentation`, `editNote`, `readServiceNotes`, …).
    pub action: String,
    /// What the role would, or would no longer, do, in words: "read another agency's client
    /// notes".
    pub what: String,
    pub allowed_before: bool,
    pub allowed_after: bool,
    /// The rule that decides it under the draft, and why.
    pub rule: String,
    pub reason: String,
}

impl From<plan::preview::Flip> for PlanDecisionFlip {
    fn from(flip: plan::preview::Flip) -> Self {
        Self {
            element: flip.element.to_owned(),
            role: flip.role.into(),
            action: flip.action.to_owned(),
            what: flip.what,
            allowed_before: flip.allowed_before,
            allowed_after: flip.allowed_after,
            rule: flip.rule.to_owned(),
            reason: flip.reason,
        }
    }
}

#[derive(Default)]
pub struct PlanQuery;

#[Object]
impl PlanQuery {
    /// The active sharing plan: every decision is made under this version.
    async fn sharing_plan(&self, ctx: &Context<'_>) -> GqlResult<SharingPlanVersion> {
        let user = caller(ctx)?;
        Ok(sharing_plan::active(state(ctx)?, user).await?.into())
    }

    /// What publishing `input` would change, asked before publishing it (the Data Center):
    /// the decisions that would flip, for each role — whether a person of the role may read a
    /// record another agency entered (PLAN-1, DEM-1) — against the version in force.
    async fn sharing_plan_preview(
        &self,
        ctx: &Context<'_>,
        input: SharingPlan,
    ) -> GqlResult<Vec<PlanDecisionFlip>> {
        let (state, user) = (state(ctx)?, caller(ctx)?);
        sharing_plan::may_publish(state, user).await?;
        let draft = input.into_document()?;
        let flips = sharing_plan::preview(state, user, &draft).await?;
        Ok(flips.into_iter().map(PlanDecisionFlip::from).collect())
    }

    /// One version by its number; earlier versions stay readable.
    async fn sharing_plan_version(
        &self,
        ctx: &Context<'_>,
        version: i32,
    ) -> GqlResult<SharingPlanVersion> {
        let user = caller(ctx)?;
        Ok(
            sharing_plan::version(state(ctx)?, user, VersionKey::Number(version))
                .await?
                .into(),
        )
    }

    /// Every published version, newest first.
    #[graphql(complexity = "super::connection::list_complexity(child_complexity, first, last)")]
    async fn sharing_plan_versions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> GqlResult<CountedConnection<SharingPlanVersion>> {
        let user = caller(ctx)?;
        let window = window(ctx, first, after, last, before)?;
        let page = sharing_plan::versions(state(ctx)?, user, window).await?;
        Ok(connection(page, |v| v.row.id, SharingPlanVersion::from))
    }

    /// What changed from one version to another, field by field: one entry per field of the
    /// plan document that differs, so never more than the document's fields (a bounded list,
    /// not paged).
    async fn sharing_plan_diff(
        &self,
        ctx: &Context<'_>,
        from_version: i32,
        to_version: i32,
    ) -> GqlResult<Vec<PlanFieldChange>> {
        let user = caller(ctx)?;
        Ok(
            sharing_plan::diff(state(ctx)?, user, from_version, to_version)
                .await?
                .into_iter()
                .map(PlanFieldChange::from)
                .collect(),
        )
    }
}

#[derive(SimpleObject)]
pub struct PublishSharingPlanPayload {
    /// The version published.
    pub version: SharingPlanVersion,
}

#[derive(InputObject)]
pub struct PublishSharingPlanTemplateInput {
    pub template: PlanTemplate,
}

#[derive(SimpleObject)]
pub struct PublishSharingPlanTemplatePayload {
    /// The version published.
    pub version: SharingPlanVersion,
}

#[derive(Default)]
pub struct PlanMutation;

#[Object]
impl PlanMutation {
    /// Publishes an edited plan as the next version. Data Center only; a plan that does not
    /// validate is refused with the offending field in `extensions.field`.
    async fn publish_sharing_plan(
        &self,
        ctx: &Context<'_>,
        input: SharingPlan,
    ) -> GqlResult<PublishSharingPlanPayload> {
        let (state, user) = (state(ctx)?, caller(ctx)?);
        sharing_plan::may_publish(state, user).await?;
        let document = input.into_document()?;
        let published = sharing_plan::publish(state, user, Publication::Edited(document)).await?;
        Ok(PublishSharingPlanPayload {
            version: published.into(),
        })
    }

    /// Publishes a built-in template as the next version. Data Center only.
    async fn publish_sharing_plan_template(
        &self,
        ctx: &Context<'_>,
        input: PublishSharingPlanTemplateInput,
    ) -> GqlResult<PublishSharingPlanTemplatePayload> {
        let (state, user) = (state(ctx)?, caller(ctx)?);
        let template = Publication::Template(input.template.name());
        let published = sharing_plan::publish(state, user, template).await?;
        Ok(PublishSharingPlanTemplatePayload {
            version: published.into(),
        })
    }
}
