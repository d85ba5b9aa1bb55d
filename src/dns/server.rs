//! The authoritative server: a hickory-server `RequestHandler` over the
//! [`Store`](super::store::Store), answering at the virtual clock's current
//! instant, listening on UDP and TCP on one 127.0.0.1 port, and logging every
//! answered query.
//!
//! Behaviour, per RFC 1034/1035/2308: AA set for names in served zones;
//! NXDOMAIN when the name does not exist at this instant, NOERROR with no
//! answer (NODATA) when it exists without the type (empty non-terminals
//! included); REFUSED outside every zone; the zone's SOA in the authority
//! section of negative answers; over UDP the answer is cut at 512 octets
//! without EDNS, or at the EDNS payload size, with TC set so that resolvers
//! retry over TCP (hickory's encoder does the cutting and sets TC).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hickory_proto::op::{Edns, Metadata, OpCode, ResponseCode};
use hickory_proto::rr::{DNSClass, Record};
use hickory_server::net::runtime::Time;
use hickory_server::net::xfer::Protocol;
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo, Server};
use hickory_server::zone_handler::MessageResponseBuilder;

use super::name::DnsName;
use super::store::{Answer, AnswerRecord, Store};
use super::{QueryLogEntry, Transport};
use crate::sim::Clock;

/// How long a TCP client may stay idle before the server closes it.
const TCP_IDLE_TIMEOUT: Duration = Duration::from_secs(5);
/// Responses queued per TCP connection.
const TCP_RESPONSE_BUFFER: usize = 32;
/// The largest UDP payload we agree to, whatever a client advertises.
const EDNS_PAYLOAD_MAX: u16 = 4096;

pub(crate) struct Handler {
    pub(crate) store: Arc<Mutex<Store>>,
    pub(crate) log: Arc<Mutex<Vec<QueryLogEntry>>>,
    pub(crate) clock: Clock,
    /// Handles one query at a time, so the log is in arrival order.
    pub(crate) gate: tokio::sync::Mutex<()>,
}

fn rcode_text(code: ResponseCode) -> String {
    match code {
        ResponseCode::NoError => "NOERROR".into(),
        ResponseCode::FormErr => "FORMERR".into(),
        ResponseCode::ServFail => "SERVFAIL".into(),
        ResponseCode::NXDomain => "NXDOMAIN".into(),
        ResponseCode::NotImp => "NOTIMP".into(),
        ResponseCode::Refused => "REFUSED".into(),
        other => other.to_string().to_ascii_uppercase(),
    }
}

fn to_record(r: &AnswerRecord) -> Record {
    Record::from_rdata(r.owner.to_hickory(), r.ttl, r.rdata.to_hickory())
}

