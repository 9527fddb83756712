"""Models fitted on per-account summaries: purchase, spend and lifetime value."""
