//! Outgoing e-mail over SMTP (`CONCORD_SMTP_*`), with TLS where the server offers it
//! (STARTTLS). Without a host, nothing is e-mailed: messages stay in-app and the outbox says
//! so. Only the outbox's delivery (`messages::deliver`) sends.
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use crate::error::StartupError;
use crate::settings::SmtpSettings;

#[derive(Clone)]
pub enum Mailer {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    /// No SMTP host is set up.
    Off,
}

/// One e-mail: an in-app message's words (COM-1: the client by HMIS number only), or an
/// invitation (which names no client at all).
pub struct Mail<'a> {
    /// Becomes the Message-ID, so that a receiving system can tell a retried delivery (after
    /// a crash between sending and recording it) from a new message.
    pub id: uuid::Uuid,
    pub to: &'a [String],
    pub subject: &'a str,
    pub body: &'a str,
}

impl Mailer {
    pub fn from_settings(smtp: &SmtpSettings) -> Result<Self, StartupError> {
        let Some(host) = smtp.host.as_deref() else {
            return Ok(Self::Off);
        };
        let setting = |e: &dyn std::fmt::Display| StartupError::Setting("smtp", e.to_string());
        let from: Mailbox = smtp
            .from
            .as_deref()
            .unwrap_or("Concord <concord@localhost>")
            .parse()
            .map_err(|e| setting(&e))?;
        let tls = TlsParameters::new(host.to_owned()).map_err(|e| setting(&e))?;
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(smtp.port)
            .tls(Tls::Opportunistic(tls));
        if let (Some(user), Some(password)) = (&smtp.username, &smtp.password) {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                password.expose_secret().to_owned(),
            ));
        }
        Ok(Self::Smtp {
            transport: builder.build(),
            from,
        })
    }

    pub fn is_on(&self) -> bool {
        matches!(self, Self::Smtp { .. })
    }

    /// Sends `mail` to every address in it, as one message with every recipient in Bcc (and no
    /// To), so that administrators of an agency do not learn each other's addresses from it.
    pub async fn send(&self, mail: Mail<'_>) -> Result<(), String> {
        let Self::Smtp { transport, from } = self else {
            return Err("no SMTP server is set up".into());
        };
        let mut message = Message::builder()
            .from(from.clone())
            .subject(mail.subject)
            .message_id(Some(format!("<{}@concord>", mail.id)))
            .header(ContentType::TEXT_PLAIN);
        for address in mail.to {
            let mailbox: Mailbox = address.parse().map_err(|e| format!("{e}"))?;
            message = message.bcc(mailbox);
        }
        let message = message
            .body(mail.body.to_owned())
            .map_err(|e| e.to_string())?;
        transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}
