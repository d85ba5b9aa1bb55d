//! Every refusal the SP can give, with a stable code and words a person can act on.

use std::fmt;

/// Stable error codes. They appear in transcripts and in `expect: { error: … }`,
/// so renaming one is a breaking change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    /// The acting user's role does not allow the action (ORG-6, PRV-2).
    PermissionDenied,
    /// The acting user is not a member of the organization.
    NotAMember,
    UnknownOrganization,
    UnknownMember,
    UnknownDomain,
    /// A handle or member that already exists.
    AlreadyExists,
    /// The organization has no parent, so no identity settings (ORG-3, ORG-4).
    NoParent,
    /// The action does not apply to this kind of organization.
    WrongOrgKind,
    InvalidDomain,
    /// Another parent already verified the domain (DOM-4).
    DomainHeldByAnotherParent,
    /// DOM-7 needs at least one verified domain.
    NoVerifiedDomain,
    /// DOM-7: creation blocked for this email domain.
    OrgCreationDisabled,
    /// A role or membership change that would break an invariant (one primary owner, …).
    InvalidRoleChange,
    InvalidRequest,
    NotSignedIn,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::PermissionDenied => "permission-denied",
            Code::NotAMember => "not-a-member",
            Code::UnknownOrganization => "unknown-organization",
            Code::UnknownMember => "unknown-member",
            Code::UnknownDomain => "unknown-domain",
            Code::AlreadyExists => "already-exists",
            Code::NoParent => "no-parent-organization",
            Code::WrongOrgKind => "wrong-organization-kind",
            Code::InvalidDomain => "invalid-domain",
            Code::DomainHeldByAnotherParent => "domain-held-by-another-parent",
            Code::NoVerifiedDomain => "no-verified-domain",
            Code::OrgCreationDisabled => "organization-creation-disabled",
            Code::InvalidRoleChange => "invalid-role-change",
            Code::InvalidRequest => "invalid-request",
            Code::NotSignedIn => "not-signed-in",
        }
    }

    /// Every code, for documentation and for validating `expect: { error: … }`.
    pub const ALL: [Code; 15] = [
        Code::PermissionDenied,
        Code::NotAMember,
        Code::UnknownOrganization,
        Code::UnknownMember,
        Code::UnknownDomain,
        Code::AlreadyExists,
        Code::NoParent,
        Code::WrongOrgKind,
        Code::InvalidDomain,
        Code::DomainHeldByAnotherParent,
        Code::NoVerifiedDomain,
        Code::OrgCreationDisabled,
        Code::InvalidRoleChange,
        Code::InvalidRequest,
        Code::NotSignedIn,
    ];

    /// The HTTP status the admin API answers with.
    pub fn http_status(self) -> u16 {
        match self {
            Code::PermissionDenied | Code::NotAMember | Code::OrgCreationDisabled => 403,
            Code::UnknownOrganization | Code::UnknownMember | Code::UnknownDomain => 404,
            Code::AlreadyExists | Code::DomainHeldByAnotherParent => 409,
            Code::NotSignedIn => 401,
            Code::NoParent
            | Code::WrongOrgKind
            | Code::InvalidDomain
            | Code::NoVerifiedDomain
            | Code::InvalidRoleChange
            | Code::InvalidRequest => 422,
        }
    }
}

/// A refusal: what happened, and (where there is one) what to do instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpError {
    pub code: Code,
    pub message: String,
}

impl SpError {
    pub fn new(code: Code, message: impl Into<String>) -> SpError {
        SpError {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for SpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for SpError {}

pub type SpResult<T> = Result<T, SpError>;
