//! Assemblies and votes (`docs/protocol.md`, "Votes"): the counts come first, pure and exact;
//! proposals, ballots and the close build on them. [`count`]: single transferable vote and
//! instant runoff by the Scottish STV rules, checked against stvpoll's results.

pub mod count;
