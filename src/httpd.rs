//! The one HTTP/1.1 accept loop every ssosim server runs on (the SP's admin
//! API, the mock IdP, the standalone SAML SP): hyper over a tokio listener,
//! a task per connection, and a clean shutdown. Servers bring only their
//! request handler.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// A running server.
pub struct HttpServer {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl HttpServer {
    /// Serves `handler` on an already bound listener until shut down.
    pub fn serve<H, F>(listener: TcpListener, handler: H) -> std::io::Result<HttpServer>
    where
        H: Fn(Request<Incoming>) -> F + Clone + Send + Sync + 'static,
        F: Future<Output = Response<Full<Bytes>>> + Send + 'static,
    {
        let addr = listener.local_addr()?;
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = stopped.changed() => break,
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        // Small request/response pairs: don't wait for Nagle.
                        let _ = stream.set_nodelay(true);
                        let handler = handler.clone();
                        tokio::spawn(async move {
                            let service = service_fn(move |req| {
                                let fut = handler(req);
                                async move { Ok::<_, Infallible>(fut.await) }
                            });
                            // A client hanging up ends that connection only.
                            let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                        });
                    }
                }
            }
        });
        Ok(HttpServer { addr, stop, task })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Binds `addr` (default 127.0.0.1 on an ephemeral port). ssosim listens on
/// loopback only: its IdP keys are public test keys.
pub async fn bind_loopback(addr: Option<SocketAddr>) -> std::io::Result<TcpListener> {
    let addr = addr.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
    if !addr.ip().is_loopback() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("{addr} is not a loopback address; ssosim listens on 127.0.0.1 only"),
        ));
    }
    TcpListener::bind(addr).await
}
