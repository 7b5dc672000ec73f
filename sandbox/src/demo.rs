//! The demo organization, users, secrets and tokens every sandbox serves.
//!
//! These are public demo values, documented in the README; they protect
//! nothing.

/// The password of every demo user.
pub const PASSWORD: &str = "tea.pots";

/// No second factor; TDH coordinator and TDH user.
pub const ALICE: &str = "alice";
/// Second factor required and activated (secret [`BOB_TOTP_SECRET`]); TDH user.
pub const BOB: &str = "bob";
/// No TDH permission: TDH and alerts queries are refused for her.
pub const CAROL: &str = "carol";
/// Second factor required but still being set up (secret [`DAVE_TOTP_SECRET`]):
/// his password step answers with an SVG QR code until he completes a TOTP step.
/// TDH user.
pub const DAVE: &str = "dave";

/// Bob's TOTP secret (base32; RFC 6238, SHA-1, 6 digits, 30 s).
pub const BOB_TOTP_SECRET: &str = "JBSWY3DPEHPK3PXP";
/// Dave's TOTP secret (base32), the RFC 6238 test seed `12345678901234567890`.
pub const DAVE_TOTP_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
/// When Bob activated his second factor (`otp.activated`).
pub const BOB_OTP_ACTIVATED: &str = "2025-09-01T09:30:00Z";

/// Alice's user id.
pub const ALICE_ID: &str = "6f1a2c3e-0a1b-4c2d-8e3f-a11ce0000001";
/// Bob's user id.
pub const BOB_ID: &str = "6f1a2c3e-0a1b-4c2d-8e3f-b0b000000002";
/// Carol's user id.
pub const CAROL_ID: &str = "6f1a2c3e-0a1b-4c2d-8e3f-ca1010000003";
/// Dave's user id.
pub const DAVE_ID: &str = "6f1a2c3e-0a1b-4c2d-8e3f-da7e00000004";

/// An opaque machine (API) token with TDH user permissions. It has no dots, so
/// clients treat it as a machine token rather than a JWT.
pub const MACHINE_TOKEN: &str = "sandbox-machine-token-7c1e4b2a9f3d4e6b8a0c5d2e1f3a4b6c";
/// The account the machine token acts as.
pub const MACHINE_USER: &str = "sandbox-machine";
/// The machine account's user id.
pub const MACHINE_USER_ID: &str = "6f1a2c3e-0a1b-4c2d-8e3f-3ac41e000005";

/// The demo organization's name.
pub const ORGANIZATION_NAME: &str = "Demo Tea Company";
/// The demo organization's short code (`organization { shortCode }`).
pub const ORGANIZATION_SHORT_CODE: &str = "DEMO";
/// The demo organization's id.
pub const ORGANIZATION_ID: &str = "0d3e7c1a-5b2f-4e8d-9c6a-de0000000001";

/// Service code of Threat Detection and Hunting.
pub const SERVICE_TDH: &str = "tdh";
/// Service code of the Portal itself (signing in, account).
pub const SERVICE_PORTAL: &str = "portal";

/// TDH user: may read issues and alerts.
pub const PERMISSION_TDH_ACCESS: &str = "tdh-access";
/// TDH coordinator: manages who in the organization has TDH access.
pub const PERMISSION_TDH_ACCESS_ADMIN: &str = "tdh-access-admin";
/// Portal account: every demo user has it.
pub const PERMISSION_PORTAL_ACCESS: &str = "portal-access";
