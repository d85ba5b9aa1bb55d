//! Vendor profiles: what a generic SAML IdP, Okta, Microsoft Entra ID and
//! Google Workspace put in a Response. A profile is data — the message
//! shape handed to the SAML writer plus attribute-mapping knobs — and every
//! default cites the VENDORS.md row it comes from.
//!
//! Vendor identifiers (Okta's app key, Entra's tenant GUID, Google's
//! idpid) are drawn from the seeded [`Rng`] when the profile is made, so
//! the same seed always gives the same issuer.

use std::time::Duration;

use uuid::Uuid;

use crate::saml::response::{ResponseShape, SignWhat, NAMEID_PERSISTENT};
use crate::sim::Rng;

/// Which IdP the mock behaves like.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Vendor {
    Generic,
    Okta,
    Entra,
    Google,
}

impl Vendor {
    pub const ALL: [Vendor; 4] = [Vendor::Generic, Vendor::Okta, Vendor::Entra, Vendor::Google];

    pub fn as_str(self) -> &'static str {
        match self {
            Vendor::Generic => "generic",
            Vendor::Okta => "okta",
            Vendor::Entra => "entra",
            Vendor::Google => "google",
        }
    }

    pub fn parse(s: &str) -> Option<Vendor> {
        Vendor::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The product name shown on pages.
    pub fn product(self) -> &'static str {
        match self {
            Vendor::Generic => "ssosim IdP",
            Vendor::Okta => "Okta",
            Vendor::Entra => "Microsoft Entra ID",
            Vendor::Google => "Google Workspace",
        }
    }

    /// The committed signing key and certificate (fixtures/pki/README.md),
    /// embedded so the binary works outside the repository.
    pub fn key_pem(self) -> (&'static [u8], &'static [u8]) {
        match self {
            Vendor::Generic => (
                include_bytes!("../../fixtures/pki/idp-generic.key.pem"),
                include_bytes!("../../fixtures/pki/idp-generic.crt.pem"),
            ),
            Vendor::Okta => (
                include_bytes!("../../fixtures/pki/idp-okta.key.pem"),
                include_bytes!("../../fixtures/pki/idp-okta.crt.pem"),
            ),
            Vendor::Entra => (
                include_bytes!("../../fixtures/pki/idp-entra.key.pem"),
                include_bytes!("../../fixtures/pki/idp-entra.crt.pem"),
            ),
            Vendor::Google => (
                include_bytes!("../../fixtures/pki/idp-google.key.pem"),
                include_bytes!("../../fixtures/pki/idp-google.crt.pem"),
            ),
        }
    }
}

/// Where the NameID value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameIdSource {
    Email,
    /// Entra userPrincipalName (differs from mail in the §6 case 9 mismatch).
    Upn,
    /// Entra's documented default: persistent, pairwise, opaque.
    Pairwise,
}

/// Which groups a user has are candidates for the claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupScope {
    /// Every group, nested ones included when the claim says `nested`.
    All,
    /// Entra "Groups assigned to the application": direct memberships in
    /// assigned groups only.
    AssignedToApp,
}

/// What one group value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupValue {
    Name,
    /// Entra's default: the group's object id GUID (VENDORS.md 2.1.2).
    ObjectId,
}

/// Okta's group attribute filters (VENDORS.md 2.2.1, S14 `filter_type`),
/// plus Google's explicit list (2.3.1: only listed groups are ever sent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupFilter {
    /// Okta `REGEX .*`, the usual "send all".
    All,
    StartsWith(String),
    Equals(String),
    Contains(String),
    Listed(Vec<String>),
}

/// The groups attribute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupsClaim {
    pub name: String,
    pub value: GroupValue,
    pub scope: GroupScope,
    pub nested: bool,
    pub filter: GroupFilter,
    /// Send at most this many (Google: 75, VENDORS.md 2.3.1).
    pub cap: Option<usize>,
    /// More groups than this → no groups claim at all (Entra: 150,
    /// VENDORS.md 2.1.2).
    pub overage_threshold: Option<usize>,
    /// On overage, this attribute (name, URL template with `{user}`) is sent
    /// instead (Entra `http://schemas.microsoft.com/claims/groups.link`).
    pub overage_link: Option<(String, String)>,
    /// No matching group → no attribute (Okta, \[UNVERIFIED\] VENDORS.md 2.2.1).
    pub omit_when_empty: bool,
}

