//! The IdP's own refusal pages, worded and coded like each vendor's:
//! Okta's "not assigned this app", Entra's AADSTS codes, Google's
//! `app_not_configured_for_user`. Text that came from a request (an
//! Issuer, an ACS URL) is never echoed into them.

use super::core::Idp;
use super::decision::{ErrorPage, RefusalReason};
use super::directory::Access;
use super::pages;
use super::profile::Vendor;
use crate::saml::reason::{Reason, Rejection};

impl Idp {
    pub(super) fn page(
        &self,
        reason: RefusalReason,
        http_status: u16,
        code: &str,
        title: &str,
        message: &str,
    ) -> ErrorPage {
        ErrorPage {
            reason,
            http_status,
            code: code.to_string(),
            title: title.to_string(),
            message: message.to_string(),
            html: pages::error_page(self.vendor(), title, message, code),
        }
    }

    pub(super) fn unknown_sp_page(&self) -> ErrorPage {
        // The request's Issuer is not echoed: it is attacker-chosen text.
        let (code, message) = match self.vendor() {
            // [UNVERIFIED: general knowledge] AADSTS700016.
            Vendor::Entra => (
                "AADSTS700016",
                "The application identifier in the request was not found in the directory. \
                 The Identifier (Entity ID) configured in Microsoft Entra ID must match the Issuer the application sends."
                    .to_string(),
            ),
            Vendor::Google => (
                "app_not_configured",
                "Service is not configured for this Google Workspace account.".to_string(),
            ),
            _ => (
                "unknown-sp",
                "The application that sent this request is not configured in this IdP (unknown Issuer)."
                    .to_string(),
            ),
        };
        self.page(
            RefusalReason::UnknownSp,
            400,
            code,
            "Application not found",
            &message,
        )
    }

    pub(super) fn signature_page(&self, r: &Rejection) -> ErrorPage {
        let reason = if r.reason == Reason::SignatureMissing {
            RefusalReason::RequestSignatureMissing
        } else {
            RefusalReason::RequestSignatureInvalid
        };
        self.page(
            reason,
            400,
            reason.name(),
            "Sign-in request not trusted",
            &format!(
                "This IdP requires a valid signature on the application's requests, and this one has none that verifies: {r}."
            ),
        )
    }

    pub(super) fn no_acs_page(&self) -> ErrorPage {
        self.page(
            RefusalReason::AcsNotRegistered,
            400,
            "no-acs",
            "Application misconfigured",
            "The application's metadata has no HTTP-POST assertion consumer service.",
        )
    }

    /// The IdP's own refusal pages for a user who may not use the app.
    /// Codes and wording follow each vendor's page [UNVERIFIED: general
    /// knowledge of Okta's "not assigned" page, Entra AADSTS50105/50057 and
    /// Google's app_not_configured_for_user].
    pub(super) fn access_page(&self, access: &Access, email: &str, app: &str) -> ErrorPage {
        let v = self.vendor();
        match access {
            Access::NotAssigned => {
                let (code, message) = match v {
                    Vendor::Okta => (
                        "app-not-assigned",
                        format!("Sorry, you can't access {app} because you are not assigned this app in Okta. If you're wondering why this is happening, please contact your administrator."),
                    ),
                    Vendor::Entra => (
                        "AADSTS50105",
                        format!("Your administrator has configured the application {app} to block users unless they are specifically granted ('assigned') access to the application. The signed in user '{email}' is blocked because they are not a direct member of a group with access, nor had access directly assigned by an administrator."),
                    ),
                    Vendor::Google => (
                        "app_not_configured_for_user",
                        format!("Service is not configured for this user ({email}). The {app} app is not turned on for your organizational unit or group."),
                    ),
                    Vendor::Generic => (
                        "not-assigned",
                        format!("{email} is not assigned to the application {app}. Ask your administrator to assign you (directly or through a group)."),
                    ),
                };
                self.page(
                    RefusalReason::NotAssigned,
                    403,
                    code,
                    "Not assigned to this app",
                    &message,
                )
            }
            Access::Suspended => {
                let code = if v == Vendor::Entra {
                    "AADSTS50057"
                } else {
                    "user-suspended"
                };
                self.page(
                    RefusalReason::Suspended,
                    403,
                    code,
                    "Account disabled",
                    &format!("The account {email} is suspended (disabled) in this directory."),
                )
            }
            _ => self.page(
                RefusalReason::UnknownUser,
                403,
                "unknown-user",
                "Unknown user",
                &format!("There is no account {email} in this directory."),
            ),
        }
    }
}
