"""Answer: extractive or LLM answers, the passages they cite, and citation checks."""