/// Attribute mapping: which directory field goes out under which name.
/// `None` means the attribute is not sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimRules {
    pub name_id: NameIdSource,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub display_name: Option<String>,
    pub upn: Option<String>,
    pub object_id: Option<String>,
    /// Fixed attributes (Entra tenantid, identityprovider).
    pub constants: Vec<(String, String)>,
    pub groups: Option<GroupsClaim>,
}

/// What an IdP does with an AuthnRequest whose AssertionConsumerServiceURL
/// is not one of the SP metadata's (SECURITY.md IDP1). Either way the
/// requested URL is never reflected anywhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AcsMismatch {
    /// Answer at the metadata's default ACS (generic, Okta, Google).
    UseDefault,
    /// Refuse with an IdP page (Entra AADSTS50011, VENDORS.md 2.1.1: "The
    /// ACS URL, if present, must match a registered reply URL").
    Refuse,
}

/// Per-vendor identifiers drawn from the seed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VendorIds {
    /// Okta app entity key (`exk…`, 20 characters).
    pub okta_app_key: String,
    /// Entra tenant id.
    pub tenant_id: Uuid,
    /// Google IdP id (`C0…`).
    pub google_idpid: String,
}

impl VendorIds {
    pub fn draw(rng: &mut Rng) -> VendorIds {
        VendorIds {
            okta_app_key: format!("exk{}", alnum(rng, 17)),
            tenant_id: rng.uuid(),
            google_idpid: format!("C0{}", alnum(rng, 7).to_ascii_lowercase()),
        }
    }
}

/// `len` characters of `[A-Za-z0-9]`.
fn alnum(rng: &mut Rng, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..len)
        .map(|_| ALPHABET[(rng.u64() % ALPHABET.len() as u64) as usize] as char)
        .collect()
}

/// Knobs a person can turn on a profile (CLI flags, scenario settings).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProfileOptions {
    /// Entra: emit group display names instead of object ids (only with
    /// "Groups assigned to the application" in real Entra; VENDORS.md 2.1.2).
    pub entra_group_names: bool,
    /// Entra: "Groups assigned to the application" instead of all groups.
    pub entra_assigned_groups_only: bool,
    /// Okta: the group attribute filter (default: all groups).
    pub okta_group_filter: Option<GroupFilter>,
    /// Google: the groups listed in the "Group membership" mapping field
    /// (default: every group, for convenience).
    pub google_groups: Option<Vec<String>>,
    /// NameID source override.
    pub name_id: Option<NameIdSource>,
    /// The RelayState an IdP-initiated launch sends when none is given
    /// (Okta `default_relay_state`, VENDORS.md 1.2).
    pub default_relay_state: Option<String>,
    /// Which element is signed, overriding the vendor default.
    pub sign: Option<SignWhat>,
    /// Conditions lifetime, overriding the vendor default (VENDORS.md 1.1
    /// `assertion_lifetime`).
    pub assertion_lifetime: Option<Duration>,
    /// The IdP's clock minus the world's, in seconds (VENDORS.md 1.1
    /// `idp_clock_offset_seconds`).
    pub clock_offset_s: Option<i64>,
    /// Sign with rsa-sha1 (Entra and Okta both offer it, VENDORS.md
    /// 2.1.3, 2.2.1).
    pub legacy_sha1: bool,
}

/// A vendor profile: the message shape, the claim rules, and the IdP-side
/// behaviours that differ by vendor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    pub vendor: Vendor,
    pub shape: ResponseShape,
    pub claims: ClaimRules,
    pub acs_mismatch: AcsMismatch,
    pub default_relay_state: Option<String>,
    pub ids: VendorIds,
}

