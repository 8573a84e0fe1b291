"""Week 3 helpers (attention, trigger word)."""
