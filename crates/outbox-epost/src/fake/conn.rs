//! A TCP listener whose connections a handler can kill, so the fake can drop a connection after
//! processing a request without sending a single byte of the response ([`Fault::DropConnection`]).
//!
//! hyper owns the connection, so a handler cannot close it directly. Instead each accepted stream
//! carries a shared kill switch, handed to handlers as `ConnectInfo<ConnInfo>`. Once the switch is
//! set, every read and write on the stream fails, so hyper's first attempt to write the response
//! errors, hyper gives the connection up and the socket is closed: the client sees the
//! connection end before any response.
//!
//! [`Fault::DropConnection`]: super::Fault::DropConnection

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// The kill switch of one connection.
#[derive(Debug, Default)]
pub(crate) struct KillSwitch(AtomicBool);

impl KillSwitch {
    pub(crate) fn kill(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    fn killed(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// What handlers learn about their connection.
#[derive(Debug, Clone)]
pub(crate) struct ConnInfo {
    pub(crate) kill: Arc<KillSwitch>,
}

impl Connected<IncomingStream<'_, KillableListener>> for ConnInfo {
    fn connect_info(stream: IncomingStream<'_, KillableListener>) -> Self {
        stream.remote_addr().clone()
    }
}

/// A [`TcpListener`] yielding [`KillableStream`]s.
pub(crate) struct KillableListener {
    inner: TcpListener,
}

impl KillableListener {
    pub(crate) fn new(inner: TcpListener) -> Self {
        Self { inner }
    }
}

impl Listener for KillableListener {
    type Io = KillableStream;
    type Addr = ConnInfo;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.inner.accept().await {
                Ok((stream, _peer)) => {
                    // Small requests and responses should not wait for Nagle.
                    let _ = stream.set_nodelay(true);
                    let kill = Arc::new(KillSwitch::default());
                    let io = KillableStream {
                        inner: stream,
                        kill: Arc::clone(&kill),
                    };
                    return (io, ConnInfo { kill });
                }
                Err(e) => {
                    tracing::debug!("fake E-POST server: accept failed: {e}");
                    // Back off so an exhausted fd table does not spin the loop.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }

    // axum only calls this for `Serve::local_addr`, which the fake does not use; the real
    // address is taken from the TcpListener before wrapping it.
    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()?;
        Ok(ConnInfo {
            kill: Arc::new(KillSwitch::default()),
        })
    }
}

/// A TCP stream that fails every operation once its kill switch is set.
pub(crate) struct KillableStream {
    inner: TcpStream,
    kill: Arc<KillSwitch>,
}

fn killed_error() -> io::Error {
    io::Error::new(
        io::ErrorKind::ConnectionAborted,
        "connection dropped by the fake E-POST server (Fault::DropConnection)",
    )
}

impl AsyncRead for KillableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.kill.killed() {
            return Poll::Ready(Err(killed_error()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.kill.killed() {
            return Poll::Ready(Err(killed_error()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.kill.killed() {
            return Poll::Ready(Err(killed_error()));
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.kill.killed() {
            return Poll::Ready(Err(killed_error()));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
