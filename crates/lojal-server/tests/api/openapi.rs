use crate::support::{server, Store};
