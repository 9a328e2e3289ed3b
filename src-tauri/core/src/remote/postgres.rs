//! [`super::Remote`] on PostgreSQL (written by the issue-27 PostgreSQL helper).