impl Profile {
    /// The profile of `vendor` for an IdP served at `base_url`, with
    /// vendor identifiers drawn from `rng`.
    pub fn new(vendor: Vendor, base_url: &str, opts: &ProfileOptions, rng: &mut Rng) -> Profile {
        let ids = VendorIds::draw(rng);
        let base_url = base_url.trim_end_matches('/');
        let mut shape = match vendor {
            // VENDORS.md §2.7 / SECURITY.md IDP5: spec-clean, both signed.
            Vendor::Generic => ResponseShape::generic(&format!("{base_url}/metadata")),
            // VENDORS.md 2.2.1: `http://www.okta.com/<appEntityKey>` (http,
            // not https), `id…` ids, Response signed (S14 docs examples
            // use `response_signed = true`; UI defaults [UNVERIFIED]),
            // NotBefore T−5 min, NotOnOrAfter T+5 min (S44).
            Vendor::Okta => {
                ResponseShape::okta(&format!("http://www.okta.com/{}", ids.okta_app_key))
            }
            // VENDORS.md 2.1.1/2.1.3: `https://sts.windows.net/<tenant>/`,
            // `_`+GUID ids, Assertion signed (the gallery default, S11),
            // Conditions 70 min, SubjectConfirmationData 5 min (S9).
            Vendor::Entra => {
                ResponseShape::entra(&format!("https://sts.windows.net/{}/", ids.tenant_id))
            }
            // VENDORS.md 2.3.1: `https://accounts.google.com/o/saml2?idpid=…`,
            // `_`+32 hex ids. Signs the Response only: what S30
            // (passport-saml #865) observed and what §6 case 17 needs
            // (VENDORS.md calls assertion-only the default, [UNVERIFIED];
            // use `sign` to get it).
            Vendor::Google => {
                let mut s = ResponseShape::google(&format!(
                    "https://accounts.google.com/o/saml2?idpid={}",
                    ids.google_idpid
                ));
                s.sign = SignWhat::Response;
                s
            }
        };
        let claims = claim_rules(vendor, &ids, opts);
        if claims.name_id == NameIdSource::Pairwise {
            shape.name_id_format = NAMEID_PERSISTENT.to_string();
        }
        if let Some(sign) = opts.sign {
            shape.sign = sign;
        }
        if let Some(lifetime) = opts.assertion_lifetime {
            shape.assertion_lifetime = lifetime;
        }
        if let Some(offset) = opts.clock_offset_s {
            shape.clock_offset_s = offset;
        }
        shape.legacy_sha1 |= opts.legacy_sha1;
        Profile {
            vendor,
            shape,
            claims,
            acs_mismatch: if vendor == Vendor::Entra {
                AcsMismatch::Refuse
            } else {
                AcsMismatch::UseDefault
            },
            default_relay_state: opts.default_relay_state.clone(),
            ids,
        }
    }
}

/// The SAML attribute names of each vendor.
pub mod names {
    pub const ENTRA_EMAIL: &str =
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress";
    pub const ENTRA_GIVEN_NAME: &str =
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname";
    pub const ENTRA_SURNAME: &str = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname";
    pub const ENTRA_NAME: &str = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name";
    pub const ENTRA_DISPLAY_NAME: &str = "http://schemas.microsoft.com/identity/claims/displayname";
    pub const ENTRA_OBJECT_ID: &str =
        "http://schemas.microsoft.com/identity/claims/objectidentifier";
    pub const ENTRA_TENANT_ID: &str = "http://schemas.microsoft.com/identity/claims/tenantid";
    pub const ENTRA_IDP: &str = "http://schemas.microsoft.com/identity/claims/identityprovider";
    pub const ENTRA_GROUPS: &str = "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups";
    pub const ENTRA_GROUPS_LINK: &str = "http://schemas.microsoft.com/claims/groups.link";
}

