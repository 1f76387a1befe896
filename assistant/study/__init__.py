"""Study: passages, quiz with spaced repetition, and the compensation compare table."""
