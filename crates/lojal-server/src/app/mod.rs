//! The use cases: what a request asks the server to do, between `http`
//! (which extracts and answers) and `store` (which reads and writes rows).
//!
//! Each use case owns its transaction and is handed its clock (`now`): the
//! store below never reads the time and never begins a transaction, so the
//! one place a request's transaction begins is the function here that
//! serves it.
