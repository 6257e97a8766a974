//! Sync merges: three laptops converge; conflicts reach the review queue.
