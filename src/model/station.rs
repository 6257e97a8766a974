/// A township social-work station (社工站).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Station {
    pub id: i64,
    pub name: String,
    pub township: String,
    pub county: String,
}

/// A station before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStation {
    pub name: String,
    pub township: String,
    pub county: String,
}
