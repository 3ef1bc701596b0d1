//! Relay global object ids: `base64("<Type>:<uuid>")`, the form GraphQL clients (Relay, Apollo)
//! expect. One definition, so that a webhook payload and the API name an object alike.
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use uuid::Uuid;

/// The global id of the object of GraphQL type `type_name` with this id.
pub fn encode(type_name: &str, id: Uuid) -> String {
    STANDARD.encode(format!("{type_name}:{id}"))
}

/// The type name and id a global id names, if it is one.
pub fn decode(global_id: &str) -> Option<(String, Uuid)> {
    let bytes = STANDARD.decode(global_id).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (type_name, id) = text.split_once(':')?;
    Some((type_name.to_owned(), Uuid::parse_str(id).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_global_id_names_its_type_and_id() {
        let id = Uuid::now_v7();
        let global = encode("Client", id);
        assert_eq!(decode(&global), Some(("Client".to_owned(), id)));
        assert_eq!(decode("not base64!"), None);
        assert_eq!(decode(&STANDARD.encode("Client:not-a-uuid")), None);
    }
}