/// The claim rules of `vendor` (the message shape is in [`Profile`]).
pub fn claim_rules(vendor: Vendor, ids: &VendorIds, opts: &ProfileOptions) -> ClaimRules {
    let plain = |s: &str| Some(s.to_string());
    let mut rules = match vendor {
        // Spec-clean: the WorkOS-style names most SP guides ask for.
        Vendor::Generic => ClaimRules {
            name_id: NameIdSource::Email,
            email: plain("email"),
            first_name: plain("firstName"),
            last_name: plain("lastName"),
            display_name: None,
            upn: None,
            object_id: None,
            constants: vec![],
            groups: Some(GroupsClaim {
                name: "groups".into(),
                value: GroupValue::Name,
                scope: GroupScope::All,
                nested: false,
                filter: GroupFilter::All,
                cap: None,
                overage_threshold: None,
                overage_link: None,
                omit_when_empty: false,
            }),
        },
        // VENDORS.md 2.2.1: Claude's Okta guide (S25) wants NameID
        // EmailAddress = email and an `email` attribute; firstName/lastName
        // are the common WorkOS-style set [UNVERIFIED]. The groups attribute
        // is a GROUP statement named `groups` with a filter (S14), whose
        // empty result omits the attribute [UNVERIFIED].
        Vendor::Okta => ClaimRules {
            name_id: NameIdSource::Email,
            email: plain("email"),
            first_name: plain("firstName"),
            last_name: plain("lastName"),
            display_name: None,
            upn: None,
            object_id: None,
            constants: vec![],
            groups: Some(GroupsClaim {
                name: "groups".into(),
                value: GroupValue::Name,
                scope: GroupScope::All,
                nested: false,
                filter: opts.okta_group_filter.clone().unwrap_or(GroupFilter::All),
                cap: None,
                overage_threshold: None,
                overage_link: None,
                omit_when_empty: true,
            }),
        },
        // VENDORS.md 2.1.1 (S8 claim URIs) and 2.1.2 (S10: GUIDs by
        // default, nested included, 150-group overage → groups.link).
        // NameID = UPN with emailAddress format, as the portal sets it for
        // gallery/custom apps [UNVERIFIED].
        Vendor::Entra => {
            let tenant = ids.tenant_id;
            ClaimRules {
                name_id: NameIdSource::Upn,
                email: plain(names::ENTRA_EMAIL),
                first_name: plain(names::ENTRA_GIVEN_NAME),
                last_name: plain(names::ENTRA_SURNAME),
                display_name: plain(names::ENTRA_DISPLAY_NAME),
                upn: plain(names::ENTRA_NAME),
                object_id: plain(names::ENTRA_OBJECT_ID),
                constants: vec![
                    (names::ENTRA_TENANT_ID.into(), tenant.to_string()),
                    (
                        names::ENTRA_IDP.into(),
                        format!("https://sts.windows.net/{tenant}/"),
                    ),
                ],
                groups: Some(GroupsClaim {
                    name: names::ENTRA_GROUPS.into(),
                    value: if opts.entra_group_names {
                        GroupValue::Name
                    } else {
                        GroupValue::ObjectId
                    },
                    scope: if opts.entra_assigned_groups_only {
                        GroupScope::AssignedToApp
                    } else {
                        GroupScope::All
                    },
                    nested: true,
                    filter: GroupFilter::All,
                    cap: None,
                    overage_threshold: Some(150),
                    overage_link: Some((
                        names::ENTRA_GROUPS_LINK.into(),
                        format!(
                            "https://graph.windows.net/{tenant}/users/{{user}}/getMemberObjects"
                        ),
                    )),
                    omit_when_empty: true,
                }),
            }
        }
        // VENDORS.md 2.3.1: NameID EMAIL = primary email (S31); attribute
        // names are whatever the admin maps [UNVERIFIED naming], so the
        // WorkOS-style set; groups are names of *listed* groups, nested
        // parents included, at most 75 (S29).
        Vendor::Google => ClaimRules {
            name_id: NameIdSource::Email,
            email: plain("email"),
            first_name: plain("firstName"),
            last_name: plain("lastName"),
            display_name: None,
            upn: None,
            object_id: None,
            constants: vec![],
            groups: Some(GroupsClaim {
                name: "groups".into(),
                value: GroupValue::Name,
                scope: GroupScope::All,
                nested: true,
                filter: opts
                    .google_groups
                    .clone()
                    .map(GroupFilter::Listed)
                    .unwrap_or(GroupFilter::All),
                cap: Some(75),
                overage_threshold: None,
                overage_link: None,
                omit_when_empty: true,
            }),
        },
    };
    if let Some(src) = opts.name_id {
        rules.name_id = src;
    }
    rules
}
