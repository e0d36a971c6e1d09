//! Integration tests of the gateway over real sockets on the loopback interface.
//! One binary (modules below) so that the suite links once.

mod deploy;
mod grpc;
mod http;
mod limits;
mod ops;
mod reload;
mod streams;
mod support;
mod tls;
