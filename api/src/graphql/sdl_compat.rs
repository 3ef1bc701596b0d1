//! The schema keeps its promises to API clients: every change from the last released SDL
//! (`api/schema.released.graphql`) that would break a client built against it — a type,
//! field, argument, enum value or union member taken away, a type changed so that what a
//! client sends or reads no longer fits, a new required argument or input field — must be
//! listed by its path (`Type.field`, `Type.field(argument)`, `Enum.VALUE`) under
//! "Unreleased" in `CHANGELOG.md`. Additions are not breaking. Cutting a release moves the
//! Unreleased entries under a version and copies `api/schema.graphql` over the released SDL.
use std::collections::BTreeMap;

use async_graphql::parser::parse_schema;
use async_graphql::parser::types::{
    BaseType, FieldDefinition, InputValueDefinition, Type, TypeKind, TypeSystemDefinition,
};

/// One change that breaks a client of the released schema.
#[derive(Debug, PartialEq, Eq)]
pub struct Breaking {
    /// `Type`, `Type.field`, `Type.field(argument)` or `Enum.VALUE`.
    pub path: String,
    pub what: String,
}

/// The changes from `released` to `current` that break a client of `released`.
pub fn breaking_changes(released: &str, current: &str) -> Result<Vec<Breaking>, String> {
    let (old, new) = (types(released)?, types(current)?);
    let mut found = Vec::new();
    let mut breaks = |path: String, what: String| found.push(Breaking { path, what });
    for (name, before) in &old {
        let Some(after) = new.get(name) else {
            breaks(name.clone(), "type removed".into());
            continue;
        };
        match (before, after) {
            (TypeKind::Object(b), TypeKind::Object(a)) => {
                for interface in &b.implements {
                    if !a.implements.iter().any(|i| i.node == interface.node) {
                        breaks(
                            name.clone(),
                            format!("no longer implements {}", interface.node),
                        );
                    }
                }
                output_fields(name, &b.fields, &a.fields, &mut breaks);
            }
            (TypeKind::Interface(b), TypeKind::Interface(a)) => {
                output_fields(name, &b.fields, &a.fields, &mut breaks);
            }
            (TypeKind::InputObject(b), TypeKind::InputObject(a)) => {
                inputs(name, &b.fields, &a.fields, &mut breaks);
            }
            (TypeKind::Enum(b), TypeKind::Enum(a)) => {
                for value in &b.values {
                    let value = &value.node.value.node;
                    if !a.values.iter().any(|v| &v.node.value.node == value) {
                        breaks(format!("{name}.{value}"), "enum value removed".into());
                    }
                }
            }
            (TypeKind::Union(b), TypeKind::Union(a)) => {
                for member in &b.members {
                    if !a.members.iter().any(|m| m.node == member.node) {
                        breaks(name.clone(), format!("{} left the union", member.node));
                    }
                }
            }
            (TypeKind::Scalar, TypeKind::Scalar) => {}
            _ => breaks(name.clone(), "kind of type changed".into()),
        }
    }
    Ok(found)
}

fn types(sdl: &str) -> Result<BTreeMap<String, TypeKind>, String> {
    let document = parse_schema(sdl).map_err(|e| e.to_string())?;
    Ok(document
        .definitions
        .into_iter()
        .filter_map(|definition| match definition {
            TypeSystemDefinition::Type(t) => Some((t.node.name.node.to_string(), t.node.kind)),
            _ => None,
        })
        .collect())
}

type Breaks<'a> = dyn FnMut(String, String) + 'a;

fn output_fields(
    owner: &str,
    before: &[async_graphql::parser::Positioned<FieldDefinition>],
    after: &[async_graphql::parser::Positioned<FieldDefinition>],
    breaks: &mut Breaks<'_>,
) {
    for field in before {
        let field = &field.node;
        let path = format!("{owner}.{}", field.name.node);
        let Some(now) = after.iter().find(|f| f.node.name.node == field.name.node) else {
            breaks(path, "field removed".into());
            continue;
        };
        let now = &now.node;
        if !reads_as(&field.ty.node, &now.ty.node) {
            breaks(
                path.clone(),
                format!("type {} became {}", field.ty.node, now.ty.node),
            );
        }
        inputs(&path, &field.arguments, &now.arguments, breaks);
    }
}