#[async_trait::async_trait]
impl RequestHandler for Handler {
    async fn handle_request<R: ResponseHandler, T: Time>(
        &self,
        request: &Request,
        mut response_handle: R,
    ) -> ResponseInfo {
        let _serial = self.gate.lock().await;
        let transport = match request.protocol() {
            Protocol::Tcp => Transport::Tcp,
            _ => Transport::Udp,
        };
        let mut metadata = Metadata::response_from_request(&request.metadata);
        let edns = request.edns.as_ref().map(|req| {
            let mut e = Edns::new();
            e.set_max_payload(req.max_payload().clamp(512, EDNS_PAYLOAD_MAX));
            e
        });
        let builder = {
            let mut b = MessageResponseBuilder::from_message_request(request);
            if let Some(e) = &edns {
                b.edns(e);
            }
            b
        };

        let info = request.request_info();
        let (qname_text, qtype_text, answer) = match &info {
            Err(_) => (String::new(), String::new(), None),
            Ok(info) => {
                let q = info.query.original();
                let qname = DnsName::from_hickory(q.name());
                let answer = if request.metadata.op_code != OpCode::Query {
                    None
                } else if q.query_class() != DNSClass::IN {
                    Some(Answer::Refused)
                } else {
                    let now = self.clock.elapsed();
                    let store = self
                        .store
                        .lock()
                        .unwrap_or_else(|poisoned| poisoned.into_inner());
                    Some(store.lookup(&qname, u16::from(q.query_type()), now))
                };
                (qname.to_string(), q.query_type().to_string(), answer)
            }
        };

        let empty: Vec<Record> = Vec::new();
        let (answers, authority, logged): (Vec<Record>, Vec<Record>, Vec<String>) = match &answer {
            Some(Answer::Records(rs)) => {
                metadata.authoritative = true;
                (
                    rs.iter().map(to_record).collect(),
                    empty,
                    rs.iter().map(|r| r.rdata.to_string()).collect(),
                )
            }
            Some(Answer::NoData { answers, soa }) => {
                metadata.authoritative = true;
                (
                    answers.iter().map(to_record).collect(),
                    vec![to_record(soa)],
                    answers.iter().map(|r| r.rdata.to_string()).collect(),
                )
            }
            Some(Answer::NxDomain { answers, soa }) => {
                metadata.authoritative = true;
                metadata.response_code = ResponseCode::NXDomain;
                (
                    answers.iter().map(to_record).collect(),
                    vec![to_record(soa)],
                    answers.iter().map(|r| r.rdata.to_string()).collect(),
                )
            }
            Some(Answer::Referral { ns }) => {
                (empty, ns.iter().map(to_record).collect(), Vec::new())
            }
            Some(Answer::Refused) => {
                metadata.response_code = ResponseCode::Refused;
                (empty, Vec::new(), Vec::new())
            }
            None => {
                metadata.response_code = match &info {
                    Err(_) => ResponseCode::FormErr,
                    Ok(_) => ResponseCode::NotImp,
                };
                (empty, Vec::new(), Vec::new())
            }
        };
        let rcode = metadata.response_code;
        let response = builder.build(metadata, answers.iter(), authority.iter(), [], []);
        let (truncated, info) = match response_handle.send_response(response).await {
            Ok(info) => (info.truncation, info),
            Err(e) => {
                // The crate has no logging facade; a send failure never
                // reaches a transcript, so stderr is the honest place.
                eprintln!("mock DNS could not send a response: {e}");
                let mut m = Metadata::response_from_request(&request.metadata);
                m.response_code = ResponseCode::ServFail;
                (
                    false,
                    ResponseInfo::from(hickory_proto::op::Header {
                        metadata: m,
                        counts: Default::default(),
                    }),
                )
            }
        };
        let entry = QueryLogEntry {
            transport,
            qname: qname_text,
            qtype: qtype_text,
            rcode: rcode_text(rcode),
            answers: logged,
            truncated,
        };
        self.log
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(entry);
        info
    }
}

/// Binds UDP and TCP on one loopback port (port 0 = any free port) and
/// starts serving.
pub(crate) async fn bind(
    addr: SocketAddr,
    handler: Handler,
) -> std::io::Result<(Server<Handler>, SocketAddr)> {
    if !addr.ip().is_loopback() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("the mock DNS only listens on loopback addresses, not {addr}"),
        ));
    }
    // With port 0 the UDP port is chosen first; the same TCP port may be
    // taken, so try a few times.
    let mut last_err = None;
    for _ in 0..16 {
        let udp = tokio::net::UdpSocket::bind(addr).await?;
        let local = udp.local_addr()?;
        match tokio::net::TcpListener::bind(local).await {
            Ok(tcp) => {
                let mut server = Server::new(handler);
                server.register_socket(udp);
                server.register_listener(tcp, TCP_IDLE_TIMEOUT, TCP_RESPONSE_BUFFER);
                return Ok((server, local));
            }
            Err(e) if addr.port() == 0 => last_err = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last_err.unwrap_or_else(|| std::io::Error::other("could not bind UDP and TCP on one port")))
}
