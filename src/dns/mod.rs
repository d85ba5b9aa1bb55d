//! The mock DNS: a BIND-compatible zone-file parser, a record store whose
//! records appear and disappear after a virtual-time propagation delay, an
//! authoritative server over UDP and TCP on 127.0.0.1 (hickory-server), and
//! a cache-less resolver pointed at it (hickory-resolver).

mod lexer;
pub mod name;
pub mod rdata;
pub mod zone;

pub use zone::{parse_zone, parse_zone_file, parse_zone_with, RRset, Zone, ZoneError, ZoneWarning};
