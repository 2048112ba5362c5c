//! Integration tests for hybridsync-certs (one test binary).
//! The OpenSSL tests need the `openssl` command-line tool (OpenSSL 3).

mod files;
mod fuzz;
mod openssl_interop;
mod problems;
mod support;
mod unreadable;
