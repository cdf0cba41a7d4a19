"""Mass sampling rounds, pooled tubes, lab results, recalls, coverage."""
