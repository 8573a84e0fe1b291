"""Week 2 helpers (word vectors, Emojify, word2vec)."""