/// Arguments of a field, or fields of an input object: what a client sends.
fn inputs(
    owner: &str,
    before: &[async_graphql::parser::Positioned<InputValueDefinition>],
    after: &[async_graphql::parser::Positioned<InputValueDefinition>],
    breaks: &mut Breaks<'_>,
) {
    let path = |name: &str| {
        if owner.contains('.') {
            format!("{owner}({name})")
        } else {
            format!("{owner}.{name}")
        }
    };
    for input in before {
        let input = &input.node;
        match after.iter().find(|i| i.node.name.node == input.name.node) {
            None => breaks(path(&input.name.node), "input removed".into()),
            Some(now) if !sends_as(&input.ty.node, &now.node.ty.node) => breaks(
                path(&input.name.node),
                format!("type {} became {}", input.ty.node, now.node.ty.node),
            ),
            Some(_) => {}
        }
    }
    for input in after {
        let input = &input.node;
        let new = !before.iter().any(|i| i.node.name.node == input.name.node);
        if new && !input.ty.node.nullable && input.default_value.is_none() {
            breaks(
                path(&input.name.node),
                "new required input: clients do not send it".into(),
            );
        }
    }
}

/// What a client reads as `before` still fits when the server answers `after`: the same
/// type, or one that is never null where it could be.
fn reads_as(before: &Type, after: &Type) -> bool {
    (before.nullable || !after.nullable) && same_base(&before.base, &after.base, reads_as)
}

/// What a client sends as `before` is still accepted as `after`: the same type, or one that
/// may now be null where it had to be given.
fn sends_as(before: &Type, after: &Type) -> bool {
    (!before.nullable || after.nullable) && same_base(&before.base, &after.base, sends_as)
}

fn same_base(before: &BaseType, after: &BaseType, inner: fn(&Type, &Type) -> bool) -> bool {
    match (before, after) {
        (BaseType::Named(b), BaseType::Named(a)) => b == a,
        (BaseType::List(b), BaseType::List(a)) => inner(b, a),
        _ => false,
    }
}

/// The paths listed under "Unreleased" in the changelog (between its heading and the next
/// `## ` heading), written in backticks.
pub fn unreleased_paths(changelog: &str) -> Vec<String> {
    let mut section = changelog
        .split("\n## ")
        .filter(|s| s.trim_start().starts_with("Unreleased"));
    let Some(unreleased) = section.next() else {
        return Vec::new();
    };
    unreleased
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const RELEASED: &str = include_str!("../../schema.released.graphql");
    const CURRENT: &str = include_str!("../../schema.graphql");
    const CHANGELOG: &str = include_str!("../../../CHANGELOG.md");

    #[test]
    fn every_breaking_change_since_the_last_release_is_in_the_changelog() {
        let listed = unreleased_paths(CHANGELOG);
        let unlisted: Vec<String> = breaking_changes(RELEASED, CURRENT)
            .unwrap()
            .into_iter()
            .filter(|b| !listed.contains(&b.path))
            .map(|b| format!("`{}`: {}", b.path, b.what))
            .collect();
        assert!(
            unlisted.is_empty(),
            "breaking changes to the GraphQL API missing from CHANGELOG.md's Unreleased \
             section (list each by its path):\n{}",
            unlisted.join("\n")
        );
    }

    const BEFORE: &str = "
        type Query { client(id: ID!): Client  clients(first: Int): [Client!]! }
        type Client { id: ID!  name: String  kind: Kind! }
        enum Kind { A B }
        input NewClient { name: String!  note: String }
        union Found = Client
        type Mutation { add(input: NewClient!): Client }";

    fn breaking(after: &str) -> Vec<String> {
        breaking_changes(BEFORE, after)
            .unwrap()
            .into_iter()
            .map(|b| b.path)
            .collect()
    }

    #[test]
    fn additions_and_safer_types_do_not_break() {
        let after = "
            type Query { client(id: ID!, at: Int): Client  clients(first: Int): [Client!]!  more: Int }
            type Client { id: ID!  name: String!  kind: Kind!  extra: Int }
            enum Kind { A B C }
            input NewClient { name: String  note: String  tag: String  level: Int! = 1 }
            union Found = Client | Kind2
            type Kind2 { x: Int }
            type Mutation { add(input: NewClient!): Client }";
        assert_eq!(breaking(after), Vec::<String>::new());
    }

    #[test]
    fn what_a_client_relies_on_taken_away_or_changed_breaks() {
        let after = "
            type Query { client(id: ID!, at: Int!): Client  clients(first: String): [Client]! }
            type Client { id: ID  kind: String! }
            enum Kind { A }
            input NewClient { name: String!  note: Int  tag: String! }
            type Found { x: Int }
            type Mutation { add: Client }";
        assert_eq!(
            breaking(after),
            vec![
                "Client.id",
                "Client.name",
                "Client.kind",
                "Found",
                "Kind.B",
                "Mutation.add(input)",
                "NewClient.note",
                "NewClient.tag",
                "Query.client(at)",
                "Query.clients",
                "Query.clients(first)",
            ]
        );
    }

    #[test]
    fn only_the_unreleased_section_lists_changes() {
        let changelog = "# Changelog\n\n## Unreleased\n\n- Removed `Client.name`.\n\n## 0.1.0\n\n- `Kind.B` added.\n";
        assert_eq!(unreleased_paths(changelog), vec!["Client.name"]);
    }
}
